package tflite

import (
	"context"
	"errors"
	"testing"

	"github.com/edgeinfer/edgeinfer/runtime"
)

// TestBinarySettlesOutput loads ADD models whose stored output type or
// shape TFLite's Prepare replaces: an 8-bit sum stored as float32 (the
// litert add_quantized models) and an output stored as [] for an input with
// a dynamic dimension (add_unknown_dimensions).
func TestBinarySettlesOutput(t *testing.T) {
	const tensorUInt8 int8 = 3
	q := fbt{2: []float32{0.5}, 3: []int64{10}}
	for _, tc := range []struct {
		name    string
		typ     int8
		outTyp  int8
		outDims []int32
		sig     []int32
		in      []byte
		want    []byte
		dtype   runtime.DType
		shape   []int
	}{
		{"uint8 stored as float32", tensorUInt8, tensorFloat32, []int32{1, 2}, nil,
			[]byte{12, 20}, []byte{14, 30}, runtime.UInt8, []int{1, 2}},
		{"output shape unknown", tensorFloat32, tensorFloat32, []int32{}, []int32{1, -1},
			f32bytes(1, 2), f32bytes(2, 4), runtime.Float32, []int{1, 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tm := testModel{
				tensors: []testTensor{
					{name: "x", typ: tc.typ, shape: []int32{1, 2}},
					{name: "y", typ: tc.outTyp, shape: tc.outDims},
				},
				inputs: []int32{0}, outputs: []int32{1},
				ops: []testOp{{builtin: 0, ins: []int32{0, 0}, outs: []int32{1}}},
			}
			if tc.typ == tensorUInt8 {
				tm.tensors[0].quant, tm.tensors[1].quant = q, q
			}
			root := tm.root()
			if tc.sig != nil {
				subgraph(root)[0].([]fbt)[0][7] = tc.sig
			}
			m, err := Load(buildFB("TFL3", root))
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			if o := m.Outputs()[0]; o.DType != tc.dtype || !sameShape(o.Shape, tc.shape) {
				t.Errorf("output %s%v, want %s%v", o.DType, o.Shape, tc.dtype, tc.shape)
			}
			outs, err := m.Run(context.Background(), runtime.Options{}, [][]byte{tc.in})
			if err != nil {
				t.Fatal(err)
			}
			if string(outs[0]) != string(tc.want) {
				t.Errorf("output % x, want % x", outs[0], tc.want)
			}
		})
	}
}

// TestBinaryKeepsConcreteShape checks that a stored concrete output shape
// that is not the broadcast of the inputs is still refused.
func TestBinaryKeepsConcreteShape(t *testing.T) {
	tm := testModel{
		tensors: []testTensor{
			{name: "x", typ: tensorFloat32, shape: []int32{1, 2}},
			{name: "y", typ: tensorFloat32, shape: []int32{1, 3}},
		},
		inputs: []int32{0}, outputs: []int32{1},
		ops: []testOp{{builtin: 0, ins: []int32{0, 0}, outs: []int32{1}}},
	}
	if _, err := Load(tm.bytes()); err == nil {
		t.Fatal("ADD [1 2] + [1 2] -> [1 3] loaded")
	}
}

// TestSqueezeUnknownShape checks that SQUEEZE of an input stored as []
// (its shape set by resizing it at run time, as in litert's simple_squeeze)
// is refused as unsupported, not invalid.
func TestSqueezeUnknownShape(t *testing.T) {
	tm := testModel{
		tensors: []testTensor{
			{name: "x", typ: tensorFloat32, shape: []int32{}},
			{name: "y", typ: tensorFloat32, shape: []int32{}},
		},
		inputs: []int32{0}, outputs: []int32{1},
		ops: []testOp{{builtin: 43, ins: []int32{0}, outs: []int32{1}, opts: fbt{0: []int32{1}}}},
	}
	_, err := Load(tm.bytes())
	if !errors.Is(err, runtime.ErrUnsupported) {
		t.Fatalf("got %v, want %v", err, runtime.ErrUnsupported)
	}
}
