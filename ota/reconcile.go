package ota

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/edgeinfer/edgeinfer/internal/httpx"
	"github.com/edgeinfer/edgeinfer/internal/mqttlink"
	"github.com/edgeinfer/edgeinfer/store"
)

// Models is what the reconcile loop needs from the agent.
type Models interface {
	// Active returns the version of name that serves now.
	Active(name string) (version string, ok bool)
	// Activate loads path as version of name, runs smoke against a
	// session of it before it serves (nil smoke = one run on zero-filled
	// inputs; with expected outputs the agent checks them with
	// Smoke.Check), and swaps it in atomically. On any error the previous
	// version keeps serving and nothing changes.
	Activate(ctx context.Context, name, version, path string, smoke *Smoke) error
	// Counts returns requests and errors served by the active version of
	// name since it became active.
	Counts(name string) (requests, errors uint64)
}

// Link is what the loop needs of the MQTT connection; *mqttlink.Link
// implements it.
type Link interface {
	Subscribe(ctx context.Context, filter string, qos byte, h mqttlink.Handler) error
	Publish(ctx context.Context, topic string, qos byte, retained bool, payload []byte) error
}

var _ Link = (*mqttlink.Link)(nil)

// Options configures a Reconciler: the ota section of the configuration
// file (Config) and what the device gives it at run time. DeviceID, Keys and
// DataDir are required; zero values of the rest mean the documented
// defaults.
type Options struct {
	// Config holds the file's settings; New fills its unset limits with
	// Config.WithDefaults.
	Config
	// DeviceID is this device's id in topics.
	DeviceID string
	// Keys are the public keys manifests must be signed with.
	Keys Keyring
	// DataDir holds models/<name>/<version>.tflite.
	DataDir string
	// AgentVersion and Platform go into the status; AgentVersion is also
	// checked against a manifest's min_agent_version.
	AgentVersion, Platform string
	// Supported, when set, tells whether the engine has an operator; a
	// manifest requiring one it lacks is refused before downloading.
	Supported func(op string) bool
	// HTTP downloads models (default: an internal/httpx client).
	HTTP *http.Client
	// RetryMin and RetryMax bound the wait before a failed download is
	// tried again (defaults 2s and 5m, doubling in between).
	RetryMin, RetryMax time.Duration
	// FreeBytes tells the free space of a directory's file system, or -1
	// when unknown (default: statfs; tests give a small disk).
	FreeBytes func(dir string) int64
	// Sync flushes a file or directory to disk (default (*os.File).Sync):
	// the partial download at each checkpoint and before staging, and the
	// model directory after the rename. Tests see the calls through it.
	Sync func(f *os.File) error
	// Now is the clock manifests' expires times are judged by (default
	// time.Now).
	Now func() time.Time
	// OnEvent, when set, sees every progress event as it is published.
	OnEvent func(Event)
	// Logger receives the loop's records (nil = discard).
	Logger *slog.Logger
}

// Refusals are reported at most refusalBurst at once, then one per
// refusalEvery; the rest are counted and the count logged.
const (
	refusalBurst = 10
	refusalEvery = 6 * time.Second
	maxPending   = 64
)

// Reconciler drives a device's models toward the desired state published
// for it. Create it with New and run it with Run.
type Reconciler struct {
	cfg    Options
	link   Link
	models Models
	st     *store.Store
	log    *slog.Logger

	wake      chan struct{}
	connected chan struct{}
	results   chan result
	slots     chan struct{} // one per update allowed at once

	statusMu sync.Mutex // serializes status publishes

	mu sync.Mutex
	// desired holds, per model and topic, the verified manifest that
	// arrived last; nothing is kept for a message that does not verify.
	desired  map[string]map[string]candidate
	changed  map[string]bool
	states   map[string]string
	pending  []Event // refusals for the loop to publish
	tokens   float64 // refusal reports allowed now
	lastFill time.Time
	muted    int    // refusals not reported since the last report
	received uint64 // messages received

	// Owned by Run's goroutine.
	want    map[string]candidate
	busy    map[string]bool // a model updating or inside its health window
	retryAt map[string]time.Time
	backoff map[string]time.Duration
	// settled, when set (tests), is called each time the loop has nothing
	// to do, with the number of messages it had received by then.
	settled func(received uint64)
}

