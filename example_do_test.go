package workspace_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/workspacetest"
)

// Client.Do reaches an operation the SDK does not wrap, here "list
// desktops" (GET /v2/{project_id}/desktops), with the client's
// credentials, retries and errors. The answer is decoded into a struct of
// the caller's.
func ExampleClient_Do() {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println(r.Method, r.URL.Path, r.URL.RawQuery)
		fmt.Fprint(w, `{"total_count": 2, "desktops": [
			{"desktop_id": "d-1", "computer_name": "FIN-001", "status": "ACTIVE"},
			{"desktop_id": "d-2", "computer_name": "FIN-002", "status": "SHUTOFF"}]}`)
	}))
	defer api.Close()
	c, err := workspace.NewClient(workspace.WithEndpoint(api.URL), workspace.WithProjectID("proj"), workspace.WithToken("t"))
	if err != nil {
		log.Fatal(err)
	}

	var page struct {
		TotalCount int `json:"total_count"`
		Desktops   []struct {
			ID     string `json:"desktop_id"`
			Name   string `json:"computer_name"`
			Status string `json:"status"`
		} `json:"desktops"`
	}
	err = c.Do(context.Background(), http.MethodGet, "/desktops", url.Values{"limit": {"10"}}, nil, &page)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("desktops:", page.TotalCount)
	for _, d := range page.Desktops {
		fmt.Println(d.ID, d.Name, d.Status)
	}
	// Output:
	// GET /v2/proj/desktops limit=10
	// desktops: 2
	// d-1 FIN-001 ACTIVE
	// d-2 FIN-002 SHUTOFF
}

// A path the gateway does not know is a 404 with the gateway's code
// APIGW.0101, as the fake answers too.
func ExampleClient_Do_noSuchAPI() {
	srv := workspacetest.NewServer()
	defer srv.Close()
	c := srv.Client()

	err := c.Do(context.Background(), http.MethodGet, "/no-such-resource", nil, nil, nil)
	var apiErr *workspace.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Code, apiErr.RequestID != "")
	}
	// Output:
	// 404 APIGW.0101 true
}
