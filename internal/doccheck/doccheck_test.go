package doccheck

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/edgeinfer/edgeinfer/runtime/tflite"
)

// root is the repository's top folder, seen from this package.
var root = filepath.Join("..", "..")

// maxReadmeLines keeps the README a front door; the reference is docs/.
const maxReadmeLines = 300

// pendingFiles are link targets that work in progress (issue 13) adds, each
// naming that work. A pending file that exists fails the test, so the list
// cannot outlive the work.
var pendingFiles = map[string]string{}

func TestReadmeLength(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), "\n"); n > maxReadmeLines {
		t.Errorf("README.md has %d lines, at most %d: move reference text to a page of docs/", n, maxReadmeLines)
	}
}

// pages returns README.md and docs/*.md, relative to root.
func pages(t *testing.T) []string {
	t.Helper()
	docs, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	out := []string{"README.md"}
	for _, d := range docs {
		rel, err := filepath.Rel(root, d)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, filepath.ToSlash(rel))
	}
	if len(out) < 5 {
		t.Fatalf("found only %v", out)
	}
	return out
}

// A link is one [text](target) of a page, outside code.
type link struct {
	line   int
	target string
}

var (
	linkRE       = regexp.MustCompile(`\]\(([^()\s]+)\)`)
	inlineCodeRE = regexp.MustCompile("`[^`]*`")
	headingRE    = regexp.MustCompile(`^#{1,6}\s+(.*?)\s*#*\s*$`)
)

// scan returns a page's links and the anchors of its headings (GitHub's:
// lower case, punctuation dropped, spaces as hyphens, -1, -2 ... for
// repeats), skipping fenced code blocks and inline code.
func scan(text string) (links []link, anchors map[string]bool) {
	anchors = map[string]bool{}
	seen := map[string]int{}
	fenced := false
	for i, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
			continue
		}
		if fenced {
			continue
		}
		if m := headingRE.FindStringSubmatch(line); m != nil {
			a := slug(m[1])
			if n := seen[a]; n > 0 {
				anchors[fmt.Sprintf("%s-%d", a, n)] = true
			} else {
				anchors[a] = true
			}
			seen[a]++
		}
		for _, m := range linkRE.FindAllStringSubmatch(inlineCodeRE.ReplaceAllString(line, ""), -1) {
			links = append(links, link{i + 1, m[1]})
		}
	}
	return links, anchors
}

// slug is GitHub's anchor for a heading.
func slug(heading string) string {
	heading = linkTextRE.ReplaceAllString(heading, "$1")
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	return b.String()
}

var linkTextRE = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)

// TestLinks fails on a relative link in README.md or docs/*.md whose file
// does not exist or whose #anchor is no heading of that file.
func TestLinks(t *testing.T) {
	anchorsOf := map[string]map[string]bool{}
	linksOf := map[string][]link{}
	for _, p := range pages(t) {
		b, err := os.ReadFile(filepath.Join(root, p))
		if err != nil {
			t.Fatal(err)
		}
		linksOf[p], anchorsOf[p] = scan(string(b))
	}
	checked := 0
	for _, p := range pages(t) {
		for _, l := range linksOf[p] {
			if strings.Contains(l.target, "://") || strings.HasPrefix(l.target, "mailto:") {
				continue
			}
			checked++
			file, anchor, _ := strings.Cut(l.target, "#")
			target := p
			if file != "" {
				target = filepath.ToSlash(filepath.Join(filepath.Dir(p), file))
			}
			if work, ok := pendingFiles[target]; ok {
				t.Logf("%s:%d: link to %s, pending (%s)", p, l.line, target, work)
				continue
			}
			st, err := os.Stat(filepath.Join(root, target))
			if err != nil {
				t.Errorf("%s:%d: link %q: %s does not exist", p, l.line, l.target, target)
				continue
			}
			if anchor == "" {
				continue
			}
			anchors, ok := anchorsOf[target]
			if !ok && !st.IsDir() && strings.HasSuffix(target, ".md") {
				b, err := os.ReadFile(filepath.Join(root, target))
				if err != nil {
					t.Fatal(err)
				}
				_, anchors = scan(string(b))
				anchorsOf[target] = anchors
			}
			if !anchors[anchor] {
				t.Errorf("%s:%d: link %q: %s has no heading with the anchor #%s", p, l.line, l.target, target, anchor)
			}
		}
	}
	if checked < 20 {
		t.Errorf("checked only %d links", checked)
	}
	for file, work := range pendingFiles {
		if _, err := os.Stat(filepath.Join(root, file)); err == nil {
			t.Errorf("%s exists now (%s): remove it from pendingFiles of internal/doccheck", file, work)
		}
	}
}

