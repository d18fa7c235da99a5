package agent

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"time"

	"github.com/edgeinfer/edgeinfer/platforms"
)

// Config is the agent's part of the configuration file: the state
// directory, the result cache and the models. Its keys sit at the top level
// of the file. The zero value of a field means its default: WithDefaults
// fills the fixed ones, Resolve those that depend on the device too.
type Config struct {
	// DataDir holds the state file (edgeinfer.db) and the models installed
	// over the socket or the air; "" = /var/lib/edgeinfer as root, else
	// $XDG_STATE_HOME/edgeinfer (~/.local/state/edgeinfer).
	DataDir string `yaml:"data_dir"`
	// DrainTimeout is how long requests in flight get to finish at
	// shutdown, and how long an old version keeps its sessions after a
	// hot swap.
	DrainTimeout time.Duration `yaml:"drain_timeout"`
	// MaxInstallBytes caps a model file installed through the socket API;
	// a larger one gets 413.
	MaxInstallBytes int64 `yaml:"max_install_bytes"`
	// CacheBytes caps the whole result cache; 0 = the board's default
	// (edgeinfer platform shows it).
	CacheBytes int64 `yaml:"cache_bytes"`
	// CachePerCaller keys the result cache by caller (uid) too: a caller
	// then cannot learn from an answer's speed or X-Edgeinfer-Cache header
	// whether another user asked the same question. Off: the cache is
	// shared by every caller of the socket.
	CachePerCaller bool `yaml:"cache_per_caller"`
	// Defaults apply to every model unless the model sets its own.
	Defaults ModelConfig `yaml:"defaults"`
	// Models are loaded at start, by name (the name apps call:
	// POST /v2/models/NAME/infer).
	Models map[string]ModelConfig `yaml:"models"`
}

// ModelConfig configures one model (or, as Config.Defaults, every model).
type ModelConfig struct {
	// Path is the model's .tflite file (models only, not defaults).
	Path string `yaml:"path"`
	// Version labels the file's version (models only); "" = the first 12
	// hex digits of its sha256.
	Version string `yaml:"version"`
	// Threads is the number of threads of one session; 0 = the board's
	// default (edgeinfer platform shows it).
	Threads int `yaml:"threads"`
	// Sessions is how many inferences of the model run at once; 0 = the
	// board's default.
	Sessions int `yaml:"sessions"`
	// Queue bounds the requests waiting for a session; a full queue
	// answers 503 at once.
	Queue int `yaml:"queue"`
	// MaxBatch > 1 turns on dynamic batching: up to MaxBatch queued
	// requests run as one batch. Models whose graph cannot take a batch
	// run one request at a time.
	MaxBatch int `yaml:"max_batch"`
	// BatchDelay is the longest a request waits for its batch to fill.
	BatchDelay time.Duration `yaml:"batch_delay"`
	// Cache turns the result cache on for the model.
	Cache *bool `yaml:"cache"`
	// CacheTTL bounds the age of a cached answer.
	CacheTTL time.Duration `yaml:"cache_ttl"`
	// Timeout bounds a request that brings no deadline of its own: past
	// it the request fails with 504.
	Timeout time.Duration `yaml:"timeout"`
	// SequenceIdleTimeout ends a stream of a stateful model that sent no
	// request for that long: its session returns to the pool.
	SequenceIdleTimeout time.Duration `yaml:"sequence_idle_timeout"`
	// Media says how the model takes an encoded image or WAV file and how
	// its outputs read, for models without TFLite metadata (models only,
	// not defaults).
	Media MediaConfig `yaml:"media"`
}

// Defaults of the fields that do not depend on the device.
const (
	DefaultDrainTimeout        = 30 * time.Second
	DefaultMaxInstall          = 512 << 20
	DefaultQueue               = 64
	DefaultMaxBatch            = 1
	DefaultBatchDelay          = 2 * time.Millisecond
	DefaultCacheTTL            = time.Hour
	DefaultTimeout             = 30 * time.Second
	DefaultSequenceIdleTimeout = 60 * time.Second
)

var modelName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

// ValidModelName reports whether name may name a model: 1 to 64 letters,
// digits, '_', '.' or '-', not starting with a punctuation mark.
func ValidModelName(name string) bool { return modelName.MatchString(name) }

// Validate checks every field; each error names its key's YAML path in the
// configuration file ("models.face.max_batch: ..."). Errors are joined.
func (c Config) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...)))
	}
	for _, f := range []struct {
		key      string
		v        any
		negative bool
	}{
		{"drain_timeout", c.DrainTimeout, c.DrainTimeout < 0},
		{"max_install_bytes", c.MaxInstallBytes, c.MaxInstallBytes < 0},
		{"cache_bytes", c.CacheBytes, c.CacheBytes < 0},
	} {
		if f.negative {
			bad(f.key, "%v is negative", f.v)
		}
	}
	if c.Defaults.Path != "" || c.Defaults.Version != "" {
		bad("defaults", "path and version belong to a model under models:, not to defaults")
	}
	if !c.Defaults.Media.zero() {
		bad("defaults.media", "media options belong to a model under models:, not to defaults")
	}
	c.Defaults.validate("defaults", bad)
	for _, name := range slices.Sorted(maps.Keys(c.Models)) {
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
	m.Media.validate(field+".media", bad)
}

// WithDefaults returns c with every unset field that has a fixed default
// at it; each model's unset fields take Defaults' values.
func (c Config) WithDefaults() Config {
	if c.DrainTimeout == 0 {
		c.DrainTimeout = DefaultDrainTimeout
	}
	if c.MaxInstallBytes == 0 {
		c.MaxInstallBytes = DefaultMaxInstall
	}
	d := &c.Defaults
	if d.Queue == 0 {
		d.Queue = DefaultQueue
	}
	if d.MaxBatch == 0 {
		d.MaxBatch = DefaultMaxBatch
	}
	if d.BatchDelay == 0 {
		d.BatchDelay = DefaultBatchDelay
	}
	if d.Cache == nil {
		d.Cache = new(bool)
	}
	if d.CacheTTL == 0 {
		d.CacheTTL = DefaultCacheTTL
	}
	if d.Timeout == 0 {
		d.Timeout = DefaultTimeout
	}
	if d.SequenceIdleTimeout == 0 {
		d.SequenceIdleTimeout = DefaultSequenceIdleTimeout
	}
	models := make(map[string]ModelConfig, len(c.Models))
	for name, m := range c.Models {
		models[name] = m.withDefaults(c.Defaults)
	}
	c.Models = models
	return c
}

// Resolve returns c with every unset field given its default: the data
// directory from the user, threads, sessions and cache size from the
// platform profile p, the rest from WithDefaults. Each model's unset
// fields take Defaults' values.
func (c Config) Resolve(p platforms.Defaults) Config {
	if c.DataDir == "" {
		c.DataDir = DefaultDataDir()
	}
	if c.CacheBytes == 0 {
		c.CacheBytes = p.CacheBytes
	}
	if c.Defaults.Threads == 0 {
		c.Defaults.Threads = max(p.Threads, 1)
	}
	if c.Defaults.Sessions == 0 {
		c.Defaults.Sessions = max(p.Sessions, 1)
	}
	return c.WithDefaults()
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
