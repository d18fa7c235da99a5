package cross

import (
	"bufio"
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"debug/buildinfo"
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// testVersion is what the test binaries report; testDebVersion is its
// Debian form for testDate.
const (
	testVersion    = "v1.2.3-4-gabcdef0"
	testDebVersion = "1.2.3+git20261128.4.abcdef0"
)

var testDate = time.Date(2026, 11, 28, 1, 2, 3, 0, time.UTC)

// testBinaries builds the edgeinfer binary once per target for the whole
// test run, in a directory removed by TestMain.
var (
	binDir      string
	binMu       sync.Mutex
	binBuilt    = map[string][]byte{}
	binBuildErr = map[string]error{}
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "cross-deb-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// testBinary returns edgeinfer built for the named target with
// testVersion, building it on first use.
func testBinary(t *testing.T, name string) []byte {
	t.Helper()
	binMu.Lock()
	defer binMu.Unlock()
	if b, ok := binBuilt[name]; ok || binBuildErr[name] != nil {
		if binBuildErr[name] != nil {
			t.Fatal(binBuildErr[name])
		}
		return b
	}
	tg, err := Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(binDir, "edgeinfer-"+name)
	var out bytes.Buffer
	err = Build(t.Context(), tg, "github.com/edgeinfer/edgeinfer/cmd/edgeinfer", bin, "-s -w -X main.version="+testVersion, &out, &out)
	if err != nil {
		binBuildErr[name] = fmt.Errorf("%w\n%s", err, out.Bytes())
		t.Fatal(binBuildErr[name])
	}
	b, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	binBuilt[name] = b
	return b
}

// writeTestDeb writes the package of the named target into a temporary
// directory and returns its path.
func writeTestDeb(t *testing.T, name string) (string, Deb) {
	t.Helper()
	tg, err := Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	d := Deb{Target: tg, Version: testDebVersion, Date: testDate, Binary: testBinary(t, name)}
	var b bytes.Buffer
	if err := d.Write(&b); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), d.FileName())
	if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return file, d
}

// need returns the path of an external program the test cannot do
// without, failing the test with the Debian package that has it.
func need(t *testing.T, prog, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(prog)
	if err != nil {
		t.Fatalf("this test needs %s (Debian package %s): %v", prog, pkg, err)
	}
	return p
}

// output runs a command with TZ=UTC and returns its standard output,
// failing the test on error.
func output(t *testing.T, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "TZ=UTC", "LC_ALL=C")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.Bytes())
	}
	return string(out)
}

// extract unpacks the package's files into a new directory with
// dpkg-deb -x and returns it.
func extract(t *testing.T, deb string) string {
	t.Helper()
	root := t.TempDir()
	output(t, need(t, "dpkg-deb", "dpkg"), "-x", deb, root)
	return root
}

