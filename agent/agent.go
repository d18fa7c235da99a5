package agent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/store"
	"github.com/edgeinfer/edgeinfer/telemetry"
)

// Options wire an Agent to its surroundings.
type Options struct {
	// Config is the resolved configuration (Config.Resolve).
	Config Config
	// Store is the open state file: result cache and model registry. Nil
	// runs without either (every answer is computed; installs are not
	// remembered across restarts).
	Store *store.Store
	// Recorder receives every request's figures (nil = a private one, so
	// Models still reports latency).
	Recorder *telemetry.Recorder
	// Logger receives the agent's logs (nil = discard).
	Logger *slog.Logger
	// OTAState, when set, gives a model's over-the-air update state for
	// ModelStatus.OTA.
	OTAState func(model string) string
}

// Agent serves inferences for a set of named models. Its methods are safe
// for concurrent use.
type Agent struct {
	store    *store.Store
	rec      *telemetry.Recorder
	log      *slog.Logger
	cache    *cacheWriter
	otaState func(string) string
	modelDir string

	cfgMu sync.RWMutex
	cfg   Config

	mu      sync.RWMutex
	entries map[string]*entry

	closed   atomic.Bool
	decodes  chan struct{} // media files being decoded (InferMedia)
	stopTick chan struct{}
	tickDone chan struct{}
}

// entry is one model name in the registry: the version serving now (nil
// until one loads) and why the last load failed, if it did.
type entry struct {
	name       string
	configured atomic.Bool // named in the configuration (Ready waits for it)
	install    sync.Mutex  // one load per name at a time
	cur        atomic.Pointer[instance]
	lastErr    atomic.Pointer[string]
	loading    atomic.Bool
	// media is the active version's media task (see InferMedia), derived
	// on first use.
	media atomic.Pointer[mediaTask]
}

// New starts an agent and loads every configured model. A model that fails
// to load is reported in its status (and logged) while the others serve;
// New itself fails only when the agent cannot run at all.
func New(ctx context.Context, o Options) (*Agent, error) {
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	rec := o.Recorder
	if rec == nil {
		rec = telemetry.NewRecorder()
	}
	a := &Agent{
		store: o.Store, rec: rec, log: log, otaState: o.OTAState, cfg: o.Config,
		entries:  map[string]*entry{},
		decodes:  make(chan struct{}, mediaDecodes),
		modelDir: filepath.Join(o.Config.DataDir, "models"),
		stopTick: make(chan struct{}), tickDone: make(chan struct{}),
	}
	a.sweepInstallTemps()
	if a.store != nil {
		a.cache = newCacheWriter(a.store, o.Config.CacheBytes, log.With("component", "cache"))
	}
	names := slices.Sorted(maps.Keys(o.Config.Models))
	for _, name := range names {
		e := &entry{name: name}
		e.configured.Store(true)
		a.entries[name] = e
	}
	if a.store != nil {
		recs, err := a.store.Models()
		if err != nil {
			return nil, fmt.Errorf("agent: reading the model registry: %w", err)
		}
		for _, r := range recs {
			if _, ok := a.entries[r.Name]; !ok && r.Active != nil {
				a.entries[r.Name] = &entry{name: r.Name}
				names = append(names, r.Name)
			}
		}
	}
	for _, name := range names {
		a.loadAtStart(ctx, a.entries[name])
	}
	go a.expireLoop()
	return a, nil
}

// loadAtStart loads a model's version: the one installed last (over the
// air or through the API) if it still loads, else the previous installed
// one, else the configured file.
func (a *Agent) loadAtStart(ctx context.Context, e *entry) {
	cfg, configured := a.modelConfig(e.name)
	var candidates []loadSpec
	if a.store != nil {
		if r, ok, err := a.store.GetModel(e.name); err != nil {
			a.log.Warn("reading the model's registry record", "model", e.name, "err", err)
		} else if ok {
			for _, v := range []*store.ModelVersion{r.Active, r.Previous} {
				if v != nil && a.installed(v.Path) {
					candidates = append(candidates, loadSpec{name: e.name, version: v.Version, path: v.Path, cfg: cfg})
				}
			}
		}
	}
	if configured {
		candidates = append(candidates, loadSpec{name: e.name, version: cfg.Version, path: cfg.Path, cfg: cfg})
	}
	for _, spec := range candidates {
		in, err := a.load(ctx, e, spec)
		if err != nil {
			a.log.Error("model failed to load", "model", e.name, "path", spec.path, "err", err)
			continue
		}
		a.activate(e, in)
		return
	}
}

