package server

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/edgeinfer/edgeinfer/api"
)

// Config is the socket API's part of the agent's configuration file: where
// the socket is, who may use it, and the limits on a connection. Its keys
// sit at the top level of the file. The zero value of a field means its
// default; WithDefaults fills them in.
type Config struct {
	// Socket is the Unix socket's path; "" = $EDGEINFER_SOCKET, else
	// /run/edgeinfer/edgeinfer.sock as root, else
	// $XDG_RUNTIME_DIR/edgeinfer/edgeinfer.sock.
	Socket string `yaml:"socket"`
	// SocketGroup is the group that owns the socket: its members may call
	// the agent; "" keeps the agent's own group.
	SocketGroup string `yaml:"socket_group"`
	// SocketMode is the socket's permission bits, octal, as a quoted
	// string ("0660").
	SocketMode string `yaml:"socket_mode"`
	// MaxBodyBytes caps every request body; a larger request gets 413. 0
	// derives the cap per request: for an inference, the most its model's
	// inputs take written as JSON, plus 25% and 64 KiB; 1 MiB for others.
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// MaxInflightBodyBytes bounds the memory of the request bodies being
	// read and served at once (each counts three times its size); a
	// request beyond it waits up to 10s, then gets 503. 0 = an eighth of
	// the device's (or cgroup's) memory, between 16 and 256 MiB.
	MaxInflightBodyBytes int64 `yaml:"max_inflight_body_bytes"`
	// MaxMediaBytes raises the derived body cap of a binary request to a
	// model that takes encoded images or WAV files (its metadata says how
	// to prepare them): a photo is larger than the tensor made of it.
	MaxMediaBytes int64 `yaml:"max_media_bytes"`
	// ReadHeaderTimeout cuts a client that does not send its request's
	// headers in time.
	ReadHeaderTimeout time.Duration `yaml:"read_header_timeout"`
	// ReadTimeout cuts a client that does not send its whole request,
	// body included, in time.
	ReadTimeout time.Duration `yaml:"read_timeout"`
	// IdleTimeout closes a kept-alive connection with no request for that
	// long.
	IdleTimeout time.Duration `yaml:"idle_timeout"`
	// WriteTimeout bounds the sending of one answer from its first byte:
	// a client that stops reading is cut; the inference's own time does
	// not count.
	WriteTimeout time.Duration `yaml:"write_timeout"`
	// AdminUIDs are the user ids that may call the admin endpoints
	// (POST /v1/models/...), beside root and the agent's own user.
	AdminUIDs []int `yaml:"admin_uids"`
	// AdminGIDs are the groups whose members (primary or supplementary)
	// may call the admin endpoints.
	AdminGIDs []int `yaml:"admin_gids"`
}

// Defaults of Config. ReadTimeout is 30s, the agent's long-standing
// setting (Serve alone used to default to 60s).
const (
	DefaultSocketMode        = "0660"
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultReadTimeout       = 30 * time.Second
	DefaultIdleTimeout       = 120 * time.Second
	DefaultWriteTimeout      = 60 * time.Second
	DefaultMaxMediaBytes     = 16 << 20
)

// WithDefaults returns c with every unset field that has a fixed default
// at it: the socket's mode and the timeouts.
func (c Config) WithDefaults() Config {
	if c.SocketMode == "" {
		c.SocketMode = DefaultSocketMode
	}
	def := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	if c.MaxMediaBytes <= 0 {
		c.MaxMediaBytes = DefaultMaxMediaBytes
	}
	def(&c.ReadHeaderTimeout, DefaultReadHeaderTimeout)
	def(&c.ReadTimeout, DefaultReadTimeout)
	def(&c.IdleTimeout, DefaultIdleTimeout)
	def(&c.WriteTimeout, DefaultWriteTimeout)
	return c
}

// Resolve returns c with every unset field at its default, those of
// WithDefaults and those of this device: the socket's path (from the
// environment and the user) and the bound on request bodies in memory,
// from memoryBytes, the device's (or cgroup's) memory (0 = unknown).
func (c Config) Resolve(memoryBytes int64) Config {
	c = c.WithDefaults()
	if c.Socket == "" {
		c.Socket = api.DefaultSocket()
	}
	if c.MaxInflightBodyBytes <= 0 {
		c.MaxInflightBodyBytes = inflightBodyBytes(memoryBytes)
	}
	return c
}

// inflightBodyBytes is the default of MaxInflightBodyBytes for a device
// with memoryBytes of memory (0 = unknown: 64 MiB).
func inflightBodyBytes(memoryBytes int64) int64 {
	if memoryBytes <= 0 {
		return 64 << 20
	}
	return min(max(memoryBytes/8, 16<<20), 256<<20)
}

// Mode is SocketMode as permission bits (0 when unset or not octal).
func (c Config) Mode() os.FileMode {
	m, err := strconv.ParseUint(c.SocketMode, 8, 32)
	if err != nil || m > 0o777 {
		return 0
	}
	return os.FileMode(m)
}

// Validate checks every field; each error names its key's YAML path in the
// configuration file ("read_timeout: ..."). Errors are joined.
func (c Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
	}
	if m, err := strconv.ParseUint(c.SocketMode, 8, 32); c.SocketMode != "" && (err != nil || m > 0o777) {
		bad("socket_mode", "%q is not octal permission bits like \"0660\"", c.SocketMode)
	}
	for _, f := range []struct {
		key      string
		v        any
		negative bool
	}{
		{"max_body_bytes", c.MaxBodyBytes, c.MaxBodyBytes < 0},
		{"max_inflight_body_bytes", c.MaxInflightBodyBytes, c.MaxInflightBodyBytes < 0},
		{"max_media_bytes", c.MaxMediaBytes, c.MaxMediaBytes < 0},
		{"read_header_timeout", c.ReadHeaderTimeout, c.ReadHeaderTimeout < 0},
		{"read_timeout", c.ReadTimeout, c.ReadTimeout < 0},
		{"idle_timeout", c.IdleTimeout, c.IdleTimeout < 0},
		{"write_timeout", c.WriteTimeout, c.WriteTimeout < 0},
	} {
		if f.negative {
			bad(f.key, "%v is negative", f.v)
		}
	}
	for _, f := range []struct {
		key string
		ids []int
	}{{"admin_uids", c.AdminUIDs}, {"admin_gids", c.AdminGIDs}} {
		for _, id := range f.ids {
			if id < 0 {
				bad(f.key, "%d is negative", id)
			}
		}
	}
	return errors.Join(errs...)
}
