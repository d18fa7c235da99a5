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

// Config configures a Reconciler. DeviceID, Keys and DataDir are required;
// zero values of the rest mean the documented defaults.
type Config struct {
	// DeviceID is this device's id in topics.
	DeviceID string
	// Fleet is the device's group; empty takes only per-device manifests.
	Fleet string
	// Keys are the public keys manifests must be signed with.
	Keys Keyring
	// DataDir holds models/<name>/<version>.tflite.
	DataDir string
	// HealthWindow is how long a new version is watched after activation
	// (default 1m; negative turns the watch off).
	HealthWindow time.Duration
	// MaxErrorRate is the share of failed requests that trips the watch
	// (default 0.05), judged once MinRequests (default 20) were served.
	MaxErrorRate float64
	MinRequests  uint64
	// MaxDownloadBytes caps the size of a model to download (default 1 GiB).
	MaxDownloadBytes int64
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
	// OnEvent, when set, sees every progress event as it is published.
	OnEvent func(Event)
	// Logger receives the loop's records (nil = discard).
	Logger *slog.Logger
}

// Reconciler drives a device's models toward the desired state published
// for it. Create it with New and run it with Run.
type Reconciler struct {
	cfg    Config
	link   Link
	models Models
	st     *store.Store
	log    *slog.Logger

	wake      chan struct{}
	connected chan struct{}

	mu      sync.Mutex
	raw     map[string]map[string][]byte // model → topic → envelope
	changed map[string]bool
	states  map[string]string

	// Owned by Run's goroutine.
	want     map[string]candidate
	retryAt  map[string]time.Time
	backoff  map[string]time.Duration
	reported map[string]bool
}

// candidate is a verified manifest and the envelope it came in.
type candidate struct {
	m     *Manifest
	env   []byte
	topic string
}

