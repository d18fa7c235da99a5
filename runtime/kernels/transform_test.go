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

func BenchmarkMapCopyTranspose(b *testing.B) {
	// NHWC [1, 64, 64, 32] -> NCHW.
	src := make([]float32, 64*64*32)
	dst := make([]float32, len(src))
	shape := []int{1, 32, 64, 64}
	offs := [][]int{{0}, make([]int, 32), make([]int, 64), make([]int, 64)}
	for i := range offs[1] {
		offs[1][i] = i
	}
	for i := range offs[2] {
		offs[2][i] = i * 64 * 32
		offs[3][i] = i * 32
	}
	for b.Loop() {
		MapCopy(dst, src, shape, offs)
	}
}
