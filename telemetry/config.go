package telemetry

import (
	"errors"
	"fmt"
	"net/url"
	"time"
)

// Config is the telemetry section of the agent's configuration file: where
// and how often the device uploads its latency figures. The zero value is
// "uploads off"; WithDefaults fills the interval and the spool cap.
type Config struct {
	// Collector is the OTLP/HTTP collector's base URL (http:// or
	// https://); batches are POSTed to Collector + "/v1/metrics". ""
	// turns uploads off (GET /metrics still serves the figures).
	Collector string `yaml:"collector"`
	// Token is sent as "Authorization: Bearer <token>"; prefer TokenFile
	// or the environment variable EDGEINFER_TELEMETRY_TOKEN, which
	// overrides both.
	Token string `yaml:"token"`
	// TokenFile holds the collector's bearer token on its first line, in a
	// file only the agent reads.
	TokenFile string `yaml:"token_file"`
	// Interval is the time between uploads (at least 1s).
	Interval time.Duration `yaml:"interval"`
	// CAFile adds the PEM certificates of a CA that signs an https
	// collector's certificate, beside the system's roots.
	CAFile string `yaml:"ca_file"`
	// SpoolBytes caps the batches kept in the state file while the
	// collector is unreachable; past it the oldest are dropped.
	SpoolBytes int64 `yaml:"spool_bytes"`
}

// Defaults of Config.
const (
	DefaultInterval   = 60 * time.Second
	DefaultSpoolBytes = 8 << 20
)

// WithDefaults returns c with an unset interval and spool cap at their
// defaults.
func (c Config) WithDefaults() Config {
	if c.Interval == 0 {
		c.Interval = DefaultInterval
	}
	if c.SpoolBytes == 0 {
		c.SpoolBytes = DefaultSpoolBytes
	}
	return c
}

// Validate checks every field; each error names its key's YAML path in the
// configuration file ("telemetry.interval: ..."). Errors are joined.
func (c Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("telemetry.%s: %s", key, fmt.Sprintf(format, args...)))
	}
	if c.Collector != "" {
		if u, err := url.Parse(c.Collector); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("collector", "%q must be an http:// or https:// URL", c.Collector)
		}
	}
	if c.Token != "" && c.TokenFile != "" {
		bad("token_file", "set either token or token_file, not both")
	}
	if c.Interval < 0 {
		bad("interval", "%v is negative", c.Interval)
	} else if c.Interval != 0 && c.Interval < time.Second {
		bad("interval", "%v is shorter than 1s", c.Interval)
	}
	if c.SpoolBytes < 0 {
		bad("spool_bytes", "%d is negative", c.SpoolBytes)
	}
	return errors.Join(errs...)
}
