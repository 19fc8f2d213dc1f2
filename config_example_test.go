package workspace_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/workspacetest"
)

// The vendor's credentials file, as the vendor's tools wrote it; the
// region comes from an option (or HUAWEICLOUD_SDK_REGION with WithEnv).
func ExampleWithCredentialsFile() {
	srv := workspacetest.NewServer()
	defer srv.Close()
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "credentials")
	_ = os.WriteFile(path, []byte("[basic]\nak = "+srv.AccessKey+"\nsk = "+srv.SecretKey+"\nproject_id = "+srv.ProjectID+"\n"), 0o600)

	c, err := workspace.NewClient(workspace.WithCredentialsFile(path), workspace.WithEndpoint(srv.URL))
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = c.Snapshots.List(context.Background(), nil)
	fmt.Println("signed with the file's keys:", err == nil)
	// Output: signed with the file's keys: true
}

// A Kubernetes workload federated with IAM: the projected OIDC token is
// exchanged for a project-scoped IAM token, read afresh at each exchange.
func ExampleNewIDTokenSource() {
	srv := workspacetest.NewServer() // the fake serves IAM's exchange too
	defer srv.Close()
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	tokenFile := filepath.Join(dir, "oidc-token")
	_ = os.WriteFile(tokenFile, []byte(srv.IDToken), 0o600)

	src, err := workspace.NewIDTokenSource(workspace.IDTokenConfig{
		IdPID:     srv.IdPID, // HUAWEICLOUD_SDK_IDP_ID
		TokenFile: tokenFile, // HUAWEICLOUD_SDK_ID_TOKEN_FILE
		ProjectID: srv.ProjectID,
		Endpoint:  srv.IAMURL(), // in production: Region: "ap-southeast-3"
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = srv.Client(workspace.WithTokenSource(src)).Snapshots.List(context.Background(), nil)
	fmt.Println("exchanged and called:", err == nil)
	// Output: exchanged and called: true
}

// With AK/SK and a region, the project id is looked up at IAM on the
// first call.
func ExampleWithIAMEndpoint() {
	srv := workspacetest.NewServer()
	defer srv.Close()
	c, err := workspace.NewClient(
		workspace.WithRegion(srv.Region),
		workspace.WithEndpoint(srv.URL),
		workspace.WithIAMEndpoint(srv.IAMURL()), // default: https://iam.{region}.myhuaweicloud.com
		workspace.WithAccessKey(srv.AccessKey, srv.SecretKey),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = c.Snapshots.List(context.Background(), nil)
	fmt.Println("project looked up:", err == nil, len(srv.RequestsFor(workspacetest.OpIAMListProjects)))
	// Output: project looked up: true 1
}

// A program tells "nothing configured" from a wrong value.
func ExampleConfigError() {
	_, err := workspace.NewClient(workspace.WithRegion("ap-southeast-3"), workspace.WithProjectID("p"))
	var ce *workspace.ConfigError
	if errors.As(err, &ce) && len(ce.Missing) > 0 {
		fmt.Println("not configured; any of:", ce.Missing)
	}
	_, err = workspace.NewClient(workspace.WithRegion("Not a region"))
	var ve *workspace.ValidationError
	fmt.Println("malformed:", errors.As(err, &ce), errors.As(err, &ve), ve.Field)
	// Output:
	// not configured; any of: [WithAccessKey WithToken WithTokenSource WithCredentialsProvider]
	// malformed: true true region
}
