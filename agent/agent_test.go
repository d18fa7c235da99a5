package agent

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/edgeinfer/edgeinfer/internal/sharedtest"
	"github.com/edgeinfer/edgeinfer/platforms"
	"github.com/edgeinfer/edgeinfer/runtime"
	_ "github.com/edgeinfer/edgeinfer/runtime/tflite" // the models of these tests are TFLite files
	"github.com/edgeinfer/edgeinfer/store"
)

// The models the tests serve, from ../shared/conformance. The quantized
// MobileNet's reference outputs came from the real TFLite and edgeinfer
// reproduces them bit for bit, so answers are compared byte for byte.
const (
	quantModel = "tfls_mobilenet_v1_025_224_quant" // uint8 [1,224,224,3] -> uint8 [1,1001], ~20 ms
	floatModel = "tfls_mobilenet_v1_025_224_float"
	tinyModel  = "tflm_hello_world_float"
)

func modelPath(t testing.TB, name string) string {
	return filepath.Join(sharedtest.Dir(t), "conformance", name, "model.tflite")
}

// caseData returns input 0 and output 0 of case_0 of a conformance model.
func caseData(t testing.TB, name string) (in, out []byte) {
	dir := filepath.Join(sharedtest.Dir(t), "conformance", name, "case_0")
	in, err := os.ReadFile(filepath.Join(dir, "in_0.bin"))
	if err != nil {
		t.Fatal(err)
	}
	out, err = os.ReadFile(filepath.Join(dir, "out_0.bin"))
	if err != nil {
		t.Fatal(err)
	}
	return in, out
}

