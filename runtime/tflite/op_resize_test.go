package tflite

import (
	"errors"
	"testing"

	"github.com/edgeinfer/edgeinfer/runtime"
)

func resizeOpTable() []shapeOpTest {
	size := func(h, w int) *tensor { return tt(i32t, []int{2}, []int32{int32(h), int32(w)}) }
	return []shapeOpTest{
		{"bilinear float align corners", opCase{op: "RESIZE_BILINEAR", opts: map[int]any{2: true},
			ins:  []*tensor{tt(f32t, []int{1, 1, 2, 1}, []float32{0, 1}), size(1, 5)},
			outs: []*tensor{tt(f32t, []int{1, 1, 5, 1}, nil)}},
			[]float32{0, 0.25, 0.5, 0.75, 1}},
		{"bilinear float legacy", opCase{op: "RESIZE_BILINEAR",
			ins:  []*tensor{tt(f32t, []int{1, 1, 2, 1}, []float32{0, 1}), size(1, 4)},
			outs: []*tensor{tt(f32t, []int{1, 1, 4, 1}, nil)}},
			[]float32{0, 0.5, 1, 1}},
		{"bilinear int8 half pixel", opCase{op: "RESIZE_BILINEAR", opts: map[int]any{3: true},
			ins:  []*tensor{tt(i8t, []int{1, 2, 1, 1}, []int8{0, 100}).q(0.1, 0), size(4, 1)},
			outs: []*tensor{tt(i8t, []int{1, 4, 1, 1}, nil).q(0.1, 0)}},
			[]int8{0, 25, 75, 100}},
		{"nearest uint8", opCase{op: "RESIZE_NEAREST_NEIGHBOR",
			ins:  []*tensor{tt(u8t, []int{1, 1, 2, 2}, []uint8{1, 2, 3, 4}).q(1, 0), size(2, 4)},
			outs: []*tensor{tt(u8t, []int{1, 2, 4, 2}, nil).q(1, 0)}},
			[]uint8{1, 2, 1, 2, 3, 4, 3, 4, 1, 2, 1, 2, 3, 4, 3, 4}},
	}
}

func TestResizeOps(t *testing.T) {
	for _, tc := range resizeOpTable() {
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

func TestResizeReject(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    opCase
	}{
		{"size mismatch", opCase{op: "RESIZE_BILINEAR",
			ins:  []*tensor{tt(f32t, []int{1, 2, 2, 1}, nil), tt(i32t, []int{2}, []int32{3, 3})},
			outs: []*tensor{tt(f32t, []int{1, 4, 4, 1}, nil)}}},
		{"both flags", opCase{op: "RESIZE_BILINEAR", opts: map[int]any{2: true, 3: true},
			ins:  []*tensor{tt(f32t, []int{1, 2, 2, 1}, nil), tt(i32t, []int{2}, []int32{4, 4})},
			outs: []*tensor{tt(f32t, []int{1, 4, 4, 1}, nil)}}},
	} {
		if _, err := tc.c.run(); !errors.Is(err, runtime.ErrInvalidModel) {
			t.Errorf("%s: err = %v", tc.name, err)
		}
	}
}
