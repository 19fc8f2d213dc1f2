// Command snapshot-report ranges over every snapshot, page by page, and
// prints a summary by status.
//
// It reads your cloud as HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (or
// HUAWEICLOUD_SDK_TOKEN), HUAWEICLOUD_SDK_PROJECT_ID and
// HUAWEICLOUD_SDK_REGION say; when one is missing it prints which and
// exits with status 2.
//
// With -demo it reads the embedded fake server with demo data instead.
// The fake is in demo.go, which only a build with -tags demo includes, so
// that a plain build (or a copy of this file alone) does not carry it:
//
//	go run -tags demo ./examples/snapshot-report -demo
//	go run ./examples/snapshot-report -create-type MANUALLY -page-size 1000
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
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	err := run(ctx, os.Stdout, os.Args[1:])
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "snapshot-report:", err)
		os.Exit(exitStatus(err))
	}
}

// statusOrder is the order of the report's rows; other statuses follow.
var statusOrder = []workspace.SnapshotStatus{
	workspace.SnapshotStatusCreating,
	workspace.SnapshotStatusCreateSuccess,
	workspace.SnapshotStatusCreateFailed,
	workspace.SnapshotStatusRestoring,
	workspace.SnapshotStatusRestoreSuccess,
	workspace.SnapshotStatusRestoreFailed,
}

// row sums up the snapshots of one status.
type row struct {
	total, auto, manual, system, data int
	oldest, newest                    time.Time
}

func (r *row) add(s workspace.Snapshot) {
	r.total++
	if s.CreateType == workspace.CreateTypeAuto {
		r.auto++
	} else {
		r.manual++
	}
	if s.IsSystemDisk {
		r.system++
	} else {
		r.data++
	}
	if r.oldest.IsZero() || s.CreateTime.Before(r.oldest) {
		r.oldest = s.CreateTime
	}
	if s.CreateTime.After(r.newest) {
		r.newest = s.CreateTime
	}
}

func run(ctx context.Context, out io.Writer, args []string) error {
	fs := flag.NewFlagSet("snapshot-report", flag.ContinueOnError)
	fs.SetOutput(out)
	pageSize := fs.Int("page-size", 100, "snapshots per request, 1 to 1000")
	createType := fs.String("create-type", "", "only AUTO or MANUALLY snapshots")
	desktop := fs.String("desktop", "", "only the snapshots of this desktop id")
	demo := fs.Bool("demo", false, "read the embedded fake server with demo data, not your cloud (in a build with -tags demo)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: snapshot-report [flags]\n\nSums up every snapshot by status.\n\nFlags:")
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
	}

	opts := &workspace.ListSnapshotsOptions{
		Limit:      *pageSize,
		CreateType: workspace.CreateType(*createType),
		DesktopID:  *desktop,
		SortField:  workspace.SortFieldCreateTime,
		SortType:   workspace.SortTypeAsc,
	}
	rows := map[workspace.SnapshotStatus]*row{}
	var all row
	var restoreFailures []workspace.Snapshot
	inProgress := 0
	for s, err := range c.Snapshots.All(ctx, opts) {
		if err != nil {
			return err
		}
		r := rows[s.Status]
		if r == nil {
			r = &row{}
			rows[s.Status] = r
		}
		r.add(s)
		all.add(s)
		if s.Process != nil {
			inProgress++
		}
		if s.Status == workspace.SnapshotStatusRestoreFailed && len(restoreFailures) < 3 {
			restoreFailures = append(restoreFailures, s)
		}
	}

	pages := "1 page"
	if n := (all.total + *pageSize - 1) / *pageSize; n > 1 {
		pages = fmt.Sprintf("%d pages", n)
	}
	fmt.Fprintf(out, "\n%d snapshots, read in %s of up to %d.\n\n", all.total, pages, *pageSize)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "STATUS\tTOTAL\tAUTO\tMANUAL\tSYSTEM\tDATA\tOLDEST\tNEWEST\t")
	statuses := slices.Clone(statusOrder)
	for st := range rows {
		if !slices.Contains(statuses, st) {
			statuses = append(statuses, st) // a status this program does not know
		}
	}
	for _, st := range statuses {
		if r := rows[st]; r != nil {
			printRow(tw, string(st), r)
		}
	}
	printRow(tw, "all", &all)
	tw.Flush()

	fmt.Fprintf(out, "\n%d snapshots have a task running (creating or restoring).\n", inProgress)
	for _, s := range restoreFailures {
		fmt.Fprintf(out, "restore failed: %s on %s: %s\n", s.Name, s.DesktopName, s.RestoreFailReason)
	}
	return nil
}

func printRow(w io.Writer, name string, r *row) {
	fmt.Fprintf(w, "%s\t%d\t%d\t%d\t%d\t%d\t%s\t%s\t\n", name, r.total, r.auto, r.manual, r.system, r.data, day(r.oldest), day(r.newest))
}

func day(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02")
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
var errNoDemo = errors.New("-demo needs the embedded fake, which only a build with -tags demo has: go run -tags demo ./examples/snapshot-report -demo")

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
