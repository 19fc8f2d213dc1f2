//go:build demo

// This file gives the program -demo: the embedded fake Workspace API
// (package workspacetest) with demo data. Only a build with -tags demo
// includes it, so that a plain build, or a copy of main.go alone, never
// carries the fake:
//
//	go run -tags demo ./examples/pool-snapshots -demo -delete-failed

package main

import (
	"fmt"
	"io"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/workspacetest"
)

func init() { startDemo = startFake }

// startFake starts the fake with demo data: three pools of ten desktops,
// each with snapshots in every status.
func startFake(out io.Writer) (*workspace.Client, demoServer) {
	srv := workspacetest.NewServer(workspacetest.WithDemoData())
	fmt.Fprintf(out, "Using the embedded fake Workspace API with demo data at %s (-demo: not your cloud).\n", srv.URL)
	return srv.Client(), srv
}
