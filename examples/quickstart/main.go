// Command quickstart calls each of the five Workspace operations once and
// waits for the batch-delete job. It is meant to be read: every step is a
// few lines of the SDK.
//
// It talks to your cloud as HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (or
// HUAWEICLOUD_SDK_TOKEN), HUAWEICLOUD_SDK_PROJECT_ID and
// HUAWEICLOUD_SDK_REGION say; when one is missing it prints which and exits
// with status 2. Name a pool and desktops with -pool and -desktops; it
// deletes a volume only when told which with -delete-volume.
//
// With -demo it runs on the embedded fake server with demo data instead.
// The fake is in demo.go, which only a build with -tags demo includes, so
// that a plain build (or a copy of this file alone) does not carry it:
//
//	go run -tags demo ./examples/quickstart -demo
//	go run ./examples/quickstart -pool POOL_ID -desktops ID1,ID2 -delete-volume SAS:100
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/config"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	err := run(ctx, os.Stdout, os.Args[1:])
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(exitStatus(err))
	}
}

func run(ctx context.Context, out io.Writer, args []string) error {
	fs := flag.NewFlagSet("quickstart", flag.ContinueOnError)
	fs.SetOutput(out)
	poolID := fs.String("pool", "", "desktop pool id (default on the fake: its first pool)")
	desktops := fs.String("desktops", "", "comma-separated desktop ids for check-images (default on the fake: the pool's desktops)")
	volume := fs.String("delete-volume", "", "a pool volume to delete, TYPE:SIZE[:ID] (default on the fake: the pool's first volume)")
	demo := fs.Bool("demo", false, "run on the embedded fake server with demo data, not your cloud (in a build with -tags demo)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: quickstart [flags]\n\nCalls each Workspace operation once.\n\nFlags:")
		fs.PrintDefaults()
		fmt.Fprint(fs.Output(), envHelp)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil // -h asked for the usage, printed above
		}
		return setupError{err}
	}

	c, srv, err := connect(out, *demo)
	if err != nil {
		return err
	}
	if srv != nil {
		defer srv.Close()
		srv.fillDefaults(poolID, desktops, volume)
	}

	// 1. How many desktops of a pool differ from the pool's configuration.
	fmt.Fprintln(out)
	if *poolID == "" {
		fmt.Fprintln(out, "1. Inconsistent statistics: skipped (name a pool with -pool).")
	} else {
		stats, err := c.DesktopPools.GetInconsistentStatistics(ctx, *poolID)
		if err != nil {
			return err
		}
		// Each number counts desktops: those whose product (flavour), image,
		// number of data disks or data disk capacity differ from the pool's.
		fmt.Fprintf(out, "1. Desktops of pool %s that differ from its configuration:\n", *poolID)
		fmt.Fprintf(out, "   %d in product, %d in image, %d in number of data disks, %d in data disk capacity\n",
			stats.ProductID, stats.ImageID, stats.DiskNum, stats.DiskSize)
	}

	// 2. The images of some desktops.
	fmt.Fprintln(out)
	if ids := splitList(*desktops); len(ids) == 0 {
		fmt.Fprintln(out, "2. Desktop images: skipped (name desktops with -desktops).")
	} else if err := checkImages(ctx, out, c, ids); err != nil {
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
	if *poolID == "" || *volume == "" {
		fmt.Fprintln(out, "5. Batch-delete volumes: skipped (name a pool with -pool and a volume with -delete-volume TYPE:SIZE[:ID]).")
	} else if err := deleteVolume(ctx, out, c, *poolID, *volume); err != nil {
		return err
	}

	fmt.Fprintln(out, "\nNext: read examples/quickstart/main.go (each step above is a few lines of it), then")
	fmt.Fprintln(out, "examples/snapshot-report and examples/cleanup-volumes; the API: go doc -all github.com/hwcloud-go/workspace")
	return nil
}

func checkImages(ctx context.Context, out io.Writer, c *workspace.Client, ids []string) error {
	infos, err := c.Desktops.CheckImages(ctx, ids)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "2. Images of %d desktops:\n", len(ids))
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "   DESKTOP\tIMAGE\tTYPE\tOS")
	found := map[string]bool{}
	for _, in := range infos {
		found[in.DesktopID] = true
		fmt.Fprintf(tw, "   %s\t%s\t%s\t%s\n", in.DesktopID, in.ImageName, in.ImageType, in.OSType)
	}
	tw.Flush()
	var gone []string
	for _, id := range ids {
		if !found[id] {
			gone = append(gone, id) // the answer leaves out desktops whose image is gone
		}
	}
	if len(gone) > 0 {
		fmt.Fprintf(out, "   image no longer exists for %d: %s\n", len(gone), strings.Join(gone, ", "))
	}
	return nil
}

func listTasks(ctx context.Context, out io.Writer, c *workspace.Client) error {
	page, err := c.DesktopPools.ListScriptExecutionTasks(ctx, &workspace.ListScriptExecutionTasksOptions{Limit: 5})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "3. Script execution tasks: %d in all; the first %d:\n", page.TotalCount, len(page.Items))
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "   POOL\tSTATUS\tSTARTED\tDESKTOPS OK/FAILED/SKIPPED")
	for _, t := range page.Items {
		fmt.Fprintf(tw, "   %s\t%s\t%s\t%d/%d/%d\n", t.DesktopPoolName, t.Status,
			formatTime(t.StartTime), t.SuccessNum, t.FailedNum, t.SkipNum)
	}
	tw.Flush()

	failed := 0
	for _, err := range c.DesktopPools.AllScriptExecutionTasks(ctx, &workspace.ListScriptExecutionTasksOptions{
		Status: workspace.TaskStatusFailed, ExecuteTimeStart: time.Now().Add(-7 * 24 * time.Hour),
	}) {
		if err != nil {
			return err
		}
		failed++
	}
	fmt.Fprintf(out, "   failed in the last 7 days: %d\n", failed)
	return nil
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
	fmt.Fprintln(tw, "   NAME\tDESKTOP\tSYSTEM DISK\tSTATUS\tCREATED\tBY")
	for _, s := range page.Items {
		status := string(s.Status)
		if s.Process != nil { // a task is running: its progress in percent
			status += fmt.Sprintf(" (%d%%)", *s.Process)
		}
		fmt.Fprintf(tw, "   %s\t%s\t%t\t%s\t%s\t%s\n", s.Name, s.DesktopName, s.IsSystemDisk, status, formatTime(s.CreateTime), s.CreateType)
	}
	tw.Flush()
	return nil
}

