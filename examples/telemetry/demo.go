//go:build demo

// This file gives the program -demo: the embedded fake Workspace API
// (package workspacetest) with demo data. Only a build with -tags demo
// includes it, so that a plain build, or a copy of main.go alone, never
// carries the fake:
//
//	go run -tags demo . -demo   (in examples/telemetry)

package main

import (
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/workspacetest"
)

func init() { startDemo = startFake }

// startFake starts the fake with demo data; its jobs finish after 30 ms.
func startFake(out io.Writer, opts ...workspace.Option) (*workspace.Client, demoServer) {
	srv := workspacetest.NewServer(workspacetest.WithDemoData(), workspacetest.WithJobDelay(30*time.Millisecond))
	fmt.Fprintf(out, "Using the embedded fake Workspace API with demo data at %s (-demo: not your cloud).\n", srv.URL)
	return srv.Client(opts...), fake{srv}
}

// fake is the demoServer main.go asks for.
type fake struct{ *workspacetest.Server }

func (f fake) failNextList() {
	f.FailNext(workspacetest.OpListSnapshots, 1, http.StatusServiceUnavailable, "")
}

func (f fake) firstVolume() (string, workspace.VolumeInfo) {
	pool := f.Pools()[0]
	return pool.ID, pool.Volumes[0]
}
