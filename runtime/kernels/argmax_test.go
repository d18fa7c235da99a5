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
			ArgMax(in, out, tc.outer, tc.n, tc.inner, tc.smallest, 0, len(out))
			if !equalInts(out, tc.want) {
				t.Errorf("got %v, want %v", out, tc.want)
			}
		})
	}
}

// argMaxRef is ArgMax as its definition reads: each position on its own.
func argMaxRef(in []int8, outer, n, inner int, smallest bool) []int32 {
	out := make([]int32, outer*inner)
	for o := range outer {
		for i := range inner {
			b := 0
			for k := 1; k < n; k++ {
				v, w := in[(o*n+k)*inner+i], in[(o*n+b)*inner+i]
				if v > w && !smallest || v < w && smallest {
					b = k
				}
			}
			out[o*inner+i] = int32(b)
		}
	}
	return out
}

// TestArgMaxRanges checks that ArgMax over any cut of the positions into
// ranges (as a Pool splits them) gives the positions' reference indices,
// across chunk and slab boundaries, with many ties (values in [-4, 4)).
func TestArgMaxRanges(t *testing.T) {
	g := uint32(7)
	for _, sh := range [][3]int{{1, 2304, 17}, {3, 5, 130}, {2, 40, 1}, {1, 1, 65}, {4, 9, 64}} {
		outer, n, inner := sh[0], sh[1], sh[2]
		in := make([]int8, outer*n*inner)
		for i := range in {
			g ^= g << 13
			g ^= g >> 17
			g ^= g << 5
			in[i] = int8(g%8) - 4
		}
		for _, smallest := range []bool{false, true} {
			want := argMaxRef(in, outer, n, inner, smallest)
			for _, cut := range []int{1, 3, 7, 64, len(want)} {
				out := make([]int32, len(want))
				for lo := 0; lo < len(out); lo += cut {
					ArgMax(in, out, outer, n, inner, smallest, lo, min(lo+cut, len(out)))
				}
				if !equalInts(out, want) {
					t.Fatalf("shape %v smallest %v cut %d: got %v, want %v", sh, smallest, cut, out, want)
				}
			}
		}
	}
}
