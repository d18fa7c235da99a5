package main

import (
	"net"
	"os"
)

// sdNotify sends a state line to systemd when the agent runs under a
// Type=notify unit ($NOTIFY_SOCKET set); otherwise it does nothing. The
// protocol is one datagram on a Unix socket, so no library is needed.
func sdNotify(state string) {
	addr := os.Getenv("NOTIFY_SOCKET")
	if addr == "" {
		return
	}
	if addr[0] == '@' {
		addr = "\x00" + addr[1:] // abstract namespace
	}
	c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: addr, Net: "unixgram"})
	if err != nil {
		return
	}
	defer c.Close()
	c.Write([]byte(state))
}
