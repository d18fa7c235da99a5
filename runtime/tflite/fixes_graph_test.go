package tflite

import (
	"errors"
	"testing"

	"github.com/edgeinfer/edgeinfer/runtime"
)

// TestUnknownOpBeforePrepare checks that a model with an operator this
// engine lacks is unsupported even when an earlier, known operator would
// fail its checks (as in litert's test_model, whose CONV_2D on 1-D tensors
// only runs with a test registration): every operator is resolved before
// any is prepared, as TFLite's InterpreterBuilder does.
func TestUnknownOpBeforePrepare(t *testing.T) {
	tm := testModel{
		tensors: []testTensor{
			{name: "x", typ: tensorFloat32, shape: []int32{1}},
			{name: "w", typ: tensorFloat32, shape: []int32{3}, data: f32bytes(1, 2, 3)},
			{name: "y", typ: tensorFloat32, shape: []int32{3}},
			{name: "z", typ: tensorFloat32, shape: []int32{3}},
		},
		inputs: []int32{0}, outputs: []int32{3},
		ops: []testOp{
			{builtin: 3, ins: []int32{0, 1}, outs: []int32{2}},
			{builtin: 32, custom: "testing_op", ins: []int32{2}, outs: []int32{3}},
		},
	}
	_, err := Load(tm.bytes())
	if !errors.Is(err, runtime.ErrUnsupported) {
		t.Fatalf("got %v, want %v", err, runtime.ErrUnsupported)
	}
}
