package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/edgeinfer/edgeinfer/agent"
	"github.com/edgeinfer/edgeinfer/agent/server"
	"github.com/edgeinfer/edgeinfer/api"
	"github.com/edgeinfer/edgeinfer/internal/memtrim"
	"github.com/edgeinfer/edgeinfer/platforms"
	"github.com/edgeinfer/edgeinfer/store"
	"github.com/edgeinfer/edgeinfer/telemetry"
)

// stateFile is the name of the bbolt file in the data directory.
const stateFile = "edgeinfer.db"

func cmdAgent(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("agent", "agent [--config FILE] [--socket PATH] [--data-dir DIR] [--model NAME=PATH]... [flags]", `
Agent runs the edgeinfer daemon in the foreground: it loads the models named
in the config file and by --model, and answers local apps on a Unix socket
with the KServe v2 / Open Inference Protocol API (docs/api.md describes
it). It keeps its state (result cache, installed model versions, update
progress, telemetry spool) in DATA-DIR/edgeinfer.db and refuses to start on
a state file that is corrupt, locked by another agent, or not its own,
without touching it.

Flags override the config file (YAML). --print-config prints the effective
configuration (file, flags and this board's defaults) with every key's
meaning, and exits; docs/configuration.md lists every key. Threads, sessions
and the cache size default to what the board can take (edgeinfer platform
shows them).

Signals: SIGTERM or SIGINT stop taking requests, let the ones in flight
finish (drain_timeout) and exit 0; SIGHUP re-reads the config file and
applies model changes with a hot swap (a model that fails to load keeps its
serving version). Under systemd (Type=notify) the agent reports READY=1 once
the socket accepts requests.`, `
edgeinfer agent --model face=/usr/share/edgeinfer/face.tflite
edgeinfer agent --config /etc/edgeinfer/agent.yaml
edgeinfer agent --socket /tmp/ei.sock --data-dir /tmp/ei --model m=model.tflite --log-format json
# secrets from files or the environment, never on the command line:
edgeinfer agent --collector https://hub.example.com:4318 --collector-token-file /etc/edgeinfer/collector.token
`+envMQTTPassword+`=... `+envTelemetryToken+`=... edgeinfer agent --config /etc/edgeinfer/agent.yaml
edgeinfer agent --config /etc/edgeinfer/agent.yaml --print-config`)
	configFile := f.String("config", "", "YAML config `file` (flags override it)")
	printOnly := f.Bool("print-config", false, "print the effective configuration, each key with its meaning, and exit")
	socket := f.String("socket", "", "Unix socket `path` (default "+api.DefaultSocket()+")")
	group := f.String("socket-group", "", "`group` that owns the socket (mode 0660)")
	dataDir := f.String("data-dir", "", "`directory` for the state file and installed models (default "+agent.DefaultDataDir()+")")
	var models modelFlags
	f.Var(&models, "model", "load the model at `NAME=PATH` (repeatable)")
	deviceID := f.String("device-id", "", "device `id` for updates and telemetry (default: generated once, kept in the state file)")
	logFormat := f.String("log-format", "", "log format: text or json (default text)")
	logLevel := f.String("log-level", "", "log level: debug, info, warn or error (default info)")
	cacheBytes := f.Int64("cache-bytes", 0, "result cache cap in `bytes` (default: the board's)")
	broker := f.String("broker", "", "MQTT broker `URL` for model updates, mqtt://HOST:PORT or mqtts://HOST:PORT")
	fleet := f.String("fleet", "", "fleet `group` this device takes model updates for")
	var keys stringList
	f.Var(&keys, "trusted-key", "public key `file` whose signed updates are accepted (repeatable)")
	collector := f.String("collector", "", "OTLP/HTTP collector base `URL` for latency telemetry")
	interval := f.Duration("telemetry-interval", 0, "time between telemetry uploads (default 1m)")
	token := f.String("collector-token", "", "bearer `token` for the collector (visible to local users in the process list: prefer --collector-token-file or "+envTelemetryToken+")")
	tokenFile := f.String("collector-token-file", "", "`file` holding the collector's bearer token")
	if _, err := f.parse(args, stdout, 0, 0); err != nil {
		return helpDone(err)
	}
	overrides := func(c *fileConfig) {
		f.Visit(func(fl *flag.Flag) {
			switch fl.Name {
			case "socket":
				c.Server.Socket = *socket
			case "socket-group":
				c.Server.SocketGroup = *group
			case "data-dir":
				c.Agent.DataDir = *dataDir
			case "device-id":
				c.DeviceID = *deviceID
			case "log-format":
				c.LogFormat = *logFormat
			case "log-level":
				c.LogLevel = *logLevel
			case "cache-bytes":
				c.Agent.CacheBytes = *cacheBytes
			case "broker":
				c.OTA.Broker = *broker
			case "fleet":
				c.OTA.Fleet = *fleet
			case "trusted-key":
				c.OTA.TrustedKeys = keys
			case "collector":
				c.Telemetry.Collector = *collector
			case "telemetry-interval":
				c.Telemetry.Interval = *interval
			case "collector-token":
				c.Telemetry.Token, c.Telemetry.TokenFile = *token, ""
			case "collector-token-file":
				c.Telemetry.Token, c.Telemetry.TokenFile = "", *tokenFile
			}
		})
		for _, m := range models {
			if c.Agent.Models == nil {
				c.Agent.Models = map[string]agent.ModelConfig{}
			}
			mc := c.Agent.Models[m.name]
			mc.Path = m.path
			c.Agent.Models[m.name] = mc
		}
	}
	profile := platforms.Detect()
	load := func(secrets bool) (fileConfig, error) {
		var c fileConfig
		if *configFile != "" {
			var err error
			if c, err = loadConfigFile(*configFile); err != nil {
				return c, err
			}
		}
		overrides(&c)
		if err := c.validate(); err != nil {
			if *configFile != "" {
				return c, fmt.Errorf("config %s with flags: %w", *configFile, err)
			}
			return c, fmt.Errorf("flags: %w", err)
		}
		if secrets {
			if err := c.resolveSecrets(os.Getenv); err != nil {
				return c, fmt.Errorf("config: %w", err)
			}
		}
		c = c.resolve(profile)
		for name, m := range c.Agent.Models {
			if abs, err := filepath.Abs(m.Path); err == nil {
				m.Path = abs
				c.Agent.Models[name] = m
			}
		}
		return c, nil
	}
	if *printOnly {
		cfg, err := load(false)
		if err != nil {
			return usagef("%v", err)
		}
		b, err := printConfig(cfg)
		if err != nil {
			return err
		}
		_, err = stdout.Write(b)
		return err
	}
	cfg, err := load(true)
	if err != nil {
		return usagef("%v", err)
	}
	log := newLogger(stderr, cfg.LogFormat, cfg.LogLevel)
	return runAgent(ctx, cfg, profile, func() (fileConfig, error) { return load(true) }, log)
}

