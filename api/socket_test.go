package api

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckPrivateDir: only a real directory of the effective uid with
// mode 0700 (or stricter) passes; each refusal says what is wrong.
func TestCheckPrivateDir(t *testing.T) {
	root := t.TempDir()
	mk := func(name string, mode os.FileMode) string {
		p := filepath.Join(root, name)
		if err := os.Mkdir(p, mode); err != nil {
			t.Fatal(err)
		}
		os.Chmod(p, mode)
		return p
	}
	private := mk("private", 0o700)
	file := filepath.Join(root, "file")
	os.WriteFile(file, nil, 0o600)
	link := filepath.Join(root, "link")
	os.Symlink(private, link)
	cases := []struct {
		dir, want string
	}{
		{private, ""},
		{mk("strict", 0o500), ""},
		{mk("group", 0o750), "mode 0750, open to group or others"},
		{mk("world", 0o777), "mode 0777"},
		{file, "is not a directory"},
		{link, "is not a directory"},
	}
	if os.Geteuid() == 0 {
		other := mk("other", 0o700)
		if err := os.Chown(other, 65534, 65534); err != nil {
			t.Fatal(err)
		}
		cases = append(cases, struct{ dir, want string }{other, "is owned by uid 65534, not by uid 0"})
	} else {
		t.Run("owned by another uid", func(t *testing.T) {
			t.Skipf("SKIPPED: the other-owner case needs root to make a directory of another uid (it runs as uid %d)", os.Geteuid())
		})
	}
	for _, tc := range cases {
		err := CheckPrivateDir(tc.dir)
		if tc.want == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.dir, err)
			}
			continue
		}
		if !errors.Is(err, ErrUnsafeDir) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want ErrUnsafeDir saying %q", tc.dir, err, tc.want)
		}
	}
}

// TestMakePrivateDir creates the fallback directory 0700 and refuses an
// existing one that is open to others, leaving it as it was.
func TestMakePrivateDir(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	dir := FallbackDir()
	if err := MakePrivateDir(dir); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("created %v %v, want mode 0700", fi.Mode(), err)
	}
	if err := CheckSocketPath(filepath.Join(dir, "edgeinfer.sock")); err != nil {
		t.Errorf("CheckSocketPath in the private fallback: %v", err)
	}
	os.Chmod(dir, 0o777)
	if err := MakePrivateDir(dir); !errors.Is(err, ErrUnsafeDir) {
		t.Errorf("existing 0777 directory: %v, want ErrUnsafeDir", err)
	}
	if err := CheckSocketPath(filepath.Join(dir, "edgeinfer.sock")); !errors.Is(err, ErrUnsafeDir) {
		t.Errorf("CheckSocketPath in a 0777 fallback: %v, want ErrUnsafeDir", err)
	}
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o777 {
		t.Errorf("the refused directory was changed to %v", fi.Mode())
	}
	if err := CheckSocketPath(filepath.Join(t.TempDir(), "x", "edgeinfer.sock")); err != nil {
		t.Errorf("a socket outside the fallback directory: %v", err)
	}
}
