//go:build linux

package platforms

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden profiles in testdata/")

// TestDetectBoards detects each captured board tree and compares the
// profile with testdata/<board>.golden.json (go test -update rewrites them).
func TestDetectBoards(t *testing.T) {
	boards := []struct{ dir, arch, kind string }{
		{"rpi4", "arm64", KindRaspberryPi4},
		{"rpi5", "arm64", KindRaspberryPi5},
		{"jetson-orin-nano", "arm64", KindJetson},
		{"x86-server", "amd64", KindX86},
		{"arm64-container", "arm64", KindGenericARM64},
	}
	for _, b := range boards {
		t.Run(b.dir, func(t *testing.T) {
			p := detectAt(t, b.dir, b.arch)
			if p.Kind != b.kind {
				t.Errorf("kind %q, want %q", p.Kind, b.kind)
			}
			got, err := json.MarshalIndent(p, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := filepath.Join("testdata", b.dir+".golden.json")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("profile differs from %s:\n%s", golden, got)
			}
		})
	}
}

func detectAt(t *testing.T, dir, arch string) Profile {
	t.Helper()
	oldProc, oldSys, oldArch := ProcRoot, SysRoot, goarch
	t.Cleanup(func() { ProcRoot, SysRoot, goarch = oldProc, oldSys, oldArch })
	ProcRoot = filepath.Join("testdata", dir, "proc")
	SysRoot = filepath.Join("testdata", dir, "sys")
	goarch = arch
	p := Detect()
	p.OS = "linux"
	return p
}

func TestBoardFacts(t *testing.T) {
	pi5 := detectAt(t, "rpi5", "arm64")
	if !pi5.CPU.Has("asimddp") || !pi5.Hot() {
		t.Errorf("rpi5: dot product %v, hot %v; want both (84 °C)", pi5.CPU.Has("asimddp"), pi5.Hot())
	}
	pi4 := detectAt(t, "rpi4", "arm64")
	if pi4.CPU.Has("asimddp") || pi4.Hot() || pi4.CPU.Model != "ARM Cortex-A72" {
		t.Errorf("rpi4: %+v", pi4.CPU)
	}
	c := detectAt(t, "arm64-container", "arm64")
	if c.CPU.Cores != 2 || c.MemoryBytes != 512<<20 || c.Defaults.Sessions != 2 || c.Defaults.CacheBytes != 16<<20 {
		t.Errorf("container: cores %d memory %d defaults %+v; want the cgroup's 2 cores, 512 MiB, 2 sessions, 16 MiB cache", c.CPU.Cores, c.MemoryBytes, c.Defaults)
	}
}

// TestDetectHost runs detection on the real machine: it must not fail and
// must find at least one core and some memory.
func TestDetectHost(t *testing.T) {
	p := Detect()
	if p.CPU.Cores < 1 || p.MemoryBytes == 0 || p.Defaults.Threads < 1 {
		t.Errorf("host profile incomplete: %+v", p)
	}
	t.Log(p)
}

// TestCgroupMemoryOfTheService: the limit that counts is the smallest on
// the way from the process's own cgroup (a systemd service with
// MemoryMax=) up to the root, not the root's alone.
func TestCgroupMemoryOfTheService(t *testing.T) {
	root := t.TempDir()
	write := func(path, s string) {
		p := filepath.Join(root, path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("proc/self/cgroup", "0::/system.slice/edgeinfer.service\n")
	write("sys/fs/cgroup/memory.max", "max\n")
	write("sys/fs/cgroup/system.slice/memory.max", "1073741824\n")
	write("sys/fs/cgroup/system.slice/edgeinfer.service/memory.max", "268435456\n")
	oldProc, oldSys := ProcRoot, SysRoot
	t.Cleanup(func() { ProcRoot, SysRoot = oldProc, oldSys })
	ProcRoot, SysRoot = filepath.Join(root, "proc"), filepath.Join(root, "sys")
	if got := cgroupMemoryLimit(); got != 256<<20 {
		t.Errorf("service limit: %d, want %d", got, 256<<20)
	}
	write("sys/fs/cgroup/system.slice/memory.max", "134217728\n")
	if got := cgroupMemoryLimit(); got != 128<<20 {
		t.Errorf("a smaller slice limit: %d, want %d", got, 128<<20)
	}
}
