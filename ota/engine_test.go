package ota

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/edgeinfer/edgeinfer/internal/sharedtest"
	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/tflite"
	"github.com/edgeinfer/edgeinfer/store"
)

// engineModels is a small real implementation of Models for these tests:
// it loads models with the engine, runs smoke tests on a real session and
// serves requests, counting errors. The agent's adapter does the same
// with its session pools and scheduler.
type engineModels struct {
	mu     sync.RWMutex
	active map[string]*servingModel
	// afterSwap, when set, runs once the new version serves and before
	// Activate returns (the kill -9 test blocks there).
	afterSwap func(name, version string)
	// load and smoke are the durations of the last activation's steps.
	load, smoke time.Duration
}

type servingModel struct {
	version string
	model   *tflite.Model
	mu      sync.Mutex
	sess    runtime.Session
	req     atomic.Uint64
	errs    atomic.Uint64
}

var _ Models = (*engineModels)(nil)

func newEngineModels() *engineModels { return &engineModels{active: map[string]*servingModel{}} }

// loadRegistry loads every model's active version recorded in st, as the
// agent does at start.
func (e *engineModels) loadRegistry(t testing.TB, st *store.Store) {
	t.Helper()
	recs, err := st.Models()
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs {
		if rec.Active == nil {
			continue
		}
		if err := e.Activate(context.Background(), rec.Name, rec.Active.Version, rec.Active.Path, nil); err != nil {
			t.Fatalf("loading %s %s from the registry: %v", rec.Name, rec.Active.Version, err)
		}
	}
}

func (e *engineModels) Active(name string) (string, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if s := e.active[name]; s != nil {
		return s.version, true
	}
	return "", false
}

func (e *engineModels) Counts(name string) (uint64, uint64) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if s := e.active[name]; s != nil {
		return s.req.Load(), s.errs.Load()
	}
	return 0, 0
}

func (e *engineModels) Activate(ctx context.Context, name, version, path string, smoke *Smoke) error {
	t0 := time.Now()
	m, err := tflite.Open(path)
	if err != nil {
		return err
	}
	sess, err := m.NewSession(runtime.Options{})
	if err != nil {
		m.Close()
		return err
	}
	t1 := time.Now()
	if err := runSmoke(ctx, m, sess, smoke); err != nil {
		sess.Close()
		m.Close()
		return err
	}
	e.mu.Lock()
	e.load, e.smoke = t1.Sub(t0), time.Since(t1)
	old := e.active[name]
	e.active[name] = &servingModel{version: version, model: m, sess: sess}
	e.mu.Unlock()
	if old != nil {
		old.mu.Lock()
		old.sess.Close()
		old.model.Close()
		old.mu.Unlock()
	}
	if e.afterSwap != nil {
		e.afterSwap(name, version)
	}
	return nil
}

func runSmoke(ctx context.Context, m *tflite.Model, sess runtime.Session, smoke *Smoke) error {
	for i, info := range m.Inputs() {
		in := sess.Input(i)
		clear(in)
		if smoke == nil {
			continue
		}
		if i >= len(smoke.Inputs) {
			return fmt.Errorf("smoke test has %d inputs, the model %d", len(smoke.Inputs), len(m.Inputs()))
		}
		if len(smoke.Inputs[i].Data) != len(in) {
			return fmt.Errorf("smoke input %d: %d bytes, %s needs %d", i, len(smoke.Inputs[i].Data), info, len(in))
		}
		copy(in, smoke.Inputs[i].Data)
	}
	if err := sess.Run(ctx); err != nil {
		return err
	}
	if smoke == nil {
		return nil
	}
	var got []SmokeTensor
	for j, info := range m.Outputs() {
		got = append(got, SmokeTensor{Name: info.Name, DataType: info.DType.String(), Shape: info.Shape, Data: append([]byte(nil), sess.Output(j)...)})
	}
	return smoke.Check(got)
}

// infer serves one request on the active version of name: input must be
// the first input's bytes. It counts the request and, when it fails, the
// error.
func (e *engineModels) infer(ctx context.Context, name string, input []byte) error {
	e.mu.RLock()
	s := e.active[name]
	if s != nil {
		s.req.Add(1)
		s.mu.Lock()
	}
	e.mu.RUnlock()
	if s == nil {
		return fmt.Errorf("no model %s", name)
	}
	defer s.mu.Unlock()
	in := s.sess.Input(0)
	if len(in) != len(input) {
		s.errs.Add(1)
		return fmt.Errorf("%s %s: input of %d bytes, want %d", name, s.version, len(input), len(in))
	}
	copy(in, input)
	if err := s.sess.Run(ctx); err != nil {
		s.errs.Add(1)
		return err
	}
	return nil
}

// conformance returns the path of a conformance model and a smoke test
// made from its case_0 with the given tolerance.
func conformance(t testing.TB, model string, tol float64) (string, *Smoke) {
	t.Helper()
	dir := filepath.Join(sharedtest.Dir(t), "conformance", model)
	path := filepath.Join(dir, "model.tflite")
	m, err := tflite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	s := &Smoke{Tolerance: tol}
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, "case_0", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for i, info := range m.Inputs() {
		s.Inputs = append(s.Inputs, SmokeTensor{Name: info.Name, DataType: info.DType.String(), Shape: info.Shape, Data: read(fmt.Sprintf("in_%d.bin", i))})
	}
	for j, info := range m.Outputs() {
		s.Outputs = append(s.Outputs, SmokeTensor{DataType: info.DType.String(), Shape: info.Shape, Data: read(fmt.Sprintf("out_%d.bin", j))})
	}
	return path, s
}
