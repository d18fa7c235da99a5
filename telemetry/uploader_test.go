package telemetry

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
	"google.golang.org/protobuf/proto"

	"github.com/edgeinfer/edgeinfer/internal/httpx"
	"github.com/edgeinfer/edgeinfer/store"
)

// collector is an OTLP/HTTP endpoint on loopback that decodes what it
// gets and answers with the status its test chooses.
type collector struct {
	srv    *httptest.Server
	status atomic.Int32 // answer; 0 means 200
	mu     sync.Mutex
	keys   []string // idempotency keys of accepted batches, in arrival order
	tries  int      // requests of any outcome
	auth   []string
	reqs   uint64 // requests counted by the accepted batches
}

func newCollector(t *testing.T) *collector {
	c := &collector{}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.tries++
		if s := int(c.status.Load()); s != 0 {
			http.Error(w, fmt.Sprintf("status %d chosen by the test", s), s)
			return
		}
		if r.URL.Path != "/v1/metrics" || r.Header.Get("Content-Type") != "application/x-protobuf" || r.Header.Get("Content-Encoding") != "gzip" {
			http.Error(w, "bad request line or headers", http.StatusBadRequest)
			return
		}
		z, _ := io.ReadAll(r.Body)
		reqs, _, err := readBatch(z)
		c.reqs += reqs
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		c.keys = append(c.keys, r.Header.Get("Idempotency-Key"))
		c.auth = append(c.auth, r.Header.Get("Authorization"))
	}))
	t.Cleanup(c.srv.Close)
	return c
}

// readBatch reads a gzipped batch with the OTLP types, as a collector
// would, and returns the requests it counts and its spool drop count.
func readBatch(z []byte) (requests, spoolDropped uint64, err error) {
	zr, err := gzip.NewReader(bytes.NewReader(z))
	if err != nil {
		return 0, 0, err
	}
	p, err := io.ReadAll(zr)
	if err != nil {
		return 0, 0, err
	}
	var md metricspb.MetricsData
	if err := proto.Unmarshal(p, &md); err != nil {
		return 0, 0, err
	}
	if len(md.ResourceMetrics) != 1 {
		return 0, 0, fmt.Errorf("%d resources, want 1", len(md.ResourceMetrics))
	}
	for _, sm := range md.ResourceMetrics[0].ScopeMetrics {
		for _, m := range sm.Metrics {
			switch m.Name {
			case MetricRequests:
				for _, dp := range m.GetSum().GetDataPoints() {
					requests += uint64(dp.GetAsInt())
				}
			case MetricSpoolDropped:
				for _, dp := range m.GetSum().GetDataPoints() {
					spoolDropped += uint64(dp.GetAsInt())
				}
			}
		}
	}
	return requests, spoolDropped, nil
}

func (c *collector) snapshot() (keys []string, tries int, reqs uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.keys...), c.tries, c.reqs
}

// The agent's state file is the spool the wiring hands the uploader.
var _ Spool = (*store.Store)(nil)

