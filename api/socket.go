package api

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// SocketEnv names the environment variable that overrides DefaultSocket.
const SocketEnv = "EDGEINFER_SOCKET"

// SystemSocket is where the agent of the system service listens.
const SystemSocket = "/run/edgeinfer/edgeinfer.sock"

// DefaultSocket is the socket path the agent listens on and clients dial
// when none is given: $EDGEINFER_SOCKET; else SystemSocket for root, or
// when it exists (the system service runs, and the caller may be in its
// group); else $XDG_RUNTIME_DIR/edgeinfer/edgeinfer.sock; else
// FallbackDir/edgeinfer.sock.
func DefaultSocket() string {
	return defaultSocket(os.Getenv, os.Geteuid(), func(p string) bool { _, err := os.Stat(p); return err == nil })
}

func defaultSocket(getenv func(string) string, euid int, exists func(string) bool) string {
	if s := getenv(SocketEnv); s != "" {
		return s
	}
	if euid == 0 || exists(SystemSocket) {
		return SystemSocket
	}
	if d := getenv("XDG_RUNTIME_DIR"); d != "" {
		return filepath.Join(d, "edgeinfer", "edgeinfer.sock")
	}
	return filepath.Join(fallbackDir(getenv, euid), "edgeinfer.sock")
}

// FallbackDir is the per-user socket directory in a shared temporary
// directory: $TMPDIR/edgeinfer-EUID, or /tmp/edgeinfer-EUID. Other users
// can create that name first, so it is only used when it is private (see
// CheckPrivateDir), as ssh-agent and tmux do.
func FallbackDir() string { return fallbackDir(os.Getenv, os.Geteuid()) }

func fallbackDir(getenv func(string) string, euid int) string {
	tmp := getenv("TMPDIR")
	if tmp == "" {
		tmp = "/tmp"
	}
	return filepath.Join(tmp, fmt.Sprintf("edgeinfer-%d", euid))
}

// ErrUnsafeDir is wrapped by the errors of CheckPrivateDir.
var ErrUnsafeDir = errors.New("unsafe socket directory")

// CheckPrivateDir checks that dir is a directory, not a symbolic link,
// owned by the effective uid and closed to group and others (no bit of
// 0077): nobody else can have put, or replace, a socket in it.
func CheckPrivateDir(dir string) error {
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("socket directory %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("%w: %s is not a directory (mode %s); remove it", ErrUnsafeDir, dir, fi.Mode())
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fmt.Errorf("%w: %s: its owner cannot be read on this system", ErrUnsafeDir, dir)
	}
	if euid := os.Geteuid(); int(st.Uid) != euid {
		return fmt.Errorf("%w: %s is owned by uid %d, not by uid %d: another user may have created it; remove it or set $%s", ErrUnsafeDir, dir, st.Uid, euid, SocketEnv)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("%w: %s has mode %04o, open to group or others (want 0700): chmod 700 it", ErrUnsafeDir, dir, perm)
	}
	return nil
}

// MakePrivateDir creates dir with mode 0700 unless it exists, then checks
// it with CheckPrivateDir.
func MakePrivateDir(dir string) error {
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("socket directory: %w", err)
	}
	return CheckPrivateDir(dir)
}

// CheckSocketPath checks the directory of a socket path in FallbackDir
// with CheckPrivateDir; other paths are the administrator's choice and
// pass.
func CheckSocketPath(path string) error {
	if filepath.Dir(filepath.Clean(path)) != FallbackDir() {
		return nil
	}
	return CheckPrivateDir(filepath.Dir(path))
}