// candidate is a verified manifest and the envelope it came in.
type candidate struct {
	m     *Manifest
	env   []byte
	topic string
}

// result is what an update or a health watch tells the loop when it ends.
type result struct {
	name string
	// retry is the error of an update to try again later (nil: done).
	retry error
	m     *Manifest
}

// New checks cfg and returns a Reconciler.
func New(cfg Options, link Link, models Models, st *store.Store) (*Reconciler, error) {
	if err := checkTopicName("device id", cfg.DeviceID); err != nil {
		return nil, err
	}
	if cfg.Fleet != "" {
		if err := checkTopicName("fleet group", cfg.Fleet); err != nil {
			return nil, err
		}
	}
	if len(cfg.Keys) == 0 {
		return nil, errNoKeys
	}
	if cfg.DataDir == "" {
		return nil, fmt.Errorf("ota: data directory is empty")
	}
	if link == nil || models == nil || st == nil {
		return nil, fmt.Errorf("ota: New needs a link, the models and the store")
	}
	cfg.Config = cfg.Config.WithDefaults()
	if cfg.RetryMin <= 0 {
		cfg.RetryMin = 2 * time.Second
	}
	if cfg.RetryMax < cfg.RetryMin {
		cfg.RetryMax = max(5*time.Minute, cfg.RetryMin)
	}
	if cfg.FreeBytes == nil {
		cfg.FreeBytes = freeBytes
	}
	if cfg.Sync == nil {
		cfg.Sync = (*os.File).Sync
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.HTTP == nil {
		cfg.HTTP = httpx.New(httpx.Options{Logger: cfg.Logger})
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Reconciler{
		cfg: cfg, link: link, models: models, st: st,
		log:       log.With("component", "ota"),
		wake:      make(chan struct{}, 1),
		connected: make(chan struct{}, 1),
		results:   make(chan result),
		slots:     make(chan struct{}, cfg.MaxConcurrent),
		desired:   map[string]map[string]candidate{},
		changed:   map[string]bool{},
		states:    map[string]string{},
		tokens:    refusalBurst,
		lastFill:  time.Now(),
		want:      map[string]candidate{},
		busy:      map[string]bool{},
		retryAt:   map[string]time.Time{},
		backoff:   map[string]time.Duration{},
	}, nil
}

// OnConnect tells the loop the MQTT link (re)connected, so it publishes
// its status again. Pass it as mqttlink.Options.OnConnect.
func (r *Reconciler) OnConnect() {
	select {
	case r.connected <- struct{}{}:
	default:
	}
}

// State returns the OTA state of model name: the last step of its latest
// update ("downloading 40%", "active", "failed: reason", "rolled back:
// reason"), "active" when it serves and no update touched it, or "".
func (r *Reconciler) State(name string) string {
	r.mu.Lock()
	s := r.states[name]
	r.mu.Unlock()
	if s != "" {
		return s
	}
	if rec, ok, err := r.st.GetModel(name); err == nil && ok && rec.State != "" && rec.State != stateWatching {
		return rec.State
	}
	if _, ok := r.models.Active(name); ok {
		return StepActive
	}
	return ""
}

// stateWatching marks, in the store, a version inside its health window,
// so a restart watches it again.
const stateWatching = "watching"

// Run subscribes to the device's desired-state topics and reconciles until
// ctx ends; then it waits for the updates under way to stop, publishes an
// offline status and returns. It returns nil: failures along the way are
// reported and retried, not returned.
func (r *Reconciler) Run(ctx context.Context) error {
	handler := func(m mqttlink.Message) { r.receive(m) }
	filters := []string{DeviceModelTopic(r.cfg.DeviceID, "+")}
	if r.cfg.Fleet != "" {
		filters = append(filters, FleetModelTopic(r.cfg.Fleet, "+"))
	}
	for _, f := range filters {
		// The link remembers the filter and subscribes again on every
		// reconnect, so a failure now is not the end.
		if err := r.link.Subscribe(ctx, f, 1, handler); err != nil {
			r.log.Warn("subscribe failed; retrying on reconnect", "filter", f, "err", err)
		}
	}
	r.publishStatus(ctx, true)
	var wg sync.WaitGroup
	r.resumeWatches(ctx, &wg)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for ctx.Err() == nil {
		received := r.evaluate(ctx)
		for {
			name, c, ok := r.next(ctx)
			if !ok {
				break
			}
			r.busy[name] = true
			wg.Add(1)
			go func() {
				defer wg.Done()
				res := r.update(ctx, c)
				res.name = name
				r.report(ctx, res)
			}()
		}
		if len(r.busy) == 0 && r.settled != nil {
			r.settled(received)
		}
		timer.Reset(r.untilRetry())
		select {
		case <-ctx.Done():
		case <-r.wake:
		case <-r.connected:
			r.publishStatus(ctx, true)
		case res := <-r.results:
			r.finish(ctx, res)
		case <-timer.C:
		}
	}
	wg.Wait()
	off, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	r.publishStatus(off, false)
	return nil
}

// report hands the end of an update or a watch to the loop.
func (r *Reconciler) report(ctx context.Context, res result) {
	select {
	case r.results <- res:
	case <-ctx.Done():
	}
}

// finish records the end of a model's update or watch, on the loop.
func (r *Reconciler) finish(ctx context.Context, res result) {
	delete(r.busy, res.name)
	if res.retry == nil {
		delete(r.retryAt, res.name)
		delete(r.backoff, res.name)
		return
	}
	wait := r.backoff[res.name]
	if wait == 0 {
		wait = r.cfg.RetryMin
	} else {
		wait = min(2*wait, r.cfg.RetryMax)
	}
	r.backoff[res.name] = wait
	r.retryAt[res.name] = time.Now().Add(wait)
	m := res.m
	r.log.Warn("update failed; will retry", "model", m.Name, "version", m.Version, "in", wait, "err", res.retry)
	r.emit(ctx, Event{Model: m.Name, Version: m.Version, State: StepFailed, Reason: fmt.Sprintf("%v (retrying in %s)", res.retry, wait)})
}

// receive checks a desired-state message as it arrives, on the link's
// goroutine: it keeps the manifest only once its envelope verifies and is
// meant for this device, and otherwise forgets what that topic held. It
// never waits on the link.
func (r *Reconciler) receive(msg mqttlink.Message) {
	name := msg.Topic[strings.LastIndexByte(msg.Topic, '/')+1:]
	var (
		c   candidate
		err error
	)
	switch {
	case msg.Dropped > 0 || len(msg.Payload) > MaxEnvelopeBytes:
		err = fmt.Errorf("%w: envelope of %d bytes, at most %d; dropped on receipt", ErrMalformed, max(msg.Dropped, int64(len(msg.Payload))), MaxEnvelopeBytes)
	case len(msg.Payload) == 0: // the retained desired state was cleared
	default:
		c.m, err = r.check(name, msg.Payload)
		c.env, c.topic = msg.Payload, msg.Topic
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.received++
	if err == nil && c.m != nil && r.desired[name] == nil && len(r.desired) >= r.cfg.MaxModels {
		err = fmt.Errorf("%w: this device tracks %d models already, at most %d", ErrTooMany, len(r.desired), r.cfg.MaxModels)
	}
	if byTopic := r.desired[name]; byTopic != nil {
		delete(byTopic, msg.Topic)
		if len(byTopic) == 0 {
			delete(r.desired, name)
		}
		r.changed[name] = true
	}
	if err != nil {
		version := ""
		if c.m != nil {
			version = c.m.Version
		}
		r.refuseLocked(name, version, msg.Topic, err)
	} else if c.m != nil {
		if r.desired[name] == nil {
			r.desired[name] = map[string]candidate{}
		}
		r.desired[name][msg.Topic] = c
		r.changed[name] = true
	}
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// refuseLocked logs and queues the report of a refused manifest, within
// the refusal rate; r.mu is held.
func (r *Reconciler) refuseLocked(name, version, topic string, err error) {
	now := time.Now()
	r.tokens = min(refusalBurst, r.tokens+float64(now.Sub(r.lastFill))/float64(refusalEvery))
	r.lastFill = now
	if r.tokens < 1 || len(r.pending) >= maxPending {
		r.muted++
		r.log.Debug("manifest refused", "model", shorten(name), "topic", shorten(topic), "err", err)
		return
	}
	r.tokens--
	if r.muted > 0 {
		r.log.Warn("more manifests were refused than reported", "unreported", r.muted)
		r.muted = 0
	}
	r.log.Warn("manifest refused", "model", shorten(name), "topic", shorten(topic), "err", err)
	r.pending = append(r.pending, Event{Model: shorten(name), Version: version, State: StepFailed, Reason: err.Error()})
}

// shorten cuts a name taken from a topic for logs and events.
func shorten(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}

// evaluate publishes the queued refusals, then picks for every model whose
// messages changed the newest manifest that this device may take now. It
// returns the number of messages received by then.
func (r *Reconciler) evaluate(ctx context.Context) uint64 {
	r.mu.Lock()
	work := map[string][]candidate{}
	for name := range r.changed {
		work[name] = nil // a model whose desired state was cleared is wanted no more
		for _, topic := range slices.Sorted(maps.Keys(r.desired[name])) {
			work[name] = append(work[name], r.desired[name][topic])
		}
	}
	clear(r.changed)
	refusals := r.pending
	r.pending = nil
	received := r.received
	r.mu.Unlock()
	for _, e := range refusals {
		r.emitRefusal(ctx, e)
	}
	for _, name := range slices.Sorted(maps.Keys(work)) {
		delete(r.want, name)
		delete(r.retryAt, name)
		delete(r.backoff, name)
		for _, c := range work[name] {
			m := c.m
			if !r.inRollout(m) {
				r.log.Info("manifest not rolled out to this device", "model", name, "version", m.Version, "percent", m.Rollout.Percent)
				r.emit(ctx, Event{Model: name, Version: m.Version, State: StepSkipped, Reason: fmt.Sprintf("rolled out to %g%% of %s, not to this device", m.Rollout.Percent, m.Target)})
				continue
			}
			if err := r.admissible(m); err != nil {
				r.emitRefusal(ctx, Event{Model: name, Version: m.Version, State: StepFailed, Reason: err.Error()})
				r.log.Warn("manifest refused", "model", name, "topic", c.topic, "err", err)
				continue
			}
			cur, ok := r.want[name]
			if !ok || CompareVersions(m.Version, cur.m.Version) > 0 || (CompareVersions(m.Version, cur.m.Version) == 0 && strings.Contains(c.topic, "/devices/")) {
				r.want[name] = c
			}
		}
	}
	return received
}

func (r *Reconciler) inRollout(m *Manifest) bool {
	return m.Rollout == nil || InRollout(r.cfg.DeviceID, m.Rollout.Salt, m.Rollout.Percent)
}

// check verifies an envelope and the parts of its manifest that do not
// depend on what is installed.
func (r *Reconciler) check(name string, env []byte) (*Manifest, error) {
	m, err := Verify(env, r.cfg.Keys)
	if err != nil {
		return nil, err
	}
	switch {
	case m.Name != name:
		return nil, fmt.Errorf("%w: field name: %q, but the topic is for model %q", ErrMalformed, m.Name, shorten(name))
	case !m.Target.Names(r.cfg.DeviceID, r.cfg.Fleet):
		return nil, fmt.Errorf("%w: %s %s is signed for %s; this is device %s of fleet %q", ErrNotForDevice, m.Name, m.Version, m.Target, r.cfg.DeviceID, r.cfg.Fleet)
	case !m.Expires.IsZero() && !r.cfg.Now().Before(m.Expires):
		return nil, fmt.Errorf("%w: %s %s expired at %s", ErrExpired, m.Name, m.Version, m.Expires.Format(time.RFC3339))
	case !agentAtLeast(r.cfg.AgentVersion, m.MinAgentVersion):
		return nil, fmt.Errorf("%w: needs %s, this agent is %s", ErrAgentTooOld, m.MinAgentVersion, r.cfg.AgentVersion)
	case m.Size > r.cfg.MaxDownloadBytes:
		return nil, fmt.Errorf("%w: %s %s is %d bytes, the cap is %d", ErrTooLarge, m.Name, m.Version, m.Size, r.cfg.MaxDownloadBytes)
	}
	if r.cfg.Supported != nil {
		for _, op := range m.RequiredOps {
			if !r.cfg.Supported(op) {
				return nil, fmt.Errorf("%w: %s %s needs operator %s", ErrUnsupportedOp, m.Name, m.Version, op)
			}
		}
	}
	return m, nil
}

// admissible checks m against what the device serves and has taken: not
// older than the newest manifest taken for the model, not expired, not
// lower than the active version unless it is a rollback from exactly that
// version.
func (r *Reconciler) admissible(m *Manifest) error {
	if !m.Expires.IsZero() && !r.cfg.Now().Before(m.Expires) {
		return fmt.Errorf("%w: %s %s expired at %s", ErrExpired, m.Name, m.Version, m.Expires.Format(time.RFC3339))
	}
	rec, ok, err := r.st.GetModel(m.Name)
	if err != nil {
		return err
	}
	if ok && m.Created.Before(rec.Created) {
		return fmt.Errorf("%w: %s %s was created %s, before %s, the newest manifest this device has taken for the model", ErrStale, m.Name, m.Version, m.Created.Format(time.RFC3339Nano), rec.Created.Format(time.RFC3339Nano))
	}
	active, ok := r.models.Active(m.Name)
	if !ok || CompareVersions(m.Version, active) >= 0 {
		return nil
	}
	if !m.Rollback {
		return fmt.Errorf("%w: %s %s is lower than the active %s and has no rollback flag", ErrDowngrade, m.Name, m.Version, active)
	}
	if CompareVersions(m.RollbackFrom, active) != 0 {
		return fmt.Errorf("%w: %s %s rolls back from %s, but the active version is %s", ErrStale, m.Name, m.Version, m.RollbackFrom, active)
	}
	return nil
}

// next picks a model that is not busy, whose desired version differs from
// the active one, and that is due.
func (r *Reconciler) next(ctx context.Context) (string, candidate, bool) {
	now := time.Now()
	for _, name := range slices.Sorted(maps.Keys(r.want)) {
		c := r.want[name]
		if r.busy[name] {
			continue
		}
		if active, ok := r.models.Active(name); ok && active == c.m.Version {
			continue
		}
		if err := r.admissible(c.m); err != nil {
			delete(r.want, name)
			r.emitRefusal(ctx, Event{Model: name, Version: c.m.Version, State: StepFailed, Reason: err.Error()})
			continue
		}
		if rej, found, err := r.st.GetRejected(name); err == nil && found && rej.Version == c.m.Version && rej.SHA256 == c.m.SHA256 {
			continue
		}
		if t, wait := r.retryAt[name]; wait && now.Before(t) {
			continue
		}
		return name, c, true
	}
	return "", candidate{}, false
}

// untilRetry is how long the loop may sleep before a retry is due.
func (r *Reconciler) untilRetry() time.Duration {
	d := time.Hour
	for _, t := range r.retryAt {
		d = min(d, max(time.Until(t), time.Millisecond))
	}
	return d
}

// update takes one model from its active version to c's, then watches the
// new version for the health window. It holds an update slot while it
// downloads and activates, not while it watches.
func (r *Reconciler) update(ctx context.Context, c candidate) result {
	m := c.m
	select {
	case r.slots <- struct{}{}:
	case <-ctx.Done():
		return result{name: m.Name}
	}
	rec, ok, err := r.install(ctx, c)
	<-r.slots
	if err != nil {
		if ctx.Err() != nil {
			return result{name: m.Name}
		}
		return result{name: m.Name, retry: err, m: m}
	}
	if ok {
		r.watch(ctx, m.Name, m.Version, rec)
	}
	return result{name: m.Name}
}

// install downloads, activates and records c. ok is false when the update
// was rejected for good; err is an error to retry later.
func (r *Reconciler) install(ctx context.Context, c candidate) (rec store.ModelRecord, ok bool, err error) {
	m := c.m
	r.log.Info("updating model", "model", m.Name, "version", m.Version, "topic", c.topic)
	path, err := r.fetch(ctx, m)
	if err != nil {
		if ctx.Err() == nil && (errors.Is(err, ErrHashMismatch) || errors.Is(err, ErrTooLarge)) {
			r.reject(ctx, m, err)
			return rec, false, nil
		}
		return rec, false, err
	}
	r.emit(ctx, Event{Model: m.Name, Version: m.Version, State: StepSmoke})
	if err := r.models.Activate(ctx, m.Name, m.Version, path, m.Smoke); err != nil {
		if ctx.Err() != nil {
			return rec, false, err
		}
		if !r.inRegistry(m.Name, path) {
			os.Remove(path) // before the report, so what it reports is final
		}
		r.reject(ctx, m, fmt.Errorf("activate %s %s: %w", m.Name, m.Version, err))
		return rec, false, nil
	}
	rec, err = r.commit(m, path, c.env)
	if err != nil {
		r.log.Error("registry commit failed; the new version serves but a restart loads the old one", "model", m.Name, "err", err)
	}
	r.cleanup(m.Name)
	r.emit(ctx, Event{Model: m.Name, Version: m.Version, State: StepActive})
	return rec, true, nil
}

// fetch makes sure the verified file of m is at its final path: already
// there, or downloaded (resuming a partial one), verified and staged.
func (r *Reconciler) fetch(ctx context.Context, m *Manifest) (string, error) {
	dir := filepath.Join(r.cfg.DataDir, "models", m.Name)
	final := filepath.Join(dir, m.Version+".tflite")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("ota: model directory: %w", err)
	}
	if fileMatches(final, m) {
		r.st.DeleteDownload(m.Name)
		return final, nil
	}
	partial := final + ".partial"
	last := -10 // the percent last reported; the first call reports
	d := &download{m: m, partial: partial, st: r.st, client: r.cfg.HTTP, sync: r.cfg.Sync,
		headerTimeout: r.cfg.DownloadHeaderTimeout, idleTimeout: r.cfg.DownloadIdleTimeout, progress: func(have int64) {
			if p := int(have * 100 / m.Size); p/10 != last/10 {
				last = p
				r.emit(ctx, Event{Model: m.Name, Version: m.Version, State: StepDownloading, Percent: p})
			}
		}}
	if err := d.open(); err != nil {
		return "", err
	}
	defer d.close()
	if free := r.cfg.FreeBytes(dir); free >= 0 && free < m.Size-d.have+diskMargin {
		return "", fmt.Errorf("%w: %s needs %d more bytes, %d free in %s", ErrNoSpace, m.Name, m.Size-d.have, free, dir)
	}
	d.progress(d.have)
	dctx, cancel := context.WithTimeoutCause(ctx, r.cfg.DownloadTimeout, fmt.Errorf("%w: %s %s took longer than %s", ErrStalled, m.Name, m.Version, r.cfg.DownloadTimeout))
	defer cancel()
	err := d.run(dctx, r.cfg.RetryMin/4)
	r.log.Info("download ended", "model", m.Name, "version", m.Version, "resumed_bytes", d.Resumed, "fetched_bytes", d.Fetched, "err", err)
	if errors.Is(err, ErrHashMismatch) {
		d.close()
		os.Remove(partial)
		r.st.DeleteDownload(m.Name)
	}
	if err != nil {
		return "", err
	}
	r.emit(ctx, Event{Model: m.Name, Version: m.Version, State: StepVerifying})
	r.emit(ctx, Event{Model: m.Name, Version: m.Version, State: StepStaging})
	if err := d.close(); err != nil {
		return "", fmt.Errorf("ota: staging file: %w", err)
	}
	if err := os.Rename(partial, final); err != nil {
		return "", fmt.Errorf("ota: stage %s: %w", final, err)
	}
	if err := r.syncDir(dir); err != nil {
		return "", err
	}
	return final, r.st.DeleteDownload(m.Name)
}

// fileMatches reports whether path holds exactly m's bytes.
func fileMatches(path string, m *Manifest) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || st.Size() != m.Size {
		return false
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return false
	}
	return hex.EncodeToString(h.Sum(nil)) == m.SHA256
}

func (r *Reconciler) syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("ota: sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := r.cfg.Sync(d); err != nil {
		return fmt.Errorf("ota: sync %s: %w", dir, err)
	}
	return nil
}

// reject records that m is not to be taken again and reports it.
func (r *Reconciler) reject(ctx context.Context, m *Manifest, err error) {
	r.log.Warn("update rejected", "model", m.Name, "version", m.Version, "err", err)
	if perr := r.st.PutRejected(store.Rejected{Model: m.Name, Version: m.Version, SHA256: m.SHA256, Reason: err.Error()}); perr != nil {
		r.log.Error("recording the rejection failed", "model", m.Name, "err", perr)
	}
	r.emit(ctx, Event{Model: m.Name, Version: m.Version, State: StepFailed, Reason: err.Error()})
}

// commit records the new active version, and the one it replaced as the
// version to roll back to, durably.
func (r *Reconciler) commit(m *Manifest, path string, env []byte) (store.ModelRecord, error) {
	rec, _, err := r.st.GetModel(m.Name)
	if err != nil {
		return rec, err
	}
	rec.Name = m.Name
	if rec.Active != nil && rec.Active.Version != m.Version {
		prev := *rec.Active
		rec.Previous = &prev
	}
	rec.Active = &store.ModelVersion{Version: m.Version, Digest: m.SHA256, Path: path, Activated: time.Now().UTC()}
	rec.Manifest = json.RawMessage(env)
	if m.Created.After(rec.Created) {
		rec.Created = m.Created
	}
	rec.State = StepActive
	if r.cfg.HealthWindow > 0 && rec.Previous != nil {
		rec.State = stateWatching
	}
	return rec, r.st.PutModel(rec)
}

// resumeWatches watches again, beside the loop, a version whose health
// window a restart interrupted.
func (r *Reconciler) resumeWatches(ctx context.Context, wg *sync.WaitGroup) {
	recs, err := r.st.Models()
	if err != nil {
		r.log.Error("reading the registry", "err", err)
		return
	}
	for _, rec := range recs {
		if rec.State != stateWatching || rec.Active == nil {
			continue
		}
		if v, ok := r.models.Active(rec.Name); ok && v == rec.Active.Version {
			r.busy[rec.Name] = true
			wg.Add(1)
			go func() {
				defer wg.Done()
				r.watch(ctx, rec.Name, v, rec)
				r.report(ctx, result{name: rec.Name})
			}()
		}
	}
}

// watch checks the error rate of the new version for the health window
// and rolls back to the previous version when it is too high.
func (r *Reconciler) watch(ctx context.Context, name, version string, rec store.ModelRecord) {
	if r.cfg.HealthWindow <= 0 || rec.Previous == nil {
		return
	}
	poll := min(max(r.cfg.HealthWindow/50, 50*time.Millisecond), 2*time.Second)
	deadline := time.Now().Add(r.cfg.HealthWindow)
	t := time.NewTicker(poll)
	defer t.Stop()
	for time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if v, ok := r.models.Active(name); !ok || v != version {
			return // replaced by other means
		}
		req, errs := r.models.Counts(name)
		if req >= r.cfg.MinRequests && float64(errs) > r.cfg.MaxErrorRate*float64(req) {
			r.rollback(ctx, rec, fmt.Errorf("%w: %d of %d requests failed (%.0f%%, limit %.0f%%) within the health window", ErrUnhealthy, errs, req, 100*float64(errs)/float64(req), 100*r.cfg.MaxErrorRate))
			return
		}
	}
	if cur, ok, err := r.st.GetModel(name); err == nil && ok && cur.State == stateWatching {
		cur.State = StepActive
		if err := r.st.PutModel(cur); err != nil {
			r.log.Error("registry update failed", "model", name, "err", err)
		}
	}
}

