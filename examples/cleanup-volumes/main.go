// Command cleanup-volumes batch-deletes data disks of a desktop pool and
// waits for the job that does it, then reports each sub-job.
//
// It works on your cloud as HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (or
// HUAWEICLOUD_SDK_TOKEN), HUAWEICLOUD_SDK_PROJECT_ID and
// HUAWEICLOUD_SDK_REGION say, and needs -pool and at least one -volume;
// when a setting is missing it prints which and exits with status 2.
//
// With -demo it runs on the embedded fake server with demo data instead
// and deletes every volume of the first demo pool. The fake is in demo.go,
// which only a build with -tags demo includes, so that a plain build (or a
// copy of this file alone) does not carry it:
//
//	go run -tags demo ./examples/cleanup-volumes -demo
//	go run ./examples/cleanup-volumes -pool POOL_ID -volume SAS:100 -volume SSD:200:VOLUME_ID
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
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	err := run(ctx, os.Stdout, os.Args[1:])
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "cleanup-volumes:", err)
		os.Exit(exitStatus(err))
	}
}

// volumeList is a repeatable -volume flag: TYPE:SIZE[:ID], e.g. SAS:100 or
// SSD:200:6f1e....
type volumeList []workspace.VolumeInfo

func (l *volumeList) String() string { return fmt.Sprint(*l) }

func (l *volumeList) Set(s string) error {
	parts := strings.SplitN(s, ":", 3)
	if len(parts) < 2 {
		return fmt.Errorf("volume %q: want TYPE:SIZE or TYPE:SIZE:ID", s)
	}
	size, err := strconv.Atoi(parts[1])
	if err != nil {
		return fmt.Errorf("volume %q: size %q is not a number of GB", s, parts[1])
	}
	v := workspace.VolumeInfo{Type: strings.ToUpper(parts[0]), Size: size}
	if len(parts) == 3 {
		v.ID = parts[2]
	}
	*l = append(*l, v)
	return nil
}

func run(ctx context.Context, out io.Writer, args []string) error {
	fs := flag.NewFlagSet("cleanup-volumes", flag.ContinueOnError)
	fs.SetOutput(out)
	poolID := fs.String("pool", "", "desktop pool id (default on the fake: its first pool)")
	handleType := fs.String("handle-type", "", "which desktops: ONLY_FOR_EXPAND, FOR_EXPAND_AND_IDLE or FOR_EXPAND_AND_ALL (default: the API's)")
	var volumes volumeList
	fs.Var(&volumes, "volume", "a volume to delete, TYPE:SIZE[:ID]; repeat for more (at most 10; default on the fake: all of the pool's)")
	demo := fs.Bool("demo", false, "run on the embedded fake server with demo data, not your cloud (in a build with -tags demo)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: cleanup-volumes [flags]\n\nDeletes data disks of a desktop pool and waits for the job.\n\nFlags:")
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
		srv.fillDefaults(poolID, &volumes)
	}
	if *poolID == "" || len(volumes) == 0 {
		return errors.New("name the pool and the volumes to delete: -pool POOL_ID -volume TYPE:SIZE[:ID]")
	}

	fmt.Fprintf(out, "\nDeleting %d volume(s) of pool %s:\n", len(volumes), *poolID)
	for _, v := range volumes {
		fmt.Fprintf(out, "  %s, %d GB, id %q\n", v.Type, v.Size, v.ID)
	}
	res, err := c.DesktopPools.BatchDeleteVolumes(ctx, *poolID, &workspace.BatchDeleteVolumesRequest{
		Volumes:    volumes,
		HandleType: workspace.VolumeHandleType(*handleType),
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nJob %s started.\n", res.JobID)
	if job, err := c.Jobs.Get(ctx, res.JobID); err == nil {
		fmt.Fprintf(out, "  status now: %s\n", job.Status)
	}

	start := time.Now()
	job, err := c.Jobs.Wait(ctx, res.JobID, nil) // polls at the client's interval: 10 s, on the fake 10 ms
	var failed *workspace.JobFailedError
	if err != nil && !errors.As(err, &failed) {
		return err
	}
	fmt.Fprintf(out, "  status after %s: %s\n\n", time.Since(start).Round(100*time.Millisecond), job.Status)

	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SUB-JOB\tSTATUS\tERROR")
	for _, sj := range job.SubJobs {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", sj.ID, sj.Status, strings.TrimSpace(sj.ErrorCode+" "+sj.FailReason))
	}
	tw.Flush()

	if srv != nil {
		if n, ok := srv.volumeCount(*poolID); ok {
			fmt.Fprintf(out, "\nThe pool now has %d volume(s).\n", n)
		}
	}
	if failed != nil {
		fmt.Fprintf(out, "The job failed: %s\n", job.FailReason)
	}
	return nil
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
	// pool and all of that pool's volumes.
	fillDefaults(poolID *string, volumes *volumeList)
	// volumeCount is how many volumes a pool has now; false for no such pool.
	volumeCount(poolID string) (int, bool)
}

// startDemo starts the embedded fake server with demo data and returns a
// client for it. demo.go sets it in a build with -tags demo; without the
// tag it stays nil, and the fake (package workspacetest) is not linked in.
var startDemo func(out io.Writer) (*workspace.Client, demoServer)

// errNoDemo is the answer to -demo in a build without the fake.
var errNoDemo = errors.New("-demo needs the embedded fake, which only a build with -tags demo has: go run -tags demo ./examples/cleanup-volumes -demo")

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
