package agent

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/runtime"
)

// addBackend is a second runtime backend, to show that the agent serves
// whatever runtime.Open gives it: a model file is "ADD0" and n (uint32
// little-endian); the model adds its float32 inputs "a" and "b", each
// [1,n], into its output "sum". It takes no batch.
type addBackend struct{}

func init() { runtime.Register("add", addBackend{}) }

func (addBackend) Identify(header []byte) error {
	if !bytes.HasPrefix(header, []byte("ADD0")) {
		return errors.New(`no "ADD0" at byte 0`)
	}
	return nil
}

func (b addBackend) Open(path string, o runtime.OpenOptions) (runtime.Model, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return b.Load(data, o)
}

func (addBackend) Load(data []byte, o runtime.OpenOptions) (runtime.Model, error) {
	if len(data) != 8 || string(data[:4]) != "ADD0" {
		return nil, fmt.Errorf("%w: not an add model", runtime.ErrInvalidModel)
	}
	if o.Batch > 1 {
		return nil, fmt.Errorf("%w: an add model takes no batch", runtime.ErrUnsupported)
	}
	n := int(binary.LittleEndian.Uint32(data[4:]))
	info := func(name string) runtime.TensorInfo {
		return runtime.TensorInfo{Name: name, DType: runtime.Float32, Shape: []int{1, n}}
	}
	return &addModel{in: []runtime.TensorInfo{info("a"), info("b")}, out: []runtime.TensorInfo{info("sum")}}, nil
}

type addModel struct{ in, out []runtime.TensorInfo }

func (m *addModel) Inputs() []runtime.TensorInfo  { return m.in }
func (m *addModel) Outputs() []runtime.TensorInfo { return m.out }
func (m *addModel) Close() error                  { return nil }

func (m *addModel) NewSession(runtime.Options) (runtime.Session, error) {
	size := m.in[0].ByteSize()
	return &addSession{bufs: [3][]byte{make([]byte, size), make([]byte, size), make([]byte, size)}}, nil
}

// addSession holds a, b and sum.
type addSession struct{ bufs [3][]byte }

func (s *addSession) Input(i int) []byte { return s.bufs[i] }
func (s *addSession) Output(int) []byte  { return s.bufs[2] }
func (s *addSession) Close() error       { return nil }

func (s *addSession) Run(ctx context.Context) error {
	a, b, sum := s.bufs[0], s.bufs[1], s.bufs[2]
	for i := 0; i+4 <= len(sum); i += 4 {
		putFloat32(sum[i:], float32At(a, i)+float32At(b, i))
	}
	return ctx.Err()
}

func float32At(b []byte, i int) float32 {
	return math.Float32frombits(binary.LittleEndian.Uint32(b[i:]))
}

func f32s(vs ...float32) []byte {
	b := make([]byte, 4*len(vs))
	for i, v := range vs {
		putFloat32(b[4*i:], v)
	}
	return b
}