// rollback brings back rec.Previous after rec.Active failed its watch.
func (r *Reconciler) rollback(ctx context.Context, rec store.ModelRecord, cause error) {
	bad, prev := rec.Active, rec.Previous
	reason := fmt.Sprintf("%v; back to %s", cause, prev.Version)
	if err := r.models.Activate(ctx, rec.Name, prev.Version, prev.Path, nil); err != nil {
		r.log.Error("rollback failed", "model", rec.Name, "to", prev.Version, "err", err)
		r.emit(ctx, Event{Model: rec.Name, Version: bad.Version, State: StepFailed, Reason: fmt.Sprintf("%v; rollback to %s failed: %v", cause, prev.Version, err)})
		return
	}
	rec.Active, rec.Previous = prev, nil
	rec.State = StepRolledBack + ": " + reason
	if err := r.st.PutModel(rec); err != nil {
		r.log.Error("registry update failed", "model", rec.Name, "err", err)
	}
	if err := r.st.PutRejected(store.Rejected{Model: rec.Name, Version: bad.Version, SHA256: bad.Digest, Reason: cause.Error()}); err != nil {
		r.log.Error("recording the rejection failed", "model", rec.Name, "err", err)
	}
	r.log.Warn("rolled back", "model", rec.Name, "from", bad.Version, "to", prev.Version, "cause", cause)
	r.cleanup(rec.Name)
	r.emit(ctx, Event{Model: rec.Name, Version: bad.Version, State: StepRolledBack, Reason: reason})
}