// New checks cfg and returns a Reconciler.
func New(cfg Config, link Link, models Models, st *store.Store) (*Reconciler, error) {
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
	if cfg.HealthWindow == 0 {
		cfg.HealthWindow = time.Minute
	}
	if cfg.MaxErrorRate <= 0 {
		cfg.MaxErrorRate = 0.05
	}
	if cfg.MinRequests == 0 {
		cfg.MinRequests = 20
	}
	if cfg.MaxDownloadBytes <= 0 {
		cfg.MaxDownloadBytes = 1 << 30
	}
	if cfg.RetryMin <= 0 {
		cfg.RetryMin = 2 * time.Second
	}
	if cfg.RetryMax < cfg.RetryMin {
		cfg.RetryMax = max(5*time.Minute, cfg.RetryMin)
	}
	if cfg.FreeBytes == nil {
		cfg.FreeBytes = freeBytes
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
		raw:       map[string]map[string][]byte{},
		changed:   map[string]bool{},
		states:    map[string]string{},
		want:      map[string]candidate{},
		retryAt:   map[string]time.Time{},
		backoff:   map[string]time.Duration{},
		reported:  map[string]bool{},
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
// ctx ends; then it publishes an offline status and returns. It returns
// nil: failures along the way are reported and retried, not returned.
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
	r.resumeWatches(ctx)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for ctx.Err() == nil {
		r.evaluate()
		if c, ok := r.next(); ok {
			r.update(ctx, c)
			continue
		}
		timer.Reset(r.untilRetry())
		select {
		case <-ctx.Done():
		case <-r.wake:
		case <-r.connected:
			r.publishStatus(ctx, true)
		case <-timer.C:
		}
	}
	off, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	r.publishStatus(off, false)
	return nil
}

// receive keeps a desired-state message for the loop. It runs on the
// link's goroutine and only stores the payload.
func (r *Reconciler) receive(m mqttlink.Message) {
	name := m.Topic[strings.LastIndexByte(m.Topic, '/')+1:]
	r.mu.Lock()
	if r.raw[name] == nil {
		r.raw[name] = map[string][]byte{}
	}
	if len(m.Payload) == 0 {
		delete(r.raw[name], m.Topic) // the retained desired state was cleared
	} else {
		r.raw[name][m.Topic] = m.Payload
	}
	r.changed[name] = true
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// evaluate verifies the desired state of every model whose messages
// changed and keeps the newest valid manifest that includes this device.
func (r *Reconciler) evaluate() {
	r.mu.Lock()
	work := map[string]map[string][]byte{}
	for name := range r.changed {
		work[name] = maps.Clone(r.raw[name])
	}
	clear(r.changed)
	r.mu.Unlock()
	for name, byTopic := range work {
		delete(r.want, name)
		topics := slices.Sorted(maps.Keys(byTopic))
		for _, topic := range topics {
			env := byTopic[topic]
			m, err := r.check(name, env)
			if err != nil {
				r.refuse(name, "", topic, env, err)
				continue
			}
			if r.cfg.Fleet != "" && topic == FleetModelTopic(r.cfg.Fleet, name) && !r.inRollout(m) {
				r.log.Info("manifest not rolled out to this device yet", "model", name, "version", m.Version, "percent", m.Rollout.Percent)
				continue
			}
			cur, ok := r.want[name]
			if !ok || CompareVersions(m.Version, cur.m.Version) > 0 || (CompareVersions(m.Version, cur.m.Version) == 0 && strings.Contains(topic, "/devices/")) {
				r.want[name] = candidate{m: m, env: env, topic: topic}
			}
		}
		delete(r.retryAt, name)
		delete(r.backoff, name)
	}
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
		return nil, fmt.Errorf("%w: field name: %q, but the topic is for model %q", ErrMalformed, m.Name, name)
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

// refuse reports a manifest that is not taken, once per distinct message.
func (r *Reconciler) refuse(name, version, topic string, env []byte, err error) {
	sum := sha256.Sum256(env)
	key := topic + "\x00" + hex.EncodeToString(sum[:])
	if r.reported[key] {
		return
	}
	r.reported[key] = true
	r.log.Warn("manifest refused", "model", name, "topic", topic, "err", err)
	r.emit(context.Background(), Event{Model: name, Version: version, State: StepFailed, Reason: err.Error()})
}

// next picks a model whose desired version differs from the active one
// and is due.
func (r *Reconciler) next() (candidate, bool) {
	now := time.Now()
	for _, name := range slices.Sorted(maps.Keys(r.want)) {
		c := r.want[name]
		active, ok := r.models.Active(name)
		if ok && active == c.m.Version {
			continue
		}
		if ok && CompareVersions(c.m.Version, active) < 0 && !c.m.Rollback {
			r.refuse(name, c.m.Version, c.topic, c.env, fmt.Errorf("%w: %s %s is lower than the active %s and has no rollback flag", ErrDowngrade, name, c.m.Version, active))
			continue
		}
		if rej, found, err := r.st.GetRejected(name); err == nil && found && rej.Version == c.m.Version && rej.SHA256 == c.m.SHA256 {
			continue
		}
		if t, wait := r.retryAt[name]; wait && now.Before(t) {
			continue
		}
		return c, true
	}
	return candidate{}, false
}

// untilRetry is how long the loop may sleep before a retry is due.
func (r *Reconciler) untilRetry() time.Duration {
	d := time.Hour
	for _, t := range r.retryAt {
		d = min(d, max(time.Until(t), time.Millisecond))
	}
	return d
}

// update takes one model from its active version to c's.
func (r *Reconciler) update(ctx context.Context, c candidate) {
	m := c.m
	r.log.Info("updating model", "model", m.Name, "version", m.Version, "topic", c.topic)
	path, err := r.fetch(ctx, m)
	if err != nil {
		r.fail(ctx, m, err)
		return
	}
	r.emit(ctx, Event{Model: m.Name, Version: m.Version, State: StepSmoke})
	if err := r.models.Activate(ctx, m.Name, m.Version, path, m.Smoke); err != nil {
		if ctx.Err() == nil {
			if !r.inRegistry(m.Name, path) {
				os.Remove(path) // before the report, so what it reports is final
			}
			r.reject(ctx, m, fmt.Errorf("activate %s %s: %w", m.Name, m.Version, err))
		}
		return
	}
	rec, err := r.commit(m, path, c.env)
	if err != nil {
		r.log.Error("registry commit failed; the new version serves but a restart loads the old one", "model", m.Name, "err", err)
	}
	delete(r.retryAt, m.Name)
	delete(r.backoff, m.Name)
	r.cleanup(m.Name)
	r.emit(ctx, Event{Model: m.Name, Version: m.Version, State: StepActive})
	r.watch(ctx, m.Name, m.Version, rec)
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
	d := &download{m: m, partial: partial, st: r.st, client: r.cfg.HTTP, progress: func(have int64) {
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
	err := d.run(ctx, r.cfg.RetryMin/4)
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
	if err := syncDir(dir); err != nil {
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

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("ota: sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("ota: sync %s: %w", dir, err)
	}
	return nil
}

// fail handles an update error: a wrong file or a refused model is
// rejected for good; anything else is tried again later with backoff.
func (r *Reconciler) fail(ctx context.Context, m *Manifest, err error) {
	if ctx.Err() != nil {
		return
	}
	if errors.Is(err, ErrHashMismatch) || errors.Is(err, ErrTooLarge) {
		r.reject(ctx, m, err)
		return
	}
	wait := r.backoff[m.Name]
	if wait == 0 {
		wait = r.cfg.RetryMin
	} else {
		wait = min(2*wait, r.cfg.RetryMax)
	}
	r.backoff[m.Name] = wait
	r.retryAt[m.Name] = time.Now().Add(wait)
	r.log.Warn("update failed; will retry", "model", m.Name, "version", m.Version, "in", wait, "err", err)
	r.emit(ctx, Event{Model: m.Name, Version: m.Version, State: StepFailed, Reason: fmt.Sprintf("%v (retrying in %s)", err, wait)})
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
	rec.State = StepActive
	if r.cfg.HealthWindow > 0 && rec.Previous != nil {
		rec.State = stateWatching
	}
	return rec, r.st.PutModel(rec)
}

// resumeWatches watches again a version whose health window a restart
// interrupted.
func (r *Reconciler) resumeWatches(ctx context.Context) {
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
			r.watch(ctx, rec.Name, v, rec)
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
	b, _ := json.Marshal(e)
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := r.link.Publish(pctx, EventTopic(r.cfg.DeviceID), 1, false, b); err != nil {
		r.log.Debug("progress event not published", "err", err)
	}
	r.publishStatus(pctx, true)
}

// publishStatus publishes the device's retained status.
func (r *Reconciler) publishStatus(ctx context.Context, online bool) {
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
