package ota

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/edgeinfer/edgeinfer/internal/sharedtest"
	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/tflite"
)

// engineModels is a small real implementation of Models for these tests:
// it loads models with the engine, runs smoke tests on a real session and
// serves requests, counting errors, and owns the model records, which it
// keeps in one file (written whole, synced and renamed, so a kill -9
// leaves the old records or the new ones). The agent does the same with
// its session pools, scheduler and bbolt registry.
type engineModels struct {
	// file holds the records (registry.json in the device's directory).
	file   string
	mu     sync.RWMutex
	active map[string]*servingModel
	recs   map[string]Record
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

// newEngineModels reads the records kept in dir and loads the active
// version of each, as the agent does at start.
func newEngineModels(dir string) (*engineModels, error) {
	e := &engineModels{file: filepath.Join(dir, "registry.json"), active: map[string]*servingModel{}, recs: map[string]Record{}}
	b, err := os.ReadFile(e.file)
	if err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	if err == nil {
		if err := json.Unmarshal(b, &e.recs); err != nil {
			return nil, fmt.Errorf("%s: %w", e.file, err)
		}
	}
	for _, rec := range e.recs {
		s, err := open(context.Background(), rec.Active.Version, rec.Active.Path, nil, nil)
		if err != nil {
			return nil, fmt.Errorf("loading %s %s from the records: %w", rec.Name, rec.Active.Version, err)
		}
		e.active[rec.Name] = s
	}
	return e, nil
}

// save writes the records whole: temp file, sync, rename, sync the
// directory. e.mu is held.
func (e *engineModels) save() error {
	b, err := json.Marshal(e.recs)
	if err != nil {
		return err
	}
	tmp := e.file + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, e.file); err != nil {
		return err
	}
	d, err := os.Open(filepath.Dir(e.file))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

func (e *engineModels) Record(name string) (Record, bool, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	rec, ok := e.recs[name]
	return rec, ok, nil
}

func (e *engineModels) Records() ([]Record, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	var out []Record
	for _, name := range slices.Sorted(maps.Keys(e.recs)) {
		out = append(out, e.recs[name])
	}
	return out, nil
}

func (e *engineModels) MarkHealthy(name, version string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	rec, ok := e.recs[name]
	if !ok || rec.Active == nil || rec.Active.Version != version || !rec.Watching {
		return nil
	}
	rec.Watching, rec.State = false, StepActive
	e.recs[name] = rec
	return e.save()
}

func (e *engineModels) Rollback(ctx context.Context, name, from, reason string) error {
	e.mu.RLock()
	rec := e.recs[name]
	e.mu.RUnlock()
	if rec.Active == nil || rec.Active.Version != from || rec.Previous == nil {
		return fmt.Errorf("%s: %s is not active with a previous version", name, from)
	}
	s, err := open(ctx, rec.Previous.Version, rec.Previous.Path, nil, nil)
	if err != nil {
		return err
	}
	rec.Active, rec.Previous, rec.Manifest = rec.Previous, nil, nil
	rec.State, rec.Watching = StepRolledBack+": "+reason, false
	return e.swap(name, rec, s)
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

func (e *engineModels) Activate(ctx context.Context, a Activation) error {
	t0 := time.Now()
	var t1 time.Time
	s, err := open(ctx, a.Version, a.Path, a.Smoke, func() { t1 = time.Now() })
	if err != nil {
		return err
	}
	sum, err := fileSHA256(a.Path)
	if err != nil {
		return err
	}
	e.mu.Lock()
	e.load, e.smoke = t1.Sub(t0), time.Since(t1)
	rec := e.recs[a.Name]
	rec.Name = a.Name
	if rec.Active != nil && rec.Active.Version != a.Version {
		rec.Previous = rec.Active
	}
	rec.Active = &Installed{Version: a.Version, Digest: sum, Path: a.Path}
	rec.Manifest, rec.State, rec.Watching = a.Manifest, StepActive, !a.WatchUntil.IsZero()
	if rec.Watching {
		rec.State = "watching"
	}
	e.mu.Unlock()
	if err := e.swap(a.Name, rec, s); err != nil {
		return err
	}
	if e.afterSwap != nil {
		e.afterSwap(a.Name, a.Version)
	}
	return nil
}

// open loads version from path on a new session and runs its smoke test;
// loaded, when set, is called between the load and the smoke test.
func open(ctx context.Context, version, path string, smoke *Smoke, loaded func()) (*servingModel, error) {
	m, err := tflite.Open(path)
	if err != nil {
		return nil, err
	}
	sess, err := m.NewSession(runtime.Options{})
	if err != nil {
		m.Close()
		return nil, err
	}
	if loaded != nil {
		loaded()
	}
	if err := runSmoke(ctx, m, sess, smoke); err != nil {
		sess.Close()
		m.Close()
		return nil, err
	}
	return &servingModel{version: version, model: m, sess: sess}, nil
}

// swap records rec, then makes s the serving version of name.
func (e *engineModels) swap(name string, rec Record, s *servingModel) error {
	e.mu.Lock()
	prev, had := e.recs[name]
	e.recs[name] = rec
	if err := e.save(); err != nil {
		if had {
			e.recs[name] = prev
		} else {
			delete(e.recs, name)
		}
		e.mu.Unlock()
		s.sess.Close()
		s.model.Close()
		return err
	}
	old := e.active[name]
	e.active[name] = s
	e.mu.Unlock()
	if old != nil {
		old.mu.Lock()
		old.sess.Close()
		old.model.Close()
		old.mu.Unlock()
	}
	return nil
}

func fileSHA256(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
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
