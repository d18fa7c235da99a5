package hub

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/edgeinfer/edgeinfer/internal/httpx"
	"github.com/edgeinfer/edgeinfer/store"
	"github.com/edgeinfer/edgeinfer/telemetry"
)

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestAgentRefused has a real hub answer an agent 401 (wrong token) and
// 413 (body over --max-body): the agent drops the batch without retrying
// and logs the reason once.
func TestAgentRefused(t *testing.T) {
	for _, tc := range []struct {
		name   string
		o      Options
		token  string
		status string
	}{
		{"401", Options{Token: "right", ReadToken: "tok"}, "wrong", "401"},
		{"413", Options{MaxBody: 200, OpenIngest: true}, "", "413"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hubLog syncBuffer
			tc.o.DataDir = t.TempDir()
			tc.o.Logger = slog.New(slog.NewTextHandler(&hubLog, nil))
			h := startHub(t, "127.0.0.1:0", tc.o)
			st, err := store.Open(t.TempDir()+"/a.db", store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			rec := telemetry.NewRecorder()
			rec.SetDevice(telemetry.Device{ID: "dev-a"})
			rec.Model("kws", "1").Observe(telemetry.Observation{Total: time.Millisecond})
			var agentLog syncBuffer
			up, err := telemetry.NewUploader(rec, st, telemetry.UploaderOptions{
				Config: telemetry.Config{Collector: h.URL, Token: tc.token}, Logger: slog.New(slog.NewTextHandler(&agentLog, nil)),
				HTTP: httpx.Options{RetryMax: 3, RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond},
			})
			if err != nil {
				t.Fatal(err)
			}
			for range 2 {
				if err := up.Tick(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			s, _ := up.Stats()
			if s.Rejected != 2 || s.Sent != 0 || s.Spooled != 0 {
				t.Errorf("agent stats %+v, want 2 rejected and nothing spooled", s)
			}
			if n := strings.Count(hubLog.String(), "request refused"); n != 2 {
				t.Errorf("hub refused %d requests, want 2 (no retries):\n%s", n, hubLog.String())
			}
			if n := strings.Count(agentLog.String(), "collector refused"); n != 1 || !strings.Contains(agentLog.String(), "status="+tc.status) {
				t.Errorf("agent log, want one refusal with status %s:\n%s", tc.status, agentLog.String())
			}
			if len(getDevices(t, h.URL)) != 0 {
				t.Error("a refused batch created a device")
			}
		})
	}
}

// TestBadBodies sends malformed and oversize bodies: each gets its status
// and a reason, and the hub keeps serving.
func TestBadBodies(t *testing.T) {
	h := startHub(t, "127.0.0.1:0", Options{DataDir: t.TempDir(), MaxBody: 64 << 10, OpenIngest: true})
	good, err := telemetry.Encode(&telemetry.Batch{Device: telemetry.Device{ID: "dev-ok"}, Start: time.Now().Add(-time.Minute), End: time.Now(),
		Models: []telemetry.ModelDelta{{Name: "m", Version: "1"}}})
	if err != nil {
		t.Fatal(err)
	}
	nul, _ := telemetry.Encode(&telemetry.Batch{Device: telemetry.Device{ID: "dev\x00x"}, End: time.Now()})
	for _, tc := range []struct {
		name    string
		body    []byte
		headers map[string]string
		status  int
		reason  string
	}{
		{"garbage", []byte("\x0a\xff\xff\xff\xff\x0f"), nil, 400, "protobuf"},
		{"empty", nil, nil, 400, "0 resources"},
		{"garbage gzip", []byte("not gzip at all"), map[string]string{"Content-Encoding": "gzip"}, 400, "gzip"},
		{"truncated gzip", telemetry.Gzip(good)[:40], map[string]string{"Content-Encoding": "gzip"}, 400, "gzip"},
		{"oversize body", make([]byte, 65<<10), nil, 413, "larger than"},
		{"gzip bomb", telemetry.Gzip(make([]byte, maxBatchBytes+1)), map[string]string{"Content-Encoding": "gzip"}, 413, "uncompressed"},
		{"JSON", []byte(`{"resourceMetrics":[]}`), map[string]string{"Content-Type": "application/json"}, 415, "x-protobuf"},
		{"brotli", good, map[string]string{"Content-Encoding": "br"}, 415, "encoding"},
		{"NUL in device id", nul, nil, 400, "NUL"},
		{"long key", good, map[string]string{"Idempotency-Key": strings.Repeat("k", 300)}, 400, "Idempotency-Key"},
		{"good", good, nil, 200, ""},
		{"good gzip", telemetry.Gzip(good), map[string]string{"Content-Encoding": "gzip"}, 200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, h.URL+"/v1/metrics", bytes.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/x-protobuf")
			for k, v := range tc.headers {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var buf bytes.Buffer
			buf.ReadFrom(resp.Body)
			if resp.StatusCode != tc.status || !strings.Contains(buf.String(), tc.reason) {
				t.Errorf("status %d body %q, want %d with %q", resp.StatusCode, buf.String(), tc.status, tc.reason)
			}
		})
	}
	if devs := getDevices(t, h.URL); len(devs) != 1 || devs[0].ID != "dev-ok" || devs[0].Batches != 2 {
		t.Errorf("devices after the bad bodies: %+v, want dev-ok with 2 batches", devs)
	}
}
