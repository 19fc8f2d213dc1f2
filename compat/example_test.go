package compat_test

import (
	"fmt"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
	workspacev2 "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/workspace/v2"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/workspace/v2/model"

	"github.com/hwcloud-go/workspace/workspacetest"
)

// poolDrift is code written against the vendor's SDK: it knows nothing of
// workspacetest.
func poolDrift(c *workspacev2.WorkspaceClient, poolID string) (int32, error) {
	r, err := c.ListInconsistentStatics(&model.ListInconsistentStaticsRequest{PoolId: poolID})
	if err != nil {
		return 0, err
	}
	return *r.ProductId + *r.ImageId + *r.DiskNum + *r.DiskSize, nil
}

// Code written against the vendor's Go SDK can use workspacetest as its
// fake too: point the vendor client at srv.URL with the fake's AK/SK and
// project id (given, so the client never asks IAM for it).
func Example_vendorSDKAgainstWorkspacetest() {
	srv := workspacetest.NewServer()
	defer srv.Close()
	srv.AddPool(workspacetest.Pool{ID: "pool-1", ProductID: "office.medium", ImageID: "img-1"})
	srv.AddDesktop(workspacetest.Desktop{ID: "d-1", PoolID: "pool-1", ProductID: "office.large", ImageID: "img-1"})

	cred, err := basic.NewCredentialsBuilder().
		WithAk(srv.AccessKey).WithSk(srv.SecretKey).WithProjectId(srv.ProjectID).
		SafeBuild()
	if err != nil {
		panic(err)
	}
	hc, err := workspacev2.WorkspaceClientBuilder().
		WithEndpoints([]string{srv.URL}).
		WithCredential(cred).
		SafeBuild()
	if err != nil {
		panic(err)
	}
	client := workspacev2.NewWorkspaceClient(hc)

	n, err := poolDrift(client, "pool-1")
	fmt.Println(n, err)

	_, err = poolDrift(client, "pool-2")
	if e, ok := err.(*sdkerr.ServiceResponseError); ok {
		fmt.Println(e.StatusCode, e.ErrorCode)
	}
	// Output:
	// 1 <nil>
	// 400 WKS.0001
}