func TestScanAndSlug(t *testing.T) {
	for heading, want := range map[string]string{
		"The Go client (`client`)":          "the-go-client-client",
		"The demo: make run":                "the-demo-make-run",
		"Sequences, state and other shapes": "sequences-state-and-other-shapes",
		"The fleet hub: edgeinfer hub":      "the-fleet-hub-edgeinfer-hub",
		"Start-up":                          "start-up",
		"See [api.md](api.md) now":          "see-apimd-now",
	} {
		if got := slug(heading); got != want {
			t.Errorf("slug(%q) = %q, want %q", heading, got, want)
		}
	}
	text := "# Title\n\nsee [a](a.md#x) and `[not](code.md)`\n```\n# not a heading\n[nor](this.md)\n```\n## Title\n[b](#title-1)\n"
	links, anchors := scan(text)
	if want := []link{{3, "a.md#x"}, {9, "#title-1"}}; !slices.Equal(links, want) {
		t.Errorf("links %v, want %v", links, want)
	}
	if !anchors["title"] || !anchors["title-1"] || anchors["not-a-heading"] || len(anchors) != 2 {
		t.Errorf("anchors %v, want title and title-1", anchors)
	}
}

// listed returns the backquoted names between <!-- NAME:begin --> and
// <!-- NAME:end --> of a page.
func listed(t *testing.T, page, name string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, page))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "<!-- "+name+":begin -->")
	block, _, ok2 := strings.Cut(rest, "<!-- "+name+":end -->")
	if !ok || !ok2 {
		t.Fatalf("%s: no list between <!-- %s:begin --> and <!-- %s:end -->", page, name, name)
	}
	var out []string
	for _, item := range strings.Split(block, ",") {
		item = strings.TrimSpace(item)
		if len(item) < 3 || item[0] != '`' || item[len(item)-1] != '`' {
			t.Fatalf("%s: %q in the %s list is not one backquoted name", page, item, name)
		}
		out = append(out, item[1:len(item)-1])
	}
	return out
}

// builtinNames reads every builtin operator name TFLite's schema has from
// the engine's table (runtime/tflite/opnames.go).
func builtinNames(t *testing.T) []string {
	t.Helper()
	file := filepath.Join(root, "runtime", "tflite", "opnames.go")
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	ast.Inspect(f, func(n ast.Node) bool {
		kv, ok := n.(*ast.KeyValueExpr)
		if !ok {
			return true
		}
		if lit, ok := kv.Value.(*ast.BasicLit); ok && lit.Kind == token.STRING {
			s, err := strconv.Unquote(lit.Value)
			if err == nil {
				names = append(names, s)
			}
		}
		return false
	})
	if len(names) < 150 {
		t.Fatalf("%s: found only %d operator names", file, len(names))
	}
	return names
}

// TestOperatorList fails when docs/engine.md lists an operator the engine
// cannot run, or leaves out a builtin one it can.
func TestOperatorList(t *testing.T) {
	doc := listed(t, "docs/engine.md", "operators")
	builtins := builtinNames(t)
	for _, name := range doc {
		if !slices.Contains(builtins, name) {
			t.Errorf("docs/engine.md lists %s, which is not a builtin operator of TFLite's schema", name)
		} else if !tflite.Supported(name) {
			t.Errorf("docs/engine.md lists %s, which the engine cannot run", name)
		}
	}
	for _, name := range builtins {
		if tflite.Supported(name) && !slices.Contains(doc, name) {
			t.Errorf("the engine runs %s: add it to the operator list of docs/engine.md", name)
		}
	}
	if !slices.IsSorted(doc) {
		t.Errorf("the operator list of docs/engine.md is not in alphabetical order")
	}
	for _, name := range listed(t, "docs/engine.md", "custom-operators") {
		if !tflite.Supported("CUSTOM:" + name) {
			t.Errorf("docs/engine.md lists the custom operator %s, which the engine cannot run", name)
		}
	}
}

