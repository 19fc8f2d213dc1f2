package workspace_test

import (
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readmePrelude is what README and docs snippets may take as given: the imports a
// program using the SDK has, and the names the prose explains (c, ctx,
// region, project, the ids, the credentials).
const readmePrelude = `package readme

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"log"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/jarcoal/httpmock"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/config"
	"github.com/hwcloud-go/workspace/credentials"
	"github.com/hwcloud-go/workspace/workspacetest"
)

var (
	ctx                                          context.Context
	c                                            *workspace.Client
	region, project                              workspace.Option
	poolID, volumeID, desktopID1, desktopID2     string
	user, password, account, projectID           string
	ak, sk, securityToken, other                 string
)

var (
	_ = errors.New
	_ = fmt.Sprint
	_ iter.Seq[int]
	_ = log.Fatal
	_ = slog.Debug
	_ http.Client
	_ url.Values
	_ = os.Getenv
	_ time.Duration
	_ = httpmock.NewMockTransport
	_ = workspacetest.NewServer
	_ = config.Load
	_ = credentials.NewIAMTokenSource
)
`

// otherModuleMark starts a README or docs block that needs a module other than
// this one (otelworkspace); the program it comes from compiles in that
// module's tests instead.
const otherModuleMark = "// In a module that requires github.com/hwcloud-go/workspace/otelworkspace"

// TestReadmeGoBlocksCompile type-checks every go block of README.md and of
// docs/*.md (each file on its own), so that a snippet pasted into a program
// compiles (given the names in readmePrelude). A block of statements goes
// into a function body of its own; a block of declarations (func, type,
// import) stays at the top level. Only unused variables are forgiven: a
// snippet shows a call, not what the caller does with its result.
func TestReadmeGoBlocksCompile(t *testing.T) {
	t.Parallel()
	docs, err := filepath.Glob("docs/*.md")
	require.NoError(t, err)
	require.NotEmpty(t, docs, "docs/*.md")
	for _, name := range append([]string{"README.md"}, docs...) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			checkGoBlocks(t, name)
		})
	}
}

// checkGoBlocks type-checks the go blocks of one markdown file.
func checkGoBlocks(t *testing.T, name string) {
	text, err := os.ReadFile(name)
	require.NoError(t, err)
	blocks := regexp.MustCompile("(?s)```go\n(.*?)```").FindAllSubmatch(text, -1)
	if name == "README.md" {
		require.NotEmpty(t, blocks)
	}
	if len(blocks) == 0 {
		return
	}

	var src strings.Builder
	src.WriteString(readmePrelude)
	for i, m := range blocks {
		block := string(m[1])
		if strings.HasPrefix(block, "import ") {
			continue // the import line: the prelude has it
		}
		if strings.HasPrefix(block, otherModuleMark) {
			continue // compiled where that module is: examples/telemetry
		}
		fmt.Fprintf(&src, "\n// block %d\n%s", i+1, wrap(block))
	}

	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name+".go", src.String(), parser.AllErrors)
	if err != nil {
		// Name the blocks that do not parse (a "..." left in, say).
		for i, m := range blocks {
			one := readmePrelude + "\n" + wrap(string(m[1]))
			if _, perr := parser.ParseFile(token.NewFileSet(), "block.go", one, 0); perr != nil && !strings.HasPrefix(string(m[1]), "import ") {
				t.Errorf("%s go block %d does not parse: %v\n%s", name, i+1, perr, m[1])
			}
		}
		t.FailNow()
	}
	var problems []string
	conf := types.Config{
		Importer: importer.ForCompiler(fset, "gc", exportLookup(t, f)),
		Error: func(err error) {
			msg := err.Error()
			if strings.Contains(msg, "declared and not used") {
				return
			}
			problems = append(problems, msg)
		},
	}
	_, _ = conf.Check("readme", fset, []*ast.File{f}, nil)
	assert.Empty(t, problems, "%s go blocks that do not compile:\n%s", name, numbered(src.String()))
}

// exportLookup finds the compiled export data of f's imports (and their
// dependencies) with one `go list -export`: quicker than type-checking
// them from source.
func exportLookup(t *testing.T, f *ast.File) importer.Lookup {
	t.Helper()
	args := []string{"list", "-export", "-deps", "-f", "{{.ImportPath}} {{.Export}}"}
	for _, imp := range f.Imports {
		p, err := strconv.Unquote(imp.Path.Value)
		require.NoError(t, err)
		args = append(args, p)
	}
	out, err := exec.Command("go", args...).Output()
	require.NoError(t, err, "go list -export")
	files := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		if path, file, ok := strings.Cut(line, " "); ok && file != "" {
			files[path] = file
		}
	}
	return func(path string) (io.ReadCloser, error) {
		file, ok := files[path]
		if !ok {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		return os.Open(file)
	}
}

// wrap puts a block of statements into a function body of its own.
func wrap(block string) string {
	if topLevel(block) {
		return block
	}
	return "func _() error {\n" + block + "\nreturn nil\n}\n"
}

// topLevel reports whether a block declares functions or types (a block
// of statements may not).
func topLevel(block string) bool {
	for _, line := range strings.Split(block, "\n") {
		if strings.HasPrefix(line, "func ") || strings.HasPrefix(line, "type ") {
			return true
		}
	}
	return false
}

func numbered(src string) string {
	lines := strings.Split(src, "\n")
	for i := range lines {
		lines[i] = fmt.Sprintf("%4d %s", i+1, lines[i])
	}
	return strings.Join(lines, "\n")
}
