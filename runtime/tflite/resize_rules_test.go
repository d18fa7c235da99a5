package tflite

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/runtime"
)

// TestResizeRules runs one-operator models stored for batch 1 on a batch
// of 4 through Session.ResizeInputs: the output has the shape the rule
// infers, and each row equals the row run alone.
func TestResizeRules(t *testing.T) {
	i32c := func(v ...int32) testTensor {
		return testTensor{name: "c", typ: tensorInt32, shape: []int32{int32(len(v))}, data: i32bytesOf(v...)}
	}
	f := func(shape ...int32) testTensor { return testTensor{name: "t", typ: tensorFloat32, shape: shape} }
	for _, tc := range []struct {
		name  string
		op    int32
		opts  fbt
		in    []int32
		extra []testTensor
		out   []int32
		want  []int // output shape for batch 4
	}{
		{name: "squeeze", op: 43, opts: fbt{0: []int32{2}}, in: []int32{1, 2, 1, 3}, out: []int32{1, 2, 3}, want: []int{4, 2, 3}},
		{name: "expand_dims", op: 70, in: []int32{1, 2, 3}, extra: []testTensor{i32c(-1)}, out: []int32{1, 2, 3, 1}, want: []int{4, 2, 3, 1}},
		{name: "transpose", op: 39, in: []int32{1, 2, 3}, extra: []testTensor{i32c(0, 2, 1)}, out: []int32{1, 3, 2}, want: []int{4, 3, 2}},
		{name: "pad", op: 34, in: []int32{1, 2, 3}, extra: []testTensor{{name: "p", typ: tensorInt32, shape: []int32{3, 2}, data: i32bytesOf(0, 0, 1, 2, 0, 1)}}, out: []int32{1, 5, 4}, want: []int{4, 5, 4}},
		{name: "reshape", op: 22, in: []int32{1, 2, 3}, extra: []testTensor{i32c(-1, 6)}, out: []int32{1, 6}, want: []int{4, 6}},
		{name: "fully_connected", op: 9, opts: fbt{0: uint8(0)}, in: []int32{1, 3}, extra: []testTensor{{name: "w", typ: tensorFloat32, shape: []int32{2, 3}, data: f32bytes(1, 2, 3, -1, 0.5, 2)}}, out: []int32{1, 2}, want: []int{4, 2}},
		{name: "mean_keep", op: 40, opts: fbt{0: true}, in: []int32{1, 2, 3}, extra: []testTensor{i32c(2)}, out: []int32{1, 2, 1}, want: []int{4, 2, 1}},
		{name: "concat", op: 2, opts: fbt{0: int32(2)}, in: []int32{1, 2, 3}, extra: nil, out: []int32{1, 2, 6}, want: []int{4, 2, 6}},
		{name: "max_pool", op: 17, opts: fbt{0: uint8(1), 1: int32(1), 2: int32(1), 3: int32(2), 4: int32(2)}, in: []int32{1, 3, 3, 2}, out: []int32{1, 2, 2, 2}, want: []int{4, 2, 2, 2}},
		{name: "logistic", op: 14, in: []int32{1, 5}, out: []int32{1, 5}, want: []int{4, 5}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tm := testModel{tensors: []testTensor{f(tc.in...)}, inputs: []int32{0}}
			ins := []int32{0}
			if tc.name == "concat" {
				ins = append(ins, 0)
			}
			for _, e := range tc.extra {
				ins = append(ins, int32(len(tm.tensors)))
				tm.tensors = append(tm.tensors, e)
			}
			tm.tensors = append(tm.tensors, f(tc.out...))
			y := int32(len(tm.tensors) - 1)
			tm.outputs = []int32{y}
			tm.ops = []testOp{{builtin: tc.op, ins: ins, outs: []int32{y}, opts: tc.opts}}
			m, err := Load(tm.bytes())
			if err != nil {
				t.Fatal(err)
			}
			s, err := m.NewSession(runtime.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			rng := rand.New(rand.NewPCG(3, 4))
			var stacked, want []byte
			for range 4 {
				x := make([]float32, len(s.Input(0))/4)
				for k := range x {
					x[k] = float32(rng.Float64()*2 - 1)
				}
				copy(s.Input(0), f32bytes(x...))
				if err := s.Run(context.Background()); err != nil {
					t.Fatal(err)
				}
				stacked = append(stacked, f32bytes(x...)...)
				want = append(want, s.Output(0)...)
			}
			shape := append([]int{4}, m.Inputs()[0].Shape[1:]...)
			r := s.(*Session)
			if err := r.ResizeInputs([][]int{shape}); err != nil {
				t.Fatal(err)
			}
			if got := r.Outputs()[0].Shape; fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Fatalf("output shape %v, want %v", got, tc.want)
			}
			copy(s.Input(0), stacked)
			if err := s.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(s.Output(0), want) {
				t.Errorf("batch outputs differ from the rows run alone")
			}
		})
	}
}

// TestResizeNoRule refuses other shapes for an operator whose output
// shapes this engine cannot infer (TILE), naming it.
func TestResizeNoRule(t *testing.T) {
	tm := testModel{
		tensors: []testTensor{
			{name: "x", typ: tensorFloat32, shape: []int32{1, 3}},
			{name: "m", typ: tensorInt32, shape: []int32{2}, data: i32bytesOf(1, 2)},
			{name: "y", typ: tensorFloat32, shape: []int32{1, 6}},
		},
		inputs: []int32{0}, outputs: []int32{2},
		ops: []testOp{{builtin: 69, ins: []int32{0, 1}, outs: []int32{2}}},
	}
	m, err := Load(tm.bytes())
	if err != nil {
		t.Fatal(err)
	}
	s, err := m.NewSession(runtime.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.(*Session).ResizeInputs([][]int{{2, 3}})
	if !errors.Is(err, runtime.ErrUnsupported) || !strings.Contains(err.Error(), "(TILE)") {
		t.Errorf("resize: %v, want TILE named as unable to take other shapes", err)
	}
	// The session keeps working with the stored shapes.
	if err := s.Run(context.Background()); err != nil {
		t.Error(err)
	}
}
