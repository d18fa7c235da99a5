package wire

import (
	"fmt"
	"os"
	"path/filepath"
)

// SocketEnv names the environment variable that overrides DefaultSocket.
const SocketEnv = "EDGEINFER_SOCKET"

// DefaultSocket is the socket path the agent listens on and clients dial
// when none is given: $EDGEINFER_SOCKET; else /run/edgeinfer/edgeinfer.sock
// for root; else $XDG_RUNTIME_DIR/edgeinfer/edgeinfer.sock; else
// /tmp/edgeinfer-UID/edgeinfer.sock.
func DefaultSocket() string {
	return defaultSocket(os.Getenv, os.Geteuid())
}

func defaultSocket(getenv func(string) string, euid int) string {
	if s := getenv(SocketEnv); s != "" {
		return s
	}
	if euid == 0 {
		return "/run/edgeinfer/edgeinfer.sock"
	}
	if d := getenv("XDG_RUNTIME_DIR"); d != "" {
		return filepath.Join(d, "edgeinfer", "edgeinfer.sock")
	}
	return filepath.Join("/tmp", fmt.Sprintf("edgeinfer-%d", euid), "edgeinfer.sock")
}
