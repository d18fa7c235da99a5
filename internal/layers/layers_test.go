package layers

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/edgeinfer/edgeinfer"

// designFile is the page whose table this test reads.
var designFile = filepath.Join("..", "..", "docs", "design.md")

// pending are the violations of the table that work in progress (issue 13)
// removes, each naming that work. A pending edge that is no longer in the
// tree fails the test, so the list cannot outlive the work.
var pending = []struct{ from, to, work string }{}

// buildConfigs are the platforms and tags whose files are read: the
// release targets differ in their platform files, and the opt-out tags in
// what cmd/edgeinfer wires.
var buildConfigs = [][]string{
	nil,
	{"GOOS=linux", "GOARCH=arm64"},
	{"GOOS=linux", "GOARCH=arm", "GOARM=6"},
	{"-tags=noota,nohub"},
	{"-tags=purego"},
}

// A row is one line of the table.
type row struct {
	line     int
	packages []string // our paths, relative to the module; "*" for every package
	anything bool     // may import every package of ours
	mayImp   []string // our paths, "x/..." for x and below; or third-party modules another row owns
	owns     []string // third-party module paths
}

func (r row) String() string {
	return fmt.Sprintf("%s:%d (%s)", designFile, r.line, strings.Join(r.packages, ", "))
}

// parseTable reads the rows between the layers markers of the design page.
func parseTable(path string) ([]row, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var rows []row
	in, header := false, 0
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "<!-- layers:begin -->":
			in = true
			continue
		case line == "<!-- layers:end -->":
			if !in {
				return nil, fmt.Errorf("%s:%d: layers:end without layers:begin", path, n)
			}
			return rows, checkRows(path, rows)
		case !in:
			continue
		}
		if header < 2 { // the header line and the |---| line
			header++
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		if !strings.HasPrefix(line, "|") || len(cells) != 4 {
			return nil, fmt.Errorf("%s:%d: want a table row | package | one job | may import | owns |, got %q", path, n, line)
		}
		r := row{line: n}
		if r.packages, err = codeList(cells[0]); err != nil || len(r.packages) == 0 {
			return nil, fmt.Errorf("%s:%d: package column: want backquoted paths or `*`: %q", path, n, cells[0])
		}
		switch may := strings.TrimSpace(cells[2]); may {
		case "everything":
			r.anything = true
		case "nothing":
		default:
			if r.mayImp, err = codeList(may); err != nil || len(r.mayImp) == 0 {
				return nil, fmt.Errorf("%s:%d: may import column: want backquoted paths, everything or nothing: %q", path, n, may)
			}
		}
		if owns := strings.TrimSpace(cells[3]); owns != "—" {
			if r.owns, err = codeList(owns); err != nil || len(r.owns) == 0 {
				return nil, fmt.Errorf("%s:%d: owns column: want backquoted module paths or —: %q", path, n, owns)
			}
		}
		rows = append(rows, r)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("%s: no table between <!-- layers:begin --> and <!-- layers:end -->", path)
}

// codeList parses "`a`, `b/...`" into its items.
func codeList(cell string) ([]string, error) {
	var out []string
	for _, item := range strings.Split(cell, ",") {
		item = strings.TrimSpace(item)
		if len(item) < 3 || item[0] != '`' || item[len(item)-1] != '`' || strings.Count(item, "`") != 2 {
			return nil, fmt.Errorf("%q is not one backquoted name", item)
		}
		out = append(out, item[1:len(item)-1])
	}
	return out, nil
}

// checkRows refuses a table in which a package has two rows or a module
// two owners.
func checkRows(path string, rows []row) error {
	pkgRow, owner := map[string]int{}, map[string]int{}
	for _, r := range rows {
		for _, p := range r.packages {
			if l, dup := pkgRow[p]; dup {
				return fmt.Errorf("%s:%d: %s already has a row at line %d", path, r.line, p, l)
			}
			pkgRow[p] = r.line
		}
		for _, m := range r.owns {
			if l, dup := owner[m]; dup {
				return fmt.Errorf("%s:%d: %s is already owned at line %d: a library lives in one package", path, r.line, m, l)
			}
			owner[m] = r.line
		}
	}
	return nil
}

// rowOf returns the row covering pkg (relative to the module): the one
// naming the longest path that is pkg or one of its parents.
func rowOf(rows []row, pkg string) (row, bool) {
	best, bestLen := row{}, -1
	for _, r := range rows {
		for _, p := range r.packages {
			if (pkg == p || strings.HasPrefix(pkg, p+"/")) && len(p) > bestLen {
				best, bestLen = r, len(p)
			}
		}
	}
	return best, bestLen >= 0
}

