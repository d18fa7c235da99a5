package server

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/edgeinfer/edgeinfer/api"
)

// Listen creates the API socket at path: it creates the parent directory
// (0755) if missing, or, for the per-user fallback directory in a shared
// temporary directory (api.FallbackDir), creates it 0700 and refuses an
// existing one another user owns or that is open to group or others;
// it replaces a stale socket file left by an agent that
// died (a socket nobody answers on), and sets the socket's mode (0 means
// 0660) and, when group is not empty, its group. It refuses to touch a
// path that is not a socket, and a socket another agent answers on.
func Listen(path string, mode os.FileMode, group string) (net.Listener, error) {
	if mode == 0 {
		mode = 0o660
	}
	gid := -1
	if group != "" {
		g, err := user.LookupGroup(group)
		if err != nil {
			return nil, fmt.Errorf("socket group %q: %w", group, err)
		}
		if gid, err = strconv.Atoi(g.Gid); err != nil {
			return nil, fmt.Errorf("socket group %q: gid %q: %w", group, g.Gid, err)
		}
	}
	if dir := filepath.Dir(filepath.Clean(path)); dir == api.FallbackDir() {
		if err := api.MakePrivateDir(dir); err != nil {
			return nil, err
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("socket directory: %w", err)
	}
	if err := removeStale(path); err != nil {
		return nil, err
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", path, err)
	}
	if err := os.Chmod(path, mode); err != nil {
		ln.Close()
		return nil, fmt.Errorf("socket mode: %w", err)
	}
	if gid >= 0 {
		if err := os.Chown(path, -1, gid); err != nil {
			ln.Close()
			return nil, fmt.Errorf("socket group %q: %w", group, err)
		}
	}
	return ln, nil
}

// removeStale removes path if it is a socket file nobody listens on.
func removeStale(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("socket %s: %w", path, err)
	}
	if fi.Mode().Type() != fs.ModeSocket {
		return fmt.Errorf("%s exists and is not a socket (mode %s); refusing to replace it", path, fi.Mode())
	}
	c, err := net.DialTimeout("unix", path, 5*time.Second)
	if err == nil {
		c.Close()
		return fmt.Errorf("another agent is listening on %s", path)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		return fmt.Errorf("socket %s exists and cannot be probed, leaving it: %w", path, err)
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("removing stale socket: %w", err)
	}
	return nil
}
