package httpx

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestRetryPolicy(t *testing.T) {
	tests := []struct {
		name     string
		statuses []int // answers in order; the last one repeats
		want     int   // final status the caller sees
		attempts int32
	}{
		{"ok at once", []int{200}, 200, 1},
		{"503 then ok", []int{503, 503, 200}, 200, 3},
		{"429 then ok", []int{429, 200}, 200, 2},
		{"401 is not retried", []int{401}, 401, 1},
		{"413 is not retried", []int{413}, 413, 1},
		{"500 until retries run out", []int{500}, 500, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var n atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				i := int(n.Add(1)) - 1
				if i >= len(tc.statuses) {
					i = len(tc.statuses) - 1
				}
				body, _ := io.ReadAll(r.Body)
				if string(body) != "payload" {
					t.Errorf("attempt %d: body %q, want the full payload again", i+1, body)
				}
				w.WriteHeader(tc.statuses[i])
				io.WriteString(w, "answer")
			}))
			defer srv.Close()
			c := New(Options{RetryMax: 2, RetryWaitMin: time.Millisecond, RetryWaitMax: 2 * time.Millisecond})
			resp, err := c.Post(srv.URL, "text/plain", strings.NewReader("payload"))
			if err != nil {
				t.Fatalf("Post: %v", err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.want || string(body) != "answer" {
				t.Errorf("got %d %q, want %d \"answer\"", resp.StatusCode, body, tc.want)
			}
			if got := n.Load(); got != tc.attempts {
				t.Errorf("server saw %d attempts, want %d", got, tc.attempts)
			}
		})
	}
}

func TestContextStopsRetries(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.WriteHeader(503)
	}))
	defer srv.Close()
	c := New(Options{RetryMax: 100, RetryWaitMin: 50 * time.Millisecond, RetryWaitMax: 50 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	resp, err := c.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("Do returned %d after the context ended, want an error", resp.StatusCode)
	}
	if got := n.Load(); got > 10 {
		t.Errorf("server saw %d attempts after the context ended", got)
	}
}

func TestRefusedConnectionIsRetriedThenReported(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	c := New(Options{RetryMax: 1, RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond})
	_, err := c.Get(url)
	if err == nil || !strings.Contains(err.Error(), "connect") {
		t.Fatalf("Get of a closed port: %v, want a connection error", err)
	}
}
