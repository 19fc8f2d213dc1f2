// Command sizesdk makes the five Workspace calls through the SDK. It exists
// to be built: benchtable compares its size with cmd/sizeraw's, which
// makes the same calls by hand with net/http and encoding/json.
//
// Usage: sizesdk -endpoint URL -project ID -pool ID (token in WORKSPACE_TOKEN).
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"

	"github.com/hwcloud-go/workspace"
)

func main() {
	endpoint := flag.String("endpoint", "", "API base URL")
	project := flag.String("project", "", "project id")
	pool := flag.String("pool", "", "desktop pool id")
	desktop := flag.String("desktop", "", "desktop id")
	flag.Parse()
	c, err := workspace.NewClient(workspace.WithEndpoint(*endpoint), workspace.WithProjectID(*project),
		workspace.WithToken(os.Getenv("WORKSPACE_TOKEN")))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	st, err := c.DesktopPools.GetInconsistentStatistics(ctx, *pool)
	if err != nil {
		log.Fatal(err)
	}
	job, err := c.DesktopPools.BatchDeleteVolumes(ctx, *pool, &workspace.BatchDeleteVolumesRequest{
		Volumes: []workspace.VolumeInfo{{Type: "SAS", Size: 10}},
	})
	if err != nil {
		log.Fatal(err)
	}
	im, err := c.Desktops.CheckImages(ctx, []string{*desktop})
	if err != nil {
		log.Fatal(err)
	}
	ts, err := c.DesktopPools.ListScriptExecutionTasks(ctx, &workspace.ListScriptExecutionTasksOptions{
		Status: workspace.TaskStatusFailed, Limit: 100,
	})
	if err != nil {
		log.Fatal(err)
	}
	ss, err := c.Snapshots.List(ctx, &workspace.ListSnapshotsOptions{Limit: 1000})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(*st, job.JobID, len(im), ts.TotalCount, ss.TotalCount)
}
