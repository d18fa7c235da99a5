package kernels

import "testing"

func TestPadConst(t *testing.T) {
	tests := []struct {
		name                      string
		in                        []int
		inShape, outShape, before []int
		want                      []int
	}{
		{"1-D", []int{1, 2}, []int{2}, []int{5}, []int{1}, []int{9, 1, 2, 9, 9}},
		{"2-D both sides", []int{1, 2, 3, 4}, []int{2, 2}, []int{3, 4}, []int{1, 1},
			[]int{9, 9, 9, 9, 9, 1, 2, 9, 9, 3, 4, 9}},
		{"channels only", []int{1, 2}, []int{1, 1, 2}, []int{1, 1, 4}, []int{0, 0, 0}, []int{1, 2, 9, 9}},
		{"3-D middle", []int{1, 2}, []int{2, 1, 1}, []int{2, 3, 1}, []int{0, 1, 0}, []int{9, 1, 9, 9, 2, 9}},
		{"scalar", []int{7}, []int{}, []int{}, []int{}, []int{7}},
		{"channels both sides, 3 pixels", []int{1, 2, 3, 4, 5, 6}, []int{1, 3, 2}, []int{1, 3, 5}, []int{0, 0, 1},
			[]int{9, 1, 2, 9, 9, 9, 3, 4, 9, 9, 9, 5, 6, 9, 9}},
		{"none", []int{1, 2, 3}, []int{3}, []int{3}, []int{0}, []int{1, 2, 3}},
		{"empty input", []int{}, []int{0, 2}, []int{2, 2}, []int{1, 0}, []int{9, 9, 9, 9}},
		{"long fill", []int{5}, []int{1}, []int{37}, []int{36},
			[]int{9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 5}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := make([]int, len(tc.want))
			for i := range out {
				out[i] = -1 // every element must be written
			}
			PadConst(tc.in, out, tc.inShape, tc.outShape, tc.before, 9)
			if !equalInts(out, tc.want) {
				t.Errorf("got %v, want %v", out, tc.want)
			}
		})
	}
}

func TestFill(t *testing.T) {
	for n := 0; n < 300; n += 7 {
		s := make([]int16, n+1)
		s[n] = -1 // must stay untouched
		fill(s[:n], 5)
		for i, v := range s[:n] {
			if v != 5 {
				t.Fatalf("n %d: element %d = %d", n, i, v)
			}
		}
		if s[n] != -1 {
			t.Fatalf("n %d: wrote past the end", n)
		}
	}
}
