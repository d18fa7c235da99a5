package tflite

import (
	"errors"
	"testing"

	"github.com/edgeinfer/edgeinfer/runtime"
)

func reduceOpTable() []shapeOpTest {
	x := []float32{
		1, 2, 3,
		4, 5, 6,

		7, 8, 9,
		10, 11, 12,
	} // [2, 2, 3]
	keep := map[int]any{0: true}
	return []shapeOpTest{
		{"mean axes 1,2 no keep", opCase{op: "MEAN",
			ins:  []*tensor{tt(f32t, []int{2, 2, 3}, x), tt(i32t, []int{2}, []int32{1, 2})},
			outs: []*tensor{tt(f32t, []int{2}, nil)}},
			[]float32{3.5, 9.5}},
		{"mean axis -3 keep", opCase{op: "MEAN", opts: keep,
			ins:  []*tensor{tt(f32t, []int{2, 2, 3}, x), tt(i64t, []int{1}, []int64{-3})},
			outs: []*tensor{tt(f32t, []int{1, 2, 3}, nil)}},
			[]float32{4, 5, 6, 7, 8, 9}},
		{"mean repeated axis", opCase{op: "MEAN",
			ins:  []*tensor{tt(f32t, []int{2, 2, 3}, x), tt(i32t, []int{2}, []int32{1, -2})},
			outs: []*tensor{tt(f32t, []int{2, 3}, nil)}},
			[]float32{2.5, 3.5, 4.5, 8.5, 9.5, 10.5}},
		{"sum axis 2", opCase{op: "SUM",
			ins:  []*tensor{tt(f32t, []int{2, 2, 3}, x), tt(i32t, []int{}, []int32{2})},
			outs: []*tensor{tt(f32t, []int{2, 2}, nil)}},
			[]float32{6, 15, 24, 33}},
		{"sum int32 all", opCase{op: "SUM",
			ins:  []*tensor{tt(i32t, []int{2, 2}, []int32{1, 2, 3, -4}), tt(i32t, []int{2}, []int32{0, 1})},
			outs: []*tensor{tt(i32t, []int{}, nil)}},
			[]int32{2}},
		{"reduce max axis 0", opCase{op: "REDUCE_MAX",
			ins:  []*tensor{tt(i8t, []int{2, 2}, []int8{1, -5, -3, 4}), tt(i32t, []int{1}, []int32{0})},
			outs: []*tensor{tt(i8t, []int{2}, nil)}},
			[]int8{1, 4}},
		{"reduce min axis 1 float", opCase{op: "REDUCE_MIN",
			ins:  []*tensor{tt(f32t, []int{2, 2, 3}, x), tt(i32t, []int{1}, []int32{1})},
			outs: []*tensor{tt(f32t, []int{2, 3}, nil)}},
			[]float32{1, 2, 3, 7, 8, 9}},
		// scale = 0.5/1 * 1/4 = 0.125; (sum + 4*128) * 0.125, half to even, - 10:
		// 311 -> 38.875 -> 39 -> 29; 20 -> 2.5 -> 2 -> -8; 28 -> 3.5 -> 4 -> -6.
		{"mean int8 keep dims", opCase{op: "MEAN", opts: keep,
			ins: []*tensor{tt(i8t, []int{3, 2, 2, 1}, []int8{
				-128, -100, 0, 27,
				-128, -128, -128, -108,
				-100, -128, -128, -128}).q(0.5, -128), tt(i32t, []int{2}, []int32{1, 2})},
			outs: []*tensor{tt(i8t, []int{3, 1, 1, 1}, nil).q(1, -10)}},
			[]int8{29, -8, -6}},
		// uint8: (10+20+30+41 - 4*10) * (2/4 * 1/4) = 61/8 = 7.625 -> 8, + 200 = 208.
		{"mean uint8", opCase{op: "MEAN",
			ins:  []*tensor{tt(u8t, []int{1, 4}, []uint8{10, 20, 30, 41}).q(2, 10), tt(i32t, []int{1}, []int32{1})},
			outs: []*tensor{tt(u8t, []int{1}, nil).q(4, 200)}},
			[]uint8{208}},
	}
}

func TestReduceOps(t *testing.T) {
	for _, tc := range reduceOpTable() {
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

func TestReduceReject(t *testing.T) {
	c := opCase{op: "MEAN",
		ins:  []*tensor{tt(f32t, []int{2, 3}, nil), tt(i32t, []int{1}, []int32{2})},
		outs: []*tensor{tt(f32t, []int{2}, nil)}}
	if _, err := c.run(); !errors.Is(err, runtime.ErrInvalidModel) {
		t.Errorf("axis out of range: err = %v", err)
	}
	c = opCase{op: "MEAN",
		ins:  []*tensor{tt(f32t, []int{2, 3}, nil), tt(i32t, []int{1}, nil)},
		outs: []*tensor{tt(f32t, []int{2}, nil)}}
	if _, err := c.run(); !errors.Is(err, runtime.ErrUnsupported) {
		t.Errorf("dynamic axes: err = %v", err)
	}
}
