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