// inRegistry reports whether path is the active or previous file of name.
func (r *Reconciler) inRegistry(name, path string) bool {
	rec, ok, err := r.st.GetModel(name)
	if err != nil || !ok {
		return err != nil // unknown: keep the file
	}
	for _, v := range []*store.ModelVersion{rec.Active, rec.Previous} {
		if v != nil && filepath.Clean(v.Path) == filepath.Clean(path) {
			return true
		}
	}
	return false
}

// cleanup removes the files of model versions other than the active and
// previous ones, and partial files no download is using.
func (r *Reconciler) cleanup(name string) {
	dir := filepath.Join(r.cfg.DataDir, "models", name)
	keep := map[string]bool{}
	if rec, ok, err := r.st.GetModel(name); err == nil && ok {
		for _, v := range []*store.ModelVersion{rec.Active, rec.Previous} {
			if v != nil {
				keep[filepath.Clean(v.Path)] = true
			}
		}
	} else {
		return // nothing recorded: leave the directory alone
	}
	if d, ok, err := r.st.GetDownload(name); err == nil && ok {
		keep[filepath.Clean(d.Path)] = true
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		if !keep[p] && (strings.HasSuffix(e.Name(), ".tflite") || strings.HasSuffix(e.Name(), ".partial")) {
			if err := os.Remove(p); err == nil {
				r.log.Info("removed old model file", "path", p)
			}
		}
	}
}

