package client_test

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/edgeinfer/edgeinfer/api"
	"github.com/edgeinfer/edgeinfer/client"
)

// TestClientRefusesAnUnsafeFallbackDir: another local user creates the
// fallback socket directory first and listens in it as a fake agent. The
// client refuses to connect (the fake agent never sees a connection)
// when the directory is open to others, or owned by another uid (as
// root), and says why.
func TestClientRefusesAnUnsafeFallbackDir(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	dir := api.FallbackDir()
	if err := os.Mkdir(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "edgeinfer.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	type attack struct {
		name  string
		setup func()
	}
	attacks := []attack{{"mode 0777", func() { os.Chmod(dir, 0o777) }}, {"mode 0755", func() { os.Chmod(dir, 0o755) }}}
	attacks = append(attacks, attack{"owned by uid 65534", func() { os.Chmod(dir, 0o700); os.Chown(dir, 65534, 65534) }})
	for _, a := range attacks {
		t.Run(a.name, func(t *testing.T) {
			if a.name == "owned by uid 65534" && os.Geteuid() != 0 {
				t.Skipf("SKIPPED: the other-owner case needs root to make a directory of another uid (it runs as uid %d)", os.Geteuid())
			}
			a.setup()
			c := &client.Client{Socket: sock}
			_, err := c.Models(context.Background())
			if !errors.Is(err, api.ErrUnsafeDir) {
				t.Errorf("%v, want a refusal wrapping api.ErrUnsafeDir", err)
			}
		})
	}
	// The listener's first connection is this one: the client never
	// connected.
	probe, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer probe.Close()
	probe.Write([]byte("p"))
	conn, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	b := make([]byte, 1)
	if _, err := conn.Read(b); err != nil || b[0] != 'p' {
		t.Errorf("the fake agent's first connection sent %q (%v): the client connected", b, err)
	}
}
