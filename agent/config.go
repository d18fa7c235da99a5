package agent

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/edgeinfer/edgeinfer/platforms"
)

// Config is the agent's configuration, read from a YAML file (see
// testdata/example.yaml and the README). Every field has a default: the zero
// value of a field means "the default", which Resolve fills in from the
// platform profile and the constants below.
type Config struct {
	// Socket is the Unix socket path ("" = the client package's default).
	Socket string `yaml:"socket"`
	// SocketGroup owns the socket (mode SocketMode) so its members may call
	// the agent; "" keeps the agent's own group.
	SocketGroup string `yaml:"socket_group"`
	// SocketMode is the socket's permission bits, octal as a string ("0660").
	SocketMode string `yaml:"socket_mode"`
	// DataDir holds the state file (edgeinfer.db) and installed models.
	DataDir string `yaml:"data_dir"`
	// DeviceID names this device to the fleet; "" = generated once and kept
	// in the state file.
	DeviceID string `yaml:"device_id"`
	// LogFormat is "text" or "json"; LogLevel is debug, info, warn or error.
	LogFormat string `yaml:"log_format"`
	LogLevel  string `yaml:"log_level"`

	// MaxBodyBytes caps a request body; 0 (the default) derives the cap of
	// an inference request from its model's inputs (their JSON form, plus
	// 25% and 64 KiB) and caps other requests at 1 MiB.
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// MaxInflightBodyBytes bounds the memory of the request bodies being
	// read and served at once (each counts three times its size); requests
	// beyond it wait, up to 10 s, then get 503. 0 = an eighth of the
	// device's (or cgroup's) memory, between 16 and 256 MiB.
	MaxInflightBodyBytes int64 `yaml:"max_inflight_body_bytes"`
	// ReadTimeout cuts a client that does not send its request in time
	// (default 30s); DrainTimeout bounds the wait for in-flight requests at
	// shutdown (default 30s).
	ReadTimeout  Duration `yaml:"read_timeout"`
	DrainTimeout Duration `yaml:"drain_timeout"`
	// AdminUIDs and AdminGIDs may call admin endpoints, beside root and the
	// agent's own user.
	AdminUIDs []int `yaml:"admin_uids"`
	AdminGIDs []int `yaml:"admin_gids"`

	// MaxInstallBytes caps a model file installed through the socket API
	// (default 512 MiB); a larger one gets 413.
	MaxInstallBytes int64 `yaml:"max_install_bytes"`

	// CacheBytes caps the whole result cache (0 = the platform default).
	CacheBytes int64 `yaml:"cache_bytes"`
	// CachePerCaller keys the result cache by caller (uid) too: a caller
	// then cannot learn from an answer's speed or X-Edgeinfer-Cache header
	// whether another user asked the same question. Off by default (the
	// cache is shared by every caller of the socket).
	CachePerCaller bool `yaml:"cache_per_caller"`

	// Defaults apply to every model unless the model overrides them.
	Defaults ModelConfig `yaml:"defaults"`
	// Models are loaded at start, by name.
	Models map[string]ModelConfig `yaml:"models"`

	// OTA and Telemetry configure model updates over MQTT and latency
	// uploads; both are off while their broker / collector is empty.
	OTA       OTAConfig       `yaml:"ota"`
	Telemetry TelemetryConfig `yaml:"telemetry"`
}

// ModelConfig configures one model (or, as Config.Defaults, every model).
type ModelConfig struct {
	// Path is the .tflite file (models only, not defaults).
	Path string `yaml:"path"`
	// Version labels the file's version ("" = the first 12 hex digits of
	// its sha256).
	Version string `yaml:"version"`
	// Threads per session and Sessions per model (0 = platform defaults).
	Threads  int `yaml:"threads"`
	Sessions int `yaml:"sessions"`
	// Queue bounds the requests waiting for a session (default 64); a full
	// queue answers 503 at once.
	Queue int `yaml:"queue"`
	// MaxBatch > 1 turns on dynamic batching: up to MaxBatch queued
	// requests run as one batch, waiting at most BatchDelay (default 2ms)
	// for the batch to fill. Models whose graph cannot take a batch run
	// one request at a time.
	MaxBatch   int      `yaml:"max_batch"`
	BatchDelay Duration `yaml:"batch_delay"`
	// Cache turns the result cache on for the model (pointer: unset takes
	// the default); CacheTTL bounds an entry's age (default 1h).
	Cache    *bool    `yaml:"cache"`
	CacheTTL Duration `yaml:"cache_ttl"`
	// Timeout bounds a request that brings no deadline of its own (default
	// 30s): past it the request fails with 504.
	Timeout Duration `yaml:"timeout"`
	// SequenceIdleTimeout ends a stream of a stateful model that sent no
	// request for that long (default 60s): its session returns to the pool.
	SequenceIdleTimeout Duration `yaml:"sequence_idle_timeout"`
}

