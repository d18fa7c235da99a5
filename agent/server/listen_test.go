//go:build linux

package server

import (
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/edgeinfer/edgeinfer/internal/apitest"
)

func TestListen(t *testing.T) {
	t.Run("creates directory, mode and group", func(t *testing.T) {
		g, err := user.LookupGroupId("1")
		if err != nil {
			t.Fatalf("this test needs a group with gid 1: %v", err)
		}
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
		if gid := fi.Sys().(*syscall.Stat_t).Gid; gid != 1 {
			t.Errorf("gid %d, want 1 (%s)", gid, g.Name)
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
