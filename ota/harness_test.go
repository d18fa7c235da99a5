package ota

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/edgeinfer/edgeinfer/internal/brokertest"
	"github.com/edgeinfer/edgeinfer/internal/mqttlink"
	"github.com/edgeinfer/edgeinfer/store"
)

const waitLimit = 90 * time.Second

// hub is a loopback HTTP blob server with the hub's GET protocol (Range
// supported) and faults a test can arm: cut the connection or stall at a
// byte offset, once.
type hub struct {
	srv *httptest.Server

	mu     sync.Mutex
	blobs  map[string][]byte
	served int64
	ranges []string
	// cutAt > 0 aborts the next response once it reached that offset.
	cutAt int64
	// stallAt > 0 blocks the next response at that offset until release
	// is closed; stalled is closed when it blocks.
	stallAt          int64
	stalled, release chan struct{}
}

func newHub(t testing.TB) *hub {
	h := &hub{blobs: map[string][]byte{}}
	h.srv = httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(func() {
		h.mu.Lock()
		if h.release != nil {
			select {
			case <-h.release:
			default:
				close(h.release)
			}
		}
		h.mu.Unlock()
		h.srv.Close()
	})
	return h
}

// add serves data and returns its URL and sha256.
func (h *hub) add(data []byte) (string, string) {
	sum := sha256.Sum256(data)
	hexsum := hex.EncodeToString(sum[:])
	h.mu.Lock()
	h.blobs[hexsum] = data
	h.mu.Unlock()
	return h.srv.URL + "/v1/blobs/sha256/" + hexsum, hexsum
}

// stallNext arms a stall at offset and returns the channel closed when the
// server blocks there, and the function that lets it go on.
func (h *hub) stallNext(offset int64) (stalled <-chan struct{}, release func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.stallAt, h.stalled, h.release = offset, make(chan struct{}), make(chan struct{})
	rel := h.release
	var once sync.Once
	return h.stalled, func() { once.Do(func() { close(rel) }) }
}

func (h *hub) stats() (served int64, ranges []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.served, append([]string(nil), h.ranges...)
}

func (h *hub) serve(w http.ResponseWriter, r *http.Request) {
	key := strings.TrimPrefix(r.URL.Path, "/v1/blobs/sha256/")
	h.mu.Lock()
	data, ok := h.blobs[key]
	cutAt, stallAt, stalled, release := h.cutAt, h.stallAt, h.stalled, h.release
	h.cutAt, h.stallAt = 0, 0
	if rg := r.Header.Get("Range"); rg != "" {
		h.ranges = append(h.ranges, rg)
	}
	h.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	start := int64(0)
	if rg := r.Header.Get("Range"); rg != "" {
		n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(rg, "bytes="), "-"), 10, 64)
		if err != nil || n >= int64(len(data)) {
			w.WriteHeader(http.StatusRequestedRangeNotSatisfiable)
			return
		}
		start = n
		w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", n, len(data)-1, len(data)))
		w.Header().Set("Content-Length", strconv.Itoa(len(data)-int(n)))
		w.WriteHeader(http.StatusPartialContent)
	} else {
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		w.WriteHeader(http.StatusOK)
	}
	for off := start; off < int64(len(data)); {
		end := min(off+16<<10, int64(len(data)))
		if cutAt > off && cutAt < end {
			end = cutAt
		}
		if stallAt > off && stallAt < end {
			end = stallAt
		}
		n, err := w.Write(data[off:end])
		h.mu.Lock()
		h.served += int64(n)
		h.mu.Unlock()
		if err != nil {
			return
		}
		off = end
		if off == cutAt {
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler) // drop the connection mid-body
		}
		if off == stallAt {
			w.(http.Flusher).Flush()
			close(stalled)
			select {
			case <-release:
			case <-r.Context().Done():
				return
			}
		}
	}
}

// env is one test's fleet: a real mosquitto, a loopback hub, an operator
// MQTT link and two trusted signing keys.
type env struct {
	broker *brokertest.Broker
	hub    *hub
	op     *mqttlink.Link
	keys   Keyring
	fleet  string
}

func newEnv(t testing.TB) *env {
	t.Helper()
	e := &env{broker: brokertest.Start(t, brokertest.Options{}), hub: newHub(t), keys: trusted(), fleet: "lab"}
	e.op = dialLink(t, e.broker.URL, "operator", nil, nil)
	return e
}

func dialLink(t testing.TB, broker, id string, will *mqttlink.Message, onConnect func()) *mqttlink.Link {
	t.Helper()
	l, err := mqttlink.Dial(mqttlink.Options{Broker: broker, ClientID: id, Will: will, OnConnect: onConnect, MaxReconnectInterval: time.Second, MaxPayloadBytes: MaxEnvelopeBytes})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Close)
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	if err := l.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	return l
}

// manifest serves the model file at path on the hub and describes it.
func (e *env) manifest(t testing.TB, path, name, version string, smoke *Smoke) *Manifest {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	url, sum := e.hub.add(data)
	return &Manifest{Name: name, Version: version, SHA256: sum, Size: int64(len(data)), URLs: []string{url}, Smoke: smoke, Target: &Target{Fleet: e.fleet}, Created: time.Now().UTC()}
}

