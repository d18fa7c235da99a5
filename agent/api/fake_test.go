package api

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/edgeinfer/edgeinfer/agent"
	"github.com/edgeinfer/edgeinfer/runtime"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// fakeBackend is an in-process Backend for handler tests. Model "double"
// doubles its FP32[1,3] input x into y and sums it into sum; "bytes"
// echoes a UINT8[1,4]; "full" answers ErrQueueFull; "slow" waits for the
// request's context; "broken" has no working version.
type fakeBackend struct {
	mu       sync.Mutex
	models   map[string]agent.ModelStatus
	notReady bool
	lastReq  *agent.Request
	release  chan struct{} // "slow" returns when this closes, if set
}

var loadedAt = time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC)

func newFake() *fakeBackend {
	f32 := func(name string, shape ...int) runtime.TensorInfo {
		return runtime.TensorInfo{Name: name, DType: runtime.Float32, Shape: shape}
	}
	u8 := []runtime.TensorInfo{{Name: "b", DType: runtime.UInt8, Shape: []int{1, 4}}}
	model := func(name, digest string, in, out []runtime.TensorInfo) agent.ModelStatus {
		return agent.ModelStatus{Name: name, Version: "1", Digest: strings.Repeat(digest, 32), State: agent.StateReady,
			Inputs: in, Outputs: out, Sessions: 2, QueueCap: 64, MaxBatch: 1, LoadedAt: loadedAt}
	}
	double := model("double", "ab", []runtime.TensorInfo{f32("x", 1, 3)}, []runtime.TensorInfo{f32("y", 1, 3), f32("sum", 1)})
	double.Requests, double.Errors, double.CacheHits, double.CacheMisses = 10, 1, 3, 7
	double.P50, double.P99, double.Queue, double.MaxBatch = 1500*time.Microsecond, 12*time.Millisecond, 2, 8
	full := model("full", "ef", u8, u8)
	full.Queue = 64
	broken := model("broken", "23", u8, u8)
	broken.State, broken.Error = agent.StateFailed, "tflite: model.tflite: runtime: invalid model"
	m := map[string]agent.ModelStatus{}
	for _, st := range []agent.ModelStatus{double, model("bytes", "cd", u8, u8), full, model("slow", "01", u8, u8), broken} {
		m[st.Name] = st
	}
	return &fakeBackend{models: m}
}

func (f *fakeBackend) Models() []agent.ModelStatus {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []agent.ModelStatus
	for _, name := range []string{"broken", "bytes", "double", "full", "slow", "installed"} {
		if st, ok := f.models[name]; ok {
			out = append(out, st)
		}
	}
	return out
}

func (f *fakeBackend) Model(name string) (agent.ModelStatus, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	st, ok := f.models[name]
	if !ok {
		return st, fmt.Errorf("%w: %q", agent.ErrNoModel, name)
	}
	return st, nil
}

func (f *fakeBackend) Ready() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return !f.notReady
}

func (f *fakeBackend) WritePrometheus(w io.Writer) {
	fmt.Fprintf(w, "# TYPE edgeinfer_requests_total counter\nedgeinfer_requests_total{model=\"double\"} 10\n")
}

// Install accepts files whose content starts with "TFL3" (the flatbuffer
// identifier of a model) and refuses others as invalid.
func (f *fakeBackend) Install(ctx context.Context, name, path string) (agent.ModelStatus, error) {
	b, err := os.ReadFile(path)
	if err != nil || !bytes.Contains(b, []byte("TFL3")) {
		return agent.ModelStatus{}, fmt.Errorf("%w: %s: not a TFLite model", agent.ErrInvalidModel, path)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	st := f.models["bytes"]
	st.Name, st.Path, st.Version = name, path, fmt.Sprint(len(b))
	f.models[name] = st
	return st, nil
}

func (f *fakeBackend) Infer(ctx context.Context, req *agent.Request) (*agent.Response, error) {
	f.mu.Lock()
	f.lastReq = req
	st, ok := f.models[req.Model]
	release := f.release
	f.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("%w: %q", agent.ErrNoModel, req.Model)
	}
	resp := &agent.Response{Model: req.Model, Version: st.Version, Cache: agent.CacheMiss, Queue: 250 * time.Microsecond, Compute: 1250 * time.Microsecond, Batch: 1}
	if req.NoCache {
		resp.Cache = agent.CacheOff
	}
	var outs []agent.Tensor
	switch req.Model {
	case "full":
		return nil, fmt.Errorf("%w: model %q has 64 requests waiting", agent.ErrQueueFull, req.Model)
	case "slow":
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("model %q: %w", req.Model, ctx.Err())
		case <-release:
		}
		outs = []agent.Tensor{req.Inputs[0]}
	case "double":
		x := floats(req.Inputs[0].Data)
		y, sum := make([]float32, len(x)), float32(0)
		for i, v := range x {
			y[i], sum = 2*v, sum+v
		}
		outs = []agent.Tensor{
			{Name: "y", DType: runtime.Float32, Shape: []int{1, 3}, Data: floatBytes(y...)},
			{Name: "sum", DType: runtime.Float32, Shape: []int{1}, Data: floatBytes(sum)},
		}
	default:
		outs = []agent.Tensor{req.Inputs[0]}
	}
	if len(req.Outputs) > 0 {
		var sel []agent.Tensor
		for _, name := range req.Outputs {
			for _, o := range outs {
				if o.Name == name {
					sel = append(sel, o)
				}
			}
		}
		outs = sel
	}
	resp.Outputs = outs
	return resp, nil
}

func (f *fakeBackend) last() *agent.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lastReq
}

func floats(b []byte) []float32 {
	out := make([]float32, len(b)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out
}

func floatBytes(v ...float32) []byte {
	var b []byte
	for _, f := range v {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(f))
	}
	return b
}

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
