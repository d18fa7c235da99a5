package kernels

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestIm2colQ checks the 8-bit im2col against the generic one, byte for
// byte over each tile's rows: windows of 3, 9 and 16 bytes a row, of 18
// to 256 (two to sixteen 16-byte moves) and past 256, borders, strides, dilated rows,
// batches, and tiles that end at the end of the scratch, as ConvQ sizes
// it (the words must not write past it).
func TestIm2colQ(t *testing.T) {
	cases := append([]convCase{
		{"rgb-3x3-s2-same", 2, 17, 15, 3, 4, 3, 3, 2, 2, 1, 1, true},
		{"rgb-3x3-s1-valid", 1, 9, 12, 3, 4, 3, 3, 1, 1, 1, 1, false},
		{"c4-4x4-same", 1, 10, 9, 4, 4, 4, 4, 1, 1, 1, 1, true},
		{"c1-3x3-dilH2", 1, 12, 11, 1, 4, 3, 3, 1, 1, 2, 1, true},
		{"c8-2x2-s2", 1, 8, 8, 8, 4, 2, 2, 2, 2, 1, 1, true},
		{"c16-3x3-same", 2, 9, 8, 16, 4, 3, 3, 1, 1, 1, 1, true},
		{"c16-3x3-s2-valid", 1, 9, 8, 16, 4, 3, 3, 2, 2, 1, 1, false},
		{"c6-3x3-dilH2", 1, 7, 9, 6, 4, 3, 3, 1, 1, 2, 1, true},
		{"c20-3x3-same", 1, 6, 7, 20, 4, 3, 3, 1, 1, 1, 1, true},
		{"c7-3x2-s2-same", 1, 9, 10, 7, 4, 3, 2, 2, 1, 1, 1, true},
		{"c33-2x2-valid", 1, 4, 5, 33, 4, 2, 2, 1, 1, 1, 1, false},
		{"c40-3x3-same", 1, 5, 6, 40, 4, 3, 3, 1, 1, 1, 1, true},
		{"c64-3x3-s2-same", 1, 6, 5, 64, 4, 3, 3, 2, 2, 1, 1, true},
		{"c90-3x3-same", 1, 4, 4, 90, 4, 3, 3, 1, 1, 1, 1, true},
	}, convCases...)
	r := rand.New(rand.NewPCG(9, 9))
	for _, tc := range cases {
		s := tc.shape(4)
		in := randQ[uint8](r, s.Batches*s.InH*s.InW*s.InC, 0, 255)
		k := s.K()
		for _, tile := range []int{1, 5, s.Pixels()} {
			t.Run(fmt.Sprintf("%s/tile=%d", tc.name, tile), func(t *testing.T) {
				want := make([]uint8, tile*k+3)
				for m0 := 0; m0 < s.Pixels(); m0 += tile {
					m1 := min(m0+tile, s.Pixels())
					got := make([]uint8, tile*k+3)
					im2col(&s, in, m0, m1, 7, want)
					im2colQ(&s, in, m0, m1, 7, got)
					if n := (m1 - m0) * k; !slices.Equal(got[:n], want[:n]) {
						for i := range n {
							if got[i] != want[i] {
								t.Fatalf("pixels [%d, %d): byte %d (pixel %d, tap %d) = %d, generic %d", m0, m1, i, m0+i/k, i%k, got[i], want[i])
							}
						}
					}
				}
			})
		}
	}
}
