package workspace

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Each example program must be copyable out of the repository on its own:
// one file that imports only the standard library, this package and
// workspacetest.
func TestExamplesAreSelfContained(t *testing.T) {
	t.Parallel()
	mains, err := filepath.Glob("examples/*/main.go")
	require.NoError(t, err)
	require.NotEmpty(t, mains)
	for _, path := range mains {
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		require.NoError(t, err)
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			stdlib := !strings.Contains(strings.Split(p, "/")[0], ".")
			allowed := stdlib || p == "github.com/hwcloud-go/workspace" || p == "github.com/hwcloud-go/workspace/workspacetest"
			assert.True(t, allowed, "%s imports %s", path, p)
		}
		others, err := filepath.Glob(filepath.Join(filepath.Dir(path), "*.go"))
		require.NoError(t, err)
		for _, o := range others {
			assert.True(t, o == path || strings.HasSuffix(o, "_test.go"), "%s: the program must be one file, found %s", path, o)
		}
	}
}