// TestDebPackages builds the amd64 and arm64 packages and checks them with
// the real dpkg-deb: control fields, the file list with modes and owners,
// conffiles, maintainer scripts, md5sums, the extracted files, the
// extracted binary's version (arm64 under qemu), and that the same inputs
// give the same bytes.
func TestDebPackages(t *testing.T) {
	dpkgDeb := need(t, "dpkg-deb", "dpkg")
	for _, tc := range []struct {
		target, arch string
		machine      elf.Machine
		qemu         string
	}{
		{"linux-amd64", "amd64", elf.EM_X86_64, "qemu-x86_64-static"},
		{"linux-arm64", "arm64", elf.EM_AARCH64, "qemu-aarch64-static"},
	} {
		t.Run(tc.target, func(t *testing.T) {
			file, d := writeTestDeb(t, tc.target)
			if want := "edgeinfer_" + testDebVersion + "_" + tc.arch + ".deb"; filepath.Base(file) != want {
				t.Errorf("file name %s, want %s", filepath.Base(file), want)
			}
			output(t, dpkgDeb, "--info", file)

			binKiB := (len(d.Binary) + 1023) / 1024
			fields := map[string]string{
				"Package": "edgeinfer", "Version": testDebVersion, "Architecture": tc.arch,
				"Maintainer": DefaultMaintainer, "Section": "science", "Priority": "optional",
			}
			for field, want := range fields {
				if got := strings.TrimSpace(output(t, dpkgDeb, "--field", file, field)); got != want {
					t.Errorf("%s: %q, want %q", field, got, want)
				}
			}
			size, err := strconv.Atoi(strings.TrimSpace(output(t, dpkgDeb, "--field", file, "Installed-Size")))
			if err != nil || size < binKiB || size > binKiB+32 {
				t.Errorf("Installed-Size %d (%v), want a little above the binary's %d KiB", size, err, binKiB)
			}
			for _, field := range []string{"Depends", "Pre-Depends", "Recommends"} {
				if got := strings.TrimSpace(output(t, dpkgDeb, "--field", file, field)); got != "" {
					t.Errorf("%s: %q, want none (static binary)", field, got)
				}
			}
			if desc := output(t, dpkgDeb, "--field", file, "Description"); !strings.Contains(desc, "TensorFlow Lite") {
				t.Errorf("Description %q", desc)
			}

			checkContents(t, output(t, dpkgDeb, "--contents", file), len(d.Binary))
			checkControl(t, file)

			root := extract(t, file)
			for dst, src := range debSources {
				want, _ := packaging.ReadFile(src)
				got, err := os.ReadFile(filepath.Join(root, dst))
				if err != nil || !bytes.Equal(got, want) {
					t.Errorf("extracted %s differs from %s (%v)", dst, src, err)
				}
			}
			bin := filepath.Join(root, debBinary)
			f, err := elf.Open(bin)
			if err != nil {
				t.Fatal(err)
			}
			if f.Machine != tc.machine {
				t.Errorf("binary for %s, want %s", f.Machine, tc.machine)
			}
			if interp := f.Section(".interp"); interp != nil {
				t.Error("binary has an ELF interpreter: not static")
			}
			f.Close()
			var version string
			if tg, _ := Lookup(tc.target); tg.Native() {
				version = output(t, bin, "version")
			} else {
				version = output(t, need(t, tc.qemu, "qemu-user-static"), bin, "version")
			}
			if want := "edgeinfer " + testVersion + "\n"; !strings.HasPrefix(version, want) || !strings.Contains(version, "linux/"+goarch(tc.target)) {
				t.Errorf("extracted binary's version:\n%s\nwant %q and linux/%s", version, want, goarch(tc.target))
			}

			// Determinism: the same inputs give the same bytes; another
			// date gives other bytes (the date is in the archive).
			first, _ := os.ReadFile(file)
			var again, later bytes.Buffer
			if err := d.Write(&again); err != nil {
				t.Fatal(err)
			}
			if sha256.Sum256(first) != sha256.Sum256(again.Bytes()) {
				t.Error("writing the same package twice gave different bytes")
			}
			d.Date = d.Date.Add(time.Hour)
			if err := d.Write(&later); err != nil {
				t.Fatal(err)
			}
			if bytes.Equal(first, later.Bytes()) {
				t.Error("a package dated an hour later has the same bytes")
			}
			t.Logf("%s: %d bytes (%.2f MiB), sha256 %x", filepath.Base(file), len(first), float64(len(first))/(1<<20), sha256.Sum256(first))
		})
	}
}

// goarch is the GOARCH of the named target.
func goarch(name string) string {
	t, _ := Lookup(name)
	return t.GOARCH
}

// checkContents checks dpkg-deb --contents output: exactly the expected
// files and directories, owned by root, with their modes and the package
// date.
func checkContents(t *testing.T, contents string, binSize int) {
	t.Helper()
	want := map[string]string{
		"./etc/edgeinfer/agent.yaml":             "-rw-r-----", // may hold secrets; postinst gives it the group edgeinfer
		"./lib/systemd/system/edgeinfer.service": "-rw-r--r--",
		"./usr/bin/edgeinfer":                    "-rwxr-xr-x",
		"./usr/share/doc/edgeinfer/copyright":    "-rw-r--r--",
	}
	for _, dir := range []string{"./", "./etc/", "./etc/edgeinfer/", "./lib/", "./lib/systemd/", "./lib/systemd/system/",
		"./usr/", "./usr/bin/", "./usr/share/", "./usr/share/doc/", "./usr/share/doc/edgeinfer/"} {
		want[dir] = "drwxr-xr-x"
	}
	var names []string
	stamp := testDate.Format("2006-01-02 15:04")
	for _, line := range strings.Split(strings.TrimSpace(contents), "\n") {
		f := strings.Fields(line)
		if len(f) != 6 {
			t.Errorf("contents line %q", line)
			continue
		}
		mode, owner, size, day, clock, name := f[0], f[1], f[2], f[3], f[4], f[5]
		names = append(names, name)
		if want[name] == "" {
			t.Errorf("unexpected entry %s", name)
		} else if mode != want[name] {
			t.Errorf("%s: mode %s, want %s", name, mode, want[name])
		}
		if owner != "root/root" {
			t.Errorf("%s: owner %s, want root/root", name, owner)
		}
		if day+" "+clock != stamp {
			t.Errorf("%s: dated %s %s, want %s", name, day, clock, stamp)
		}
		if name == "./usr/bin/edgeinfer" && size != strconv.Itoa(binSize) {
			t.Errorf("binary size %s, want %d", size, binSize)
		}
	}
	if len(names) != len(want) {
		t.Errorf("%d entries, want %d:\n%s", len(names), len(want), contents)
	}
	for i := 1; i < len(names); i++ {
		if names[i-1] >= names[i] {
			t.Errorf("entries not sorted: %s before %s", names[i-1], names[i])
		}
	}
}

