//go:build demo

// This file gives the program -demo: the embedded fake Workspace API
// (package workspacetest) with demo data. Only a build with -tags demo
// includes it, so that a plain build, or a copy of main.go alone, never
// carries the fake:
//
//	go run -tags demo ./examples/cleanup-volumes -demo

package main

import (
	"fmt"
	"io"
	"time"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/workspacetest"
)

func init() { startDemo = startFake }

// startFake starts the fake with demo data; its jobs finish after 300 ms.
func startFake(out io.Writer) (*workspace.Client, demoServer) {
	srv := workspacetest.NewServer(workspacetest.WithDemoData(), workspacetest.WithJobDelay(300*time.Millisecond))
	fmt.Fprintf(out, "Using the embedded fake Workspace API with demo data at %s (-demo: not your cloud).\n", srv.URL)
	return srv.Client(), fake{srv} // the fake's client polls jobs every 10 ms
}

// fake is the demoServer main.go asks for.
type fake struct{ *workspacetest.Server }

func (f fake) fillDefaults(poolID *string, volumes *volumeList) {
	if pools := f.Pools(); *poolID == "" && len(pools) > 0 {
		*poolID = pools[0].ID
	}
	if p, ok := f.Pool(*poolID); ok && len(*volumes) == 0 {
		*volumes = p.Volumes
	}
}

func (f fake) volumeCount(poolID string) (int, bool) {
	p, ok := f.Pool(poolID)
	return len(p.Volumes), ok
}
