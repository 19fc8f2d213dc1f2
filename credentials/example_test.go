package credentials_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/credentials"
	"github.com/hwcloud-go/workspace/workspacetest"
)

func ExampleNewIAMTokenSource() {
	src, err := credentials.NewIAMTokenSource(credentials.IAMConfig{
		Region:     "ap-southeast-3",
		UserName:   "alice",
		Password:   workspace.NewSecret("from a secret store"),
		DomainName: "acme",
		ProjectID:  "0bec5db98280d2d02fd6c00c2de791ce",
	})
	if err != nil {
		panic(err)
	}
	c, err := workspace.NewClient(
		workspace.WithRegion("ap-southeast-3"),
		workspace.WithProjectID("0bec5db98280d2d02fd6c00c2de791ce"),
		workspace.WithTokenSource(src), // fetched on the first call, refreshed ahead of expiry
	)
	if err != nil {
		panic(err)
	}
	_ = c
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

	src, err := credentials.NewIDTokenSource(credentials.IDTokenConfig{
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

func ExampleNewMetadataProvider() {
	// On an ECS instance with an agency: temporary keys from the metadata
	// service, read on the first call and again before they expire (or
	// after the API refuses them).
	p, err := credentials.NewMetadataProvider(credentials.MetadataConfig{})
	if err != nil {
		panic(err)
	}
	c, err := workspace.NewClient(
		workspace.WithRegion("ap-southeast-3"),
		workspace.WithProjectID("0bec5db98280d2d02fd6c00c2de791ce"),
		workspace.WithCredentialsProvider(p),
	)
	if err != nil {
		panic(err)
	}
	_ = c
}
