// Command quickstart calls each of the five Workspace operations once and
// waits for the batch-delete job.
//
// With HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (or HUAWEICLOUD_SDK_TOKEN),
// HUAWEICLOUD_SDK_PROJECT_ID and HUAWEICLOUD_SDK_REGION set it talks to
// your cloud; otherwise it starts the embedded fake server with demo data.
// Against the cloud, name a pool and desktops with -pool and -desktops; it
// deletes a volume only when told which with -delete-volume.
//
//	go run ./examples/quickstart
//	go run ./examples/quickstart -pool POOL_ID -desktops ID1,ID2 -delete-volume SAS:100
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/examples/internal/exampleenv"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := run(ctx, os.Stdout, os.Args[1:], os.LookupEnv); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer, args []string, lookup exampleenv.LookupEnv) error {
	fs := flag.NewFlagSet("quickstart", flag.ContinueOnError)
	fs.SetOutput(out)
	poolFlag := fs.String("pool", "", "desktop pool id (default on the fake: its first pool)")
	desktopsFlag := fs.String("desktops", "", "comma-separated desktop ids for check-images (default on the fake: the pool's desktops)")
	volumeFlag := fs.String("delete-volume", "", "a pool volume to delete, TYPE:SIZE[:ID] (default on the fake: the pool's first volume)")
	if err := fs.Parse(args); err != nil {
		return err
	}

	env, err := exampleenv.Setup(out, lookup)
	if err != nil {
		return err
	}
	defer env.Close()
	c := env.Client
	poolID := env.PoolID(*poolFlag)

	// 1. Difference statistics of a desktop pool.
	fmt.Fprintln(out)
	if poolID == "" {
		fmt.Fprintln(out, "1. Inconsistent statistics: skipped (name a pool with -pool).")
	} else {
		stats, err := c.DesktopPools.GetInconsistentStatistics(ctx, poolID)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "1. Desktops of pool %s that differ from its configuration:\n", env.PoolName(poolID))
		fmt.Fprintf(out, "   product %d, image %d, number of data disks %d, disk capacity %d\n",
			stats.ProductID, stats.ImageID, stats.DiskNum, stats.DiskSize)
	}

	// 2. The images of some desktops.
	fmt.Fprintln(out)
	if ids := env.DesktopIDs(*desktopsFlag, poolID); len(ids) == 0 {
		fmt.Fprintln(out, "2. Desktop images: skipped (name desktops with -desktops).")
	} else if err := checkImages(ctx, out, env, ids); err != nil {
		return err
	}

	// 3. Script execution tasks: one page, and a count over all pages.
	fmt.Fprintln(out)
	if err := listTasks(ctx, out, c); err != nil {
		return err
	}

	// 4. Snapshots, newest first.
	fmt.Fprintln(out)
	if err := listSnapshots(ctx, out, c); err != nil {
		return err
	}

	// 5. Batch-delete a pool volume and wait for the job.
	fmt.Fprintln(out)
	vol, err := volumeToDelete(env, poolID, *volumeFlag)
	if err != nil {
		return err
	}
	if vol == nil {
		fmt.Fprintln(out, "5. Batch-delete volumes: skipped (name a pool with -pool and a volume with -delete-volume TYPE:SIZE[:ID]).")
		return nil
	}
	return deleteVolume(ctx, out, env, poolID, *vol)
}

func checkImages(ctx context.Context, out io.Writer, env *exampleenv.Env, ids []string) error {
	infos, err := env.Client.Desktops.CheckImages(ctx, ids)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "2. Images of %d desktops:\n", len(ids))
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "   DESKTOP\tIMAGE\tTYPE\tOS")
	found := make(map[string]bool, len(infos))
	for _, in := range infos {
		found[in.DesktopID] = true
		fmt.Fprintf(tw, "   %s\t%s\t%s\t%s\n", desktopLabel(env, in.DesktopID), in.ImageName, in.ImageType, in.OSType)
	}
	tw.Flush()
	var gone []string
	for _, id := range ids {
		if !found[id] {
			gone = append(gone, desktopLabel(env, id))
		}
	}
	if len(gone) > 0 {
		fmt.Fprintf(out, "   image no longer exists for: %s\n", strings.Join(gone, ", "))
	}
	return nil
}

func desktopLabel(env *exampleenv.Env, id string) string {
	if name := env.DesktopName(id); name != "" {
		return name
	}
	return id
}

