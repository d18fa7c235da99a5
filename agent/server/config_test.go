package server

import (
	"strings"
	"testing"
	"time"
)

// TestConfigValidate: each error names its key's YAML path.
func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    Config
		want string
	}{
		{"defaults", Config{}, ""},
		{"mode", Config{SocketMode: "0600"}, ""},
		{"mode not octal", Config{SocketMode: "rw"}, `socket_mode: "rw" is not octal`},
		{"mode too big", Config{SocketMode: "01777"}, `socket_mode: "01777" is not octal`},
		{"body", Config{MaxBodyBytes: -1}, "max_body_bytes: -1 is negative"},
		{"inflight", Config{MaxInflightBodyBytes: -1}, "max_inflight_body_bytes: -1 is negative"},
		{"read", Config{ReadTimeout: -time.Second}, "read_timeout: -1s is negative"},
		{"header", Config{ReadHeaderTimeout: -time.Second}, "read_header_timeout: -1s is negative"},
		{"idle", Config{IdleTimeout: -time.Second}, "idle_timeout: -1s is negative"},
		{"write", Config{WriteTimeout: -time.Second}, "write_timeout: -1s is negative"},
		{"uid", Config{AdminUIDs: []int{-1}}, "admin_uids: -1 is negative"},
		{"gid", Config{AdminGIDs: []int{-3}}, "admin_gids: -3 is negative"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.c.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("error %v, want one starting with %q", err, tc.want)
			}
		})
	}
}

func TestConfigResolve(t *testing.T) {
	c := Config{Socket: "/s"}.Resolve(1 << 30)
	if c.Socket != "/s" || c.SocketMode != DefaultSocketMode || c.ReadTimeout != DefaultReadTimeout || c.MaxInflightBodyBytes != 128<<20 || c.Mode() != 0o660 {
		t.Errorf("got %+v", c)
	}
	if small := (Config{}).Resolve(64 << 20); small.MaxInflightBodyBytes != 16<<20 {
		t.Errorf("64 MiB of memory gave %d bytes of bodies", small.MaxInflightBodyBytes)
	}
}
