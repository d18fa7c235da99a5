package ota

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Config is the ota section of the agent's configuration file: how the
// device reaches the broker, which signatures it trusts, and the limits of
// an update. Its zero value is "updates off" with every limit at its
// default; WithDefaults fills them in. The composition root dials the
// broker with the connection fields; New uses the rest.
type Config struct {
	// Broker is the MQTT broker, mqtt://HOST:PORT or mqtts://HOST:PORT;
	// "" turns model updates off.
	Broker string `yaml:"broker"`
	// Fleet is the device's fleet group: it takes the manifests published
	// for the group besides its own; "" takes only per-device manifests.
	Fleet string `yaml:"fleet"`
	// TrustedKeys are the public key files (from edgeinfer keygen) whose
	// signatures on manifests the device accepts; updates need one.
	TrustedKeys []string `yaml:"trusted_keys"`
	// Username is the broker user name ("" = none).
	Username string `yaml:"username"`
	// Password is the broker password; prefer PasswordFile or the
	// environment variable EDGEINFER_MQTT_PASSWORD, which overrides both.
	Password string `yaml:"password"`
	// PasswordFile holds the broker password on its first line, in a file
	// only the agent reads.
	PasswordFile string `yaml:"password_file"`
	// CAFile adds the PEM certificates of a CA that signs the broker's
	// certificate (mqtts://), beside the system's roots.
	CAFile string `yaml:"ca_file"`
	// CertFile is the device's PEM client certificate for mqtts://, with
	// KeyFile ("" = none).
	CertFile string `yaml:"cert_file"`
	// KeyFile is the PEM private key of CertFile.
	KeyFile string `yaml:"key_file"`
	// HealthWindow is how long a new version is watched after activation
	// before it is kept; past MaxErrorRate it is rolled back. A negative
	// value turns the watch off.
	HealthWindow time.Duration `yaml:"health_window"`
	// MaxErrorRate is the share of failed requests (0 to 1) that rolls a
	// new version back during its health window.
	MaxErrorRate float64 `yaml:"max_error_rate"`
	// MinRequests is how many requests a new version must have served
	// before its error rate is judged.
	MinRequests uint64 `yaml:"min_requests"`
	// MaxDownloadBytes caps the size of a model to download; a manifest
	// naming a bigger one is refused before downloading.
	MaxDownloadBytes int64 `yaml:"max_download_bytes"`
	// MaxModels caps how many model names the device tracks desired state
	// for; a verified manifest for one more is refused.
	MaxModels int `yaml:"max_models"`
	// MaxConcurrent is how many models may download and activate at once.
	// Each model updates on its own: a stuck download or the health window
	// of one model never holds another.
	MaxConcurrent int `yaml:"max_concurrent_updates"`
	// DownloadHeaderTimeout bounds the wait for a model server's answer
	// headers.
	DownloadHeaderTimeout time.Duration `yaml:"download_header_timeout"`
	// DownloadIdleTimeout ends a download that received nothing for that
	// long (it is resumed later).
	DownloadIdleTimeout time.Duration `yaml:"download_idle_timeout"`
	// DownloadTimeout bounds one whole download, resumes included.
	DownloadTimeout time.Duration `yaml:"download_timeout"`
}

// Defaults of Config's fields. MaxDownloadBytes is 512 MiB, the same cap
// as a model installed through the socket API: a bigger model does not fit
// the memory of the boards the agent runs on.
const (
	DefaultHealthWindow          = time.Minute
	DefaultMaxErrorRate          = 0.05
	DefaultMinRequests           = 20
	DefaultMaxDownloadBytes      = 512 << 20
	DefaultMaxModels             = 64
	DefaultMaxConcurrent         = 2
	DefaultDownloadHeaderTimeout = 30 * time.Second
	DefaultDownloadIdleTimeout   = time.Minute
	DefaultDownloadTimeout       = time.Hour
)

// WithDefaults returns c with each unset (zero) limit at its default.
func (c Config) WithDefaults() Config {
	def := func(v *time.Duration, d time.Duration) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.HealthWindow, DefaultHealthWindow)
	def(&c.DownloadHeaderTimeout, DefaultDownloadHeaderTimeout)
	def(&c.DownloadIdleTimeout, DefaultDownloadIdleTimeout)
	def(&c.DownloadTimeout, DefaultDownloadTimeout)
	if c.MaxErrorRate <= 0 {
		c.MaxErrorRate = DefaultMaxErrorRate
	}
	if c.MinRequests == 0 {
		c.MinRequests = DefaultMinRequests
	}
	if c.MaxDownloadBytes <= 0 {
		c.MaxDownloadBytes = DefaultMaxDownloadBytes
	}
	if c.MaxModels <= 0 {
		c.MaxModels = DefaultMaxModels
	}
	if c.MaxConcurrent <= 0 {
		c.MaxConcurrent = DefaultMaxConcurrent
	}
	return c
}

// Validate checks every field; each error names its key's YAML path in the
// configuration file ("ota.max_download_bytes: ..."). Errors are joined.
func (c Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("ota.%s: %s", key, fmt.Sprintf(format, args...)))
	}
	if c.Broker != "" {
		if !strings.HasPrefix(c.Broker, "mqtt://") && !strings.HasPrefix(c.Broker, "mqtts://") {
			bad("broker", "%q must start with mqtt:// or mqtts://", c.Broker)
		}
		if len(c.TrustedKeys) == 0 {
			bad("trusted_keys", "missing: updates need at least one trusted public key")
		}
	}
	if c.Fleet != "" {
		if checkTopicName("fleet", c.Fleet) != nil {
			bad("fleet", "%q: want 1 to 128 characters without / + # or NUL", c.Fleet)
		}
	}
	for i, k := range c.TrustedKeys {
		if k == "" {
			bad(fmt.Sprintf("trusted_keys[%d]", i), "empty file name")
		}
	}
	if c.Password != "" && c.PasswordFile != "" {
		bad("password_file", "set either password or password_file, not both")
	}
	if (c.CertFile == "") != (c.KeyFile == "") {
		bad("key_file", "cert_file and key_file go together")
	}
	if c.MaxErrorRate < 0 || c.MaxErrorRate > 1 {
		bad("max_error_rate", "%v is not a fraction between 0 and 1", c.MaxErrorRate)
	}
	for _, f := range []struct {
		key      string
		v        any
		negative bool
	}{
		{"max_download_bytes", c.MaxDownloadBytes, c.MaxDownloadBytes < 0},
		{"max_models", c.MaxModels, c.MaxModels < 0},
		{"max_concurrent_updates", c.MaxConcurrent, c.MaxConcurrent < 0},
		{"download_header_timeout", c.DownloadHeaderTimeout, c.DownloadHeaderTimeout < 0},
		{"download_idle_timeout", c.DownloadIdleTimeout, c.DownloadIdleTimeout < 0},
		{"download_timeout", c.DownloadTimeout, c.DownloadTimeout < 0},
	} {
		if f.negative {
			bad(f.key, "%v is negative", f.v)
		}
	}
	return errors.Join(errs...)
}