// cells counts the cells of a table line, not counting pipes inside code
// spans or escaped ones.
func cells(line string) int {
	line = inlineCodeRE.ReplaceAllString(strings.ReplaceAll(line, `\|`, ""), "")
	return strings.Count(strings.Trim(strings.TrimSpace(line), "|"), "|") + 1
}

// TestTables fails on a table row (or the |---| line) with another number
// of cells than its header: a renderer drops or shifts such cells.
func TestTables(t *testing.T) {
	for _, p := range pages(t) {
		b, err := os.ReadFile(filepath.Join(root, p))
		if err != nil {
			t.Fatal(err)
		}
		fenced, header := false, 0
		for i, line := range strings.Split(string(b), "\n") {
			trimmed := strings.TrimSpace(line)
			if strings.HasPrefix(trimmed, "```") {
				fenced = !fenced
			}
			if fenced || !strings.HasPrefix(trimmed, "|") {
				header = 0
				continue
			}
			if header == 0 {
				header = cells(trimmed)
				continue
			}
			if n := cells(trimmed); n != header {
				t.Errorf("%s:%d: %d cells in a table of %d columns: %s", p, i+1, n, header, trimmed)
			}
		}
	}
	if got := cells("| `a|b` | c \\| d | e |"); got != 3 {
		t.Errorf("cells counts %d, want 3", got)
	}
}

var (
	// citeRE is one citation of a table cell: "pkg: TestA, TestB (note)".
	citeRE = regexp.MustCompile(`^\s*([a-z0-9][a-z0-9/]*):\s+(.*)$`)
	// testNameRE is a test or fuzz function's name.
	testNameRE = regexp.MustCompile(`\b(?:Test|Fuzz)[A-Z][A-Za-z0-9_]*\b`)
)

// citations returns the test names that docs/security.md's tables cite,
// by package: in the last column of every table headed "test", each
// cell's "pkg: TestName, ...; pkg2: ..." citations (a name after ";"
// without a package belongs to the package before it).
func citations(t *testing.T) map[string][]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "docs", "security.md"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	fenced, inTable, cites := false, false, false
	for _, line := range strings.Split(string(b), "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "```") {
			fenced = !fenced
		}
		if fenced || !strings.HasPrefix(trimmed, "|") {
			inTable = false
			continue
		}
		cols := strings.Split(strings.Trim(trimmed, "|"), "|")
		last := strings.TrimSpace(cols[len(cols)-1])
		if !inTable {
			inTable, cites = true, last == "test"
			continue
		}
		if !cites || strings.Trim(last, "-:") == "" {
			continue
		}
		pkg := ""
		for _, part := range strings.Split(cols[len(cols)-1], ";") {
			if m := citeRE.FindStringSubmatch(part); m != nil {
				pkg, part = m[1], m[2]
			}
			if pkg == "" {
				continue
			}
			out[pkg] = append(out[pkg], testNameRE.FindAllString(part, -1)...)
		}
	}
	return out
}

// testFuncs returns the names of the functions declared in a package
// folder's _test.go files.
func testFuncs(t *testing.T, dir string) map[string]bool {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(root, dir, "*_test.go"))
	if err != nil {
		t.Fatal(err)
	}
	funcs := map[string]bool{}
	fset := token.NewFileSet()
	for _, f := range files {
		file, err := parser.ParseFile(fset, f, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range file.Decls {
			if fn, ok := d.(*ast.FuncDecl); ok && fn.Recv == nil {
				funcs[fn.Name.Name] = true
			}
		}
	}
	return funcs
}

// TestSecurityCitesRealTests fails when a table of docs/security.md cites
// a test that its package does not have: the claim next to it would rest
// on nothing.
func TestSecurityCitesRealTests(t *testing.T) {
	cited := citations(t)
	total := 0
	for pkg, names := range cited {
		funcs := testFuncs(t, pkg)
		if len(funcs) == 0 {
			t.Errorf("docs/security.md cites tests of %s, which has no _test.go files", pkg)
			continue
		}
		for _, name := range names {
			total++
			if !funcs[name] {
				t.Errorf("docs/security.md cites %s: %s, which is no test of that package", pkg, name)
			}
		}
	}
	if total < 50 {
		t.Fatalf("found only %d citations in docs/security.md: %v", total, cited)
	}
}