// testConfig configures the named models from the conformance folder.
func testConfig(t testing.TB, models map[string]ModelConfig) Config {
	c := Config{DataDir: t.TempDir(), Models: map[string]ModelConfig{}}
	for name, m := range models {
		if m.Path == "" {
			m.Path = modelPath(t, name)
		}
		c.Models[name] = m
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	return c.Resolve(platforms.Defaults{Threads: 1, Sessions: 1, CacheBytes: 1 << 20})
}

// newAgent starts an agent over a real state file in the config's data
// directory and closes both at the end of the test.
func newAgent(t testing.TB, c Config) (*Agent, *store.Store) {
	t.Helper()
	st, err := store.Open(filepath.Join(c.DataDir, "edgeinfer.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(context.Background(), Options{Config: c, Store: st})
	if err != nil {
		st.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		a.Close(context.Background())
		st.Close()
	})
	return a, st
}

func quantRequest(t testing.TB) (*Request, []byte) {
	in, out := caseData(t, quantModel)
	return &Request{Model: quantModel, Inputs: []Tensor{{Name: "input", DType: runtime.UInt8, Shape: []int{1, 224, 224, 3}, Data: in}}}, out
}

func TestInferMatchesReference(t *testing.T) {
	a, _ := newAgent(t, testConfig(t, map[string]ModelConfig{quantModel: {}}))
	if !a.Ready() {
		t.Fatalf("not ready: %+v", a.Models())
	}
	req, want := quantRequest(t)
	resp, err := a.Infer(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Outputs) != 1 || !bytes.Equal(resp.Outputs[0].Data, want) {
		t.Fatalf("output differs from the real TFLite's reference")
	}
	if o := resp.Outputs[0]; o.DType != runtime.UInt8 || len(o.Shape) != 2 || o.Shape[1] != 1001 {
		t.Errorf("output described as %s %v", o.DType, o.Shape)
	}
	if resp.Cache != CacheOff || resp.Batch != 1 || resp.Compute <= 0 {
		t.Errorf("response cache=%s batch=%d compute=%v", resp.Cache, resp.Batch, resp.Compute)
	}
	// Unnamed inputs go by position.
	req.Inputs[0].Name = ""
	if resp, err = a.Infer(context.Background(), req); err != nil || !bytes.Equal(resp.Outputs[0].Data, want) {
		t.Fatalf("positional input: %v", err)
	}
	st, err := a.Model(quantModel)
	if err != nil {
		t.Fatal(err)
	}
	if st.State != StateReady || st.Requests != 2 || st.P50 <= 0 || len(st.Digest) != 64 || st.Version != st.Digest[:12] {
		t.Errorf("status %+v", st)
	}
}

func TestInferRefusesBadRequests(t *testing.T) {
	a, _ := newAgent(t, testConfig(t, map[string]ModelConfig{quantModel: {}}))
	good, _ := quantRequest(t)
	in := good.Inputs[0]
	tests := []struct {
		name string
		req  Request
		want error
		say  string
	}{
		{"unknown model", Request{Model: "nope", Inputs: good.Inputs}, ErrNoModel, `"nope"`},
		{"wrong version", Request{Model: quantModel, Version: "v9", Inputs: good.Inputs}, ErrNoModel, `"v9"`},
		{"no inputs", Request{Model: quantModel}, ErrBadRequest, "takes 1 inputs"},
		{"wrong dtype", Request{Model: quantModel, Inputs: []Tensor{{Name: "input", DType: runtime.Float32, Shape: in.Shape, Data: in.Data}}}, ErrBadRequest, "dtype float32, the model takes uint8"},
		{"wrong shape", Request{Model: quantModel, Inputs: []Tensor{{Name: "input", DType: runtime.UInt8, Shape: []int{1, 3, 224, 224}, Data: in.Data}}}, ErrBadRequest, "shape [1 3 224 224]"},
		{"short data", Request{Model: quantModel, Inputs: []Tensor{{Name: "input", DType: runtime.UInt8, Shape: in.Shape, Data: in.Data[:100]}}}, ErrBadRequest, "100 bytes of data"},
		{"unknown input", Request{Model: quantModel, Inputs: []Tensor{{Name: "image", DType: runtime.UInt8, Shape: in.Shape, Data: in.Data}}}, ErrBadRequest, `input "image": the model has no such input`},
		{"unknown output", Request{Model: quantModel, Inputs: good.Inputs, Outputs: []string{"logits"}}, ErrBadRequest, `no output "logits"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := a.Infer(context.Background(), &tc.req)
			if !errors.Is(err, tc.want) || !bytes.Contains([]byte(err.Error()), []byte(tc.say)) {
				t.Fatalf("error %v, want %v saying %q", err, tc.want, tc.say)
			}
		})
	}
	if _, err := a.Infer(context.Background(), good); err != nil {
		t.Fatalf("a good request after the bad ones: %v", err)
	}
}

// gateModel wraps a real model: a run whose first input is the float32
// gateValue signals started and waits for release, so that a test holds
// the model's only session busy for as long as it needs.
type gateModel struct {
	runtime.Model
	started chan struct{}
	release chan struct{}
}

const gateValue = 777

func (m gateModel) NewSession(o runtime.Options) (runtime.Session, error) {
	s, err := m.Model.NewSession(o)
	return gateSession{s, m}, err
}

type gateSession struct {
	runtime.Session
	m gateModel
}

func (s gateSession) Run(ctx context.Context) error {
	if math.Float32frombits(binary.LittleEndian.Uint32(s.Input(0))) == gateValue {
		s.m.started <- struct{}{}
		<-s.m.release
	}
	return s.Session.Run(ctx)
}

// gatedAgent starts an agent serving tinyModel through a gateModel with
// one session and a queue of one.
func gatedAgent(t *testing.T) (*Agent, gateModel) {
	gate := gateModel{started: make(chan struct{}, 1), release: make(chan struct{})}
	orig := openModel
	openModel = func(path string) (runtime.Model, error) {
		m, err := orig(path)
		if err != nil || !strings.Contains(path, tinyModel) {
			return m, err
		}
		gate.Model = m
		return gate, nil
	}
	t.Cleanup(func() { openModel = orig })
	a, _ := newAgent(t, testConfig(t, map[string]ModelConfig{tinyModel: {Queue: 1, Sessions: 1, MaxBatch: 1}}))
	return a, gate
}

// hold sends a request that holds the gated agent's only session until
// gate.release is closed; its result arrives on the channel returned.
func hold(a *Agent, gate gateModel) <-chan error {
	held := make(chan error, 1)
	go func() {
		_, err := a.Infer(context.Background(), sine(gateValue))
		held <- err
	}()
	<-gate.started
	return held
}

func TestQueueFullAndDeadline(t *testing.T) {
	t.Run("queue full", func(t *testing.T) {
		// One request holds the only session; of the others, one fits
		// the queue and every other one is refused at once.
		a, gate := gatedAgent(t)
		held := hold(a, gate)
		const n = 8
		errs := make(chan error, n)
		for range n {
			go func() {
				_, err := a.Infer(context.Background(), sine(1))
				errs <- err
			}()
		}
		for range n - 1 {
			if err := <-errs; !errors.Is(err, ErrQueueFull) {
				t.Fatalf("with the session busy and the queue full: %v, want ErrQueueFull", err)
			}
		}
		close(gate.release)
		if err := <-held; err != nil {
			t.Errorf("the request that held the session: %v", err)
		}
		if err := <-errs; err != nil {
			t.Errorf("the queued request: %v", err)
		}
	})
	t.Run("deadline", func(t *testing.T) {
		// A request whose deadline passes while it waits for the busy
		// session gets ErrDeadline; the one that held it is answered.
		a, gate := gatedAgent(t)
		held := hold(a, gate)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		if _, err := a.Infer(ctx, sine(1)); !errors.Is(err, ErrDeadline) {
			t.Errorf("deadline: %v, want ErrDeadline", err)
		}
		close(gate.release)
		if err := <-held; err != nil {
			t.Errorf("the request that held the session: %v", err)
		}
	})
}

// waitFor polls cond for up to 20 s.
func waitFor(t testing.TB, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(20 * time.Second); time.Now().Before(end); time.Sleep(2 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("condition not met within 20s")
}

func TestResultCache(t *testing.T) {
	c := testConfig(t, map[string]ModelConfig{quantModel: {Cache: ptr(true)}})
	a, st := newAgent(t, c)
	req, want := quantRequest(t)
	r1, err := a.Infer(context.Background(), req)
	if err != nil || r1.Cache != CacheMiss {
		t.Fatalf("first: %v %v", err, r1)
	}
	waitFor(t, func() bool { n, _, _ := st.CacheStats(); return n == 1 })
	r2, err := a.Infer(context.Background(), req)
	if err != nil || r2.Cache != CacheHit || !bytes.Equal(r2.Outputs[0].Data, want) {
		t.Fatalf("second: %v cache=%s", err, r2.Cache)
	}
	bypass := *req
	bypass.NoCache = true
	if r3, err := a.Infer(context.Background(), &bypass); err != nil || r3.Cache != CacheOff || !bytes.Equal(r3.Outputs[0].Data, want) {
		t.Fatalf("bypass: %v", err)
	}
	other := *req
	other.Inputs = []Tensor{req.Inputs[0]}
	other.Inputs[0].Data = bytes.Clone(req.Inputs[0].Data)
	other.Inputs[0].Data[0] ^= 1
	if r4, err := a.Infer(context.Background(), &other); err != nil || r4.Cache != CacheMiss {
		t.Fatalf("different input: %v", err)
	}
	s, _ := a.Model(quantModel)
	if s.CacheHits != 1 {
		t.Errorf("cache hits %d, want 1", s.CacheHits)
	}

	// A new version of the model does not see the old one's entries.
	swapped := filepath.Join(t.TempDir(), "copy.tflite")
	b, _ := os.ReadFile(modelPath(t, quantModel))
	os.WriteFile(swapped, append(b, 0), 0o644) // same graph, different digest
	if _, err := installPath(t, a, quantModel, swapped); err != nil {
		t.Fatal(err)
	}
	if r5, err := a.Infer(context.Background(), req); err != nil || r5.Cache != CacheMiss {
		t.Fatalf("after swap: %v cache=%s, want a miss", err, r5.Cache)
	}
}

func ptr[T any](v T) *T { return &v }

func TestInstallHotSwap(t *testing.T) {
	a, st := newAgent(t, testConfig(t, map[string]ModelConfig{quantModel: {Sessions: 2}}))
	req, want := quantRequest(t)
	before, _ := a.Model(quantModel)

	// Keep requests flowing while the model is replaced twice: none fails.
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var mu sync.Mutex
	var answered int
	var failures []error
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				resp, err := a.Infer(context.Background(), req)
				mu.Lock()
				if err != nil {
					failures = append(failures, err)
				} else if !bytes.Equal(resp.Outputs[0].Data, want) {
					failures = append(failures, errors.New("wrong answer"))
				} else {
					answered++
				}
				mu.Unlock()
			}
		}()
	}
	b, _ := os.ReadFile(modelPath(t, quantModel))
	v2 := filepath.Join(t.TempDir(), "v2.tflite")
	os.WriteFile(v2, append(b, 0, 0), 0o644)
	after, err := installPath(t, a, quantModel, v2)
	if err != nil {
		t.Fatal(err)
	}
	if after.Version == before.Version || after.State != StateReady {
		t.Errorf("after install: %+v", after)
	}
	// A model that does not load never replaces the working one.
	bad := filepath.Join(sharedtest.Dir(t), "models", "negative")
	entries, _ := os.ReadDir(bad)
	if len(entries) == 0 {
		t.Fatal("no negative models")
	}
	for _, e := range entries {
		if _, err := installPath(t, a, quantModel, filepath.Join(bad, e.Name())); err == nil {
			t.Errorf("installing negative model %s succeeded", e.Name())
		}
	}
	// Requests keep being answered after the refusals.
	mu.Lock()
	mark := answered
	mu.Unlock()
	for end := time.Now().Add(time.Minute); ; time.Sleep(time.Millisecond) {
		mu.Lock()
		more := answered - mark
		mu.Unlock()
		if more >= 10 {
			break
		}
		if time.Now().After(end) {
			t.Fatalf("only %d answers within a minute after the refused installs", more)
		}
	}
	cancel()
	wg.Wait()
	if len(failures) > 0 || answered == 0 {
		t.Fatalf("%d answered, failures during the swap: %v", answered, failures)
	}
	cur, _ := a.Model(quantModel)
	if cur.Version != after.Version || cur.State != StateReady || cur.Error == "" {
		t.Errorf("after failed installs: %+v (want the installed version still serving, the failure in Error)", cur)
	}
	rec, ok, err := st.GetModel(quantModel)
	if err != nil || !ok || rec.Active.Version != after.Version || rec.Previous.Version != before.Version {
		t.Fatalf("registry record %+v %v %v", rec, ok, err)
	}
	// Installing a model under a new name adds it.
	if _, err := installPath(t, a, "sine", modelPath(t, tinyModel)); err != nil {
		t.Fatal(err)
	}
	if len(a.Models()) != 2 {
		t.Errorf("models %d, want 2", len(a.Models()))
	}
}

func TestInstalledVersionSurvivesRestart(t *testing.T) {
	c := testConfig(t, map[string]ModelConfig{quantModel: {}})
	st, err := store.Open(filepath.Join(c.DataDir, "edgeinfer.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(context.Background(), Options{Config: c, Store: st})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(modelPath(t, quantModel))
	v2 := filepath.Join(t.TempDir(), "v2.tflite")
	os.WriteFile(v2, append(b, 7), 0o644)
	installed, err := installPath(t, a, quantModel, v2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := installPath(t, a, "sine", modelPath(t, tinyModel)); err != nil {
		t.Fatal(err)
	}
	a.Close(context.Background())
	st.Close()

	a2, _ := newAgent(t, c)
	got, err := a2.Model(quantModel)
	if err != nil || got.Version != installed.Version {
		t.Fatalf("after restart: %+v %v, want installed version %s", got, err, installed.Version)
	}
	if _, err := a2.Model("sine"); err != nil {
		t.Errorf("installed model not reloaded: %v", err)
	}
}

func TestDynamicBatching(t *testing.T) {
	c := testConfig(t, map[string]ModelConfig{quantModel: {MaxBatch: 4, BatchDelay: 50 * time.Millisecond, Sessions: 1}})
	a, _ := newAgent(t, c)
	st, _ := a.Model(quantModel)
	if st.MaxBatch != 4 {
		t.Fatalf("max batch %d, want 4", st.MaxBatch)
	}
	req, want := quantRequest(t)
	const n = 8
	type result struct {
		batch int
		err   error
	}
	res := make(chan result, n)
	for range n {
		go func() {
			r, err := a.Infer(context.Background(), req)
			if err == nil && !bytes.Equal(r.Outputs[0].Data, want) {
				err = errors.New("batched answer differs from the reference")
			}
			b := 0
			if r != nil {
				b = r.Batch
			}
			res <- result{b, err}
		}()
	}
	biggest := 0
	for range n {
		r := <-res
		if r.err != nil {
			t.Fatal(r.err)
		}
		biggest = max(biggest, r.batch)
	}
	if biggest < 2 {
		t.Errorf("largest batch %d: 8 concurrent requests with a 50ms batch delay never ran together", biggest)
	}
}

func TestBatchingRefusedGraphRunsSingly(t *testing.T) {
	c := testConfig(t, map[string]ModelConfig{"tfls_coco_ssd_mobilenet_v1_quant": {MaxBatch: 4}})
	a, _ := newAgent(t, c)
	st, err := a.Model("tfls_coco_ssd_mobilenet_v1_quant")
	if err != nil || st.State != StateReady || st.MaxBatch != 1 {
		t.Fatalf("status %+v %v: want ready with max batch 1", st, err)
	}
}

func TestFailedConfiguredModel(t *testing.T) {
	c := testConfig(t, map[string]ModelConfig{tinyModel: {}})
	c.Models["broken"] = ModelConfig{Path: filepath.Join(t.TempDir(), "missing.tflite")}.withDefaults(c.Defaults)
	a, _ := newAgent(t, c)
	if a.Ready() {
		t.Error("ready with a configured model that failed")
	}
	st, err := a.Model("broken")
	if err != nil || st.State != StateFailed || st.Error == "" {
		t.Fatalf("broken: %+v %v", st, err)
	}
	if _, err := a.Infer(context.Background(), &Request{Model: "broken"}); !errors.Is(err, ErrNotReady) {
		t.Errorf("infer on a failed model: %v", err)
	}
	if s, _ := a.Model(tinyModel); s.State != StateReady {
		t.Errorf("the good model: %+v", s)
	}
}

func TestReload(t *testing.T) {
	c := testConfig(t, map[string]ModelConfig{tinyModel: {}})
	a, _ := newAgent(t, c)
	before, _ := a.Model(tinyModel)
	c2 := testConfig(t, map[string]ModelConfig{tinyModel: {Version: "2"}, quantModel: {}})
	c2.DataDir = c.DataDir
	if err := a.Reload(context.Background(), c2); err != nil {
		t.Fatal(err)
	}
	after, _ := a.Model(tinyModel)
	if after.Version != "2" || before.Version == "2" {
		t.Errorf("version %q -> %q", before.Version, after.Version)
	}
	if _, err := a.Model(quantModel); err != nil {
		t.Error(err)
	}
	c3 := testConfig(t, map[string]ModelConfig{quantModel: {}})
	c3.Models["bad"] = ModelConfig{Path: "/nonexistent.tflite"}.withDefaults(c3.Defaults)
	if err := a.Reload(context.Background(), c3); err == nil {
		t.Error("reload with a missing model file reported no error")
	}
	if _, err := a.Model(tinyModel); !errors.Is(err, ErrNoModel) {
		t.Errorf("model removed from the config is still there: %v", err)
	}
}

// TestActivateCheck: a smoke check sees the new version's tensors and can
// run it; when it fails, the serving version stays and nothing is recorded.
func TestActivateCheck(t *testing.T) {
	c := testConfig(t, map[string]ModelConfig{quantModel: {}})
	a, st := newAgent(t, c)
	before, _ := a.Model(quantModel)
	b, _ := os.ReadFile(modelPath(t, quantModel))
	v2 := filepath.Join(c.DataDir, "models", quantModel, "2.tflite")
	os.MkdirAll(filepath.Dir(v2), 0o755)
	os.WriteFile(v2, append(b, 1), 0o644)
	in, want := caseData(t, quantModel)
	failing := func(ctx context.Context, inputs, outputs []runtime.TensorInfo, run Runner) error {
		outs, err := run(ctx, [][]byte{in})
		if err != nil {
			return err
		}
		if outputs[0].Shape[1] != 1001 || !bytes.Equal(outs[0], want) {
			return errors.New("the check saw the wrong model")
		}
		return errors.New("expected output differs")
	}
	if _, err := a.Activate(context.Background(), Activation{Name: quantModel, Version: "2", Path: v2, Check: failing}); err == nil || !errors.Is(err, ErrInvalidModel) {
		t.Fatalf("activate with a failing check: %v", err)
	}
	if cur, _ := a.Model(quantModel); cur.Version != before.Version {
		t.Fatalf("version %s after a failed check, want %s still serving", cur.Version, before.Version)
	}
	if _, ok, _ := st.GetModel(quantModel); ok {
		t.Error("a refused version was recorded in the registry")
	}
	passing := func(ctx context.Context, inputs, outputs []runtime.TensorInfo, run Runner) error { return nil }
	if s, err := a.Activate(context.Background(), Activation{Name: quantModel, Version: "2", Path: v2, Check: passing}); err != nil || s.Version != "2" {
		t.Fatalf("activate: %+v %v", s, err)
	}
}

// TestReloadUnderLoad reloads the configuration (changing the model's
// settings, so it is swapped) while clients call it: no request fails and
// the race detector sees the registry's fields touched safely.
func TestReloadUnderLoad(t *testing.T) {
	c := testConfig(t, map[string]ModelConfig{quantModel: {}})
	a, _ := newAgent(t, c)
	req, want := quantRequest(t)
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				resp, err := a.Infer(context.Background(), req)
				if err == nil && !bytes.Equal(resp.Outputs[0].Data, want) {
					err = errors.New("wrong answer")
				}
				if err != nil {
					errs <- err
					return
				}
				a.Ready()
				a.Models()
			}
		}()
	}
	for i := range 3 {
		c2 := testConfig(t, map[string]ModelConfig{quantModel: {Queue: 10 + i, Version: fmt.Sprint(i)}})
		c2.DataDir = c.DataDir
		if err := a.Reload(context.Background(), c2); err != nil {
			t.Fatal(err)
		}
	}
	stop()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("request during reloads: %v", err)
	}
	if st, _ := a.Model(quantModel); st.Version != "2" || st.QueueCap != 12 {
		t.Errorf("after reloads: version %q queue %d", st.Version, st.QueueCap)
	}
}
