// Command pool-snapshots reports the snapshots of a desktop pool's
// desktops by status and desktop, and cleans them up: with -delete-failed
// it deletes the snapshots whose creation failed, with -older-than those
// older than a duration, in batches of 100, waiting for each job.
//
// Without a cleanup flag it only reports.
//
// It works on your cloud as HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (or
// HUAWEICLOUD_SDK_TOKEN), HUAWEICLOUD_SDK_PROJECT_ID and
// HUAWEICLOUD_SDK_REGION say, and needs -pool; when a setting is missing it
// prints which and exits with status 2.
//
// With -demo it runs on the embedded fake server with demo data instead
// (on its first pool unless -pool says otherwise). The fake is in demo.go,
// which only a build with -tags demo includes, so that a plain build (or a
// copy of this file alone) does not carry it:
//
//	go run -tags demo ./examples/pool-snapshots -demo -delete-failed
//	go run ./examples/pool-snapshots -pool POOL_ID -older-than 2160h
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/config"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	err := run(ctx, os.Stdout, os.Args[1:])
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "pool-snapshots:", err)
		os.Exit(exitStatus(err))
	}
}

// statusOrder is the order of the report's columns; other statuses follow.
var statusOrder = []workspace.SnapshotStatus{
	workspace.SnapshotStatusCreating,
	workspace.SnapshotStatusCreateSuccess,
	workspace.SnapshotStatusCreateFailed,
	workspace.SnapshotStatusRestoring,
	workspace.SnapshotStatusRestoreSuccess,
	workspace.SnapshotStatusRestoreFailed,
}

func run(ctx context.Context, out io.Writer, args []string) error {
	fs := flag.NewFlagSet("pool-snapshots", flag.ContinueOnError)
	fs.SetOutput(out)
	poolID := fs.String("pool", "", "the desktop pool (required, except with -demo)")
	deleteFailed := fs.Bool("delete-failed", false, "delete the snapshots whose creation failed")
	olderThan := fs.Duration("older-than", 0, "delete the snapshots created longer ago than this, e.g. 2160h (0: none)")
	demo := fs.Bool("demo", false, "run on the embedded fake server with demo data, not your cloud (in a build with -tags demo)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: pool-snapshots -pool POOL_ID [flags]\n\nReports the snapshots of a pool's desktops and cleans them up.\n\nFlags:")
		fs.PrintDefaults()
		fmt.Fprint(fs.Output(), envHelp)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil // -h asked for the usage, printed above
		}
		return setupError{err}
	}
	if *poolID == "" && !*demo {
		return setupError{errors.New("-pool is required: the desktop pool whose snapshots to report")}
	}
	if *olderThan < 0 {
		return setupError{fmt.Errorf("-older-than must not be negative, got %v", *olderThan)}
	}

	c, srv, err := connect(out, *demo)
	if err != nil {
		return err
	}
	if srv != nil {
		defer srv.Close()
	}

	pool, err := findPool(ctx, c, *poolID)
	if err != nil {
		return err
	}
	desktops := map[string]string{} // id: name
	var ids []string
	for d, err := range c.DesktopPools.AllDesktops(ctx, pool.ID, nil) {
		if err != nil {
			return err
		}
		desktops[d.ID] = d.Name
		ids = append(ids, d.ID)
	}
	snaps, err := poolSnapshots(ctx, c, ids)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\npool %s (%s): %d desktops, %d snapshots\n\n", pool.Name, pool.ID, len(ids), len(snaps))
	report(out, snaps, desktops)

	cutoff := time.Time{}
	if *olderThan > 0 {
		cutoff = time.Now().Add(-*olderThan)
	}
	var doomed []string
	for _, s := range snaps {
		if s.Process != nil {
			continue // a task is running on it
		}
		failed := *deleteFailed && s.Status == workspace.SnapshotStatusCreateFailed
		old := !cutoff.IsZero() && s.CreateTime.Before(cutoff)
		if failed || old {
			doomed = append(doomed, s.ID)
		}
	}
	if !*deleteFailed && *olderThan == 0 {
		return nil
	}
	fmt.Fprintf(out, "\ndeleting %d snapshots\n", len(doomed))
	for chunk := range slices.Chunk(doomed, workspace.MaxSnapshotsPerBatch) {
		res, err := c.Snapshots.BatchDelete(ctx, chunk)
		if err != nil {
			return err
		}
		job, err := c.Jobs.Wait(ctx, res.JobID, nil)
		var failed *workspace.JobFailedError
		switch {
		case errors.As(err, &failed):
			fmt.Fprintf(out, "  job %s: %v\n", res.JobID, err)
		case err != nil:
			return err
		default:
			fmt.Fprintf(out, "  job %s: %d deleted\n", job.ID, len(chunk))
		}
	}
	left, err := poolSnapshots(ctx, c, ids)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "snapshots left: %d\n", len(left))
	return nil
}

