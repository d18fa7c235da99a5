package ota

// The loop: desired state from MQTT, checked as it arrives, and the choice
// of what to update next. Staging (staging.go), health watches (health.go)
// and reports (report.go) run from here.

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/edgeinfer/edgeinfer/internal/httpx"
	"github.com/edgeinfer/edgeinfer/internal/mqttlink"
)

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
// for it. Create it with New and run it once with Run.
type Reconciler struct {
	cfg     Options
	models  Models
	journal journal
	log     *slog.Logger
	// link is the MQTT link Run was given; it is set before Run starts
	// anything that publishes.
	link Link

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
	running sync.WaitGroup // updates and health watches under way
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
	// watch is the version an update activated and that is to be watched
	// beside the loop for the health window ("": none).
	watch string
}

// New checks cfg and returns a Reconciler that asks models to activate
// and roll back, and keeps its own progress in j.
func New(cfg Options, models Models, j Journal) (*Reconciler, error) {
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
	if models == nil || j == nil {
		return nil, fmt.Errorf("ota: New needs the models and a journal")
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
		cfg: cfg, models: models, journal: journal{j},
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
// its status again. Pass it as mqttlink.Options.OnConnect of the link
// given to Run: the loop exists before the link does.
func (r *Reconciler) OnConnect() {
	select {
	case r.connected <- struct{}{}:
	default:
	}
}

// Run subscribes, over link, to the device's desired-state topics and
// reconciles until ctx ends; then it waits for the updates and health
// watches under way to stop, publishes an offline status and returns. It
// returns nil: failures along the way are reported and retried, not
// returned. Run is called once.
func (r *Reconciler) Run(ctx context.Context, link Link) error {
	if link == nil {
		return fmt.Errorf("ota: Run needs a link")
	}
	r.link = link
	r.recoverCreated()
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
		received := r.evaluate(ctx)
		for {
			name, c, ok := r.next(ctx)
			if !ok {
				break
			}
			r.busy[name] = true
			r.running.Add(1)
			go func() {
				defer r.running.Done()
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
	r.running.Wait()
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
	if res.watch != "" {
		r.watchBeside(ctx, res.name, res.watch)
		return
	}
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
	newest, err := r.journal.created(m.Name)
	if err != nil {
		return err
	}
	if m.Created.Before(newest) {
		return fmt.Errorf("%w: %s %s was created %s, before %s, the newest manifest this device has taken for the model", ErrStale, m.Name, m.Version, m.Created.Format(time.RFC3339Nano), newest.Format(time.RFC3339Nano))
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

// recoverCreated makes the journal's newest created time of each model at
// least that of the manifest its active version came in. The agent keeps
// that manifest in the record it writes with the activation, and the loop
// notes the time in its journal after; a crash in between loses nothing.
func (r *Reconciler) recoverCreated() {
	recs, err := r.models.Records()
	if err != nil {
		r.log.Error("reading the model records", "err", err)
		return
	}
	for _, rec := range recs {
		var env Envelope
		var m struct {
			Created time.Time `json:"created"`
		}
		if len(rec.Manifest) == 0 || json.Unmarshal(rec.Manifest, &env) != nil || json.Unmarshal(env.Manifest, &m) != nil {
			continue
		}
		if err := r.journal.took(rec.Name, m.Created); err != nil {
			r.log.Error("recording the newest manifest taken", "model", rec.Name, "err", err)
		}
	}
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
		if rej, found, err := r.journal.rejected(name); err == nil && found && rej.Version == c.m.Version && rej.SHA256 == c.m.SHA256 {
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
