package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// unixClient is an HTTP client that dials the agent's socket.
func unixClient(socket string) *http.Client {
	return &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", socket)
	}}, Timeout: 30 * time.Second}
}

// waitReady polls GET /v2/health/ready until it answers 200 (20 s at most).
func waitReady(t *testing.T, c *http.Client, exited <-chan struct{}) {
	t.Helper()
	for end := time.Now().Add(20 * time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		select {
		case <-exited:
			t.Fatal("the agent exited before it was ready")
		default:
		}
		resp, err := c.Get("http://agent/v2/health/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
	}
	t.Fatal("the agent did not become ready within 20s")
}

// sineRequest asks the hello_world model for sin(x).
func sineRequest(x float64) string {
	return fmt.Sprintf(`{"inputs":[{"name":"serving_default_dense_input:0","shape":[1,1],"datatype":"FP32","data":[%g]}]}`, x)
}

type inferResponse struct {
	ModelName    string `json:"model_name"`
	ModelVersion string `json:"model_version"`
	Outputs      []struct {
		Name string    `json:"name"`
		Data []float64 `json:"data"`
	} `json:"outputs"`
}

func postInfer(c *http.Client, model, body string) (*http.Response, inferResponse, error) {
	var r inferResponse
	resp, err := c.Post("http://agent/v2/models/"+model+"/infer", "application/json", strings.NewReader(body))
	if err != nil {
		return nil, r, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return resp, r, fmt.Errorf("status %d: %s", resp.StatusCode, b)
	}
	return resp, r, json.Unmarshal(b, &r)
}

// TestAgentCommand runs `edgeinfer agent` in process on a temporary socket
// with a real model, asks it for an inference, and stops it the way
// SIGTERM does (its context ends): it drains and returns 0.
func TestAgentCommand(t *testing.T) {
	dir := t.TempDir()
	socket := filepath.Join(dir, "run", "agent.sock")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr bytes.Buffer
	code := make(chan int, 1)
	exited := make(chan struct{})
	go func() {
		code <- run(ctx, []string{"agent", "--socket", socket, "--data-dir", filepath.Join(dir, "data"),
			"--model", "sine=" + helloModel(t), "--log-format", "json"}, io.Discard, &lockedWriter{w: &stderr})
		close(exited)
	}()
	c := unixClient(socket)
	waitReady(t, c, exited)
	fi, err := os.Stat(socket)
	if err != nil || fi.Mode().Perm() != 0o660 || fi.Mode()&os.ModeSocket == 0 {
		t.Errorf("socket %v mode %v, want a socket with 0660", err, fi.Mode())
	}
	_, r, err := postInfer(c, "sine", sineRequest(math.Pi/2))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Outputs) != 1 || len(r.Outputs[0].Data) != 1 || math.Abs(r.Outputs[0].Data[0]-1) > 0.1 {
		t.Errorf("sin(pi/2) = %+v, want about 1", r.Outputs)
	}
	cancel()
	select {
	case got := <-code:
		if got != 0 {
			t.Errorf("exit code %d; log:\n%s", got, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the agent did not stop within 30s of its context ending")
	}
	if _, err := os.Stat(filepath.Join(dir, "data", stateFile)); err != nil {
		t.Errorf("state file: %v", err)
	}
	if !strings.Contains(stderr.String(), `"msg":"agent ready"`) {
		t.Errorf("no JSON 'agent ready' log line:\n%s", stderr.String())
	}
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// TestAgentRefusesBadStateFile: a state file that is not edgeinfer's
// (garbage, or another program's bbolt file) stops the agent at start with
// a message naming the file, and the file is left exactly as it was.
func TestAgentRefusesBadStateFile(t *testing.T) {
	tests := []struct {
		name    string
		content []byte
		say     string
	}{
		{"garbage", bytes.Repeat([]byte("not a database "), 500), stateFile},
		{"truncated", nil, stateFile},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			db := filepath.Join(dir, stateFile)
			content := tc.content
			if content == nil {
				content = make([]byte, 4096) // a zeroed page: no bbolt meta
			}
			os.WriteFile(db, content, 0o600)
			before := sha256.Sum256(content)
			var stderr bytes.Buffer
			code := run(context.Background(), []string{"agent", "--socket", filepath.Join(dir, "s.sock"), "--data-dir", dir,
				"--model", "sine=" + helloModel(t)}, io.Discard, &stderr)
			if code != 1 || !strings.Contains(stderr.String(), "cannot start") || !strings.Contains(stderr.String(), tc.say) {
				t.Errorf("exit %d, stderr %q", code, stderr.String())
			}
			after, _ := os.ReadFile(db)
			if sha256.Sum256(after) != before {
				t.Error("the agent changed the state file it refused")
			}
			if _, err := os.Stat(filepath.Join(dir, "s.sock")); err == nil {
				t.Error("socket created although the agent refused to start")
			}
		})
	}
}

func TestAgentFlagAndConfigErrors(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "agent.yaml")
	os.WriteFile(cfg, []byte("models:\n  face:\n    path: /x.tflite\n    max_batch: 999\n"), 0o644)
	tests := []struct {
		args []string
		say  string
	}{
		{[]string{"--model", "face"}, "want NAME=PATH"},
		{[]string{"--model", "a/b=/x"}, `model name "a/b"`},
		{[]string{"--config", cfg}, cfg + ":4: models.face.max_batch: 999 is outside 1..256"},
		{[]string{"--config", filepath.Join(dir, "missing.yaml")}, "missing.yaml"},
		{[]string{"--log-format", "xml"}, "log_format"},
		{[]string{"--broker", "mqtt://localhost:1883"}, "ota.trusted_keys: missing"},
		{[]string{"extra"}, "argument"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var stderr bytes.Buffer
			code := run(context.Background(), append([]string{"agent", "--data-dir", dir}, tc.args...), io.Discard, &stderr)
			if code != 2 || !strings.Contains(stderr.String(), tc.say) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr.String(), tc.say)
			}
		})
	}
}