func openStore(t *testing.T, path string) *store.Store {
	t.Helper()
	st, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// fastRetries keeps the client's retries short for tests.
var fastRetries = httpx.Options{RetryMax: 2, RetryWaitMin: 5 * time.Millisecond, RetryWaitMax: 20 * time.Millisecond}

func newTestUploader(t *testing.T, rec *Recorder, st Spool, url string, o UploaderOptions) *Uploader {
	t.Helper()
	o.Collector = url
	if o.HTTP == (httpx.Options{}) {
		o.HTTP = fastRetries
	}
	u, err := NewUploader(rec, st, o)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func deviceRecorder(id string) (*Recorder, *ModelStats) {
	r := NewRecorder()
	r.SetDevice(Device{ID: id, AgentVersion: "test", Platform: "generic-amd64"})
	return r, r.Model("kws", "1")
}

func TestUploaderDelivers(t *testing.T) {
	c := newCollector(t)
	st := openStore(t, filepath.Join(t.TempDir(), "state.db"))
	defer st.Close()
	rec, m := deviceRecorder("dev-a")
	u := newTestUploader(t, rec, st, c.srv.URL+"/", UploaderOptions{Config: Config{Token: "s3cret"}})
	m.Observe(Observation{Compute: time.Millisecond, Total: time.Millisecond, Batch: 1})
	if err := u.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	keys, _, reqs := c.snapshot()
	if len(keys) != 1 || keys[0] != "dev-a-1" || reqs != 1 {
		t.Fatalf("collector got keys %v with %d requests, want [dev-a-1] and 1", keys, reqs)
	}
	if c.auth[0] != "Bearer s3cret" {
		t.Errorf("Authorization %q", c.auth[0])
	}
	if s, _ := u.Stats(); s.Sent != 1 || s.Spooled != 0 {
		t.Errorf("stats %+v", s)
	}
}

// TestUploaderOutage takes the collector down (503, then closed port) and
// checks that the batches wait in the spool and arrive in order, each
// once, when it is back; and that the sequence survives a restart.
func TestUploaderOutage(t *testing.T) {
	c := newCollector(t)
	path := filepath.Join(t.TempDir(), "state.db")
	st := openStore(t, path)
	rec, m := deviceRecorder("dev-a")
	var logs bytes.Buffer
	u := newTestUploader(t, rec, st, c.srv.URL, UploaderOptions{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	ctx := context.Background()

	observe := func() { m.Observe(Observation{Compute: time.Millisecond, Total: time.Millisecond, Batch: 1}) }
	observe()
	u.Tick(ctx) // delivered: dev-a-1
	c.status.Store(http.StatusServiceUnavailable)
	for range 3 {
		observe()
		u.Tick(ctx)
	}
	if s, _ := u.Stats(); s.Spooled != 3 || s.Sent != 1 {
		t.Fatalf("after three batches during a 503 outage: %+v, want 3 spooled, 1 sent", s)
	}
	if n := strings.Count(logs.String(), "batches stay in the spool"); n != 1 {
		t.Errorf("outage logged %d times, want once:\n%s", n, logs.String())
	}

	// Restart the agent while the collector is down: the spool and the
	// sequence live in the state file.
	st.Close()
	st = openStore(t, path)
	defer st.Close()
	rec2, m2 := deviceRecorder("dev-a")
	u = newTestUploader(t, rec2, st, c.srv.URL, UploaderOptions{})
	m2.Observe(Observation{Compute: time.Millisecond, Total: time.Millisecond, Batch: 1})
	u.Tick(ctx)
	c.status.Store(0)
	if n, err := u.Flush(ctx); err != nil || n != 4 {
		t.Fatalf("Flush after the outage delivered %d: %v, want 4", n, err)
	}
	keys, _, reqs := c.snapshot()
	want := []string{"dev-a-1", "dev-a-2", "dev-a-3", "dev-a-4", "dev-a-5"}
	if fmt.Sprint(keys) != fmt.Sprint(want) {
		t.Errorf("keys %v, want %v", keys, want)
	}
	if reqs != 5 {
		t.Errorf("collector counted %d requests, want 5", reqs)
	}
}

// TestUploaderConnectionRefused spools while nothing listens.
func TestUploaderConnectionRefused(t *testing.T) {
	c := newCollector(t)
	url := c.srv.URL
	c.srv.Close()
	st := openStore(t, filepath.Join(t.TempDir(), "state.db"))
	defer st.Close()
	rec, _ := deviceRecorder("dev-a")
	u := newTestUploader(t, rec, st, url, UploaderOptions{})
	if err := u.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := u.Flush(context.Background()); err == nil {
		t.Fatal("Flush to a closed port succeeded")
	}
	if s, _ := u.Stats(); s.Spooled != 1 {
		t.Errorf("%+v, want the batch spooled", s)
	}
}

// TestUploaderRefused checks that 401 and 413 are not retried, drop the
// batch and are logged once per status.
func TestUploaderRefused(t *testing.T) {
	for _, status := range []int{http.StatusUnauthorized, http.StatusRequestEntityTooLarge} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			c := newCollector(t)
			c.status.Store(int32(status))
			st := openStore(t, filepath.Join(t.TempDir(), "state.db"))
			defer st.Close()
			rec, _ := deviceRecorder("dev-a")
			var logs bytes.Buffer
			u := newTestUploader(t, rec, st, c.srv.URL, UploaderOptions{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			for range 2 {
				if err := u.Tick(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			_, tries, _ := c.snapshot()
			if tries != 2 {
				t.Errorf("collector saw %d requests for 2 batches, want 2 (no retries)", tries)
			}
			s, _ := u.Stats()
			if s.Rejected != 2 || s.Spooled != 0 || s.Sent != 0 {
				t.Errorf("stats %+v, want 2 rejected, none spooled", s)
			}
			if n := strings.Count(logs.String(), "collector refused"); n != 1 {
				t.Errorf("refusal logged %d times, want once:\n%s", n, logs.String())
			}
			if !strings.Contains(logs.String(), "chosen by the test") || !strings.Contains(logs.String(), fmt.Sprint(status)) {
				t.Errorf("log lacks the status and the collector's reason:\n%s", logs.String())
			}
		})
	}
}

// TestSpoolCap fills a small spool during an outage: the oldest batches
// go, the drop count grows and the next delivered batch reports it.
func TestSpoolCap(t *testing.T) {
	c := newCollector(t)
	c.status.Store(http.StatusBadGateway)
	st := openStore(t, filepath.Join(t.TempDir(), "state.db"))
	defer st.Close()
	rec, m := deviceRecorder("dev-a")
	u := newTestUploader(t, rec, st, c.srv.URL, UploaderOptions{Config: Config{SpoolBytes: 5000}})
	for range 10 {
		m.Observe(Observation{Compute: time.Millisecond, Total: time.Millisecond, Batch: 1})
		if err := u.Collect(); err != nil {
			t.Fatal(err)
		}
	}
	s, _ := u.Stats()
	if s.Dropped == 0 || s.SpooledBytes > 5000 || s.Spooled+int(s.Dropped) != 10 {
		t.Fatalf("after 10 batches into a 5000-byte spool: %+v", s)
	}
	c.status.Store(0)
	if _, err := u.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	keys, _, _ := c.snapshot()
	if len(keys) != s.Spooled || keys[0] != fmt.Sprintf("dev-a-%d", s.Dropped+1) {
		t.Errorf("delivered %v, want the newest %d batches", keys, s.Spooled)
	}
	// The drop count travels with the next batch.
	if err := u.Collect(); err != nil {
		t.Fatal(err)
	}
	_, z, _, _ := st.SpoolOldest()
	_, dropped, err := readBatch(z)
	if err != nil {
		t.Fatal(err)
	}
	if dropped != s.Dropped {
		t.Errorf("batch reports %d dropped, want %d", dropped, s.Dropped)
	}
}

// TestOutage24h simulates a day without a collector at the default
// interval and cap, five models busy all day, and reports the spool.
func TestOutage24h(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "state.db"))
	defer st.Close()
	rec := NewRecorder()
	rec.SetDevice(Device{ID: "dev-a", AgentVersion: "test", Platform: "generic-amd64"})
	clock := rec.start
	var models []*ModelStats
	for i := range 5 {
		models = append(models, rec.Model(fmt.Sprintf("model-%d", i), "1"))
	}
	u := newTestUploader(t, rec, st, "http://127.0.0.1:9", UploaderOptions{Now: func() time.Time { return clock }})
	const batches = 24 * 60
	for i := range batches {
		clock = clock.Add(DefaultInterval)
		for j, m := range models {
			for k := range 20 {
				d := time.Duration(1000+(i*7+j*13+k*31)%9000) * time.Microsecond
				m.Observe(Observation{Queue: d / 10, Compute: d, Total: d + d/10, Batch: 1 + k%4})
			}
		}
		if err := u.Collect(); err != nil {
			t.Fatal(err)
		}
	}
	s, err := u.Stats()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("24 h outage at %v: %d batches collected, %d spooled in %d bytes (%.0f bytes/batch), %d dropped (cap %d bytes)",
		DefaultInterval, s.Collected, s.Spooled, s.SpooledBytes, float64(s.SpooledBytes)/float64(max(s.Spooled, 1)), s.Dropped, DefaultSpoolBytes)
	if s.Collected != batches || s.Spooled+int(s.Dropped) != batches || s.SpooledBytes > DefaultSpoolBytes {
		t.Errorf("stats %+v do not add up to %d batches within the cap", s, batches)
	}
}

func TestNewUploaderChecks(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "state.db"))
	defer st.Close()
	rec, _ := deviceRecorder("dev-a")
	for _, tc := range []struct {
		name string
		rec  *Recorder
		o    UploaderOptions
		want string
	}{
		{"no URL", rec, UploaderOptions{}, "collector URL"},
		{"ftp URL", rec, UploaderOptions{Config: Config{Collector: "ftp://x"}}, "collector URL"},
		{"negative interval", rec, UploaderOptions{Config: Config{Collector: "http://x", Interval: -time.Second}}, "negative"},
		{"no device id", NewRecorder(), UploaderOptions{Config: Config{Collector: "http://x"}}, "device id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewUploader(tc.rec, st, tc.o)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("NewUploader: %v, want an error about %q", err, tc.want)
			}
		})
	}
}

func TestRunStopsWithContext(t *testing.T) {
	c := newCollector(t)
	st := openStore(t, filepath.Join(t.TempDir(), "state.db"))
	defer st.Close()
	rec, m := deviceRecorder("dev-a")
	u := newTestUploader(t, rec, st, c.srv.URL, UploaderOptions{Config: Config{Interval: 20 * time.Millisecond}})
	m.Observe(Observation{Total: time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- u.Run(ctx) }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if keys, _, _ := c.snapshot(); len(keys) >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no two batches within 30 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	if keys, _, reqs := c.snapshot(); reqs != 1 {
		t.Errorf("collector counted %d requests over %d batches, want 1", reqs, len(keys))
	}
}