func deleteVolume(ctx context.Context, out io.Writer, c *workspace.Client, poolID, volume string) error {
	// TYPE:SIZE[:ID], e.g. SAS:100 or SSD:200:6f1e...
	parts := strings.SplitN(volume, ":", 3)
	size, err := strconv.Atoi(parts[min(1, len(parts)-1)])
	if len(parts) < 2 || err != nil {
		return fmt.Errorf("-delete-volume %q: want TYPE:SIZE[:ID], the size in GB", volume)
	}
	v := workspace.VolumeInfo{Type: strings.ToUpper(parts[0]), Size: size}
	if len(parts) == 3 {
		v.ID = parts[2]
	}

	fmt.Fprintf(out, "5. Deleting volume %s of pool %s:\n", volume, poolID)
	res, err := c.DesktopPools.BatchDeleteVolumes(ctx, poolID, &workspace.BatchDeleteVolumesRequest{Volumes: []workspace.VolumeInfo{v}})
	if err != nil {
		return err
	}
	start := time.Now()
	fmt.Fprintf(out, "   job %s started; waiting for it\n", res.JobID)
	job, err := c.Jobs.Wait(ctx, res.JobID, nil) // polls at the client's interval: 10 s, on the fake 10 ms
	var failed *workspace.JobFailedError
	switch {
	case errors.As(err, &failed):
		fmt.Fprintf(out, "   job %s after %s: %s\n", job.Status, time.Since(start).Round(100*time.Millisecond), job.FailReason)
		return nil
	case err != nil:
		return err
	}
	fmt.Fprintf(out, "   job %s after %s, %s\n", job.Status, time.Since(start).Round(100*time.Millisecond), count(len(job.SubJobs), "sub-job"))
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04Z")
}

// connect returns a client for your cloud built from the environment (see
// envHelp), or, with -demo, one for the embedded fake with demo data, which
// it returns too for the caller to read and Close. Its first line of output
// says which. An incomplete environment is an error, a *workspace.ConfigError
// that names what is missing, never a reason to use the fake.
func connect(out io.Writer, demo bool) (*workspace.Client, demoServer, error) {
	if demo {
		if startDemo == nil {
			return nil, nil, setupError{errNoDemo}
		}
		c, srv := startDemo(out)
		return c, srv, nil
	}
	c, err := clientFromConfig()
	if err != nil {
		return nil, nil, setupError{err}
	}
	fmt.Fprintln(out, "Using the Huawei Cloud Workspace API named by the HUAWEICLOUD_SDK_* variables.")
	return c, nil, nil
}

// demoServer is the embedded fake as this program uses it.
type demoServer interface {
	Close()
	// fillDefaults sets the flags left empty from the demo data: its first
	// pool, that pool's desktops and its first volume.
	fillDefaults(poolID, desktops, volume *string)
}

// startDemo starts the embedded fake server with demo data and returns a
// client for it. demo.go sets it in a build with -tags demo; without the
// tag it stays nil, and the fake (package workspacetest) is not linked in.
var startDemo func(out io.Writer) (*workspace.Client, demoServer)

// errNoDemo is the answer to -demo in a build without the fake.
var errNoDemo = errors.New("-demo needs the embedded fake, which only a build with -tags demo has: go run -tags demo ./examples/quickstart -demo")

// setupError is an error in how the program was started: a flag, or a
// configuration that NewClient rejects (a *workspace.ConfigError, which it
// wraps). main exits with status 2 for it, as the flag package does.
type setupError struct{ err error }

func (e setupError) Error() string { return e.err.Error() }
func (e setupError) Unwrap() error { return e.err }

// exitStatus is 2 for a setupError and 1 for any other error.
func exitStatus(err error) int {
	if errors.As(err, new(setupError)) {
		return 2
	}
	return 1
}

// envHelp ends the -h text: what connect reads.
const envHelp = `
Environment (read without -demo; a missing setting is named, exit status 2):
  HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK   access key and secret key (AK/SK signing)
  HUAWEICLOUD_SDK_SECURITY_TOKEN           with temporary AK/SK
  HUAWEICLOUD_SDK_TOKEN                    or an IAM token instead of AK/SK
  HUAWEICLOUD_SDK_PROJECT_ID               the project
  HUAWEICLOUD_SDK_REGION                   the region, e.g. ap-southeast-3
  HUAWEICLOUD_SDK_WORKSPACE_ENDPOINT       or an endpoint instead of the region
`

// count says n things, in the singular for one: "1 sub-job", "3 sub-jobs".
func count(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

// clientFromConfig builds a client from the configuration this machine
// already has (config.Load: the HUAWEICLOUD_SDK_* variables, the
// credentials file, the ECS metadata service), with opts after it.
func clientFromConfig(opts ...workspace.Option) (*workspace.Client, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cfg, err := config.Load(ctx)
	if err != nil {
		return nil, err
	}
	return workspace.NewClient(append(cfg.Options(), opts...)...)
}
