// Command cleanup-volumes batch-deletes data disks of a desktop pool and
// waits for the job that does it, then reports each sub-job.
//
// With HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (or HUAWEICLOUD_SDK_TOKEN),
// HUAWEICLOUD_SDK_PROJECT_ID and HUAWEICLOUD_SDK_REGION set it works on
// your cloud and needs -pool and at least one -volume; otherwise it starts
// the embedded fake server with demo data and deletes every volume of the
// first demo pool.
//
//	go run ./examples/cleanup-volumes
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
	"github.com/hwcloud-go/workspace/workspacetest"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	if err := run(ctx, os.Stdout, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "cleanup-volumes:", err)
		os.Exit(1)
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
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: cleanup-volumes [flags]\n\nDeletes data disks of a desktop pool and waits for the job.\n\nFlags:")
		fs.PrintDefaults()
		fmt.Fprint(fs.Output(), envHelp)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil // -h asked for the usage, printed above
		}
		return err
	}

	c, srv := connect(out)
	if srv != nil {
		defer srv.Close()
		// On the fake, default to the first demo pool and all its volumes.
		if pools := srv.Pools(); *poolID == "" && len(pools) > 0 {
			*poolID = pools[0].ID
		}
		if p, ok := srv.Pool(*poolID); ok && len(volumes) == 0 {
			volumes = p.Volumes
		}
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
		if p, ok := srv.Pool(*poolID); ok {
			fmt.Fprintf(out, "\nThe pool now has %d volume(s).\n", len(p.Volumes))
		}
	}
	if failed != nil {
		fmt.Fprintf(out, "The job failed: %s\n", job.FailReason)
	}
	return nil
}

// connect returns a client for your cloud when the environment names
// credentials, a project and a region (see envHelp), and otherwise one for
// an in-process fake Workspace API with demo data, returned as srv for the
// caller to read and Close. Its first line of output says which.
func connect(out io.Writer) (*workspace.Client, *workspacetest.Server) {
	c, err := workspace.NewClient(workspace.WithEnv())
	if err == nil {
		fmt.Fprintln(out, "Using the Huawei Cloud Workspace API named by the HUAWEICLOUD_SDK_* variables.")
		return c, nil
	}
	srv := workspacetest.NewServer(workspacetest.WithDemoData(), workspacetest.WithJobDelay(300*time.Millisecond))
	fmt.Fprintf(out, "Using the embedded fake Workspace API with demo data at %s\n  (not the cloud: %v).\n", srv.URL, err)
	return srv.Client(), srv // the fake's client polls jobs every 10 ms
}

// envHelp ends the -h text: what connect reads.
const envHelp = `
Environment (when incomplete, the embedded fake with demo data is used):
  HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK   access key and secret key (AK/SK signing)
  HUAWEICLOUD_SDK_SECURITY_TOKEN           with temporary AK/SK
  HUAWEICLOUD_SDK_TOKEN                    or an IAM token instead of AK/SK
  HUAWEICLOUD_SDK_PROJECT_ID               the project
  HUAWEICLOUD_SDK_REGION                   the region, e.g. ap-southeast-3
  HUAWEICLOUD_SDK_WORKSPACE_ENDPOINT       or an endpoint instead of the region
`