// buildBinary builds bin/edgeinfer for process-level tests, once.
var buildBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "edgeinfer-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "edgeinfer")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// startAgent starts the real binary as a child process.
func startAgent(t *testing.T, bin string, args ...string) (*exec.Cmd, <-chan struct{}) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"agent"}, args...)...)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() { cmd.Process.Kill(); <-exited })
	return cmd, exited
}

// TestAgentKill9DuringCacheWrites runs the real agent process with the
// result cache on, keeps it writing cache entries from several clients,
// kills it with SIGKILL mid-stream, and restarts it on the same data
// directory: the state file opens, and answers cached before the kill
// come back as cache hits.
func TestAgentKill9DuringCacheWrites(t *testing.T) {
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "agent.yaml")
	os.WriteFile(cfg, fmt.Appendf(nil, "defaults:\n  cache: true\nmodels:\n  sine:\n    path: %s\n", helloModel(t)), 0o644)
	socket := filepath.Join(dir, "agent.sock")
	args := []string{"--config", cfg, "--socket", socket, "--data-dir", filepath.Join(dir, "data"), "--log-level", "warn"}
	cmd, exited := startAgent(t, bin, args...)
	c := unixClient(socket)
	waitReady(t, c, exited)

	var next, answered atomic.Int64
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				x := next.Add(1)
				if _, _, err := postInfer(c, "sine", sineRequest(float64(x)/1000)); err != nil {
					return // the agent is gone
				}
				answered.Store(max(answered.Load(), x))
			}
		}()
	}
	waitFor(t, func() bool { return answered.Load() > 500 })
	// The first answers are in the state file (x = 1..20 are among the
	// first 40 written).
	waitFor(t, func() bool { return metric(c, "edgeinfer_cache_writes_total") >= 40 })
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-exited
	wg.Wait()
	t.Logf("killed after %d answers", answered.Load())

	_, exited2 := startAgent(t, bin, args...)
	waitReady(t, c, exited2)
	hits := 0
	for x := 1; x <= 20; x++ {
		resp, _, err := postInfer(c, "sine", sineRequest(float64(x)/1000))
		if err != nil {
			t.Fatalf("after restart: %v", err)
		}
		if resp.Header.Get("X-Edgeinfer-Cache") == "hit" {
			hits++
		}
	}
	if hits == 0 {
		t.Error("no answer from before the kill came back from the cache")
	}
	t.Logf("%d of the first 20 answers were cache hits after the restart", hits)
}

// metric reads one unlabelled value of the agent's /metrics (-1 when it
// cannot).
func metric(c *http.Client, name string) float64 {
	resp, err := c.Get("http://agent/metrics")
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err == nil {
				return f
			}
		}
	}
	return -1
}

// waitFor polls cond for up to 30 s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(30 * time.Second); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("condition not met within 30s")
}

// TestAgentSignals runs the real binary: SIGHUP re-reads the config file
// (a model added to it starts serving), and SIGTERM lets a request in
// flight finish before the process exits 0.
func TestAgentSignals(t *testing.T) {
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "agent.yaml")
	slow := conformance(t, "tfls_deeplabv3_float", "model.tflite")
	os.WriteFile(cfg, fmt.Appendf(nil, "models:\n  sine:\n    path: %s\n", helloModel(t)), 0o644)
	socket := filepath.Join(dir, "agent.sock")
	cmd, exited := startAgent(t, bin, "--config", cfg, "--socket", socket, "--data-dir", filepath.Join(dir, "data"), "--log-level", "warn")
	c := unixClient(socket)
	waitReady(t, c, exited)

	os.WriteFile(cfg, fmt.Appendf(nil, "models:\n  sine:\n    path: %s\n  seg:\n    path: %s\n    version: \"7\"\n", helloModel(t), slow), 0o644)
	cmd.Process.Signal(syscall.SIGHUP)
	waitFor(t, func() bool {
		resp, err := c.Get("http://agent/v2/models/seg/ready")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})

	// A slow request, then SIGTERM while it runs: it is answered.
	body := fmt.Sprintf(`{"inputs":[{"name":"sub_7","shape":[1,257,257,3],"datatype":"FP32","data":[%s0]}]}`, strings.Repeat("0,", 257*257*3-1))
	answered := make(chan error, 1)
	go func() {
		_, _, err := postInfer(c, "seg", body)
		answered <- err
	}()
	// In flight: its body holds room in the budget until it is answered.
	waitFor(t, func() bool { return metric(c, "edgeinfer_request_body_bytes_in_flight") > 0 })
	cmd.Process.Signal(syscall.SIGTERM)
	if err := <-answered; err != nil {
		t.Errorf("request in flight at SIGTERM: %v", err)
	}
	select {
	case <-exited:
		if code := cmd.ProcessState.ExitCode(); code != 0 {
			t.Errorf("exit code %d after SIGTERM", code)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no exit within 30s of SIGTERM")
	}
}
