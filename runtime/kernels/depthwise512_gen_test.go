package kernels

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// TestDepthwise512Generated checks that depthwise512_amd64.s is what
// gen_depthwise512.go writes (go generate ./runtime/kernels after an edit
// of the generator).
func TestDepthwise512Generated(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skipf("SKIPPED: the generator check runs on amd64 hosts (GOARCH %s may run under an emulator)", runtime.GOARCH)
	}
	out := filepath.Join(t.TempDir(), "depthwise512_amd64.s")
	cmd := exec.Command("go", "run", "gen_depthwise512.go", "-o", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run gen_depthwise512.go: %v\n%s", err, b)
	}
	want, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("depthwise512_amd64.s")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("depthwise512_amd64.s differs from gen_depthwise512.go's output: run go generate ./runtime/kernels")
	}
}