// installed reports whether path is a model file the agent keeps in its
// data directory (installed, not configured).
func (a *Agent) installed(path string) bool {
	rel, err := filepath.Rel(a.modelDir, path)
	return err == nil && !strings.HasPrefix(rel, "..")
}

// modelConfig returns the model's resolved configuration: its entry in
// the config, or the defaults for an installed model.
func (a *Agent) modelConfig(name string) (ModelConfig, bool) {
	a.cfgMu.RLock()
	defer a.cfgMu.RUnlock()
	if m, ok := a.cfg.Models[name]; ok {
		return m, true
	}
	return a.cfg.Defaults, false
}

// load loads spec for e, recording the outcome in e.
func (a *Agent) load(ctx context.Context, e *entry, spec loadSpec) (*instance, error) {
	e.loading.Store(true)
	defer e.loading.Store(false)
	start := time.Now()
	in, err := loadInstance(ctx, spec, a.rec, a.log)
	if err != nil {
		msg := err.Error()
		e.lastErr.Store(&msg)
		return nil, err
	}
	e.lastErr.Store(nil)
	in.log.Info("model loaded", "path", spec.path, "digest", in.digest[:12], "sessions", spec.cfg.Sessions,
		"threads", spec.cfg.Threads, "max_batch", in.maxBatch, "took", time.Since(start).Round(time.Millisecond))
	return in, nil
}

// activate makes in the serving version of e and retires the old one in
// the background once its requests are done.
func (a *Agent) activate(e *entry, in *instance) {
	old := e.cur.Swap(in)
	if !in.cfg.Media.zero() {
		// Configured media options (a labels file, SSD anchors) are
		// checked against the version now, not at its first encoded file.
		if _, _, err := a.task(e); err != nil {
			in.log.Error("the model's media options do not apply: it will refuse encoded files", "err", err)
		}
	}
	if old != nil {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), a.drainTimeout())
			defer cancel()
			old.retire(ctx)
			old.log.Info("previous version drained and unloaded")
		}()
	}
}

func (a *Agent) cachePerCaller() bool {
	a.cfgMu.RLock()
	defer a.cfgMu.RUnlock()
	return a.cfg.CachePerCaller
}

func (a *Agent) drainTimeout() time.Duration {
	a.cfgMu.RLock()
	defer a.cfgMu.RUnlock()
	return max(a.cfg.DrainTimeout, time.Second)
}

func (a *Agent) entry(name string) (*entry, bool) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	e, ok := a.entries[name]
	return e, ok
}

// Infer answers one request: it checks the inputs, looks in the result
// cache, queues the request for a session (failing at once when the queue
// is full) and waits for the answer or for ctx to end.
func (a *Agent) Infer(ctx context.Context, req *Request) (*Response, error) {
	start := time.Now()
	if a.closed.Load() {
		return nil, ErrShuttingDown
	}
	e, ok := a.entry(req.Model)
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrNoModel, req.Model)
	}
	in, err := acquireCurrent(e)
	if err != nil {
		return nil, err
	}
	defer in.release()
	if msg := in.failed.Load(); msg != nil {
		return nil, fmt.Errorf("%w: model %s version %s failed: %s", ErrNotReady, in.name, in.version, *msg)
	}
	if req.Version != "" && req.Version != in.version {
		return nil, fmt.Errorf("%w: model %s version %q is not the active one (%s)", ErrNoModel, in.name, req.Version, in.version)
	}
	inputs := make([]Tensor, len(in.inputs))
	if err := runtime.BindInputs(inputs, in.inputs, req.Inputs, in.resizable); err != nil {
		return nil, fmt.Errorf("%w: model %s: %w", ErrBadRequest, in.name, err)
	}
	resized := in.resizable && !modelShapes(inputs, in.inputs)
	if req.Sequence != nil && !in.stateful {
		return nil, fmt.Errorf("%w: model %s keeps no state between runs: a sequence id does not apply to it", ErrBadRequest, in.name)
	}
	outIdx, err := selectOutputs(in.name, in.outputs, req.Outputs)
	if err != nil {
		return nil, err
	}
	resp := &Response{Model: in.name, Version: in.version, Cache: CacheOff}
	var key []byte
	if a.cache != nil && *in.cfg.Cache && !req.NoCache && !in.stateful && !resized {
		resp.Cache = CacheMiss
		caller := ""
		if a.cachePerCaller() {
			caller = req.Caller
		}
		key = cacheKey(in.digest, caller, inputs, outIdx)
		if outs, ok := a.cacheGet(in, key, outIdx); ok {
			resp.Cache, resp.Outputs = CacheHit, outputTensors(in, outIdx, outs, nil)
			in.observe(telemetry.Observation{Total: time.Since(start), CacheHit: true})
			return resp, nil
		}
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, in.cfg.Timeout)
		defer cancel()
	}
	j := &job{ctx: ctx, inputs: inputs, resized: resized, outIdx: outIdx, enq: time.Now(), done: make(chan struct{})}
	if in.streams != nil {
		err = in.streams.run(req.Sequence, j)
	} else if err = in.submit(j); err != nil {
		in.observe(telemetry.Observation{Total: time.Since(start), CacheMiss: key != nil})
		return nil, err
	} else {
		err = in.wait(ctx, j)
	}
	in.observe(telemetry.Observation{Queue: j.queue, Compute: j.compute, Total: time.Since(start), Batch: j.batch,
		CacheMiss: key != nil, Error: err != nil && !errors.Is(err, context.Canceled)})
	if err != nil {
		return nil, err
	}
	if key != nil {
		a.cache.put(key, encodeOutputs(j.outs))
	}
	resp.Outputs = outputTensors(in, outIdx, j.outs, j.outShapes)
	resp.Queue, resp.Compute, resp.Batch = j.queue, j.compute, j.batch
	return resp, nil
}

