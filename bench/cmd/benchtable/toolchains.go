package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// toolchain is one Go release to build and run the benchmarks with.
type toolchain struct {
	env     string // GOTOOLCHAIN value; "": leave the environment as it is
	version string // as `go env GOVERSION` reports it, e.g. go1.27.3
}

// command is the go command of tc with args.
func (tc toolchain) command(args ...string) *exec.Cmd {
	cmd := exec.Command("go", args...)
	if tc.env != "" {
		cmd.Env = append(os.Environ(), "GOTOOLCHAIN="+tc.env)
	}
	return cmd
}

// toolchains parses the -go flag: GOTOOLCHAIN values separated by commas
// ("local" is the installed release; go1.27.3 is fetched through the
// module proxy when it is not there yet). An empty list is the go command
// as the environment sets it.
func toolchains(list string) ([]toolchain, error) {
	var tcs []toolchain
	for _, env := range strings.Split(list, ",") {
		tc := toolchain{env: strings.TrimSpace(env)}
		out, err := tc.command("env", "GOVERSION").Output()
		if err != nil {
			return nil, fmt.Errorf("go env GOVERSION with GOTOOLCHAIN=%q: %w", tc.env, err)
		}
		tc.version = strings.TrimSpace(string(out))
		tcs = append(tcs, tc)
	}
	return tcs, nil
}
