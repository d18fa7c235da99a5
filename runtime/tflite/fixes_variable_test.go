package tflite

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/edgeinfer/edgeinfer/runtime"
)

// openBytes writes a model to a file and opens it, so that its constants
// live in the read-only mapping where a write would fault.
func openBytes(t *testing.T, b []byte) *Model {
	t.Helper()
	path := filepath.Join(t.TempDir(), "model.tflite")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	m, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// TestVariableWithInitialValue runs y = x + v; v = y + x, where v is a
// variable stored with the value 10: each session starts from 10 and keeps
// the value written by the operator between runs.
func TestVariableWithInitialValue(t *testing.T) {
	tm := testModel{
		tensors: []testTensor{
			{name: "x", typ: tensorFloat32, shape: []int32{1}},
			{name: "v", typ: tensorFloat32, shape: []int32{1}, data: f32bytes(10)},
			{name: "y", typ: tensorFloat32, shape: []int32{1}},
		},
		inputs: []int32{0}, outputs: []int32{2},
		ops: []testOp{
			{builtin: 0, ins: []int32{0, 1}, outs: []int32{2}},
			{builtin: 0, ins: []int32{2, 0}, outs: []int32{1}},
		},
	}
	root := tm.root()
	subgraph(root)[0].([]fbt)[1][5] = true // is_variable
	m := openBytes(t, buildFB("TFL3", root))
	if v := m.tensors[1]; v.isConst() || m.plan.offsets[1] < 0 {
		t.Fatalf("variable %s is a constant or has no arena memory", v)
	}
	for range 2 { // each session starts again from the stored value
		s, err := m.NewSession(runtime.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var got []float32
		for range 3 {
			copy(s.Input(0), f32bytes(1))
			if err := s.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			got = append(got, f32(s.Output(0))[0])
		}
		// v: 10 -> 12 -> 14; y = 1 + v.
		if want := []float32{11, 13, 15}; !equalFloats(got, want) {
			t.Errorf("outputs %v, want %v", got, want)
		}
		s.Close()
	}
}

// TestConstantInput loads a model whose graph input b is stored with a
// value (TFLite accepts this): b starts with that value and the caller may
// overwrite it.
func TestConstantInput(t *testing.T) {
	tm := testModel{
		tensors: []testTensor{
			{name: "x", typ: tensorFloat32, shape: []int32{2}},
			{name: "b", typ: tensorFloat32, shape: []int32{2}, data: f32bytes(0.5, -0.5)},
			{name: "y", typ: tensorFloat32, shape: []int32{2}},
		},
		inputs: []int32{0, 1}, outputs: []int32{2},
		ops: []testOp{{builtin: 0, ins: []int32{0, 1}, outs: []int32{2}}},
	}
	m := openBytes(t, tm.bytes())
	s, err := m.NewSession(runtime.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := f32(s.Input(1)); !equalFloats(got, []float32{0.5, -0.5}) {
		t.Errorf("input b starts as %v, want the stored [0.5 -0.5]", got)
	}
	copy(s.Input(0), f32bytes(1, 2))
	for _, tc := range []struct {
		b, want []float32
	}{
		{[]float32{0.5, -0.5}, []float32{1.5, 1.5}},
		{[]float32{1, 20}, []float32{2, 22}},
	} {
		copy(s.Input(1), f32bytes(tc.b...))
		if err := s.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := f32(s.Output(0)); !equalFloats(got, tc.want) {
			t.Errorf("b = %v: output %v, want %v", tc.b, got, tc.want)
		}
	}
}

// TestOperatorWritesInput checks that an operator writing a graph input in
// place (litert's add_shared_tensors) is refused as unsupported.
func TestOperatorWritesInput(t *testing.T) {
	tm := testModel{
		tensors: []testTensor{
			{name: "x", typ: tensorFloat32, shape: []int32{1}},
			{name: "y", typ: tensorFloat32, shape: []int32{1}},
		},
		inputs: []int32{0}, outputs: []int32{1},
		ops: []testOp{
			{builtin: 0, ins: []int32{0, 0}, outs: []int32{0}},
			{builtin: 0, ins: []int32{0, 0}, outs: []int32{1}},
		},
	}
	if _, err := Load(tm.bytes()); !errors.Is(err, runtime.ErrUnsupported) {
		t.Fatalf("got %v, want %v", err, runtime.ErrUnsupported)
	}
}

func equalFloats(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
