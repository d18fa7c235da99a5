package store

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// TestOnlyTheAgentCallsTheRegistry: outside this package, only package
// agent calls the registry accessors (GetModel, UpdateModel, DeleteModel)
// in non-test code: the agent is the one owner of a model's record.
func TestOnlyTheAgentCallsTheRegistry(t *testing.T) {
	accessors := map[string]bool{"GetModel": true, "UpdateModel": true, "DeleteModel": true}
	root := ".."
	calls := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			return err
		}
		dir := filepath.ToSlash(filepath.Dir(path))
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok && accessors[sel.Sel.Name] {
				calls++
				if dir != "../agent" && dir != "." {
					t.Errorf("%s calls %s: only package agent writes or reads model records", path, sel.Sel.Name)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls == 0 {
		t.Fatal("no call of a registry accessor found: the test checks nothing")
	}
}