// checkControl extracts the control archive with dpkg-deb -e and checks
// conffiles, the scripts' modes and shebangs, and md5sums against the
// extracted files.
func checkControl(t *testing.T, deb string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "DEBIAN")
	output(t, "dpkg-deb", "-e", deb, dir)
	conffiles, err := os.ReadFile(filepath.Join(dir, "conffiles"))
	if err != nil || string(conffiles) != "/etc/edgeinfer/agent.yaml\n" {
		t.Errorf("conffiles %q (%v), want /etc/edgeinfer/agent.yaml", conffiles, err)
	}
	for _, s := range debScripts {
		st, err := os.Stat(filepath.Join(dir, s))
		if err != nil {
			t.Errorf("maintainer script %s: %v", s, err)
			continue
		}
		if st.Mode().Perm() != 0o755 {
			t.Errorf("%s mode %v, want 0755", s, st.Mode().Perm())
		}
	}
	root := extract(t, deb)
	sums, err := os.ReadFile(filepath.Join(dir, "md5sums"))
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(sums))
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			t.Errorf("md5sums line %q", sc.Text())
			continue
		}
		listed[name] = true
		b, err := os.ReadFile(filepath.Join(root, name))
		if err != nil || fmt.Sprintf("%x", md5.Sum(b)) != sum {
			t.Errorf("md5sums: %s does not match the file (%v)", name, err)
		}
	}
	for _, name := range []string{debBinary, debUnit, debCopyright} {
		if !listed[name] {
			t.Errorf("md5sums lacks %s", name)
		}
	}
	if listed[debConfig] {
		t.Errorf("md5sums lists the conffile %s (dpkg keeps conffile digests itself)", debConfig)
	}
}

// TestDebCopyrightNamesEveryModule checks that the copyright file names
// every Go module linked into the binary, so a new dependency is not
// shipped without its license.
func TestDebCopyrightNamesEveryModule(t *testing.T) {
	testBinary(t, "linux-amd64")
	info, err := buildinfo.ReadFile(filepath.Join(binDir, "edgeinfer-linux-amd64"))
	if err != nil {
		t.Fatal(err)
	}
	copyright, _ := packaging.ReadFile("packaging/copyright")
	for _, dep := range info.Deps {
		if !bytes.Contains(copyright, []byte("Files: "+dep.Path+"\n")) {
			t.Errorf("cross/packaging/copyright has no \"Files: %s\" stanza with its copyright and license; the binary links it", dep.Path)
		}
	}
}

// TestMaintainerScriptsParse checks the maintainer scripts' syntax with
// the POSIX shell (sh -n) and that each starts with #!/bin/sh and set -e.
func TestMaintainerScriptsParse(t *testing.T) {
	sh := need(t, "sh", "dash")
	for _, s := range debScripts {
		b, err := packaging.ReadFile("packaging/" + s)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b, []byte("#!/bin/sh\n")) || !regexp.MustCompile(`(?m)^set -e$`).Match(b) {
			t.Errorf("%s does not start with #!/bin/sh and set -e", s)
		}
		cmd := exec.Command(sh, "-n")
		cmd.Stdin = bytes.NewReader(b)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("sh -n %s: %v\n%s", s, err, out)
		}
	}
}