// acquireCurrent holds the version serving now; a swap between the load
// and the hold is retried.
func acquireCurrent(e *entry) (*instance, error) {
	for range 100 {
		in := e.cur.Load()
		if in == nil {
			if msg := e.lastErr.Load(); msg != nil {
				return nil, fmt.Errorf("%w: model %s failed to load: %s", ErrNotReady, e.name, *msg)
			}
			return nil, fmt.Errorf("%w: model %s is loading", ErrNotReady, e.name)
		}
		if in.acquire() {
			return in, nil
		}
		time.Sleep(time.Millisecond)
	}
	return nil, fmt.Errorf("%w: model %s is being replaced", ErrNotReady, e.name)
}

func (in *instance) observe(o telemetry.Observation) {
	if in.stats != nil {
		in.stats.Observe(o)
	}
}

func (a *Agent) cacheGet(in *instance, key []byte, outIdx []int) ([][]byte, bool) {
	v, ok, err := a.store.CacheGet(key, in.cfg.CacheTTL)
	if err != nil {
		in.log.Warn("result cache read failed; computing the answer", "err", err)
		return nil, false
	}
	if !ok {
		return nil, false
	}
	sizes := make([]int, len(outIdx))
	for k, o := range outIdx {
		sizes[k] = in.outputs[o].ByteSize()
	}
	return decodeOutputs(v, sizes)
}

// outputTensors names outs; shapes, when set, are their shapes (else the
// model's).
func outputTensors(in *instance, outIdx []int, outs [][]byte, shapes [][]int) []Tensor {
	ts := make([]Tensor, len(outIdx))
	for k, o := range outIdx {
		info := in.outputs[o]
		if shapes != nil {
			info.Shape = shapes[k]
		}
		ts[k] = Tensor{Name: info.Name, DType: info.DType, Shape: info.Shape, Data: outs[k]}
	}
	return ts
}

// Models describes every model in the registry, by name.
func (a *Agent) Models() []ModelStatus {
	a.mu.RLock()
	es := make([]*entry, 0, len(a.entries))
	for _, e := range a.entries {
		es = append(es, e)
	}
	a.mu.RUnlock()
	slices.SortFunc(es, func(x, y *entry) int { return strings.Compare(x.name, y.name) })
	out := make([]ModelStatus, len(es))
	for i, e := range es {
		out[i] = a.status(e)
	}
	return out
}

// Model describes one model; ErrNoModel when there is none of that name.
func (a *Agent) Model(name string) (ModelStatus, error) {
	e, ok := a.entry(name)
	if !ok {
		return ModelStatus{}, fmt.Errorf("%w: %q", ErrNoModel, name)
	}
	return a.status(e), nil
}

func (a *Agent) status(e *entry) ModelStatus {
	var st ModelStatus
	if in := e.cur.Load(); in != nil {
		st = in.status()
	} else {
		st = ModelStatus{Name: e.name, State: StateFailed}
	}
	if msg := e.lastErr.Load(); msg != nil {
		st.Error = *msg
	}
	if e.loading.Load() && st.Version == "" {
		st.State = StateLoading
	}
	if a.otaState != nil {
		st.OTA = a.otaState(e.name)
	}
	return st
}

