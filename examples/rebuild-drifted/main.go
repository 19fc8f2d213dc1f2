// Command rebuild-drifted finds the desktop pools whose desktops run
// another image than the pool's, lists those desktops, and with -apply
// rebuilds them onto the pool's image, waits for each job and shows the
// statistics after.
//
// Without -apply it only reports: a rebuild restarts the desktops it
// touches (their users get -delay minutes to save their work).
//
// It works on your cloud as HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (or
// HUAWEICLOUD_SDK_TOKEN), HUAWEICLOUD_SDK_PROJECT_ID and
// HUAWEICLOUD_SDK_REGION say; when one is missing it prints which and
// exits with status 2.
//
// With -demo it runs on the embedded fake server with demo data instead.
// The fake is in demo.go, which only a build with -tags demo includes, so
// that a plain build (or a copy of this file alone) does not carry it:
//
//	go run -tags demo ./examples/rebuild-drifted -demo -apply
//	go run ./examples/rebuild-drifted -pool POOL_ID
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/config"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Hour)
	err := run(ctx, os.Stdout, os.Args[1:])
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "rebuild-drifted:", err)
		os.Exit(exitStatus(err))
	}
}

func run(ctx context.Context, out io.Writer, args []string) error {
	fs := flag.NewFlagSet("rebuild-drifted", flag.ContinueOnError)
	fs.SetOutput(out)
	poolID := fs.String("pool", "", "only this pool (default: every pool)")
	apply := fs.Bool("apply", false, "rebuild the desktops found (default: only report them)")
	delay := fs.Int("delay", 5, "minutes users get to save their work before a rebuild, 0 to 15")
	message := fs.String("message", "Your desktop is being updated to the current image. Please save your work.", "shown to users before a rebuild")
	demo := fs.Bool("demo", false, "run on the embedded fake server with demo data, not your cloud (in a build with -tags demo)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: rebuild-drifted [flags]\n\nFinds the desktops that run another image than their pool's and, with -apply, rebuilds them.\n\nFlags:")
		fs.PrintDefaults()
		fmt.Fprint(fs.Output(), envHelp)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil // -h asked for the usage, printed above
		}
		return setupError{err}
	}
	if *delay < 0 || *delay > workspace.MaxRebuildDelayMinutes {
		return setupError{fmt.Errorf("-delay must be between 0 and %d minutes, got %d", workspace.MaxRebuildDelayMinutes, *delay)}
	}

	c, srv, err := connect(out, *demo)
	if err != nil {
		return err
	}
	if srv != nil {
		defer srv.Close()
	}

	pools, err := poolsToCheck(ctx, c, *poolID)
	if err != nil {
		return err
	}
	drifted := 0
	for _, p := range pools {
		stats, err := c.DesktopPools.GetInconsistentStatistics(ctx, p.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "\npool %s (%s): %d desktops, image %s; on another image: %d\n", p.Name, p.ID, p.DesktopCount, imageLabel(p.ImageName, p.ImageID), stats.ImageID)
		if stats.ImageID == 0 {
			continue
		}
		drifted++
		for d, err := range c.DesktopPools.AllDesktops(ctx, p.ID, &workspace.ListPoolDesktopsOptions{InconsistentType: workspace.InconsistentTypeImageID}) {
			if err != nil {
				return err
			}
			user := d.UserName
			if user == "" {
				user = "(no user)"
			}
			fmt.Fprintf(out, "  %-12s %-10s %s\n", d.Name, user, imageLabel(d.ImageName, d.ImageID))
		}
		if !*apply {
			continue
		}
		if err := rebuild(ctx, out, c, p, *delay, *message); err != nil {
			return err
		}
	}
	switch {
	case drifted == 0:
		fmt.Fprintf(out, "\nEvery desktop of %d pools runs its pool's image.\n", len(pools))
	case !*apply:
		fmt.Fprintf(out, "\n%d of %d pools have desktops on another image; run with -apply to rebuild them.\n", drifted, len(pools))
	}
	return nil
}

// poolsToCheck is the pool named, or every pool of the project.
func poolsToCheck(ctx context.Context, c *workspace.Client, poolID string) ([]workspace.DesktopPool, error) {
	if poolID != "" {
		p, err := c.DesktopPools.Get(ctx, poolID)
		if errors.Is(err, workspace.ErrNotFound) {
			return nil, setupError{fmt.Errorf("no desktop pool %q in this project", poolID)}
		}
		if err != nil {
			return nil, err
		}
		return []workspace.DesktopPool{*p}, nil
	}
	var pools []workspace.DesktopPool
	for p, err := range c.DesktopPools.All(ctx, nil) {
		if err != nil {
			return nil, err
		}
		pools = append(pools, p)
	}
	return pools, nil
}

// rebuild rebuilds the desktops of p whose image differs from the pool's
// (IsFix), waits for the job and reports it with the statistics after.
func rebuild(ctx context.Context, out io.Writer, c *workspace.Client, p workspace.DesktopPool, delay int, message string) error {
	res, err := c.DesktopPools.Rebuild(ctx, p.ID, &workspace.RebuildDesktopPoolRequest{
		ImageID: p.ImageID, IsFix: true, DelayTime: delay, Message: message,
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "  rebuilding: job %s\n", res.JobID)
	job, err := c.Jobs.Wait(ctx, res.JobID, nil)
	var failed *workspace.JobFailedError
	switch {
	case errors.As(err, &failed):
		fmt.Fprintf(out, "  the rebuild failed: %v\n", err)
	case err != nil:
		return err
	default:
		fmt.Fprintf(out, "  desktops rebuilt: %d\n", len(job.SubJobs))
	}
	if job != nil {
		for _, sj := range job.SubJobs {
			if sj.Status != workspace.JobStatusSuccess {
				fmt.Fprintf(out, "  %s: %s %s %s\n", sj.DesktopName, sj.Status, sj.ErrorCode, sj.FailReason)
			}
		}
	}
	stats, err := c.DesktopPools.GetInconsistentStatistics(ctx, p.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "  on another image now: %d\n", stats.ImageID)
	return nil
}

// imageLabel names an image by its name, else its id.
func imageLabel(name, id string) string {
	if name != "" {
		return name
	}
	if id == "" {
		return "(none)"
	}
	return id
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
var errNoDemo = errors.New("-demo needs the embedded fake, which only a build with -tags demo has: go run -tags demo ./examples/rebuild-drifted -demo")

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