// findPool is the pool named, or with none (-demo), the first one listed.
func findPool(ctx context.Context, c *workspace.Client, poolID string) (*workspace.DesktopPool, error) {
	if poolID == "" {
		page, err := c.DesktopPools.List(ctx, &workspace.ListDesktopPoolsOptions{Limit: 1})
		if err != nil {
			return nil, err
		}
		if len(page.Items) == 0 {
			return nil, errors.New("the project has no desktop pool")
		}
		return &page.Items[0], nil
	}
	p, err := c.DesktopPools.Get(ctx, poolID)
	if errors.Is(err, workspace.ErrNotFound) {
		return nil, setupError{fmt.Errorf("no desktop pool %q in this project", poolID)}
	}
	return p, err
}

// poolSnapshots lists the snapshots of the desktops ids, asking for up to
// 100 desktops at a time.
func poolSnapshots(ctx context.Context, c *workspace.Client, ids []string) ([]workspace.Snapshot, error) {
	var snaps []workspace.Snapshot
	for chunk := range slices.Chunk(ids, workspace.MaxFilterValues) {
		for s, err := range c.Snapshots.All(ctx, &workspace.ListSnapshotsOptions{DesktopIDs: chunk}) {
			if err != nil {
				return nil, err
			}
			snaps = append(snaps, s)
		}
	}
	return snaps, nil
}

// report prints the snapshots' counts by status, one row per desktop.
func report(out io.Writer, snaps []workspace.Snapshot, desktops map[string]string) {
	statuses := slices.Clone(statusOrder)
	counts := map[string]map[workspace.SnapshotStatus]int{}
	var names []string
	for _, s := range snaps {
		if !slices.Contains(statuses, s.Status) {
			statuses = append(statuses, s.Status) // a status this program does not know
		}
		name := desktops[s.DesktopID]
		if counts[name] == nil {
			counts[name] = map[workspace.SnapshotStatus]int{}
			names = append(names, name)
		}
		counts[name][s.Status]++
	}
	slices.Sort(names)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "DESKTOP\t")
	for _, st := range statuses {
		fmt.Fprintf(tw, "%s\t", st)
	}
	fmt.Fprintln(tw)
	for _, name := range names {
		fmt.Fprintf(tw, "%s\t", name)
		for _, st := range statuses {
			fmt.Fprintf(tw, "%d\t", counts[name][st])
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
}

// connect returns a client for your cloud built from the environment (see
// envHelp), or, with -demo, one for the embedded fake with demo data, which
// it returns too for the caller to Close. Its first line of output says
// which. An incomplete environment is an error, a *workspace.ConfigError
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
type demoServer interface{ Close() }

// startDemo starts the embedded fake server with demo data and returns a
// client for it. demo.go sets it in a build with -tags demo; without the
// tag it stays nil, and the fake (package workspacetest) is not linked in.
var startDemo func(out io.Writer) (*workspace.Client, demoServer)

// errNoDemo is the answer to -demo in a build without the fake.
var errNoDemo = errors.New("-demo needs the embedded fake, which only a build with -tags demo has: go run -tags demo ./examples/pool-snapshots -demo")

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