// emit records an event as the model's state, publishes it and the
// device's status, and passes it to OnEvent.
func (r *Reconciler) emit(ctx context.Context, e Event) {
	e.Device = r.cfg.DeviceID
	e.Time = time.Now().UTC()
	r.mu.Lock()
	r.states[e.Model] = e.String()
	r.mu.Unlock()
	if r.cfg.OnEvent != nil {
		r.cfg.OnEvent(e)
	}
	r.publishEvent(ctx, e)
	r.publishStatus(ctx, true)
}

// emitRefusal reports a refused manifest. It becomes the model's state
// only for a model the device already knows, so messages for made-up
// names leave no trace in the state or the status.
func (r *Reconciler) emitRefusal(ctx context.Context, e Event) {
	r.mu.Lock()
	_, known := r.states[e.Model]
	_, wanted := r.desired[e.Model]
	r.mu.Unlock()
	if !known && !wanted {
		if _, ok := r.models.Active(e.Model); !ok {
			e.Device = r.cfg.DeviceID
			e.Time = time.Now().UTC()
			if r.cfg.OnEvent != nil {
				r.cfg.OnEvent(e)
			}
			r.publishEvent(ctx, e)
			return
		}
	}
	r.emit(ctx, e)
}

// publishEvent publishes a progress event.
func (r *Reconciler) publishEvent(ctx context.Context, e Event) {
	b, _ := json.Marshal(e)
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := r.link.Publish(pctx, EventTopic(r.cfg.DeviceID), 1, false, b); err != nil {
		r.log.Debug("progress event not published", "err", err)
	}
}