// uses says whether r lists imp, a third-party import path, among what it
// may import though another row owns it.
func (r row) uses(imp string) bool {
	for _, m := range r.mayImp {
		if !isStd(m) && (imp == m || strings.HasPrefix(imp, m+"/")) {
			return true
		}
	}
	return false
}

// allows says whether a package covered by r may import dep, one of ours.
func (r row) allows(rows []row, dep string) bool {
	if r.anything {
		return true
	}
	if depRow, ok := rowOf(rows, dep); ok && depRow.line == r.line {
		return true
	}
	for _, m := range r.mayImp {
		if dep == m || (strings.HasSuffix(m, "/...") && (dep == strings.TrimSuffix(m, "/...") || strings.HasPrefix(dep, strings.TrimSuffix(m, "...")))) {
			return true
		}
	}
	return false
}

// ownerOf returns the row owning the module of a third-party import path.
func ownerOf(rows []row, imp string) (row, bool) {
	for _, r := range rows {
		for _, m := range r.owns {
			if imp == m || strings.HasPrefix(imp, m+"/") {
				return r, true
			}
		}
	}
	return row{}, false
}

// isStd reports whether an import path is the standard library's (no dot
// in its first element).
func isStd(imp string) bool {
	first, _, _ := strings.Cut(imp, "/")
	return !strings.Contains(first, ".")
}

// imports lists, for each package of the module, what its non-test files
// import, over every build configuration.
func imports(t *testing.T) map[string][]string {
	t.Helper()
	graph := map[string][]string{}
	for _, cfg := range buildConfigs {
		args := []string{"list", "-e", "-f", "{{.ImportPath}}{{range .Imports}} {{.}}{{end}}"}
		var env []string
		for _, c := range cfg {
			if strings.HasPrefix(c, "-") {
				args = append(args, c)
			} else {
				env = append(env, c)
			}
		}
		cmd := exec.Command("go", append(args, module+"/...")...)
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go %s (%v): %v", strings.Join(args, " "), env, err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			fields := strings.Fields(line)
			pkg := strings.TrimPrefix(strings.TrimPrefix(fields[0], module), "/")
			for _, imp := range fields[1:] {
				if !slices.Contains(graph[pkg], imp) {
					graph[pkg] = append(graph[pkg], imp)
				}
			}
			if _, ok := graph[pkg]; !ok {
				graph[pkg] = nil
			}
		}
	}
	return graph
}

// violations checks the graph against the table; each violation is
// "from -> to" (to relative to the module for ours) with its reason.
func violations(rows []row, graph map[string][]string) map[string]string {
	out := map[string]string{}
	for pkg, deps := range graph {
		r, ok := rowOf(rows, pkg)
		if !ok {
			out[pkg+" -> (no row)"] = fmt.Sprintf("package %s has no row in the table of %s: add one saying its job and what it may import", pkg, designFile)
			continue
		}
		for _, imp := range deps {
			switch {
			case imp == module || strings.HasPrefix(imp, module+"/"):
				dep := strings.TrimPrefix(strings.TrimPrefix(imp, module), "/")
				if !r.allows(rows, dep) {
					out[pkg+" -> "+dep] = fmt.Sprintf("%s imports %s, which its row %s does not allow", pkg, dep, r)
				}
			case isStd(imp):
			default:
				owner, ok := ownerOf(rows, imp)
				switch {
				case !ok:
					out[pkg+" -> "+imp] = fmt.Sprintf("%s imports %s, which no row of %s owns: give the library one owning package", pkg, imp, designFile)
				case owner.line != r.line && !slices.Contains(owner.packages, "*") && !r.uses(imp):
					out[pkg+" -> "+imp] = fmt.Sprintf("%s imports %s, which belongs to %s alone", pkg, imp, owner)
				}
			}
		}
	}
	return out
}

// TestImportTable fails when a package imports one of ours its row does not
// allow, a third-party library another row owns or no row owns, or has no
// row; and when a pending violation is gone.
func TestImportTable(t *testing.T) {
	rows, err := parseTable(designFile)
	if err != nil {
		t.Fatal(err)
	}
	graph := imports(t)
	if len(graph) < 10 {
		t.Fatalf("go list found only %d packages", len(graph))
	}
	found := violations(rows, graph)
	for _, p := range pending {
		edge := p.from + " -> " + p.to
		if _, ok := found[edge]; ok {
			t.Logf("pending: %s (%s)", edge, p.work)
			delete(found, edge)
		} else {
			t.Errorf("pending violation %s is gone (%s): remove it from the pending list of internal/layers", edge, p.work)
		}
	}
	keys := make([]string, 0, len(found))
	for k := range found {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Error(found[k])
	}
}

