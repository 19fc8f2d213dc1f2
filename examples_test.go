package workspace

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Each example program must be copyable out of the repository on its own:
// one main.go that imports only the standard library and this package, or,
// for an example that is a module of its own (it needs OpenTelemetry, say),
// what its go.mod requires; the fake it runs on with -demo is in a demo.go
// built only with -tags demo, so a copied main.go cannot link it.
func TestExamplesAreSelfContained(t *testing.T) {
	t.Parallel()
	mains, err := filepath.Glob("examples/*/main.go")
	require.NoError(t, err)
	require.NotEmpty(t, mains)
	for _, path := range mains {
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		require.NoError(t, err)
		required := moduleRequires(t, filepath.Join(filepath.Dir(path), "go.mod"))
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			stdlib := !strings.Contains(strings.Split(p, "/")[0], ".")
			// The fake is no import of main.go: a copied program cannot link it.
			allowed := stdlib || p == "github.com/hwcloud-go/workspace" || p == "github.com/hwcloud-go/workspace/config"
			for _, m := range required {
				allowed = allowed || p == m || strings.HasPrefix(p, m+"/")
			}
			assert.True(t, allowed, "%s imports %s", path, p)
		}
		others, err := filepath.Glob(filepath.Join(filepath.Dir(path), "*.go"))
		require.NoError(t, err)
		for _, o := range others {
			if o == path || strings.HasSuffix(o, "_test.go") {
				continue
			}
			if filepath.Base(o) == "demo.go" {
				src, err := os.ReadFile(o)
				require.NoError(t, err)
				assert.True(t, strings.HasPrefix(string(src), "//go:build demo\n"), "%s must be built only with -tags demo", o)
				continue
			}
			t.Errorf("%s: the program must be main.go (and a demo.go built only with -tags demo), found %s", path, o)
		}
	}
}

// moduleRequires lists the modules a go.mod requires directly; none when
// there is no go.mod.
func moduleRequires(t *testing.T, gomod string) []string {
	data, err := os.ReadFile(gomod)
	if os.IsNotExist(err) {
		return nil
	}
	require.NoError(t, err)
	var mods []string
	inBlock := false
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "require (":
			inBlock = true
			continue
		case inBlock && line == ")":
			inBlock = false
			continue
		case strings.HasPrefix(line, "require "):
			line = strings.TrimPrefix(line, "require ")
		case !inBlock:
			continue
		}
		if fields := strings.Fields(line); len(fields) >= 2 && !strings.Contains(line, "// indirect") {
			mods = append(mods, fields[0])
		}
	}
	return mods
}