func listTasks(ctx context.Context, out io.Writer, c *workspace.Client) error {
	page, err := c.DesktopPools.ListScriptExecutionTasks(ctx, &workspace.ListScriptExecutionTasksOptions{Limit: 5})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "3. Script execution tasks: %d in all; the first %d:\n", page.TotalCount, len(page.Items))
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "   POOL\tWHAT\tSTATUS\tSTARTED\tOK/FAILED/SKIPPED")
	for _, t := range page.Items {
		fmt.Fprintf(tw, "   %s\t%s\t%s\t%s\t%d/%d/%d\n", t.DesktopPoolName, taskWhat(t), t.Status,
			formatTime(t.StartTime), t.SuccessNum, t.FailedNum, t.SkipNum)
	}
	tw.Flush()

	weekAgo := time.Now().Add(-7 * 24 * time.Hour)
	failed := 0
	for _, err := range c.DesktopPools.AllScriptExecutionTasks(ctx, &workspace.ListScriptExecutionTasksOptions{
		Status: workspace.TaskStatusFailed, ExecuteTimeStart: weekAgo,
	}) {
		if err != nil {
			return err
		}
		failed++
	}
	fmt.Fprintf(out, "   failed in the last 7 days: %d\n", failed)
	return nil
}

func taskWhat(t workspace.ScriptExecutionTask) string {
	if len(t.Scripts) == 0 {
		return fmt.Sprintf("%s: %s", t.CommandType, t.CommandContent)
	}
	names := make([]string, len(t.Scripts))
	for i, s := range t.Scripts {
		names[i] = s.Name
	}
	return strings.Join(names, ", ")
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04Z")
}

func listSnapshots(ctx context.Context, out io.Writer, c *workspace.Client) error {
	page, err := c.Snapshots.List(ctx, &workspace.ListSnapshotsOptions{
		SortField: workspace.SortFieldCreateTime, SortType: workspace.SortTypeDesc, Limit: 5,
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "4. Snapshots: %d in all; the %d newest:\n", page.TotalCount, len(page.Items))
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "   NAME\tDESKTOP\tDISK\tSTATUS\tCREATED\tBY")
	for _, s := range page.Items {
		disk := "data"
		if s.IsSystemDisk {
			disk = "system"
		}
		status := string(s.Status)
		if s.Process != nil {
			status += fmt.Sprintf(" (%d%%)", *s.Process)
		}
		fmt.Fprintf(tw, "   %s\t%s\t%s\t%s\t%s\t%s\n", s.Name, s.DesktopName, disk, status, formatTime(s.CreateTime), s.CreateType)
	}
	tw.Flush()
	return nil
}

// volumeToDelete is the -delete-volume flag, or on the fake the pool's
// first volume; nil when there is none.
func volumeToDelete(env *exampleenv.Env, poolID, flagValue string) (*workspace.VolumeInfo, error) {
	if poolID == "" {
		return nil, nil
	}
	if flagValue != "" {
		v, err := exampleenv.ParseVolume(flagValue)
		return &v, err
	}
	if env.Fake != nil {
		if p, ok := env.Fake.Pool(poolID); ok && len(p.Volumes) > 0 {
			return &p.Volumes[0], nil
		}
	}
	return nil, nil
}

func deleteVolume(ctx context.Context, out io.Writer, env *exampleenv.Env, poolID string, v workspace.VolumeInfo) error {
	fmt.Fprintf(out, "5. Deleting volume %s of pool %s:\n", exampleenv.VolumeString(v), env.PoolName(poolID))
	res, err := env.Client.DesktopPools.BatchDeleteVolumes(ctx, poolID, &workspace.BatchDeleteVolumesRequest{
		Volumes: []workspace.VolumeInfo{v},
	})
	if err != nil {
		return err
	}
	start := time.Now()
	fmt.Fprintf(out, "   job %s started; waiting for it (polling every %s)\n", res.JobID, env.Wait.Interval)
	job, err := env.Client.Jobs.Wait(ctx, res.JobID, &env.Wait)
	var failed *workspace.JobFailedError
	switch {
	case errors.As(err, &failed):
		fmt.Fprintf(out, "   job %s after %s: %s\n", job.Status, time.Since(start).Round(100*time.Millisecond), job.FailReason)
		return nil
	case err != nil:
		return err
	}
	fmt.Fprintf(out, "   job %s after %s: %d of %d sub-jobs succeeded\n", job.Status,
		time.Since(start).Round(100*time.Millisecond), succeeded(job), job.SubJobsTotal)
	return nil
}

func succeeded(job *workspace.Job) int {
	n := 0
	for _, sj := range job.SubJobs {
		if sj.Status == "SUCCESS" {
			n++
		}
	}
	return n
}
