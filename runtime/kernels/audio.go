package kernels

import (
	"errors"
	"math"
	"math/bits"
)

// This file holds the arithmetic of audio front ends: TFLite's RFFT2D on
// float32 slices, and the element-wise operators spectrograms use.

// RFFT2D is a two-dimensional real-to-complex Fourier transform of
// [H, W] float32 slices into [FH, FW/2+1] complex64 slices, FH and FW
// powers of two: each input slice is cropped or zero-padded to FH x FW, as
// TFLite's RFFT2D does. It computes in float64 (as TFLite does, with
// Ooura's FFT) and rounds the result to float32.
type RFFT2D struct {
	h, w, fh, fw int
	// twiddles holds e^{-2πik/n} for k < n/2 of the longer transform.
	twiddles []complex128
}

// NewRFFT2D prepares the transform of h x w slices to fh x (fw/2+1).
func NewRFFT2D(h, w, fh, fw int) (*RFFT2D, error) {
	if fh < 1 || fw < 2 || bits.OnesCount(uint(fh)) != 1 || bits.OnesCount(uint(fw)) != 1 {
		return nil, errors.New("FFT lengths must be powers of two, the width at least 2")
	}
	n := max(fh, fw)
	t := &RFFT2D{h: h, w: w, fh: fh, fw: fw, twiddles: make([]complex128, n/2)}
	for k := range t.twiddles {
		s, c := math.Sincos(-2 * math.Pi * float64(k) / float64(n))
		t.twiddles[k] = complex(c, s)
	}
	return t, nil
}

// ScratchLen is the number of complex128 values Run needs as scratch.
func (t *RFFT2D) ScratchLen() int { return t.fh*(t.fw/2+1) + max(t.fh, t.fw) }

// OutLen is the number of complex values of one output slice.
func (t *RFFT2D) OutLen() int { return t.fh * (t.fw/2 + 1) }

// Run transforms one slice: in holds h·w floats, out receives
// fh·(fw/2+1) complex values as interleaved real and imaginary float32.
func (t *RFFT2D) Run(in, out []float32, scratch []complex128) {
	cols := t.fw/2 + 1
	grid, line := scratch[:t.fh*cols], scratch[t.fh*cols:][:max(t.fh, t.fw)]
	// Rows: a full complex FFT of each zero-padded row, keeping the
	// non-negative frequencies.
	for i := range t.fh {
		row := line[:t.fw]
		for j := range row {
			row[j] = 0
			if i < t.h && j < t.w {
				row[j] = complex(float64(in[i*t.w+j]), 0)
			}
		}
		t.fft(row)
		copy(grid[i*cols:(i+1)*cols], row[:cols])
	}
	// Columns.
	col := line[:t.fh]
	for j := range cols {
		for i := range col {
			col[i] = grid[i*cols+j]
		}
		t.fft(col)
		for i, v := range col {
			out[2*(i*cols+j)] = float32(real(v))
			out[2*(i*cols+j)+1] = float32(imag(v))
		}
	}
}

// fft transforms x in place (forward, unnormalized); len(x) is a power of
// two at most the prepared length.
func (t *RFFT2D) fft(x []complex128) {
	n := len(x)
	if n < 2 {
		return
	}
	shift := bits.UintSize - bits.TrailingZeros(uint(n))
	for i := range x {
		if j := int(bits.Reverse(uint(i)) >> shift); j > i {
			x[i], x[j] = x[j], x[i]
		}
	}
	stride := 2 * len(t.twiddles) / n
	for size := 2; size <= n; size *= 2 {
		half, step := size/2, stride*(n/size)
		for start := 0; start < n; start += size {
			for k := range half {
				w := t.twiddles[k*step]
				a, b := x[start+k], x[start+k+half]*w
				x[start+k], x[start+k+half] = a+b, a-b
			}
		}
	}
}

// PowF32 computes out = a^b (std::pow in float32) over the output
// elements [from, to) of the broadcast p.
func PowF32(a, b, out []float32, p *Broadcast, from, to int) {
	sa, sb := p.innerSteps()
	it := p.runs(from, to)
	for {
		o, ao, bo, n := it.next()
		if n == 0 {
			return
		}
		x, y, z := span(a, ao, n, sa), span(b, bo, n, sb), out[o:o+n]
		for i := range z {
			z[i] = float32(math.Pow(float64(x[i*sa]), float64(y[i*sb])))
		}
	}
}

// ErrNegativeExponent is returned by PowInt32 for a negative exponent,
// which TFLite refuses for integers.
var ErrNegativeExponent = errors.New("POW: integer power with a negative exponent")

// PowInt32 computes out = a^b for int32 tensors (wrapping, as TFLite's
// repeated squaring does) over the output elements [from, to) of p.
func PowInt32(a, b, out []int32, p *Broadcast, from, to int) {
	sa, sb := p.innerSteps()
	it := p.runs(from, to)
	for {
		o, ao, bo, n := it.next()
		if n == 0 {
			return
		}
		x, y, z := span(a, ao, n, sa), span(b, bo, n, sb), out[o:o+n]
		for i := range z {
			base, e, r := x[i*sa], y[i*sb], int32(1)
			for e > 0 {
				if e&1 != 0 {
					r *= base
				}
				base *= base
				e >>= 1
			}
			z[i] = r
		}
	}
}

// CheckExponents returns ErrNegativeExponent if any exponent is negative.
func CheckExponents(e []int32) error {
	for _, v := range e {
		if v < 0 {
			return ErrNegativeExponent
		}
	}
	return nil
}