// publishStatus publishes the device's retained status.
// Updates run side by side, so the status is built and published under
// statusMu: the one retained last is the newest.
func (r *Reconciler) publishStatus(ctx context.Context, online bool) {
	r.statusMu.Lock()
	defer r.statusMu.Unlock()
	b := OfflineStatus(r.cfg.DeviceID, r.cfg.Fleet)
	if online {
		b, _ = json.Marshal(r.status())
	}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := r.link.Publish(pctx, StatusTopic(r.cfg.DeviceID), 1, true, b); err != nil {
		r.log.Debug("status not published", "err", err)
	}
}

// status describes the device and every model it knows of.
func (r *Reconciler) status() Status {
	names := map[string]bool{}
	if recs, err := r.st.Models(); err == nil {
		for _, rec := range recs {
			names[rec.Name] = true
		}
	}
	r.mu.Lock()
	for n := range r.states {
		names[n] = true
	}
	r.mu.Unlock()
	s := Status{Online: true, Device: r.cfg.DeviceID, Fleet: r.cfg.Fleet, AgentVersion: r.cfg.AgentVersion, Platform: r.cfg.Platform, Models: map[string]ModelState{}, Time: time.Now().UTC()}
	for n := range names {
		v, _ := r.models.Active(n)
		s.Models[n] = ModelState{Version: v, State: r.State(n)}
	}
	return s
}
