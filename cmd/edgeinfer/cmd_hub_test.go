//go:build !nohub

package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/edgeinfer/edgeinfer/store"
	"github.com/edgeinfer/edgeinfer/telemetry"
)

// buildEdgeinfer builds the edgeinfer binary into a temporary directory.
func buildEdgeinfer(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "edgeinfer")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// hubProcess is a running "edgeinfer hub".
type hubProcess struct {
	cmd  *exec.Cmd
	URL  string
	done chan error
}

// lockedBuffer collects a process's stderr for the test to read.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startHubProcess runs "edgeinfer hub" and waits for its "listening"
// line.
func startHubProcess(t *testing.T, bin string, args ...string) *hubProcess {
	t.Helper()
	return startHubProcessWith(t, bin, nil, append([]string{"hub"}, args...)...)
}

// startHubProcessLog is startHubProcess with the hub's log in log.
func startHubProcessLog(t *testing.T, bin string, log *lockedBuffer, args ...string) *hubProcess {
	t.Helper()
	return startHubProcessWith(t, bin, log, append([]string{"hub"}, args...)...)
}

// startHubProcessWith runs exe args (a hub, perhaps under a wrapper such
// as prlimit) with its stderr in log (nil: the test's stderr).
func startHubProcessWith(t *testing.T, exe string, log io.Writer, args ...string) *hubProcess {
	t.Helper()
	cmd := exec.Command(exe, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if log != nil {
		cmd.Stderr = log
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	h := &hubProcess{cmd: cmd, done: make(chan error, 1)}
	line := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if s := sc.Text(); strings.HasPrefix(s, "hub listening on ") {
				line <- strings.TrimPrefix(s, "hub listening on ")
			}
		}
		h.done <- cmd.Wait()
	}()
	select {
	case h.URL = <-line:
	case err := <-h.done:
		t.Fatalf("edgeinfer hub exited before listening: %v", err)
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatal("edgeinfer hub did not report listening within 60 s")
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-h.done
		}
	})
	return h
}

// stop sends SIGTERM and expects a clean exit.
func (h *hubProcess) stop(t *testing.T) {
	t.Helper()
	h.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-h.done:
		if err != nil {
			t.Errorf("edgeinfer hub after SIGTERM: %v", err)
		}
	case <-time.After(60 * time.Second):
		h.cmd.Process.Kill()
		t.Fatal("edgeinfer hub did not stop within 60 s of SIGTERM")
	}
}

type hubDevice struct {
	ID       string `json:"id"`
	Online   bool   `json:"online"`
	Platform string `json:"platform"`
	Models   []struct {
		Name     string  `json:"name"`
		Version  string  `json:"version"`
		Requests uint64  `json:"requests"`
		Errors   uint64  `json:"errors"`
		P50ms    float64 `json:"p50_ms"`
	} `json:"models"`
}

func hubDevices(t *testing.T, base string) map[string]hubDevice {
	t.Helper()
	return hubDevicesVia(t, http.DefaultClient, base)
}

func hubDevicesVia(t *testing.T, c *http.Client, base string) map[string]hubDevice {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/api/devices", nil)
	req.Header.Set("Authorization", "Bearer tok")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list []hubDevice
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	out := map[string]hubDevice{}
	for _, d := range list {
		out[d.ID] = d
	}
	return out
}

