package kernels

import "testing"

func TestArgMax(t *testing.T) {
	in := []float32{
		1, 9, 3,
		9, 2, 3,
	} // [2, 3]
	tests := []struct {
		name            string
		outer, n, inner int
		smallest        bool
		want            []int32
	}{
		{"last axis, ties to first", 2, 3, 1, false, []int32{1, 0}},
		{"first axis", 1, 2, 3, false, []int32{1, 0, 0}},
		{"first axis min, tie", 1, 2, 3, true, []int32{0, 1, 0}},
		{"whole", 1, 6, 1, false, []int32{1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := make([]int32, tc.outer*tc.inner)
			ArgMax(in, out, tc.outer, tc.n, tc.inner, tc.smallest)
			if !equalInts(out, tc.want) {
				t.Errorf("got %v, want %v", out, tc.want)
			}
		})
	}
}

func TestGatherND(t *testing.T) {
	params := []int8{0, 1, 2, 3, 4, 5, 6, 7} // [2, 2, 2]
	tests := []struct {
		name    string
		indices []int64
		k       int
		want    []int8
		bad     int
	}{
		{"rows", []int64{1, 0}, 1, []int8{4, 5, 6, 7, 0, 1, 2, 3}, -1},
		{"pairs", []int64{1, 1, 0, 1}, 2, []int8{6, 7, 2, 3}, -1},
		{"elements", []int64{1, 0, 1}, 3, []int8{5}, -1},
		{"out of range", []int64{0, 2}, 2, nil, 1},
		{"negative", []int64{-1}, 1, nil, 0},
	}
	dims, strides := []int{2, 2, 2}, []int{4, 2, 1}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			slice := strides[tc.k-1]
			out := make([]int8, len(tc.indices)/tc.k*slice)
			bad := GatherND(params, tc.indices, out, dims[:tc.k], strides[:tc.k], slice)
			if bad != tc.bad {
				t.Fatalf("bad = %d, want %d", bad, tc.bad)
			}
			if bad < 0 && !equalInts(out, tc.want) {
				t.Errorf("got %v, want %v", out, tc.want)
			}
		})
	}
}
