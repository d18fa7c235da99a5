package kernels

import "testing"

func TestMapCopy(t *testing.T) {
	src := []int{0, 1, 2, 3, 4, 5} // [2, 3]
	tests := []struct {
		name  string
		shape []int
		offs  [][]int
		want  []int
	}{
		{"identity", []int{2, 3}, [][]int{{0, 3}, {0, 1, 2}}, []int{0, 1, 2, 3, 4, 5}},
		{"transpose", []int{3, 2}, [][]int{{0, 1, 2}, {0, 3}}, []int{0, 3, 1, 4, 2, 5}},
		{"slice", []int{1, 2}, [][]int{{3}, {1, 2}}, []int{4, 5}},
		{"reverse stride", []int{2, 2}, [][]int{{3, 0}, {2, 0}}, []int{5, 3, 2, 0}},
		{"tile", []int{2, 2, 3}, [][]int{{0, 0}, {0, 3}, {0, 1, 2}}, []int{0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5}},
		{"1-D mirror", []int{5}, [][]int{{1, 0, 1, 2, 1}}, []int{1, 0, 1, 2, 1}},
		{"empty", []int{0, 3}, [][]int{{}, {0, 1, 2}}, []int{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dst := make([]int, len(tc.want))
			MapCopy(dst, src, tc.shape, tc.offs)
			if !equalInts(dst, tc.want) {
				t.Errorf("got %v, want %v", dst, tc.want)
			}
		})
	}
}
