package kernels

import "testing"

func TestScatterGatherBlocks(t *testing.T) {
	// Concatenate [2,1] and [2,2] along axis 1 into [2,3], then split back.
	a, b := []int{1, 2}, []int{3, 4, 5, 6}
	out := make([]int, 6)
	ScatterBlocks(out, a, 2, 1, 3, 0)
	ScatterBlocks(out, b, 2, 2, 3, 1)
	if want := []int{1, 3, 4, 2, 5, 6}; !equalInts(out, want) {
		t.Fatalf("scatter = %v, want %v", out, want)
	}
	ga, gb := make([]int, 2), make([]int, 4)
	GatherBlocks(ga, out, 2, 1, 3, 0)
	GatherBlocks(gb, out, 2, 2, 3, 1)
	if !equalInts(ga, a) || !equalInts(gb, b) {
		t.Fatalf("gather = %v %v, want %v %v", ga, gb, a, b)
	}
}

func TestRequant8(t *testing.T) {
	tests := []struct {
		name              string
		inScale, outScale float32
		inZP, outZP       int32
		in                []int8
		want              []int8
	}{
		// scale 0.5, bias 0: 3 -> 1.5 -> 2 (half away from zero), -3 -> -2.
		{"halves away from zero", 1, 2, 0, 0, []int8{3, -3, 1, -1}, []int8{2, -2, 1, -1}},
		// scale 2, bias -2*(-5) = 10, +zp 1: 0 -> 11, 100 -> 211 -> 127, -128 -> -245 -> -128.
		{"zero points and saturation", 2, 1, -5, 1, []int8{0, 100, -128}, []int8{11, 127, -128}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := NewRequant8(tc.inScale, tc.inZP, tc.outScale, tc.outZP)
			out := make([]int8, len(tc.in))
			ScatterBlocksRequant(out, tc.in, 1, len(tc.in), len(tc.in), 0, r, -128, 127)
			if !equalInts(out, tc.want) {
				t.Errorf("got %v, want %v", out, tc.want)
			}
		})
	}
}