// writeAddModel writes an add model of n elements per input.
func writeAddModel(t *testing.T, dir string, n uint32) string {
	t.Helper()
	p := filepath.Join(dir, fmt.Sprintf("add%d.model", n))
	if err := os.WriteFile(p, binary.LittleEndian.AppendUint32([]byte("ADD0"), n), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestSecondBackend: the agent loads a model of another backend than
// TFLite, chosen by the file's identifier, binds requests to it by name
// and by position, serves it (batching configured but refused by the
// backend, so one request at a time), and checks a new version with a
// smoke test before it serves.
func TestSecondBackend(t *testing.T) {
	dir := t.TempDir()
	c := testConfig(t, map[string]ModelConfig{"add": {Path: writeAddModel(t, dir, 3), MaxBatch: 4, Cache: ptr(true)}})
	a, _ := newAgent(t, c)
	st, err := a.Model("add")
	if err != nil || st.State != StateReady || st.Backend != "add" || st.MaxBatch != 1 {
		t.Fatalf("status %+v, %v; want ready on backend add with max batch 1", st, err)
	}
	if len(st.Inputs) != 2 || st.Inputs[1].String() != "b float32[1,3]" || st.Outputs[0].String() != "sum float32[1,3]" {
		t.Fatalf("tensors %v -> %v", st.Inputs, st.Outputs)
	}
	shape := []int{1, 3}
	for _, tc := range []struct {
		name   string
		inputs []Tensor
	}{
		{"by name", []Tensor{{Name: "b", DType: runtime.Float32, Shape: shape, Data: f32s(10, 20, 30)}, {Name: "a", DType: runtime.Float32, Shape: shape, Data: f32s(1, 2, 3)}}},
		{"by position", []Tensor{{DType: runtime.Float32, Shape: shape, Data: f32s(1, 2, 3)}, {DType: runtime.Float32, Shape: shape, Data: f32s(10, 20, 30)}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := a.Infer(context.Background(), &Request{Model: "add", Inputs: tc.inputs})
			if err != nil {
				t.Fatal(err)
			}
			if out := resp.Outputs[0]; out.Name != "sum" || !bytes.Equal(out.Data, f32s(11, 22, 33)) {
				t.Errorf("output %s %v, want sum [11 22 33]", out.Name, out.Data)
			}
		})
	}
	_, err = a.Infer(context.Background(), &Request{Model: "add", Inputs: []Tensor{{Name: "a", DType: runtime.Float32, Shape: shape, Data: f32s(1, 2, 3)}}})
	if !errors.Is(err, ErrBadRequest) || !strings.Contains(err.Error(), `missing "b"`) {
		t.Errorf("one input of two: %v, want a bad request naming b", err)
	}

	smokeIn := []Tensor{{Name: "a", DType: runtime.Float32, Shape: []int{1, 4}, Data: f32s(1, 2, 3, 4)}, {Name: "b", DType: runtime.Float32, Shape: []int{1, 4}, Data: f32s(1, 1, 1, 1)}}
	wantSum := func(outs []Tensor) error {
		if len(outs) != 1 || outs[0].Name != "sum" || !bytes.Equal(outs[0].Data, f32s(2, 3, 4, 5)) {
			return fmt.Errorf("outputs %v, want sum [2 3 4 5]", outs)
		}
		return nil
	}
	if _, err := a.Activate(context.Background(), Activation{Name: "add", Version: "2", Path: writeAddModel(t, dir, 3), Check: SmokeCheck(smokeIn, wantSum)}); !errors.Is(err, runtime.ErrInput) || !strings.Contains(err.Error(), `input "a": shape [1,4], the model takes [1,3]`) {
		t.Errorf("smoke test of the wrong shape: %v, want the binding's error", err)
	}
	st, err = a.Activate(context.Background(), Activation{Name: "add", Version: "3", Path: writeAddModel(t, dir, 4), Check: SmokeCheck(smokeIn, wantSum)})
	if err != nil || st.Version != "3" {
		t.Fatalf("a passing smoke test: %+v, %v", st, err)
	}
	refuse := func([]Tensor) error { return errors.New("outputs differ") }
	if _, err := a.Activate(context.Background(), Activation{Name: "add", Version: "4", Path: writeAddModel(t, dir, 4), Check: SmokeCheck(smokeIn, refuse)}); !errors.Is(err, ErrInvalidModel) || !strings.Contains(err.Error(), "outputs differ") {
		t.Errorf("a failing smoke test: %v", err)
	}
	if st, _ := a.Model("add"); st.Version != "3" {
		t.Errorf("serving version %s after the failed smoke test, want 3", st.Version)
	}
}

// TestAgentLinksNoBackend: the agent depends on the runtime contract, not
// on a backend; the program that runs it decides which backends it links.
func TestAgentLinksNoBackend(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "github.com/edgeinfer/edgeinfer/runtime/") {
			t.Errorf("agent links %s", dep)
		}
	}
}
