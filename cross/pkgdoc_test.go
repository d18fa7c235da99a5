package cross

import (
	"os/exec"
	"strings"
	"testing"
)

// TestPackageDocs checks that every package of the module has a doc
// comment that starts the way go doc expects: "Package name ..." for a
// library, "Command name ..." (or "Name is/does ...") for a program.
func TestPackageDocs(t *testing.T) {
	cmd := exec.Command("go", "list", "-f", "{{.ImportPath}}\t{{.Name}}\t{{.Doc}}", "github.com/edgeinfer/edgeinfer/...")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		path, rest, _ := strings.Cut(line, "\t")
		name, doc, _ := strings.Cut(rest, "\t")
		n++
		want := "Package " + name + " "
		if name == "main" {
			want = "Command "
		}
		switch {
		case doc == "":
			t.Errorf("%s has no package doc comment", path)
		case !strings.HasPrefix(doc, want):
			t.Errorf("%s: doc comment %q should start with %q", path, doc, want)
		}
	}
	if n < 5 {
		t.Errorf("go list found only %d packages", n)
	}
}
