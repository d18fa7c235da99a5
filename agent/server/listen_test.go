//go:build linux

package server

import (
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/edgeinfer/edgeinfer/internal/apitest"
)

// handOverGroup returns a group that the test may give a socket to and
// that is not its own primary group: gid 1 as root, else one of its
// supplementary groups. Without one, the test is skipped, loudly.
func handOverGroup(t *testing.T) *user.Group {
	t.Helper()
	gid := 1
	if os.Geteuid() != 0 {
		groups, _ := os.Getgroups()
		i := slices.IndexFunc(groups, func(g int) bool { return g != os.Getegid() })
		if i < 0 {
			t.Skipf("SKIPPED: %s needs root, or a supplementary group to hand the socket to (uid %d has none)", t.Name(), os.Geteuid())
		}
		gid = groups[i]
	}
	g, err := user.LookupGroupId(strconv.Itoa(gid))
	if err != nil {
		t.Fatalf("this test needs a group with gid %d: %v", gid, err)
	}
	return g
}

func TestListen(t *testing.T) {
	t.Run("creates directory, mode and group", func(t *testing.T) {
		g := handOverGroup(t)
		sock := filepath.Join(socketDir(t), "run", "edgeinfer.sock")
		ln, err := Listen(sock, 0, g.Name)
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		fi, err := os.Stat(sock)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Type() != fs.ModeSocket || fi.Mode().Perm() != 0o660 {
			t.Errorf("mode %s, want a socket with 0660", fi.Mode())
		}
		if gid := fi.Sys().(*syscall.Stat_t).Gid; strconv.Itoa(int(gid)) != g.Gid {
			t.Errorf("gid %d, want %s (%s)", gid, g.Gid, g.Name)
		}
		if di, err := os.Stat(filepath.Dir(sock)); err != nil || di.Mode().Perm() != 0o755 {
			t.Errorf("directory: %v, %v", di.Mode(), err)
		}
	})
	t.Run("unknown group", func(t *testing.T) {
		sock := filepath.Join(socketDir(t), "edgeinfer.sock")
		_, err := Listen(sock, 0, "no-such-group-edgeinfer")
		if err == nil || !strings.Contains(err.Error(), `socket group "no-such-group-edgeinfer"`) {
			t.Errorf("err = %v", err)
		}
		if _, err := os.Lstat(sock); err == nil {
			t.Error("the socket was created despite the error")
		}
	})
	t.Run("stale socket replaced", func(t *testing.T) {
		sock := filepath.Join(socketDir(t), "edgeinfer.sock")
		// A socket file left behind by a dead agent: bound, never listening.
		fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := syscall.Bind(fd, &syscall.SockaddrUnix{Name: sock}); err != nil {
			t.Fatal(err)
		}
		syscall.Close(fd)
		if fi, err := os.Lstat(sock); err != nil || fi.Mode().Type() != fs.ModeSocket {
			t.Fatalf("no stale socket to test with: %v", err)
		}
		ln, err := Listen(sock, 0o600, "")
		if err != nil {
			t.Fatalf("stale socket not replaced: %v", err)
		}
		s := serveOn(t, ln, apitest.New(), Options{})
		if a := s.get(t, "/v2/health/live"); a.status != 200 {
			t.Errorf("live %d on the new socket", a.status)
		}
	})
	t.Run("live socket not stolen", func(t *testing.T) {
		s := serve(t, apitest.New(), Options{})
		_, err := Listen(s.sock, 0, "")
		if err == nil || err.Error() != "another agent is listening on "+s.sock {
			t.Errorf("err = %v", err)
		}
		if a := s.get(t, "/v2/health/live"); a.status != 200 {
			t.Errorf("the first agent answers %d after the second tried its socket", a.status)
		}
	})
	t.Run("regular file not deleted", func(t *testing.T) {
		path := filepath.Join(socketDir(t), "edgeinfer.sock")
		if err := os.WriteFile(path, []byte("precious"), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Listen(path, 0, "")
		if err == nil || !strings.Contains(err.Error(), path+" exists and is not a socket") {
			t.Errorf("err = %v", err)
		}
		if b, err := os.ReadFile(path); err != nil || string(b) != "precious" {
			t.Errorf("the file is gone or changed: %q, %v", b, err)
		}
	})
}
