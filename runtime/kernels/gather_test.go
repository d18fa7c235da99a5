package kernels

import "testing"

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

func TestGather(t *testing.T) {
	params := []int{0, 1, 2, 3, 4, 5} // [2, 3]
	tests := []struct {
		name            string
		indices         []int32
		outer, n, slice int
		want            []int
		bad             int
	}{
		{"axis 0 rows", []int32{1, 0, 1}, 1, 2, 3, []int{3, 4, 5, 0, 1, 2, 3, 4, 5}, -1},
		{"axis 1 columns", []int32{2, 0}, 2, 3, 1, []int{2, 0, 5, 3}, -1},
		{"out of range", []int32{0, 3}, 2, 3, 1, nil, 1},
		{"negative", []int32{-1}, 1, 2, 3, nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := make([]int, tc.outer*len(tc.indices)*tc.slice)
			bad := Gather(params, tc.indices, out, tc.outer, tc.n, tc.slice)
			if bad != tc.bad {
				t.Fatalf("bad = %d, want %d", bad, tc.bad)
			}
			if bad < 0 && !equalInts(out, tc.want) {
				t.Errorf("got %v, want %v", out, tc.want)
			}
		})
	}
}