// runAgent opens the state, starts the agent and its socket, and serves
// until ctx ends; SIGHUP reloads through reload.
func runAgent(ctx context.Context, cfg fileConfig, profile platforms.Profile, reload func() (fileConfig, error), log *slog.Logger) error {
	if err := os.MkdirAll(cfg.Agent.DataDir, 0o750); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	dbPath := filepath.Join(cfg.Agent.DataDir, stateFile)
	st, err := store.Open(dbPath, store.Options{})
	if err != nil {
		return fmt.Errorf("cannot start: %w", err)
	}
	defer st.Close()
	deviceID := cfg.DeviceID
	if deviceID == "" {
		if deviceID, err = st.DeviceID(); err != nil {
			return fmt.Errorf("device id: %w", err)
		}
	}
	rec := telemetry.NewRecorder()
	platform, attrs, temperature := profileDevice(profile)
	tctx, stopTelemetry := context.WithCancel(ctx)
	defer stopTelemetry()
	waitTelemetry, err := startTelemetry(tctx, cfg.Telemetry,
		telemetry.Device{ID: deviceID, AgentVersion: version, Platform: platform, Attributes: attrs, Temperature: temperature},
		rec, st, log.With("component", "telemetry"))
	if err != nil {
		return err
	}
	defer func() { stopTelemetry(); waitTelemetry() }() // its last batch reaches the spool before the store closes
	if l := profile.CgroupMemoryLimit; l > 0 && os.Getenv("GOMEMLIMIT") == "" {
		// Let the garbage collector work harder near the cgroup's limit
		// instead of letting the kernel kill the agent.
		debug.SetMemoryLimit(int64(l / 4 * 3))
		log.Info("Go memory limit set from the cgroup's", "cgroup_limit", l, "go_limit", l/4*3)
	}
	log.Info("starting", "version", version, "device_id", deviceID, "platform", profile.String(),
		"data_dir", cfg.Agent.DataDir, "threads", cfg.Agent.Defaults.Threads, "sessions", cfg.Agent.Defaults.Sessions, "cache_bytes", cfg.Agent.CacheBytes)

	// Start-up's code (flags, config, every package's initialisation) is
	// not run again: give its pages back before the models load, so the
	// peak of loading them does not add to it.
	releaseMemory(log, "start-up")
	var otaState atomic.Pointer[func(string) string]
	a, err := agent.New(ctx, agent.Options{Config: cfg.Agent, Store: st, Recorder: rec, Logger: log.With("component", "agent"),
		OTAState: func(model string) string {
			if state := otaState.Load(); state != nil {
				return (*state)(model)
			}
			return ""
		}})
	if err != nil {
		return err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), cfg.Agent.DrainTimeout)
		defer cancel()
		a.Close(cctx)
	}()
	state, stopUpdates, err := startUpdates(ctx, cfg, deviceID, profile.String(), a, st, log)
	if err != nil {
		return err
	}
	defer stopUpdates() // publishes "offline" and disconnects before the agent closes
	if state != nil {
		otaState.Store(&state)
	}
	ln, err := server.Listen(cfg.Server.Socket, cfg.Server.Mode(), cfg.Server.SocketGroup)
	if err != nil {
		return err
	}
	serveCtx, stopServe := context.WithCancel(ctx)
	defer stopServe()
	served := make(chan error, 1)
	go func() {
		served <- server.Serve(serveCtx, ln, a, server.Options{
			Config: cfg.Server, Logger: log.With("component", "api"), Version: version, DrainTimeout: cfg.Agent.DrainTimeout,
		})
	}()
	var names []string
	for _, m := range a.Models() {
		names = append(names, m.Name+"@"+m.Version)
	}
	log.Info("agent ready", "socket", cfg.Server.Socket, "models", strings.Join(names, " "), "ready", a.Ready())
	sdNotify("READY=1\nSTATUS=serving on " + cfg.Server.Socket)

	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	// The code and heap that loading the models took are not touched
	// again while serving: give them back now, and again each time the
	// agent goes quiet after work.
	releaseMemory(log, "load")
	idleCtx, stopIdle := context.WithCancel(ctx)
	idleDone := make(chan struct{})
	go func() {
		defer close(idleDone)
		memtrim.Idle(idleCtx, idleRelease, func() { releaseMemory(log, "work") })
	}()
	defer func() { stopIdle(); <-idleDone }()
	for {
		select {
		case <-hup:
			sdNotify("RELOADING=1")
			next, err := reload()
			if err == nil {
				err = a.Reload(ctx, next.Agent)
			}
			if err != nil {
				log.Error("reload: kept the models that failed at their serving version", "err", err)
			} else {
				log.Info("configuration reloaded", "models", len(next.Agent.Models))
			}
			sdNotify("READY=1")
		case err := <-served:
			return err
		case <-ctx.Done():
			log.Info("stopping: draining requests", "drain_timeout", cfg.Agent.DrainTimeout)
			sdNotify("STOPPING=1")
			start := time.Now()
			err := <-served
			log.Info("stopped", "drained_in", time.Since(start).Round(time.Millisecond))
			return err
		}
	}
}

