// Package exampleenv gives the example programs a client: for the real
// Workspace API when the environment names credentials, a project and a
// region, and otherwise for the embedded fake server with demo data. The
// first line each example prints says which one it uses.
package exampleenv

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/workspacetest"
)

// FakeJobDelay is how long a batch-delete job runs on the fake: long
// enough to see it RUNNING, short enough for an example.
const FakeJobDelay = 300 * time.Millisecond

// Env is where an example runs.
type Env struct {
	Client *workspace.Client
	// Fake is the embedded fake server, or nil against the real cloud.
	Fake *workspacetest.Server
	// Wait is how to wait for jobs: the vendor's pace against the cloud,
	// quick on the fake.
	Wait workspace.WaitOptions
}

// LookupEnv reads an environment variable; os.LookupEnv in the programs.
type LookupEnv func(string) (string, bool)

// Setup builds the client and writes the first line of the example's
// output, naming what it talks to. Close the Env when done.
func Setup(w io.Writer, lookup LookupEnv) (*Env, error) {
	if lookup == nil {
		lookup = os.LookupEnv
	}
	if missing := missingSettings(lookup); len(missing) > 0 {
		return setupFake(w, missing)
	}
	c, err := workspace.NewClient(workspace.WithEnv(), workspace.WithUserAgent("workspace-go-examples"))
	if err != nil {
		return nil, err
	}
	region := get(lookup, workspace.EnvRegion)
	if ep := get(lookup, workspace.EnvEndpoint); ep != "" {
		region = ep
	}
	fmt.Fprintf(w, "Using the Huawei Cloud Workspace API (%s, project %s).\n",
		region, get(lookup, workspace.EnvProjectID))
	return &Env{Client: c, Wait: workspace.WaitOptions{Interval: workspace.DefaultWaitInterval}}, nil
}

func setupFake(w io.Writer, missing []string) (*Env, error) {
	srv := workspacetest.NewServer(workspacetest.WithDemoData(), workspacetest.WithJobDelay(FakeJobDelay))
	c, err := srv.NewClient(workspace.WithUserAgent("workspace-go-examples"))
	if err != nil {
		srv.Close()
		return nil, err
	}
	fmt.Fprintf(w, "Using the embedded fake Workspace API with demo data at %s (not set: %s).\n",
		srv.URL, strings.Join(missing, ", "))
	return &Env{Client: c, Fake: srv, Wait: workspace.WaitOptions{Interval: 50 * time.Millisecond}}, nil
}

// Close stops the fake server, if any.
func (e *Env) Close() {
	if e != nil && e.Fake != nil {
		e.Fake.Close()
	}
}

// missingSettings names what the environment lacks for the real cloud.
func missingSettings(lookup LookupEnv) []string {
	var missing []string
	hasKeys := get(lookup, workspace.EnvAccessKey) != "" && get(lookup, workspace.EnvSecretKey) != ""
	if !hasKeys && get(lookup, workspace.EnvToken) == "" {
		missing = append(missing, workspace.EnvAccessKey+"/"+strings.TrimPrefix(workspace.EnvSecretKey, "HUAWEICLOUD_SDK")+" or "+workspace.EnvToken)
	}
	if get(lookup, workspace.EnvProjectID) == "" {
		missing = append(missing, workspace.EnvProjectID)
	}
	if get(lookup, workspace.EnvRegion) == "" && get(lookup, workspace.EnvEndpoint) == "" {
		missing = append(missing, workspace.EnvRegion)
	}
	return missing
}

func get(lookup LookupEnv, name string) string {
	v, _ := lookup(name)
	return strings.TrimSpace(v)
}

// PoolID is the pool an example works on: the flag's value, or on the fake
// the first demo pool ("" when neither).
func (e *Env) PoolID(flagValue string) string {
	if flagValue != "" || e.Fake == nil {
		return flagValue
	}
	if pools := e.Fake.Pools(); len(pools) > 0 {
		return pools[0].ID
	}
	return ""
}

// PoolName is the pool's name on the fake, else its id.
func (e *Env) PoolName(id string) string {
	if e.Fake != nil {
		if p, ok := e.Fake.Pool(id); ok && p.Name != "" {
			return p.Name + " (" + id + ")"
		}
	}
	return id
}

// DesktopIDs is the desktops an example works on: the comma-separated
// flag value, or on the fake the desktops of the pool.
func (e *Env) DesktopIDs(flagValue, poolID string) []string {
	if flagValue != "" || e.Fake == nil {
		return splitList(flagValue)
	}
	var ids []string
	for _, d := range e.Fake.Desktops(poolID) {
		ids = append(ids, d.ID)
	}
	return ids
}

// DesktopName is the desktop's name on the fake, else "".
func (e *Env) DesktopName(id string) string {
	if e.Fake == nil {
		return ""
	}
	for _, d := range e.Fake.Desktops("") {
		if d.ID == id {
			return d.Name
		}
	}
	return ""
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

// ParseVolume reads a volume given as TYPE:SIZE or TYPE:SIZE:ID, e.g.
// SAS:100 or SSD:200:6f1e....
func ParseVolume(s string) (workspace.VolumeInfo, error) {
	parts := strings.SplitN(s, ":", 3)
	if len(parts) < 2 {
		return workspace.VolumeInfo{}, fmt.Errorf("volume %q: want TYPE:SIZE or TYPE:SIZE:ID", s)
	}
	var size int
	if _, err := fmt.Sscanf(parts[1], "%d", &size); err != nil {
		return workspace.VolumeInfo{}, fmt.Errorf("volume %q: size %q is not a number of GB", s, parts[1])
	}
	v := workspace.VolumeInfo{Type: strings.ToUpper(parts[0]), Size: size}
	if len(parts) == 3 {
		v.ID = parts[2]
	}
	return v, nil
}

// VolumeString writes a volume as ParseVolume reads it.
func VolumeString(v workspace.VolumeInfo) string {
	s := fmt.Sprintf("%s:%d", v.Type, v.Size)
	if v.ID != "" {
		s += ":" + v.ID
	}
	return s
}
