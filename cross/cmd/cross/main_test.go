package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestDebCommandErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		err  string
	}{
		{"extra argument", []string{"deb", "./cmd/edgeinfer"}, errUsage.Error()},
		{"unknown target", []string{"deb", "-targets", "linux-mips"}, `unknown target "linux-mips"`},
		{"version git cannot describe", []string{"deb", "-version", "release_1"}, `version "release_1" is neither a tag`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("SOURCE_DATE_EPOCH", "1795832709")
			out := t.TempDir()
			err := run(append(tc.args, "-out", out), &bytes.Buffer{}, &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("run %v: %v, want an error with %q", tc.args, err, tc.err)
			}
			if entries, _ := os.ReadDir(out); len(entries) > 0 {
				t.Errorf("a failed run left %d files in the output directory", len(entries))
			}
		})
	}
	if err := run([]string{"deb", "-bogus"}, &bytes.Buffer{}, &bytes.Buffer{}); !errors.Is(err, errUsage) {
		t.Errorf("unknown flag: %v, want errUsage", err)
	}
}

// TestDebCommand runs `cross deb` for linux-amd64 and checks the package
// it writes with the real dpkg-deb: its name, version and the version the
// packaged binary reports.
func TestDebCommand(t *testing.T) {
	dpkgDeb, err := exec.LookPath("dpkg-deb")
	if err != nil {
		t.Fatalf("this test needs dpkg-deb (Debian package dpkg): %v", err)
	}
	t.Setenv("SOURCE_DATE_EPOCH", "1795832709") // 2026-11-28
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	if err := run([]string{"deb", "-targets", "linux-amd64", "-out", out, "-version", "v0.9.0-2-g1234abc"}, &stdout, &stderr); err != nil {
		t.Fatalf("cross deb: %v\n%s%s", err, stdout.Bytes(), stderr.Bytes())
	}
	deb := filepath.Join(out, "edgeinfer_0.9.0+git20261128.2.1234abc_amd64.deb")
	if !strings.Contains(stdout.String(), deb) || !strings.Contains(stdout.String(), "MiB") {
		t.Errorf("output does not give %s and its size:\n%s", deb, stdout.Bytes())
	}
	field, err := exec.Command(dpkgDeb, "--field", deb, "Version").Output()
	if err != nil || strings.TrimSpace(string(field)) != "0.9.0+git20261128.2.1234abc" {
		t.Fatalf("dpkg-deb --field %s Version: %q, %v", deb, field, err)
	}
	root := t.TempDir()
	if out, err := exec.Command(dpkgDeb, "-x", deb, root).CombinedOutput(); err != nil {
		t.Fatalf("dpkg-deb -x: %v\n%s", err, out)
	}
	version, err := exec.Command(filepath.Join(root, "usr/bin/edgeinfer"), "version").Output()
	if err != nil || !strings.HasPrefix(string(version), "edgeinfer v0.9.0-2-g1234abc\n") {
		t.Errorf("packaged binary's version %q, %v; want edgeinfer v0.9.0-2-g1234abc", version, err)
	}
}
