package tflite

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/edgeinfer/edgeinfer/internal/sharedtest"
	"github.com/edgeinfer/edgeinfer/runtime"
)

// openFC writes fcModel to a file and opens it (memory-mapped).
func openFC(t *testing.T) *Model {
	t.Helper()
	path := filepath.Join(t.TempDir(), "fc.tflite")
	if err := os.WriteFile(path, fcModel().bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func mustSession(t *testing.T, m *Model, opts runtime.Options) runtime.Session {
	t.Helper()
	s, err := m.NewSession(opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// runFC runs an fcModel session on x = [1 1 1 1] and checks y = W x + b.
func runFC(t *testing.T, s runtime.Session) {
	t.Helper()
	copy(f32(s.Input(0)), []float32{1, 1, 1, 1})
	if err := s.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, want := f32(s.Output(0)), []float32{10.5, -10.5}; !slices.Equal(got, want) {
		t.Fatalf("output %v, want %v", got, want)
	}
}

func TestSessionRuns(t *testing.T) {
	m := openFC(t)
	defer m.Close()
	for _, opts := range []runtime.Options{{}, {Threads: 4}, {Backend: "generic"}, {Backend: "auto", Threads: 1}} {
		s := mustSession(t, m, opts)
		runFC(t, s)
		runFC(t, s) // a second run gives the same answer
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := m.NewSession(runtime.Options{Backend: "cuda"}); !errors.Is(err, runtime.ErrUnsupported) {
		t.Fatalf("backend cuda: %v, want ErrUnsupported", err)
	}
}

func TestSessionRunAllocatesNothing(t *testing.T) {
	models := map[string]func() (*Model, error){
		"fc":    func() (*Model, error) { return Load(fcModel().bytes()) },
		"chain": func() (*Model, error) { return Load(chainModel(6, 32).bytes()) },
	}
	// Every model of shared/conformance: their kernels keep their sums
	// on the stack or in the arena (a pointer passed to a kernel through
	// a function value would move them to the heap on every run). With
	// -short (the -race and qemu runs) only the files under 400 kB: the
	// large ones take minutes under emulation.
	if dir := sharedtest.Optional(t); dir != "" {
		paths, err := filepath.Glob(filepath.Join(dir, "conformance", "*", "model.tflite"))
		if err != nil || len(paths) == 0 {
			t.Fatalf("no models in %s/conformance: %v", dir, err)
		}
		for _, p := range paths {
			if fi, err := os.Stat(p); err != nil || (testing.Short() && fi.Size() > 400<<10) {
				continue
			}
			models[filepath.Base(filepath.Dir(p))] = func() (*Model, error) { return Open(p) }
		}
	}
	for name, open := range models {
		t.Run(name, func(t *testing.T) {
			m, err := open()
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			for _, threads := range []int{1, 2} {
				s := mustSession(t, m, runtime.Options{Threads: threads})
				ctx := context.Background()
				if allocs := testing.AllocsPerRun(10, func() { s.Run(ctx) }); allocs != 0 {
					t.Errorf("Run with %d threads allocates %v times", threads, allocs)
				}
				s.Close()
			}
		})
	}
}

func TestSessionContext(t *testing.T) {
	m := openFC(t)
	defer m.Close()
	s := mustSession(t, m, runtime.Options{})
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Run(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run with a cancelled context: %v, want context.Canceled", err)
	}
	runFC(t, s) // the session still works
}

func TestSessionClosed(t *testing.T) {
	m := openFC(t)
	defer m.Close()
	s := mustSession(t, m, runtime.Options{Threads: 2})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := s.Run(context.Background()); !errors.Is(err, runtime.ErrClosed) {
		t.Fatalf("Run after Close: %v, want ErrClosed", err)
	}
}

// TestModelCloseWithOpenSession checks that closing a model keeps its
// mapping alive for the sessions still open, and unmaps it after the last.
func TestModelCloseWithOpenSession(t *testing.T) {
	m := openFC(t)
	s1 := mustSession(t, m, runtime.Options{})
	s2 := mustSession(t, m, runtime.Options{})
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := m.NewSession(runtime.Options{}); !errors.Is(err, runtime.ErrClosed) {
		t.Fatalf("NewSession after Close: %v, want ErrClosed", err)
	}
	runFC(t, s1) // reads the weights from the mapping
	s1.Close()
	if m.unmap == nil {
		t.Fatal("the mapping was released while a session is open")
	}
	runFC(t, s2)
	s2.Close()
	if m.unmap != nil {
		t.Fatal("the mapping was not released after the last session closed")
	}
}

// TestOptionalInputLeftOff runs FULLY_CONNECTED with its bias left off the
// input list (FuzzOpen found the kernel indexing past the list).
func TestOptionalInputLeftOff(t *testing.T) {
	tm := fcModel()
	tm.ops[0].ins = tm.ops[0].ins[:2]
	m, err := Load(tm.bytes())
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	outs, err := m.Run(context.Background(), runtime.Options{}, [][]byte{f32bytes(1, 1, 1, 1)})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := f32(outs[0]), []float32{10, -10}; !slices.Equal(got, want) {
		t.Fatalf("output %v, want %v", got, want)
	}
}

func TestModelRun(t *testing.T) {
	m, err := Load(fcModel().bytes())
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	outs, err := m.Run(context.Background(), runtime.Options{}, [][]byte{f32bytes(1, 0, 0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := f32(outs[0]), []float32{1.5, -1.5}; !slices.Equal(got, want) {
		t.Fatalf("output %v, want %v", got, want)
	}
	if _, err := m.Run(context.Background(), runtime.Options{}, [][]byte{make([]byte, 15)}); !errors.Is(err, runtime.ErrInput) {
		t.Fatalf("Run with a short input: %v, want ErrInput", err)
	}
}

// TestSessionSplitsOperators checks that a two-thread session splits the
// same operators on every run, at least each convolution with enough
// multiply-accumulates to pay for the hand-off, and that a one-thread
// session splits nothing.
func TestSessionSplitsOperators(t *testing.T) {
	dir := filepath.Join(sharedtest.Dir(t), "conformance")
	for _, name := range []string{"coral_tf2_mobilenet_v2_224_ptq", "mp_hand_landmark_lite", "coral_movenet_lightning_ptq"} {
		t.Run(name, func(t *testing.T) {
			m, err := Open(filepath.Join(dir, name, "model.tflite"))
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			convs := 0
			for _, op := range m.Operators() {
				if op.Name == "CONV_2D" && work(append(slices.Clone(op.Outputs[0].Shape), op.Inputs[1].Shape[1:]...)...) >= minParallelMACs {
					convs++
				}
			}
			for _, threads := range []int{1, 2} {
				s := mustSession(t, m, runtime.Options{Threads: threads}).(*Session)
				var per []uint64
				for range 3 {
					before := s.PoolStats()
					if err := s.Run(context.Background()); err != nil {
						t.Fatal(err)
					}
					per = append(per, s.PoolStats().Splits-before.Splits)
				}
				s.Close()
				switch {
				case threads == 1 && per[0] != 0:
					t.Errorf("one thread: %d operators split per run", per[0])
				case threads == 2 && (int(per[0]) < convs || per[1] != per[0] || per[2] != per[0]):
					t.Errorf("two threads: %v operators split in three runs, want the same each run and at least the %d large convolutions", per, convs)
				}
			}
		})
	}
}
