package workspace

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestExportedFieldsDocumented checks that every exported field of every
// exported struct, here and in workspacetest, has a comment (above it or
// at the end of its line) saying what it is, in which unit.
func TestExportedFieldsDocumented(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{".", "workspacetest"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		require.NoError(t, err)
		for _, path := range files {
			if strings.HasSuffix(path, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ParseComments)
			require.NoError(t, err)
			ast.Inspect(f, func(n ast.Node) bool {
				ts, ok := n.(*ast.TypeSpec)
				if !ok || !ts.Name.IsExported() {
					return true
				}
				st, ok := ts.Type.(*ast.StructType)
				if !ok {
					return false
				}
				// A comment above a group of fields may name them all
				// ("AccessKey and SecretKey are ...").
				var groupDocs strings.Builder
				for _, field := range st.Fields.List {
					if field.Doc != nil {
						groupDocs.WriteString(field.Doc.Text())
					}
				}
				for _, field := range st.Fields.List {
					for _, name := range field.Names {
						named := regexp.MustCompile(`\b` + name.Name + `\b`).MatchString(groupDocs.String())
						if name.IsExported() && field.Doc == nil && field.Comment == nil && !named {
							t.Errorf("%s: %s.%s has no comment", path, ts.Name.Name, name.Name)
						}
					}
				}
				return false
			})
		}
	}
}