// Ready reports whether every configured model has a serving version.
func (a *Agent) Ready() bool {
	if a.closed.Load() {
		return false
	}
	a.mu.RLock()
	defer a.mu.RUnlock()
	for _, e := range a.entries {
		if !e.configured.Load() {
			continue
		}
		if in := e.cur.Load(); in == nil || in.failed.Load() != nil {
			return false
		}
	}
	return true
}

// Counts returns the requests and errors of the serving version of name
// since it became active (false when none serves).
func (a *Agent) Counts(name string) (requests, errs uint64, version string, ok bool) {
	e, found := a.entry(name)
	if !found {
		return 0, 0, "", false
	}
	in := e.cur.Load()
	if in == nil || in.stats == nil {
		return 0, 0, "", false
	}
	s := in.stats.Snapshot()
	return s.Requests, s.Errors, in.version, true
}

// Reload applies a new configuration: models added to it are loaded,
// models whose file, version or settings changed are reloaded (hot swap),
// models removed from it are unloaded unless they were installed. A model
// that fails to load keeps its serving version. Data directory and cache
// size changes need a restart; the errors of models that failed are joined.
func (a *Agent) Reload(ctx context.Context, cfg Config) error {
	a.cfgMu.Lock()
	old := a.cfg
	cfg.DataDir, cfg.CacheBytes = old.DataDir, old.CacheBytes
	a.cfg = cfg
	a.cfgMu.Unlock()
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(cfg.Models)) {
		m := cfg.Models[name]
		a.mu.Lock()
		e, ok := a.entries[name]
		if !ok {
			e = &entry{name: name}
			a.entries[name] = e
		}
		e.configured.Store(true)
		a.mu.Unlock()
		if prev, had := old.Models[name]; had && sameModelConfig(prev, m) && e.cur.Load() != nil {
			continue
		}
		e.install.Lock()
		in, err := a.load(ctx, e, loadSpec{name: name, version: m.Version, path: m.Path, cfg: m})
		if err == nil {
			a.activate(e, in)
		} else {
			errs = append(errs, err)
		}
		e.install.Unlock()
	}
	for name := range old.Models {
		if _, kept := cfg.Models[name]; kept {
			continue
		}
		e, ok := a.entry(name)
		if !ok {
			continue
		}
		if in := e.cur.Load(); in != nil && a.installed(in.path) {
			e.configured.Store(false)
			continue
		}
		a.mu.Lock()
		delete(a.entries, name)
		a.mu.Unlock()
		if in := e.cur.Swap(nil); in != nil {
			go in.retire(context.Background())
		}
		a.log.Info("model removed from the configuration: unloading", "model", name)
	}
	return errors.Join(errs...)
}

func sameModelConfig(a, b ModelConfig) bool {
	ca, cb := a.Cache != nil && *a.Cache, b.Cache != nil && *b.Cache
	a.Cache, b.Cache = nil, nil
	return reflect.DeepEqual(a, b) && ca == cb
}

// Close stops taking requests, waits for those in flight (bounded by ctx),
// unloads every model and writes the cache entries still waiting.
func (a *Agent) Close(ctx context.Context) error {
	if a.closed.Swap(true) {
		return nil
	}
	close(a.stopTick)
	<-a.tickDone
	a.mu.RLock()
	var ins []*instance
	for _, e := range a.entries {
		if in := e.cur.Load(); in != nil {
			ins = append(ins, in)
		}
	}
	a.mu.RUnlock()
	var wg sync.WaitGroup
	for _, in := range ins {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in.retire(ctx)
		}()
	}
	wg.Wait()
	if a.cache != nil {
		a.cache.close(ctx)
	}
	return nil
}

// expireLoop removes cache entries older than the longest TTL of any model
// every few minutes, so entries of replaced versions do not linger.
func (a *Agent) expireLoop() {
	defer close(a.tickDone)
	if a.store == nil {
		return
	}
	t := time.NewTicker(5 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-a.stopTick:
			return
		case <-t.C:
			ttl := a.maxTTL()
			if n, err := a.store.CacheExpire(ttl); err != nil {
				a.log.Warn("expiring old cache entries", "err", err)
			} else if n > 0 {
				a.log.Debug("expired old cache entries", "entries", n, "older_than", ttl)
			}
		}
	}
}

func (a *Agent) maxTTL() time.Duration {
	a.cfgMu.RLock()
	defer a.cfgMu.RUnlock()
	ttl := a.cfg.Defaults.CacheTTL
	for _, m := range a.cfg.Models {
		ttl = max(ttl, m.CacheTTL)
	}
	return ttl
}
