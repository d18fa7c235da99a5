package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestF32Seg runs the seg kernel of every float32 variant that has one
// against the plain sum over its segments: every row count from 1 to 40
// (whole blocks of 8 and the uneven last blocks), one panel, two, and
// partial ones, segments apart or back to back, none.
func TestF32Seg(t *testing.T) {
	for _, v := range f32Variants {
		if v.seg == nil {
			continue
		}
		r := rand.New(rand.NewPCG(11, 12))
		for rows := 1; rows <= 40; rows++ {
			for _, g := range []struct{ nc, kseg, nseg, gap, ldaPad int }{
				{8, 9, 3, 31, 2}, {16, 9, 3, 31, 2}, {5, 27, 1, 0, 0}, {13, 4, 5, 7, 1}, {16, 15, 0, 3, 0}, {11, 1, 2, 0, 3},
			} {
				t.Run(fmt.Sprintf("%s/rows%d/nc%d/seg%dx%d", v.name, rows, g.nc, g.nseg, g.kseg), func(t *testing.T) {
					testF32Seg(t, r, v, rows, g.nc, g.kseg, g.nseg, g.gap, g.ldaPad)
				})
			}
		}
	}
}

func testF32Seg(t *testing.T, r *rand.Rand, v *f32Variant, rows, nc, kseg, nseg, gap, ldaPad int) {
	k := kseg * nseg
	segStride := kseg + gap
	lda := kseg + ldaPad
	alen := (rows-1)*lda + max(nseg-1, 0)*segStride + kseg
	a := randF32(r, alen)
	w := PackF32(randF32(r, nc*max(k, 1)), nc, max(k, 1), randF32(r, nc))
	lo, hi := float32(-2), float32(2.5)
	ldc := nc + 3
	c := make([]float32, (rows-1)*ldc+nc+1)
	sentinel := float32(math.Pi)
	for i := range c {
		c[i] = sentinel
	}
	v.seg(&a[0], lda, rows, &w.data[0], gemmNR*w.K, kseg, nseg, segStride, &w.bias[0], lo, hi, &c[0], ldc, nc)
	for row := 0; row < rows; row++ {
		for ch := 0; ch < ldc && row*ldc+ch < len(c); ch++ {
			got := c[row*ldc+ch]
			if ch >= nc {
				if got != sentinel {
					t.Fatalf("row %d: channel %d past nc written", row, ch)
				}
				continue
			}
			var want, mag float64
			for s := 0; s < nseg; s++ {
				for i := 0; i < kseg; i++ {
					x := a[row*lda+s*segStride+i]
					wv := w.data[(ch/gemmNR)*gemmNR*w.K+(s*kseg+i)*gemmNR+ch%gemmNR]
					want += float64(x) * float64(wv)
					mag += math.Abs(float64(x * wv))
				}
			}
			want = min(max(want+float64(w.bias[ch]), float64(lo)), float64(hi))
			if d := math.Abs(float64(got) - want); d > 1e-6*(mag+1)*float64(k+1) {
				t.Fatalf("row %d channel %d = %g, want %g", row, ch, got, want)
			}
		}
	}
}

// TestF32SegRowAlone checks that the seg kernels give a row the same bits
// whether it is computed alone or within blocks of others: batched runs
// must give each item what a single run gives it.
func TestF32SegRowAlone(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for _, v := range f32Variants {
		if v.seg == nil {
			continue
		}
		for _, nc := range []int{8, 16, 11} {
			const rows, k = 29, 37
			a := randF32(r, rows*k)
			w := PackF32(randF32(r, nc*k), nc, k, randF32(r, nc))
			all, one := make([]float32, rows*nc), make([]float32, nc)
			v.seg(&a[0], k, rows, &w.data[0], gemmNR*k, k, 1, 0, &w.bias[0], -10, 10, &all[0], nc, nc)
			for row := range rows {
				v.seg(&a[row*k], k, 1, &w.data[0], gemmNR*k, k, 1, 0, &w.bias[0], -10, 10, &one[0], nc, nc)
				for ch := range nc {
					if math.Float32bits(one[ch]) != math.Float32bits(all[row*nc+ch]) {
						t.Fatalf("%s nc %d: row %d channel %d alone %g, among %d rows %g", v.name, nc, row, ch, one[ch], rows, all[row*nc+ch])
					}
				}
			}
		}
	}
}
