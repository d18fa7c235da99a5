package tflite

import (
	"context"
	"errors"
	"testing"

	"github.com/edgeinfer/edgeinfer/runtime"
)

// compositeModel is y = STABLEHLO_COMPOSITE(x, k) whose decomposition,
// subgraph sub, computes x·k + x; sub names another subgraph to test
// refusals.
func compositeModel(sub int32) []byte {
	vec := func(name string) testTensor { return testTensor{name: name, typ: tensorFloat32, shape: []int32{2, 3}} }
	k := testTensor{name: "k", typ: tensorFloat32, shape: []int32{2, 3}, data: f32bytes(1, 2, 3, -1, 0.5, 0)}
	main := testModel{
		tensors: []testTensor{vec("x"), k, vec("y")},
		inputs:  []int32{0}, outputs: []int32{2},
		ops: []testOp{{builtin: 206, ins: []int32{0, 1}, outs: []int32{2}}},
	}
	dec := testModel{
		tensors: []testTensor{vec("x"), vec("k"), vec("xk"), vec("y")},
		inputs:  []int32{0, 1}, outputs: []int32{3},
		ops: []testOp{
			{builtin: 18, ins: []int32{0, 1}, outs: []int32{2}, opts: fbt{}},
			{builtin: 0, ins: []int32{2, 0}, outs: []int32{3}, opts: fbt{}},
		},
	}
	root := multiModel([]testModel{main, dec}, [][]int{nil, nil})
	op := root[2].([]fbt)[0][3].([]fbt)[0]
	// builtin_options_2: StableHLOCompositeOptions (union type 21): name,
	// decomposition_subgraph_index, composite_attributes (LiteRT requires
	// them to be present; neither it nor the engine reads these), version.
	op[11], op[12] = uint8(21), fbt{0: "test.fma", 1: sub, 2: []byte{0}, 4: int32(0)}
	return buildFB("TFL3", root)
}

// TestStablehloComposite runs the decomposition; LiteRT gives the same
// outputs for this model (checked with tflite-ref).
func TestStablehloComposite(t *testing.T) {
	m, err := Load(compositeModel(1))
	if err != nil {
		t.Fatal(err)
	}
	outs, err := m.Run(context.Background(), runtime.Options{}, [][]byte{f32bytes(1, 2, 3, 4, 5, 6)})
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{2, 6, 12, 0, 7.5, 6}
	for i, v := range f32(outs[0]) {
		if v != want[i] {
			t.Errorf("y[%d] = %v, want %v", i, v, want[i])
		}
	}
	// A missing decomposition is invalid; the main subgraph as its own
	// decomposition recurses, which the engine refuses.
	for _, tc := range []struct {
		sub  int32
		want error
	}{{2, runtime.ErrInvalidModel}, {-1, runtime.ErrInvalidModel}, {0, runtime.ErrUnsupported}} {
		if _, err := Load(compositeModel(tc.sub)); !errors.Is(err, tc.want) {
			t.Errorf("decomposition subgraph %d: %v, want %v", tc.sub, err, tc.want)
		}
	}
}
