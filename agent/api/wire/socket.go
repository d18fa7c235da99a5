package wire

import (
	"fmt"
	"os"
	"path/filepath"
)

// SocketEnv names the environment variable that overrides DefaultSocket.
const SocketEnv = "EDGEINFER_SOCKET"

// SystemSocket is where the agent of the system service listens.
const SystemSocket = "/run/edgeinfer/edgeinfer.sock"

// DefaultSocket is the socket path the agent listens on and clients dial
// when none is given: $EDGEINFER_SOCKET; else SystemSocket for root, or
// when it exists (the system service runs, and the caller may be in its
// group); else $XDG_RUNTIME_DIR/edgeinfer/edgeinfer.sock; else
// /tmp/edgeinfer-UID/edgeinfer.sock.
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
	return filepath.Join("/tmp", fmt.Sprintf("edgeinfer-%d", euid), "edgeinfer.sock")
}