// OTAConfig configures model updates over MQTT.
type OTAConfig struct {
	// Broker is mqtt://HOST:PORT or mqtts://HOST:PORT ("" = updates off).
	Broker string `yaml:"broker"`
	// Fleet is the device's fleet group.
	Fleet string `yaml:"fleet"`
	// TrustedKeys are the public key files (from edgeinfer keygen) whose
	// signatures the agent accepts.
	TrustedKeys []string `yaml:"trusted_keys"`
	Username    string   `yaml:"username"`
	Password    string   `yaml:"password"`
	// PasswordFile holds the broker password (one line), so that it can
	// live in a file only the agent reads; EDGEINFER_MQTT_PASSWORD
	// overrides both (see ResolveSecrets).
	PasswordFile string `yaml:"password_file"`
	// CAFile, CertFile and KeyFile configure TLS for mqtts://.
	CAFile   string `yaml:"ca_file"`
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
	// HealthWindow is how long a new version is watched after activation
	// (default 60s); above MaxErrorRate (default 0.05) it is rolled back.
	HealthWindow Duration `yaml:"health_window"`
	MaxErrorRate float64  `yaml:"max_error_rate"`
	// MaxDownloadBytes caps a model download (default 512 MiB).
	MaxDownloadBytes int64 `yaml:"max_download_bytes"`
	// DownloadIdleTimeout ends a download that received nothing for that
	// long (default 1m); DownloadTimeout ends one that takes longer in
	// all (default 1h). MaxConcurrentUpdates is how many models may
	// download and activate at once (default 2).
	DownloadIdleTimeout  Duration `yaml:"download_idle_timeout"`
	DownloadTimeout      Duration `yaml:"download_timeout"`
	MaxConcurrentUpdates int      `yaml:"max_concurrent_updates"`
}

// TelemetryConfig configures latency uploads.
type TelemetryConfig struct {
	// Collector is the OTLP/HTTP base URL ("" = uploads off).
	Collector string `yaml:"collector"`
	// Token is sent as a bearer token. TokenFile holds it instead (one
	// line); EDGEINFER_TELEMETRY_TOKEN overrides both (see
	// ResolveSecrets).
	Token     string `yaml:"token"`
	TokenFile string `yaml:"token_file"`
	// Interval between uploads (default 60s).
	Interval Duration `yaml:"interval"`
	// CAFile adds a CA for an https collector.
	CAFile string `yaml:"ca_file"`
	// SpoolBytes caps the batches kept while the collector is unreachable
	// (default 8 MiB).
	SpoolBytes int64 `yaml:"spool_bytes"`
}

// Defaults of fields the platform profile does not decide.
const (
	DefaultSocketMode   = "0660"
	DefaultReadTimeout  = 30 * time.Second
	DefaultDrainTimeout = 30 * time.Second
	DefaultQueue        = 64
	DefaultBatchDelay   = 2 * time.Millisecond
	DefaultCacheTTL     = time.Hour
	DefaultTimeout      = 30 * time.Second
	// DefaultSequenceIdleTimeout is ModelConfig.SequenceIdleTimeout's default.
	DefaultSequenceIdleTimeout = 60 * time.Second
	DefaultHealthWindow        = time.Minute
	DefaultMaxErrorRate        = 0.05
	DefaultMaxDownload         = 512 << 20
	DefaultMaxInstall          = 512 << 20
	DefaultInterval            = time.Minute
	DefaultSpoolBytes          = 8 << 20
	// Download timeouts and concurrent updates; the same as ota.Config's.
	DefaultDownloadIdle      = time.Minute
	DefaultDownloadTimeout   = time.Hour
	DefaultConcurrentUpdates = 2
)

// Environment variables that carry secrets, so that they need not sit in
// the config file or on the command line (readable in /proc/PID/cmdline).
const (
	EnvMQTTPassword   = "EDGEINFER_MQTT_PASSWORD"
	EnvTelemetryToken = "EDGEINFER_TELEMETRY_TOKEN"
)