// push signs m with key and publishes it retained on topic.
func (e *env) push(t testing.TB, topic string, m *Manifest, key ed25519.PrivateKey) {
	t.Helper()
	env, err := Sign(m, key)
	if err != nil {
		t.Fatal(err)
	}
	e.pushRaw(t, topic, env)
}

func (e *env) pushRaw(t testing.TB, topic string, payload []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	if err := e.op.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	if err := e.op.Publish(ctx, topic, 1, true, payload); err != nil {
		t.Fatal(err)
	}
}

// device is one running reconciler with its own data directory, store,
// engine-backed models and MQTT link.
type device struct {
	id     string
	dir    string
	st     *store.Store
	link   *mqttlink.Link
	models *engineModels
	rec    *Reconciler
	cancel context.CancelFunc
	done   chan struct{}

	mu     sync.Mutex
	events []Event
	// settled is the largest message count the loop had received when it
	// found nothing to do.
	settled uint64
}

// waitSettled waits until the loop, having received at least n messages,
// found nothing left to do: every message taken, no update running.
func (d *device) waitSettled(t testing.TB, n uint64) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for time.Now().Before(deadline) {
		d.mu.Lock()
		got := d.settled
		d.mu.Unlock()
		if got >= n {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s: the loop did not settle after %d messages within %s; events: %v", d.id, n, waitLimit, d.eventList())
}

// startDevice starts a device on dir (a new one when dir is ""), loading
// its records first as the agent does.
func (e *env) startDevice(t testing.TB, id, dir string, tweak func(*Options)) *device {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	st, err := store.Open(filepath.Join(dir, "state.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	models, err := newEngineModels(dir)
	if err != nil {
		t.Fatal(err)
	}
	d := &device{id: id, dir: dir, st: st, models: models, done: make(chan struct{})}
	cfg := Options{
		Config:   Config{Fleet: e.fleet, HealthWindow: -1},
		DeviceID: id, Keys: e.keys, DataDir: dir,
		AgentVersion: "v0.2.0", Platform: "linux/test",
		RetryMin: 50 * time.Millisecond,
		OnEvent: func(ev Event) {
			d.mu.Lock()
			d.events = append(d.events, ev)
			d.mu.Unlock()
		},
	}
	if tweak != nil {
		tweak(&cfg)
	}
	d.rec, err = New(cfg, d.models, st.OTAJournal())
	if err != nil {
		t.Fatal(err)
	}
	link := dialLink(t, e.broker.URL, id, &mqttlink.Message{Topic: StatusTopic(id), Payload: OfflineStatus(id, e.fleet), Retained: true}, d.rec.OnConnect)
	d.rec.settled = func(received uint64) {
		d.mu.Lock()
		d.settled = max(d.settled, received)
		d.mu.Unlock()
	}
	d.link = link
	ctx, cancel := context.WithCancel(context.Background())
	d.cancel = cancel
	go func() {
		defer close(d.done)
		if err := d.rec.Run(ctx, link); err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	t.Cleanup(d.stop)
	return d
}

// stop ends the reconciler and closes the store (idempotent).
func (d *device) stop() {
	d.cancel()
	<-d.done
	d.link.Close()
	if d.st != nil {
		d.st.Close()
		d.st = nil
	}
}

// waitEvent waits for an event that pred accepts and returns it.
func (d *device) waitEvent(t testing.TB, what string, pred func(Event) bool) Event {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for time.Now().Before(deadline) {
		d.mu.Lock()
		for _, ev := range d.events {
			if pred(ev) {
				d.mu.Unlock()
				return ev
			}
		}
		d.mu.Unlock()
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s: no event %s within %s; events: %v", d.id, what, waitLimit, d.eventList())
	return Event{}
}

func (d *device) eventList() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []string
	for _, ev := range d.events {
		out = append(out, ev.Model+" "+ev.Version+" "+ev.String())
	}
	return out
}

func (d *device) waitState(t testing.TB, model, version, state string) Event {
	t.Helper()
	return d.waitEvent(t, model+" "+version+" "+state, func(ev Event) bool {
		return ev.Model == model && ev.Version == version && ev.State == state
	})
}

// statusWatcher collects the devices' retained statuses.
type statusWatcher struct {
	mu   sync.Mutex
	last map[string]Status
}

func (e *env) watchStatus(t *testing.T) *statusWatcher {
	w := &statusWatcher{last: map[string]Status{}}
	l := dialLink(t, e.broker.URL, "watcher-"+strconv.FormatInt(time.Now().UnixNano(), 36), nil, nil)
	err := l.Subscribe(context.Background(), StatusFilter, 1, func(m mqttlink.Message) {
		var s Status
		if json.Unmarshal(m.Payload, &s) == nil {
			dev := strings.Split(m.Topic, "/")[3]
			w.mu.Lock()
			w.last[dev] = s
			w.mu.Unlock()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *statusWatcher) waitFor(t *testing.T, dev string, pred func(Status) bool) Status {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for time.Now().Before(deadline) {
		w.mu.Lock()
		s, ok := w.last[dev]
		w.mu.Unlock()
		if ok && pred(s) {
			return s
		}
		time.Sleep(10 * time.Millisecond)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	t.Fatalf("status of %s did not reach the expected state within %s; last: %+v", dev, waitLimit, w.last[dev])
	return Status{}
}

// modelFiles lists the files in a device's directory of model name.
func modelFiles(t *testing.T, dir, name string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, "models", name))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}
