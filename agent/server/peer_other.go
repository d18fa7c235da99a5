//go:build !linux

package server

import (
	"errors"
	"net"
)

// peerCred is only implemented on Linux (SO_PEERCRED); elsewhere admin
// endpoints refuse every caller.
func peerCred(*net.UnixConn) (peer, error) {
	return peer{}, errors.New("SO_PEERCRED is Linux-only")
}
