package kernels

import (
	"errors"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"
)

// TestRFFT2D compares the transform with a direct 2-D DFT of the cropped
// or zero-padded slice.
func TestRFFT2D(t *testing.T) {
	for _, c := range []struct{ h, w, fh, fw int }{
		{1, 8, 1, 8}, {4, 16, 4, 16}, {5, 20, 8, 16}, {3, 3, 4, 8}, {1, 400, 1, 512}, {2, 2, 1, 2},
	} {
		r := rand.New(rand.NewPCG(uint64(c.h), uint64(c.w)))
		in := make([]float32, c.h*c.w)
		for i := range in {
			in[i] = float32(r.Float64()*2 - 1)
		}
		f, err := NewRFFT2D(c.h, c.w, c.fh, c.fw)
		if err != nil {
			t.Fatal(err)
		}
		out := make([]float32, 2*f.OutLen())
		f.Run(in, out, make([]complex128, f.ScratchLen()))
		cols := c.fw/2 + 1
		for k1 := range c.fh {
			for k2 := range cols {
				var want complex128
				for n1 := range min(c.h, c.fh) {
					for n2 := range min(c.w, c.fw) {
						a := -2 * math.Pi * (float64(k1*n1)/float64(c.fh) + float64(k2*n2)/float64(c.fw))
						want += complex(float64(in[n1*c.w+n2]), 0) * cmplx.Exp(complex(0, a))
					}
				}
				got := complex(float64(out[2*(k1*cols+k2)]), float64(out[2*(k1*cols+k2)+1]))
				if cmplx.Abs(got-want) > 1e-4*(1+cmplx.Abs(want)) {
					t.Errorf("%+v: bin (%d,%d) is %v, want %v", c, k1, k2, got, want)
				}
			}
		}
	}
	for _, bad := range [][2]int{{3, 8}, {4, 12}, {0, 8}, {4, 1}} {
		if _, err := NewRFFT2D(4, 8, bad[0], bad[1]); err == nil {
			t.Errorf("lengths %v accepted", bad)
		}
	}
}

func TestPowInt32(t *testing.T) {
	a := []int32{2, -3, 7, 0, 1 << 16, 5}
	b := []int32{10, 3, 0, 0, 2, 1}
	want := []int32{1024, -27, 1, 1, 0, 5} // 2^32 wraps to 0
	p, err := NewBroadcast([]int{6}, []int{6}, []int{6})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]int32, 6)
	PowInt32(a, b, out, &p, 0, 6)
	for i := range want {
		if out[i] != want[i] {
			t.Errorf("%d^%d = %d, want %d", a[i], b[i], out[i], want[i])
		}
	}
	if err := CheckExponents([]int32{1, -1}); !errors.Is(err, ErrNegativeExponent) {
		t.Errorf("negative exponent: %v", err)
	}
}