// ResolveSecrets fills OTA.Password and Telemetry.Token from, in order of
// precedence, the environment (EDGEINFER_MQTT_PASSWORD,
// EDGEINFER_TELEMETRY_TOKEN; getenv is os.Getenv outside tests), the
// files named by password_file and token_file, and the keys themselves.
// It reads the files each time it is called, so a reload picks up a
// rotated secret.
func (c *Config) ResolveSecrets(getenv func(string) string) error {
	for _, s := range []struct {
		env, field, file string
		dst              *string
	}{
		{EnvMQTTPassword, "ota.password_file", c.OTA.PasswordFile, &c.OTA.Password},
		{EnvTelemetryToken, "telemetry.token_file", c.Telemetry.TokenFile, &c.Telemetry.Token},
	} {
		if v := getenv(s.env); v != "" {
			*s.dst = v
			continue
		}
		if s.file == "" {
			continue
		}
		v, err := ReadSecretFile(s.file)
		if err != nil {
			return fmt.Errorf("%s: %w", s.field, err)
		}
		*s.dst = v
	}
	return nil
}

// ReadSecretFile reads a secret kept alone in a file: its first line,
// without surrounding blanks. An empty secret is an error.
func ReadSecretFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("secret file: %w", err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	if v := strings.TrimSpace(line); v != "" {
		return v, nil
	}
	return "", fmt.Errorf("secret file %s: empty", path)
}

// InflightBodyBytes is the default of MaxInflightBodyBytes for a device
// with memoryBytes of memory (0 = unknown: 64 MiB).
func InflightBodyBytes(memoryBytes int64) int64 {
	if memoryBytes <= 0 {
		return 64 << 20
	}
	return min(max(memoryBytes/8, 16<<20), 256<<20)
}

// Duration is a time.Duration written as "30s" or "2ms" in the file.
type Duration time.Duration

// UnmarshalYAML reads "1m30s"-style text.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %q is not a duration like \"30s\" or \"2ms\"", n.Line, n.Value)
	}
	*d = Duration(v)
	return nil
}

// MarshalYAML writes the "1m30s" form.
func (d Duration) MarshalYAML() (any, error) { return time.Duration(d).String(), nil }

// D returns the time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// LoadConfig reads and checks the YAML file at path. Unknown keys are
// errors, so a misspelt key does not silently keep its default.
func LoadConfig(path string) (Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	c, err := ParseConfig(b)
	if err != nil {
		return Config{}, fmt.Errorf("config %s: %w", path, err)
	}
	return c, nil
}

// ParseConfig decodes a YAML document into a Config and validates it. An
// empty document is the all-defaults configuration.
func ParseConfig(b []byte) (Config, error) {
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		return Config{}, fmt.Errorf("%s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return Config{}, fmt.Errorf("more than one YAML document; the config is one")
	}
	return c, c.Validate()
}

var modelName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

// ValidModelName reports whether name may name a model: 1 to 64 letters,
// digits, '_', '.' or '-', not starting with a punctuation mark.
func ValidModelName(name string) bool { return modelName.MatchString(name) }

