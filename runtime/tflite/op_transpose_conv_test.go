package tflite

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/runtime"
)

// TestTransposeConvRuntimeShape: an output shape computed at run time (as
// converters that keep dimensions symbolic leave it) runs like the same
// shape stored as a constant, and a computed shape that differs from the
// planned one fails the run.
func TestTransposeConvRuntimeShape(t *testing.T) {
	w := make([]float32, 3*3*3*2)
	for i := range w {
		w[i] = float32(i%7) - 3
	}
	build := func(shape []byte) []byte {
		tm := testModel{
			tensors: []testTensor{
				{name: "shape", typ: tensorInt32, shape: []int32{4}, data: shape},
				{name: "w", typ: tensorFloat32, shape: []int32{3, 3, 3, 2}, data: f32bytes(w...)},
				{name: "x", typ: tensorFloat32, shape: []int32{1, 3, 4, 2}},
				{name: "y", typ: tensorFloat32, shape: []int32{1, 6, 8, 3}},
			},
			inputs: []int32{2}, outputs: []int32{3},
			ops: []testOp{{builtin: 67, ins: []int32{0, 1, 2}, outs: []int32{3}, opts: fbt{0: uint8(0), 1: int32(2), 2: int32(2)}}},
		}
		if shape == nil {
			tm.inputs = []int32{0, 2}
		}
		return tm.bytes()
	}
	x := f32bytes(1, -2, 3, 0.5, 2, 1, -1, 4, 0, 2, 1, 1, -3, 2, 0.25, 1, 2, 2, -1, 0, 1, 3, -2, 1)
	want := runModel(t, build(i32bytes(1, 6, 8, 3)), x)[0]
	m, err := Load(build(nil))
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	got, err := m.Run(context.Background(), runtime.Options{}, [][]byte{i32bytes(1, 6, 8, 3), x})
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if !bytes.Equal(got[0], want) {
		t.Errorf("output differs from the constant-shape model's")
	}
	_, err = m.Run(context.Background(), runtime.Options{}, [][]byte{i32bytes(1, 7, 8, 3), x})
	if err == nil || !strings.Contains(err.Error(), "output shape [1 7 8 3] computed at run time differs from the planned [1 6 8 3]") {
		t.Errorf("run with another shape: %v", err)
	}
}