// TestHubProcess runs the real edgeinfer hub and two agents' telemetry
// (startTelemetry, real state files) against it: the hub stops for a
// while, the agents spool, the hub restarts on the same port with the same
// data, and every request arrives exactly once.
func TestHubProcess(t *testing.T) {
	bin := buildEdgeinfer(t)
	dataDir := t.TempDir()
	tokFile := writeFile(t, "hub.token", []byte("tok\n"))
	h := startHubProcess(t, bin, "--listen", "127.0.0.1:0", "--data-dir", dataDir, "--token-file", tokFile)
	addr := strings.TrimPrefix(h.URL, "http://")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type dev struct {
		id string
		m  *telemetry.ModelStats
		st *store.Store
	}
	var devs []dev
	for _, id := range []string{"dev-a", "dev-b"} {
		st, err := store.Open(filepath.Join(t.TempDir(), id+".db"), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		rec := telemetry.NewRecorder()
		wait, err := startTelemetry(ctx, telemetry.Config{Collector: h.URL, Token: "tok", Interval: 100 * time.Millisecond},
			telemetry.Device{ID: id, AgentVersion: "test", Platform: "generic-amd64"}, rec, st, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { cancel(); wait() }() // before the store closes
		devs = append(devs, dev{id, rec.Model("kws", "1"), st})
	}
	observe := func(n int) {
		for _, d := range devs {
			for range n {
				d.m.Observe(telemetry.Observation{Compute: 3 * time.Millisecond, Total: 3 * time.Millisecond, Batch: 1})
			}
		}
	}
	// waitTotals polls until each device has want requests, failing on
	// more (a batch counted twice).
	waitTotals := func(base string, want uint64) {
		t.Helper()
		deadline := time.Now().Add(90 * time.Second)
		for {
			got := hubDevices(t, base)
			ok := true
			for _, d := range devs {
				var n uint64
				if m := got[d.id].Models; len(m) == 1 {
					n = m[0].Requests
				}
				if n > want {
					t.Fatalf("%s has %d requests at the hub, more than the %d made", d.id, n, want)
				}
				ok = ok && n == want && got[d.id].Online
			}
			if ok {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("hub totals %+v, want %d requests per device within 90 s", got, want)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}

	observe(50)
	waitTotals(h.URL, 50)

	h.stop(t)
	observe(30) // made while the hub is down: they wait in the spools
	for _, d := range devs {
		waitFor(t, func() bool { n, _, _, err := d.st.SpoolStats(); return err == nil && n > 0 })
	}
	observe(20)
	h = startHubProcess(t, bin, "--listen", addr, "--data-dir", dataDir, "--token-file", tokFile)
	waitTotals(h.URL, 100)

	// Stop the agents, restart the hub: the totals persist.
	cancel()
	h.stop(t)
	h = startHubProcess(t, bin, "--listen", "127.0.0.1:0", "--data-dir", dataDir, "--token-file", tokFile)
	got := hubDevices(t, h.URL)
	for _, d := range devs {
		if m := got[d.id].Models; len(m) != 1 || m[0].Requests != 100 || m[0].P50ms < 2 || m[0].P50ms > 4 {
			t.Errorf("after restart %s: %+v, want 100 requests with p50 about 3 ms", d.id, got[d.id])
		}
	}
	resp, err := http.Get(h.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), "edgeinfer fleet") {
		t.Errorf("dashboard page: %.200s", page)
	}
	h.stop(t)
}

func TestHubUsage(t *testing.T) {
	tok := writeFile(t, "hub.token", []byte("tok\n"))
	if _, stderr, code := edgeinfer("hub", "--listen", "127.0.0.1:0"); code != 2 || !strings.Contains(stderr, "--data-dir is required") {
		t.Errorf("hub without --data-dir: exit %d, %q", code, stderr)
	}
	file := writeFile(t, "not-a-dir", []byte("x"))
	if _, stderr, code := edgeinfer("hub", "--data-dir", file, "--token-file", tok); code != 1 || !strings.Contains(stderr, "data directory") {
		t.Errorf("hub with a file as --data-dir: exit %d, %q", code, stderr)
	}
	_, stderr, code := edgeinfer("hub", "--data-dir", t.TempDir(), "--token-file", tok, "--listen", "256.0.0.1:1")
	if code != 1 || !strings.Contains(stderr, fmt.Sprintf("listen on %s", "256.0.0.1:1")) {
		t.Errorf("hub with a bad address: exit %d, %q", code, stderr)
	}
}

// TestHubRefusesOpenIngest: without a write token the real hub refuses
// to start and says how to fix it; with --open it starts and warns that
// anyone may post and read, and that --public-url is unset.
func TestHubRefusesOpenIngest(t *testing.T) {
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "hub", "--listen", "127.0.0.1:0", "--data-dir", t.TempDir()).CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 || !strings.Contains(string(out), "no write token: give --token-file FILE") ||
		!strings.Contains(string(out), "--open") {
		t.Errorf("hub without a token: %v\n%s\nwant exit 2 naming --token-file and --open", err, out)
	}
	var log lockedBuffer
	h := startHubProcessLog(t, bin, &log, "--listen", "127.0.0.1:0", "--data-dir", t.TempDir(), "--open")
	h.stop(t)
	for _, want := range []string{"no token: anyone", "no public URL"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("hub --open log lacks %q:\n%s", want, log.String())
		}
	}
}

// TestHubTokens runs the real hub with a write and a read token: the
// fleet inventory, the series and telemetry are refused without the right
// one; --public-url set means no warning about it.
func TestHubTokens(t *testing.T) {
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	var log lockedBuffer
	h := startHubProcessLog(t, bin, &log, "--listen", "127.0.0.1:0", "--data-dir", t.TempDir(),
		"--token-file", writeFile(t, "w.token", []byte("w-tok\n")), "--read-token-file", writeFile(t, "r.token", []byte("r-tok\n")),
		"--public-url", "https://hub.example.com")
	for _, tc := range []struct {
		method, path, token string
		want                int
	}{
		{"GET", "/api/devices", "", 401},
		{"GET", "/api/devices", "w-tok", 401},
		{"GET", "/api/devices", "r-tok", 200},
		{"GET", "/api/series?device=d&model=m", "", 401},
		{"GET", "/api/series?device=d&model=m", "r-tok", 200},
		{"POST", "/v1/metrics", "", 401},
		{"POST", "/v1/metrics", "r-tok", 401},
		{"PUT", "/v1/blobs/sha256/" + strings.Repeat("a", 64), "r-tok", 401},
		{"GET", "/", "", 200},
	} {
		req, _ := http.NewRequest(tc.method, h.URL+tc.path, strings.NewReader("x"))
		req.Header.Set("Content-Type", "application/x-protobuf")
		if tc.token != "" {
			req.Header.Set("Authorization", "Bearer "+tc.token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("%s %s with token %q: %d, want %d", tc.method, tc.path, tc.token, resp.StatusCode, tc.want)
		}
	}
	h.stop(t)
	if strings.Contains(log.String(), "no public URL") || strings.Contains(log.String(), "no token") {
		t.Errorf("warnings with --public-url and tokens set:\n%s", log.String())
	}
}

// TestHubCutsSlowUploads runs the real hub with --read-timeout 1s: a
// telemetry upload that stalls after a few bytes is cut (the connection
// ends), a slow request line too, while an authorized blob upload that
// keeps sending, and lasts longer than the timeout, is stored.
func TestHubCutsSlowUploads(t *testing.T) {
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	h := startHubProcess(t, bin, "--listen", "127.0.0.1:0", "--data-dir", t.TempDir(), "--read-timeout", "1s",
		"--token-file", writeFile(t, "w.token", []byte("w-tok\n")))
	addr := strings.TrimPrefix(h.URL, "http://")
	for _, start := range []string{
		"POST /v1/metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer w-tok\r\nContent-Type: application/x-protobuf\r\nContent-Length: 100000\r\n\r\n0123456789",
		"GET /api/dev",
	} {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := c.Write([]byte(start)); err != nil {
			t.Fatal(err)
		}
		// The hub must end the connection; the test's own deadline only
		// keeps a broken hub from hanging it.
		c.SetReadDeadline(time.Now().Add(60 * time.Second))
		_, err = io.Copy(io.Discard, c)
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Errorf("a stalled request (%.20q…) was still open after 60 s", start)
		}
	}

	// 12 chunks a quarter second apart: 3 s in all, never idle for 1 s.
	blob := bytes.Repeat([]byte("edgeinfer"), 12<<10)
	sum := sha256.Sum256(blob)
	pr, pw := io.Pipe()
	go func() {
		for i := range 12 {
			time.Sleep(250 * time.Millisecond)
			pw.Write(blob[i*len(blob)/12 : (i+1)*len(blob)/12])
		}
		pw.Close()
	}()
	req, _ := http.NewRequest(http.MethodPut, h.URL+"/v1/blobs/sha256/"+hex.EncodeToString(sum[:]), pr)
	req.ContentLength = int64(len(blob))
	req.Header.Set("Authorization", "Bearer w-tok")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("slow but steady blob upload: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("slow but steady blob upload: %d %s, want 201", resp.StatusCode, body)
	}
}

// TestHubConnectionCap runs the real hub with a 256-file limit (prlimit)
// and opens 300 connections from one address (127.0.0.2) that never
// finish their request: beyond --max-conns-per-ip the hub answers 503 and
// closes them, and GET /api/devices from another address is answered.
func TestHubConnectionCap(t *testing.T) {
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	prlimit, err := exec.LookPath("prlimit")
	if err != nil {
		t.Fatalf("this test needs prlimit (Debian: util-linux): %v", err)
	}
	const perIP, conns = 16, 300
	h := startHubProcessWith(t, prlimit, nil, "--nofile=256:256", bin, "hub", "--listen", "127.0.0.1:0", "--data-dir", t.TempDir(),
		"--token-file", writeFile(t, "w.token", []byte("tok\n")), "--max-conns-per-ip", fmt.Sprint(perIP), "--read-timeout", "5m")
	addr := strings.TrimPrefix(h.URL, "http://")
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}}
	refused := make(chan struct{}, conns)
	for range conns {
		c, err := d.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("dial from 127.0.0.2: %v", err)
		}
		defer c.Close()
		c.Write([]byte("POST /v1/metrics HTTP/1.1\r\nHost: x\r\n"))
		go func() {
			b, _ := io.ReadAll(c)
			if strings.HasPrefix(string(b), "HTTP/1.1 503") {
				refused <- struct{}{}
			}
		}()
	}
	for i := range conns - perIP {
		select {
		case <-refused:
		case <-time.After(60 * time.Second):
			t.Fatalf("%d of %d connections over the per-address cap refused within 60 s", i, conns-perIP)
		}
	}
	c := &http.Client{Timeout: 60 * time.Second}
	got := hubDevicesVia(t, c, h.URL)
	if len(got) != 0 {
		t.Errorf("devices %v, want none", got)
	}
	select {
	case <-refused:
		t.Errorf("more than %d connections refused: the cap is %d per address", conns-perIP, perIP)
	default:
	}
}
