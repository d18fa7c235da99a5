package tflite

import (
	"errors"
	"math"
	"testing"

	"github.com/edgeinfer/edgeinfer/runtime"
)

func poolOpTable() []shapeOpTest {
	in := []float32{
		1, 2, 3,
		4, 5, 6,
		7, 8, 9,
	}
	return []shapeOpTest{
		// SAME, 2x2 stride 2 on 3x3: output 2x2, no leading padding.
		{"max same s2", opCase{op: "MAX_POOL_2D", opts: map[int]any{0: 0, 1: 2, 2: 2, 3: 2, 4: 2},
			ins: []*tensor{tt(f32t, []int{1, 3, 3, 1}, in)}, outs: []*tensor{tt(f32t, []int{1, 2, 2, 1}, nil)}},
			[]float32{5, 6, 8, 9}},
		{"avg same s2", opCase{op: "AVERAGE_POOL_2D", opts: map[int]any{0: 0, 1: 2, 2: 2, 3: 2, 4: 2},
			ins: []*tensor{tt(f32t, []int{1, 3, 3, 1}, in)}, outs: []*tensor{tt(f32t, []int{1, 2, 2, 1}, nil)}},
			[]float32{3, 4.5, 7.5, 9}},
		// SAME, 3x3 stride 1: pad 1 on every side, averages over in-bounds values.
		{"avg same 3x3 s1 relu6", opCase{op: "AVERAGE_POOL_2D", opts: map[int]any{0: 0, 1: 1, 2: 1, 3: 3, 4: 3, 5: 3},
			ins: []*tensor{tt(f32t, []int{1, 3, 3, 1}, in)}, outs: []*tensor{tt(f32t, []int{1, 3, 3, 1}, nil)}},
			[]float32{3, 3.5, 4, 4.5, 5, 5.5, 6, 6, 6}},
		{"max valid 2x2 s1", opCase{op: "MAX_POOL_2D", opts: map[int]any{0: 1, 1: 1, 2: 1, 3: 2, 4: 2},
			ins: []*tensor{tt(f32t, []int{1, 3, 3, 1}, in)}, outs: []*tensor{tt(f32t, []int{1, 2, 2, 1}, nil)}},
			[]float32{5, 6, 8, 9}},
		// sqrt((9+16)/2) = sqrt(12.5) and 0, both inside RELU6.
		{"l2 valid 1x2", opCase{op: "L2_POOL_2D", opts: map[int]any{0: 1, 1: 2, 2: 1, 3: 2, 4: 1, 5: 3},
			ins: []*tensor{tt(f32t, []int{1, 1, 4, 1}, []float32{3, 4, 0, 0})}, outs: []*tensor{tt(f32t, []int{1, 1, 2, 1}, nil)}},
			[]float32{float32(math.Sqrt(12.5)), 0}},
		// Global average, int8: (-128-127+0+1)/4 = -63.5 -> -64.
		{"avg int8 valid", opCase{op: "AVERAGE_POOL_2D", opts: map[int]any{0: 1, 1: 2, 2: 2, 3: 2, 4: 2},
			ins:  []*tensor{tt(i8t, []int{1, 2, 2, 1}, []int8{-128, -127, 0, 1}).q(0.5, -3)},
			outs: []*tensor{tt(i8t, []int{1, 1, 1, 1}, nil).q(0.5, -3)}},
			[]int8{-64}},
		// uint8 with RELU: zero point 100 is the floor.
		{"max uint8 relu", opCase{op: "MAX_POOL_2D", opts: map[int]any{0: 1, 1: 1, 2: 1, 3: 2, 4: 1, 5: 1},
			ins:  []*tensor{tt(u8t, []int{1, 2, 2, 1}, []uint8{50, 120, 90, 60}).q(0.5, 100)},
			outs: []*tensor{tt(u8t, []int{1, 2, 1, 1}, nil).q(0.5, 100)}},
			[]uint8{120, 100}},
	}
}

func TestPoolOps(t *testing.T) {
	for _, tc := range poolOpTable() {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.c.run()
			if err != nil {
				t.Fatal(err)
			}
			if w := testBytes(tc.want); string(got[0]) != string(w) {
				t.Errorf("got %v, want %v", got[0], w)
			}
			tc.c.allocs(t)
		})
	}
}

func TestPoolReject(t *testing.T) {
	c := opCase{op: "MAX_POOL_2D", opts: map[int]any{0: 1, 1: 1, 2: 1, 3: 2, 4: 2},
		ins: []*tensor{tt(f32t, []int{1, 3, 3, 1}, nil)}, outs: []*tensor{tt(f32t, []int{1, 3, 3, 1}, nil)}}
	if _, err := c.run(); !errors.Is(err, runtime.ErrInvalidModel) {
		t.Errorf("wrong output shape: err = %v", err)
	}
	c = opCase{op: "AVERAGE_POOL_2D", opts: map[int]any{0: 1, 1: 1, 2: 1, 3: 1, 4: 1},
		ins: []*tensor{tt(i8t, []int{1, 1, 1, 1}, nil).q(1, 0)}, outs: []*tensor{tt(i8t, []int{1, 1, 1, 1}, nil).q(2, 0)}}
	if _, err := c.run(); !errors.Is(err, runtime.ErrUnsupported) {
		t.Errorf("requantizing pool: err = %v", err)
	}
}