// idleRelease is how often the agent checks whether it went quiet after
// work (requests, model loads), to give back the memory the work left.
const idleRelease = 30 * time.Second

// releaseMemory gives the kernel back the Go heap's free pages and the
// executable's pages (memtrim.Release), and logs it at debug with what
// the memory was taken by (after: start-up, load or work).
func releaseMemory(log *slog.Logger, after string) {
	n, err := memtrim.Release()
	if err != nil {
		log.Debug("memory released; the executable's pages were not", "after", after, "err", err)
		return
	}
	log.Debug("memory released", "after", after, "executable_bytes", n)
}

// newLogger builds the process's logger.
func newLogger(w io.Writer, format, level string) *slog.Logger {
	var lv slog.Level
	lv.UnmarshalText([]byte(level))
	opts := &slog.HandlerOptions{Level: lv}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// modelFlags collects repeated --model NAME=PATH flags.
type modelFlags []struct{ name, path string }

func (m *modelFlags) String() string { return "" }

func (m *modelFlags) Set(v string) error {
	name, path, ok := strings.Cut(v, "=")
	if !ok || path == "" {
		return errors.New("want NAME=PATH, for example face=/models/face.tflite")
	}
	if !agent.ValidModelName(name) {
		return fmt.Errorf("model name %q must be 1-64 letters, digits, '_', '.' or '-'", name)
	}
	if slices.ContainsFunc(*m, func(x struct{ name, path string }) bool { return x.name == name }) {
		return fmt.Errorf("model %q given twice", name)
	}
	*m = append(*m, struct{ name, path string }{name, path})
	return nil
}
