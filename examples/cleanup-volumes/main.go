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
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/examples/internal/exampleenv"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	if err := run(ctx, os.Stdout, os.Args[1:], os.LookupEnv); err != nil {
		fmt.Fprintln(os.Stderr, "cleanup-volumes:", err)
		os.Exit(1)
	}
}

// volumeList is a repeatable -volume flag.
type volumeList []workspace.VolumeInfo

func (l *volumeList) String() string {
	parts := make([]string, len(*l))
	for i, v := range *l {
		parts[i] = exampleenv.VolumeString(v)
	}
	return strings.Join(parts, " ")
}

func (l *volumeList) Set(s string) error {
	v, err := exampleenv.ParseVolume(s)
	if err != nil {
		return err
	}
	*l = append(*l, v)
	return nil
}

func run(ctx context.Context, out io.Writer, args []string, lookup exampleenv.LookupEnv) error {
	fs := flag.NewFlagSet("cleanup-volumes", flag.ContinueOnError)
	fs.SetOutput(out)
	poolFlag := fs.String("pool", "", "desktop pool id (default on the fake: its first pool)")
	handleFlag := fs.String("handle-type", "", "which desktops: ONLY_FOR_EXPAND, FOR_EXPAND_AND_IDLE or FOR_EXPAND_AND_ALL (default: the API's)")
	var volumes volumeList
	fs.Var(&volumes, "volume", "a volume to delete, TYPE:SIZE[:ID]; repeat for more (at most 10; default on the fake: all of the pool's)")
	if err := fs.Parse(args); err != nil {
		return err
	}

	env, err := exampleenv.Setup(out, lookup)
	if err != nil {
		return err
	}
	defer env.Close()

	poolID := env.PoolID(*poolFlag)
	if len(volumes) == 0 && env.Fake != nil {
		if p, ok := env.Fake.Pool(poolID); ok {
			volumes = p.Volumes
		}
	}
	if poolID == "" || len(volumes) == 0 {
		return errors.New("name the pool and the volumes to delete: -pool POOL_ID -volume TYPE:SIZE[:ID]")
	}

	fmt.Fprintf(out, "\nDeleting %s of pool %s:\n", plural(len(volumes), "volume"), env.PoolName(poolID))
	for _, v := range volumes {
		fmt.Fprintf(out, "  %s\n", exampleenv.VolumeString(v))
	}
	res, err := env.Client.DesktopPools.BatchDeleteVolumes(ctx, poolID, &workspace.BatchDeleteVolumesRequest{
		Volumes:    volumes,
		HandleType: workspace.VolumeHandleType(*handleFlag),
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nJob %s started.\n", res.JobID)
	if job, err := env.Client.Jobs.Get(ctx, res.JobID); err == nil {
		fmt.Fprintf(out, "  status now: %s\n", job.Status)
	}

	start := time.Now()
	job, err := env.Client.Jobs.Wait(ctx, res.JobID, &env.Wait)
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

	if env.Fake != nil {
		if p, ok := env.Fake.Pool(poolID); ok {
			fmt.Fprintf(out, "\nThe pool now has %s.\n", plural(len(p.Volumes), "volume"))
		}
	}
	if failed != nil {
		fmt.Fprintf(out, "The job failed: %s\n", job.FailReason)
	}
	return nil
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