// Validate checks every field and names the first one that is wrong, as
// its YAML path ("models.face.max_batch").
func (c Config) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...)))
	}
	if c.SocketMode != "" {
		if m, err := strconv.ParseUint(c.SocketMode, 8, 32); err != nil || m > 0o777 {
			bad("socket_mode", "%q is not octal permission bits like \"0660\"", c.SocketMode)
		}
	}
	if c.LogFormat != "" && c.LogFormat != "text" && c.LogFormat != "json" {
		bad("log_format", "%q is not text or json", c.LogFormat)
	}
	if c.LogLevel != "" && !slices.Contains([]string{"debug", "info", "warn", "error"}, c.LogLevel) {
		bad("log_level", "%q is not debug, info, warn or error", c.LogLevel)
	}
	if c.DeviceID != "" && !modelName.MatchString(c.DeviceID) {
		bad("device_id", "%q must be 1-64 letters, digits, '_', '.' or '-'", c.DeviceID)
	}
	nonNeg := func(field string, v int64) {
		if v < 0 {
			bad(field, "%d is negative", v)
		}
	}
	nonNeg("max_body_bytes", c.MaxBodyBytes)
	nonNeg("max_inflight_body_bytes", c.MaxInflightBodyBytes)
	nonNeg("read_timeout", int64(c.ReadTimeout))
	nonNeg("drain_timeout", int64(c.DrainTimeout))
	nonNeg("cache_bytes", c.CacheBytes)
	nonNeg("max_install_bytes", c.MaxInstallBytes)
	for i, id := range append(append([]int(nil), c.AdminUIDs...), c.AdminGIDs...) {
		if id < 0 {
			field := "admin_uids"
			if i >= len(c.AdminUIDs) {
				field = "admin_gids"
			}
			bad(field, "%d is negative", id)
		}
	}
	if c.Defaults.Path != "" || c.Defaults.Version != "" {
		bad("defaults", "path and version belong to a model under models:, not to defaults")
	}
	c.Defaults.validate("defaults", bad)
	names := make([]string, 0, len(c.Models))
	for name := range c.Models {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		field := "models." + name
		if !ValidModelName(name) {
			bad(field, "model name must be 1-64 letters, digits, '_', '.' or '-'")
		}
		m := c.Models[name]
		if m.Path == "" {
			bad(field+".path", "missing: the .tflite file to load")
		}
		m.validate(field, bad)
	}
	o := c.OTA
	if o.Broker != "" {
		if !strings.HasPrefix(o.Broker, "mqtt://") && !strings.HasPrefix(o.Broker, "mqtts://") {
			bad("ota.broker", "%q must start with mqtt:// or mqtts://", o.Broker)
		}
		if len(o.TrustedKeys) == 0 {
			bad("ota.trusted_keys", "missing: updates need at least one trusted public key")
		}
		if o.Fleet != "" && !modelName.MatchString(o.Fleet) {
			bad("ota.fleet", "%q must be 1-64 letters, digits, '_', '.' or '-'", o.Fleet)
		}
	}
	if o.Password != "" && o.PasswordFile != "" {
		bad("ota.password_file", "set either password or password_file, not both")
	}
	nonNeg("ota.health_window", int64(o.HealthWindow))
	if o.MaxErrorRate < 0 || o.MaxErrorRate > 1 {
		bad("ota.max_error_rate", "%v is not a fraction between 0 and 1", o.MaxErrorRate)
	}
	nonNeg("ota.max_download_bytes", o.MaxDownloadBytes)
	nonNeg("ota.download_idle_timeout", int64(o.DownloadIdleTimeout))
	nonNeg("ota.download_timeout", int64(o.DownloadTimeout))
	nonNeg("ota.max_concurrent_updates", int64(o.MaxConcurrentUpdates))
	t := c.Telemetry
	if t.Collector != "" && !strings.HasPrefix(t.Collector, "http://") && !strings.HasPrefix(t.Collector, "https://") {
		bad("telemetry.collector", "%q must be an http:// or https:// URL", t.Collector)
	}
	if t.Token != "" && t.TokenFile != "" {
		bad("telemetry.token_file", "set either token or token_file, not both")
	}
	nonNeg("telemetry.interval", int64(t.Interval))
	if t.Interval != 0 && t.Interval.D() < time.Second {
		bad("telemetry.interval", "%v is shorter than 1s", t.Interval.D())
	}
	nonNeg("telemetry.spool_bytes", t.SpoolBytes)
	return errors.Join(errs...)
}

func (m ModelConfig) validate(field string, bad func(field, format string, args ...any)) {
	check := func(name string, v, lo, hi int64) {
		if v != 0 && (v < lo || v > hi) {
			bad(field+"."+name, "%d is outside %d..%d", v, lo, hi)
		}
	}
	check("threads", int64(m.Threads), 1, 256)
	check("sessions", int64(m.Sessions), 1, 256)
	check("queue", int64(m.Queue), 1, 1<<20)
	check("max_batch", int64(m.MaxBatch), 1, 256)
	check("batch_delay", int64(m.BatchDelay), 1, int64(time.Second))
	check("cache_ttl", int64(m.CacheTTL), int64(time.Second), int64(365*24*time.Hour))
	check("timeout", int64(m.Timeout), int64(time.Millisecond), int64(24*time.Hour))
	check("sequence_idle_timeout", int64(m.SequenceIdleTimeout), int64(time.Millisecond), int64(24*time.Hour))
	if m.Version != "" && !modelName.MatchString(m.Version) {
		bad(field+".version", "%q must be 1-64 letters, digits, '_', '.' or '-'", m.Version)
	}
}

