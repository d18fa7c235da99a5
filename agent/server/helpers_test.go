package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// socketDir returns a short new directory (socket paths are limited to
// about 100 bytes, too few for t.TempDir under long test names).
func socketDir(t *testing.T) string {
	t.Helper()
	d, err := os.MkdirTemp("", "eiapi")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

// server is a running Serve on a real socket.
type server struct {
	sock string
	hc   *http.Client
	stop func() error // ends Serve and returns its error
}

// serve runs Listen + Serve with b on a new socket until the test ends.
func serve(t *testing.T, b Backend, o Options) *server {
	t.Helper()
	sock := filepath.Join(socketDir(t), "edgeinfer.sock")
	ln, err := Listen(sock, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	return serveOn(t, ln, b, o)
}

// serveOn runs Serve with b on ln until the test ends.
func serveOn(t *testing.T, ln net.Listener, b Backend, o Options) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, b, o) }()
	var once sync.Once
	var serveErr error
	stop := func() error {
		once.Do(func() {
			cancel()
			select {
			case serveErr = <-done:
			case <-time.After(60 * time.Second):
				serveErr = errors.New("Serve did not return within 60 s of its context ending")
			}
		})
		return serveErr
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Error(err)
		}
	})
	sock := ln.Addr().String()
	return &server{sock: sock, hc: unixClient(sock), stop: stop}
}

func unixClient(sock string) *http.Client {
	return &http.Client{
		Timeout: 60 * time.Second,
		Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		}},
	}
}

// answer is a response read whole.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// errMsg is the "error" of a JSON error body.
func (a answer) errMsg() string {
	var e struct{ Error string }
	json.Unmarshal(a.body, &e)
	return e.Error
}

func (s *server) do(t *testing.T, method, path string, header map[string]string, body []byte) answer {
	t.Helper()
	req, err := http.NewRequest(method, "http://edgeinfer"+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := s.hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the answer: %v", method, path, err)
	}
	return answer{resp.StatusCode, resp.Header, b}
}

func (s *server) get(t *testing.T, path string) answer {
	t.Helper()
	return s.do(t, http.MethodGet, path, nil, nil)
}

// golden compares got with testdata/name, rewriting it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run with -update after checking):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// waitFor polls cond until it holds, failing the test after a minute.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