// TestTableCatchesViolations runs the checks on a small table and graph, so
// that a check that can no longer fail is noticed.
func TestTableCatchesViolations(t *testing.T) {
	dir := t.TempDir()
	page := filepath.Join(dir, "design.md")
	table := "intro\n<!-- layers:begin -->\n| package | one job | may import | owns |\n|---|---|---|---|\n" +
		"| `cmd/x` | root | everything | — |\n" +
		"| `agent` | daemon | `runtime`, `store` | `go.yaml.in/yaml/v3` |\n" +
		"| `agent/server` | handlers | `agent`, `runtime/...`, `go.etcd.io/bbolt/errors` | — |\n" +
		"| `runtime` | contract | nothing | — |\n" +
		"| `store` | file | nothing | `go.etcd.io/bbolt` |\n" +
		"| `*` | std extensions | nothing | `golang.org/x/sys` |\n" +
		"<!-- layers:end -->\n"
	if err := os.WriteFile(page, []byte(table), 0o644); err != nil {
		t.Fatal(err)
	}
	rows, err := parseTable(page)
	if err != nil {
		t.Fatal(err)
	}
	graph := map[string][]string{
		"cmd/x":                 {module + "/agent", module + "/store", "fmt"},
		"agent":                 {module + "/runtime", module + "/store", module + "/agent/internal/q", "go.yaml.in/yaml/v3", "golang.org/x/sys/unix"},
		"agent/internal/q":      {module + "/runtime", "sync"},
		"agent/server":          {module + "/agent", module + "/runtime/tflite", module + "/store", "go.etcd.io/bbolt", "go.etcd.io/bbolt/errors"},
		"runtime":               {module + "/store", "golang.org/x/sys/cpu"},
		"runtime/tflite":        {module + "/agent"}, // covered by the runtime row
		"store":                 {"go.etcd.io/bbolt/errors", "github.com/example/new"},
		"tools/unplaced":        nil,
		"agent/server/internal": {module + "/agent"},
	}
	got := violations(rows, graph)
	want := []string{
		"agent/server -> store",
		"agent/server -> go.etcd.io/bbolt",
		"runtime -> store",
		"runtime/tflite -> agent",
		"store -> github.com/example/new",
		"tools/unplaced -> (no row)",
	}
	for _, w := range want {
		if _, ok := got[w]; !ok {
			t.Errorf("violation %q not found; got %v", w, got)
		}
		delete(got, w)
	}
	for k, v := range got {
		t.Errorf("unexpected violation %s: %s", k, v)
	}

	for name, bad := range map[string]string{
		"two owners":   "<!-- layers:begin -->\n| h | h | h | h |\n|---|---|---|---|\n| `a` | x | nothing | `m` |\n| `b` | x | nothing | `m` |\n<!-- layers:end -->\n",
		"two rows":     "<!-- layers:begin -->\n| h | h | h | h |\n|---|---|---|---|\n| `a` | x | nothing | — |\n| `a` | x | nothing | — |\n<!-- layers:end -->\n",
		"bare name":    "<!-- layers:begin -->\n| h | h | h | h |\n|---|---|---|---|\n| `a` | x | runtime | — |\n<!-- layers:end -->\n",
		"three cells":  "<!-- layers:begin -->\n| h | h | h | h |\n|---|---|---|---|\n| `a` | x | nothing |\n<!-- layers:end -->\n",
		"no end":       "<!-- layers:begin -->\n| h | h | h | h |\n|---|---|---|---|\n| `a` | x | nothing | — |\n",
		"no table":     "nothing here\n",
		"empty owner":  "<!-- layers:begin -->\n| h | h | h | h |\n|---|---|---|---|\n| `a` | x | nothing | |\n<!-- layers:end -->\n",
		"two in quote": "<!-- layers:begin -->\n| h | h | h | h |\n|---|---|---|---|\n| `a, b` | x | nothing | — |\n<!-- layers:end -->\n",
	} {
		if err := os.WriteFile(page, []byte(bad), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := parseTable(page); err == nil {
			t.Errorf("%s: parseTable accepted %q", name, bad)
		}
	}
}