// Resolve returns c with every unset field given its default: socket and
// data directory from the conventions, threads, sessions and cache size
// from the platform profile p, the rest from the constants above. Each
// model's unset fields take Defaults' values.
func (c Config) Resolve(p platforms.Defaults) Config {
	r := c
	set := func(v *string, d string) {
		if *v == "" {
			*v = d
		}
	}
	set(&r.SocketMode, DefaultSocketMode)
	set(&r.LogFormat, "text")
	set(&r.LogLevel, "info")
	if r.DataDir == "" {
		r.DataDir = DefaultDataDir()
	}
	if r.ReadTimeout == 0 {
		r.ReadTimeout = Duration(DefaultReadTimeout)
	}
	if r.DrainTimeout == 0 {
		r.DrainTimeout = Duration(DefaultDrainTimeout)
	}
	if r.CacheBytes == 0 {
		r.CacheBytes = p.CacheBytes
	}
	if r.MaxInstallBytes == 0 {
		r.MaxInstallBytes = DefaultMaxInstall
	}
	d := r.Defaults
	if d.Threads == 0 {
		d.Threads = max(p.Threads, 1)
	}
	if d.Sessions == 0 {
		d.Sessions = max(p.Sessions, 1)
	}
	if d.Queue == 0 {
		d.Queue = DefaultQueue
	}
	if d.MaxBatch == 0 {
		d.MaxBatch = 1
	}
	if d.BatchDelay == 0 {
		d.BatchDelay = Duration(DefaultBatchDelay)
	}
	if d.Cache == nil {
		d.Cache = new(bool)
	}
	if d.CacheTTL == 0 {
		d.CacheTTL = Duration(DefaultCacheTTL)
	}
	if d.Timeout == 0 {
		d.Timeout = Duration(DefaultTimeout)
	}
	if d.SequenceIdleTimeout == 0 {
		d.SequenceIdleTimeout = Duration(DefaultSequenceIdleTimeout)
	}
	r.Defaults = d
	r.Models = make(map[string]ModelConfig, len(c.Models))
	for name, m := range c.Models {
		r.Models[name] = m.withDefaults(d)
	}
	if r.OTA.HealthWindow == 0 {
		r.OTA.HealthWindow = Duration(DefaultHealthWindow)
	}
	if r.OTA.MaxErrorRate == 0 {
		r.OTA.MaxErrorRate = DefaultMaxErrorRate
	}
	if r.OTA.MaxDownloadBytes == 0 {
		r.OTA.MaxDownloadBytes = DefaultMaxDownload
	}
	if r.OTA.DownloadIdleTimeout == 0 {
		r.OTA.DownloadIdleTimeout = Duration(DefaultDownloadIdle)
	}
	if r.OTA.DownloadTimeout == 0 {
		r.OTA.DownloadTimeout = Duration(DefaultDownloadTimeout)
	}
	if r.OTA.MaxConcurrentUpdates == 0 {
		r.OTA.MaxConcurrentUpdates = DefaultConcurrentUpdates
	}
	if r.Telemetry.Interval == 0 {
		r.Telemetry.Interval = Duration(DefaultInterval)
	}
	if r.Telemetry.SpoolBytes == 0 {
		r.Telemetry.SpoolBytes = DefaultSpoolBytes
	}
	return r
}

// withDefaults fills m's unset fields from d.
func (m ModelConfig) withDefaults(d ModelConfig) ModelConfig {
	if m.Threads == 0 {
		m.Threads = d.Threads
	}
	if m.Sessions == 0 {
		m.Sessions = d.Sessions
	}
	if m.Queue == 0 {
		m.Queue = d.Queue
	}
	if m.MaxBatch == 0 {
		m.MaxBatch = d.MaxBatch
	}
	if m.BatchDelay == 0 {
		m.BatchDelay = d.BatchDelay
	}
	if m.Cache == nil {
		m.Cache = d.Cache
	}
	if m.CacheTTL == 0 {
		m.CacheTTL = d.CacheTTL
	}
	if m.Timeout == 0 {
		m.Timeout = d.Timeout
	}
	if m.SequenceIdleTimeout == 0 {
		m.SequenceIdleTimeout = d.SequenceIdleTimeout
	}
	return m
}

// DefaultDataDir is /var/lib/edgeinfer for root, else
// $XDG_STATE_HOME/edgeinfer (~/.local/state/edgeinfer).
func DefaultDataDir() string {
	if os.Geteuid() == 0 {
		return "/var/lib/edgeinfer"
	}
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return d + "/edgeinfer"
	}
	if h, err := os.UserHomeDir(); err == nil {
		return h + "/.local/state/edgeinfer"
	}
	return os.TempDir() + "/edgeinfer-state"
}
