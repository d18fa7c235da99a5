package hub

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/edgeinfer/edgeinfer/hub/hubclient"
	"github.com/edgeinfer/edgeinfer/internal/httpx"
	"github.com/edgeinfer/edgeinfer/store"
	"github.com/edgeinfer/edgeinfer/telemetry"
)

// running is a hub serving on a real loopback listener.
type running struct {
	URL  string
	srv  *Server
	stop func()
}

// startHub serves a hub on addr ("127.0.0.1:0" for a free port) until
// the test ends or stop is called.
func startHub(t testing.TB, addr string, o Options) *running {
	t.Helper()
	srv, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	var ln net.Listener
	deadline := time.Now().Add(30 * time.Second)
	for {
		// Reusing a port just closed can take a moment.
		if ln, err = net.Listen("tcp", addr); err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		srv.Close()
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	stopped := false
	h := &running{URL: "http://" + ln.Addr().String(), srv: srv}
	h.stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
		srv.Close()
	}
	t.Cleanup(h.stop)
	return h
}

// agent is an uploader with a real state file and one busy model.
type agent struct {
	id  string
	st  *store.Store
	rec *telemetry.Recorder
	m   *telemetry.ModelStats
	up  *telemetry.Uploader
}

func newAgent(t testing.TB, id, url, token string) *agent {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), id+".db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	rec := telemetry.NewRecorder()
	rec.SetDevice(telemetry.Device{ID: id, AgentVersion: "test", Platform: "generic-amd64"})
	up, err := telemetry.NewUploader(rec, st, telemetry.UploaderOptions{
		Config: telemetry.Config{Collector: url, Token: token},
		HTTP:   httpx.Options{RetryMax: 1, RetryWaitMin: 5 * time.Millisecond, RetryWaitMax: 10 * time.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	return &agent{id: id, st: st, rec: rec, m: rec.Model("kws", "1"), up: up}
}

// requests records n requests of about d each.
func (a *agent) requests(n int, d time.Duration, errs int) {
	for i := range n {
		a.m.Observe(telemetry.Observation{Queue: d / 10, Compute: d, Total: d + d/10, Batch: 1, Error: i < errs})
	}
}

type deviceList []hubclient.Device

// getDevices reads the fleet with the hub's client and the read token.
func getDevices(t testing.TB, base string) deviceList {
	t.Helper()
	c := hubclient.Client{BaseURL: base, Token: "tok"}
	out, err := c.Devices(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func (l deviceList) model(id, name string) (hubclient.Device, hubclient.Model) {
	for _, d := range l {
		if d.ID == id {
			for _, m := range d.Models {
				if m.Name == name {
					return d, m
				}
			}
			return d, hubclient.Model{}
		}
	}
	return hubclient.Device{}, hubclient.Model{}
}

func TestTwoAgentsOutageAndRestart(t *testing.T) {
	dir := t.TempDir()
	h := startHub(t, "127.0.0.1:0", Options{DataDir: dir, Token: "tok"})
	addr := strings.TrimPrefix(h.URL, "http://")
	a := newAgent(t, "dev-a", h.URL, "tok")
	b := newAgent(t, "dev-b", h.URL, "tok")
	ctx := context.Background()

	a.requests(100, 2*time.Millisecond, 3)
	b.requests(40, 20*time.Millisecond, 0)
	for _, ag := range []*agent{a, b} {
		if err := ag.up.Tick(ctx); err != nil {
			t.Fatal(err)
		}
	}
	devs := getDevices(t, h.URL)
	if len(devs) != 2 {
		t.Fatalf("%d devices, want 2: %+v", len(devs), devs)
	}
	da, ma := devs.model("dev-a", "kws")
	if !da.Online || ma.Requests != 100 || ma.Errors != 3 || ma.Version != "1" || da.Platform != "generic-amd64" {
		t.Errorf("dev-a: %+v %+v", da, ma)
	}
	if ma.P50ms < 1.8 || ma.P50ms > 2.8 || ma.P99ms < ma.P50ms {
		t.Errorf("dev-a p50 %v p99 %v ms, want p50 about 2.2", ma.P50ms, ma.P99ms)
	}

	// The hub goes down; both agents keep collecting into their spools.
	h.stop()
	for range 3 {
		a.requests(10, time.Millisecond, 1)
		b.requests(5, time.Millisecond, 0)
		a.up.Tick(ctx)
		b.up.Tick(ctx)
	}
	if s, _ := a.up.Stats(); s.Spooled != 3 {
		t.Fatalf("dev-a spooled %d batches during the outage, want 3", s.Spooled)
	}

	// The hub comes back on the same address with the same data.
	h = startHub(t, addr, Options{DataDir: dir, Token: "tok"})
	for _, ag := range []*agent{a, b} {
		if n, err := ag.up.Flush(ctx); err != nil || n != 3 {
			t.Fatalf("%s delivered %d spooled batches: %v, want 3", ag.id, n, err)
		}
	}
	// A retried batch (same idempotency key) must count once.
	retryTwice(t, h.URL, a)

	devs = getDevices(t, h.URL)
	if _, m := devs.model("dev-a", "kws"); m.Requests != 137 || m.Errors != 6 {
		t.Errorf("dev-a totals %d requests %d errors, want 137 and 6", m.Requests, m.Errors)
	}
	if d, m := devs.model("dev-b", "kws"); m.Requests != 55 || d.Batches != 4 {
		t.Errorf("dev-b totals %d requests in %d batches, want 55 in 4", m.Requests, d.Batches)
	}
	// The series holds one point per batch, in time order.
	ser := getSeries(t, h.URL, "dev-a", "kws")
	if len(ser.Points) != 5 {
		t.Fatalf("%d points, want 5", len(ser.Points))
	}
	for i := 1; i < len(ser.Points); i++ {
		if !ser.Points[i].T.After(ser.Points[i-1].T) {
			t.Errorf("points out of order: %v then %v", ser.Points[i-1].T, ser.Points[i].T)
		}
	}
	if ser.Points[0].Requests != 100 || ser.Points[3].Requests != 10 || ser.Points[4].Requests != 7 || ser.Points[0].P50ms < 1.8 {
		t.Errorf("points %+v", ser.Points)
	}

	// Everything survives a restart of the hub.
	h.stop()
	h = startHub(t, "127.0.0.1:0", Options{DataDir: dir, Token: "tok"})
	if _, m := getDevices(t, h.URL).model("dev-a", "kws"); m.Requests != 137 {
		t.Errorf("after a restart dev-a has %d requests, want 137", m.Requests)
	}
}

// retryTwice spools one more batch of 7 requests and posts it twice with
// its idempotency key, as an agent whose first answer got lost would.
func retryTwice(t *testing.T, base string, a *agent) {
	t.Helper()
	a.requests(7, time.Millisecond, 0)
	if err := a.up.Collect(); err != nil {
		t.Fatal(err)
	}
	seq, data, ok, err := a.st.SpoolOldest()
	if err != nil || !ok {
		t.Fatalf("spool: ok %v, %v", ok, err)
	}
	for range 2 {
		resp := post(t, base+"/v1/metrics", data, map[string]string{
			"Content-Encoding": "gzip", "Idempotency-Key": fmt.Sprintf("%s-%d", a.id, seq), "Authorization": "Bearer tok"})
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("post: %d", resp.StatusCode)
		}
	}
	if err := a.st.SpoolDelete(seq); err != nil {
		t.Fatal(err)
	}
}

func getSeries(t *testing.T, base, device, model string) hubclient.Series {
	t.Helper()
	c := hubclient.Client{BaseURL: base, Token: "tok"}
	s, err := c.Series(context.Background(), device, model, 0)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func post(t *testing.T, url string, body []byte, headers map[string]string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-protobuf")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// TestSpoolCapReportedAtHub lets an agent's small spool overflow while the
// hub is down: the oldest batches are lost, the survivors arrive, and the
// hub shows the agent's drop count.
func TestSpoolCapReportedAtHub(t *testing.T) {
	dir := t.TempDir()
	h := startHub(t, "127.0.0.1:0", Options{DataDir: dir, OpenIngest: true})
	addr := strings.TrimPrefix(h.URL, "http://")
	st, err := store.Open(filepath.Join(t.TempDir(), "a.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rec := telemetry.NewRecorder()
	rec.SetDevice(telemetry.Device{ID: "dev-a"})
	m := rec.Model("kws", "1")
	up, err := telemetry.NewUploader(rec, st, telemetry.UploaderOptions{Config: telemetry.Config{Collector: h.URL, SpoolBytes: 3000},
		HTTP: httpx.Options{RetryMax: -1}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	h.stop()
	for range 8 {
		m.Observe(telemetry.Observation{Compute: time.Millisecond, Total: time.Millisecond, Batch: 1})
		up.Tick(ctx)
	}
	s, _ := up.Stats()
	if s.Dropped == 0 || s.Spooled+int(s.Dropped) != 8 {
		t.Fatalf("spool after 8 batches into 3000 bytes: %+v, want drops", s)
	}
	h = startHub(t, addr, Options{DataDir: dir, OpenIngest: true})
	// The first batch after the outage may push one more old batch out;
	// the second reports the final drop count.
	for range 2 {
		if err := up.Tick(ctx); err != nil {
			t.Fatal(err)
		}
	}
	s, _ = up.Stats()
	if s.Spooled != 0 || s.Sent+s.Dropped != 10 {
		t.Fatalf("after the outage: %+v, want everything sent or dropped", s)
	}
	d, mj := getDevices(t, h.URL).model("dev-a", "kws")
	if d.SpoolDropped != s.Dropped || mj.Requests != 8-s.Dropped || d.Batches != 10-s.Dropped {
		t.Errorf("hub shows %d dropped, %d requests in %d batches; want %d dropped, %d requests in %d batches",
			d.SpoolDropped, mj.Requests, d.Batches, s.Dropped, 8-s.Dropped, 10-s.Dropped)
	}
}
