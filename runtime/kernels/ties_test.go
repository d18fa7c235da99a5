package kernels

import (
	"fmt"
	"math"
	"testing"
)

// The tests in this file feed the requantizations values that land exactly
// halfway between two integers, of both signs, where rounding rules part:
// half to even (XNNPACK's float requantization, so Requant and every
// SIMD variant), half up toward +Inf (XNNPACK's 8-bit multiplier and
// gemmlowp's SaturatingRoundingDoublingHighMul), half away from zero
// (gemmlowp's RoundingDivideByPOT). Random inputs almost never hit a tie,
// so without these a rounding bug in one path passes the kernel tests.

// evenTie is the reference of the float requantization: acc·scale rounded
// half to even, plus zp, clamped to [qmin, qmax].
func evenTie(acc int32, scale float64, zp, qmin, qmax int32) int32 {
	return min(max(int32(math.RoundToEven(float64(acc)*scale))+zp, qmin), qmax)
}

// tieScales are multipliers that make every odd (0.5) or every
// 2-mod-4 (0.25) accumulator an exact tie.
var tieScales = []float32{0.5, 0.25}

// TestRequantTiesGemm runs the quantized matrix product, generic and every
// 8-bit SIMD variant, with accumulators -128..127 (K=1, weights 1) and
// multipliers 0.5 and 0.25: every output must be the half-to-even result.
func TestRequantTiesGemm(t *testing.T) {
	variants := append([]*qVariant{nil}, qVariants...)
	for _, v := range variants {
		name := "generic"
		if v != nil {
			name = v.name
		}
		t.Run(name, func(t *testing.T) {
			for _, scale := range tieScales {
				gemmTies[int8, int8](t, v, scale, 0, -128, 127, 3)
				gemmTies[uint8, uint8](t, v, scale, 128, 0, 255, 128)
			}
		})
	}
}

// gemmTies checks one type: inputs run over the whole 8-bit range, minus
// inZP they are the accumulators -128..127.
func gemmTies[T Quant8, W Quant8](t *testing.T, v *qVariant, scale float32, inZP, qmin, qmax, outZP int32) {
	t.Helper()
	const n = 13 // one channel tile and a tail
	m := int(qmax - qmin + 1)
	a := make([]T, m)
	for i := range a {
		a[i] = T(qmin + int32(i))
	}
	w := make([]W, n)
	for i := range w {
		w[i] = 1
	}
	rq := NewRequant(n, scale, []float32{1}, 1, outZP, qmin, qmax)
	p := PackQ(w, n, 1, []int32{0})
	p.FoldBias(rq, make([]int32, n), inZP)
	if !p.useQVariant(v) {
		t.Fatalf("%s refused weights of 1", v.name)
	}
	out := make([]T, m*n)
	GemmQ(a, 1, m, p, rq, 0, panels(n), out, n)
	for r := range m {
		acc := qmin + int32(r) - inZP
		want := evenTie(acc, float64(scale), outZP, qmin, qmax)
		for c := range n {
			if got := int32(out[r*n+c]); got != want {
				t.Fatalf("%T scale %v: accumulator %d (×scale = %v), channel %d: %d, want %d (half to even)",
					*new(T), scale, acc, float64(acc)*float64(scale), c, got, want)
			}
		}
	}
}

// TestRequantTiesDepthwise does the same through the quantized depthwise
// convolution (1×1 window, weights 1), generic and every SIMD variant.
func TestRequantTiesDepthwise(t *testing.T) {
	variants := append([]*dwVariant{nil}, dwVariants...)
	for _, v := range variants {
		name := "generic"
		if v != nil {
			name = v.name
		}
		t.Run(name, func(t *testing.T) {
			for _, scale := range tieScales {
				dwTies[int8, int8](t, v, scale, 0, -128, 127, -5)
				dwTies[uint8, uint8](t, v, scale, 128, 0, 255, 130)
			}
		})
	}
}

func dwTies[T Quant8, W Quant8](t *testing.T, v *dwVariant, scale float32, inZP, qmin, qmax, outZP int32) {
	t.Helper()
	const c = 13 // one 8-channel block and a tail
	px := int(qmax - qmin + 1)
	s := ConvShape{Batches: 1, InH: 1, InW: px, InC: c, OutH: 1, OutW: px, OutC: c, KH: 1, KW: 1, StrideH: 1, StrideW: 1, DilH: 1, DilW: 1}
	w := make([]W, c)
	for i := range w {
		w[i] = 1
	}
	rq := NewRequant(c, scale, []float32{1}, 1, outZP, qmin, qmax)
	d := NewDepthwiseQ[T](s, 1, w, []int32{0}, nil, inZP, rq)
	d.useDW(v)
	if v != nil && d.simd == nil {
		t.Fatalf("%s does not take a 1×1 window over %d channels", v.name, c)
	}
	in := make([]T, px*c)
	for i := range in {
		in[i] = T(qmin + int32(i/c))
	}
	out := make([]T, px*c)
	d.Run(in, out, make([]int32, d.ScratchLen()), 0, d.Rows())
	for i := range out {
		acc := qmin + int32(i/c) - inZP
		if want := evenTie(acc, float64(scale), outZP, qmin, qmax); int32(out[i]) != want {
			t.Fatalf("%T scale %v: accumulator %d (×scale = %v), channel %d: %d, want %d (half to even)",
				*new(T), scale, acc, float64(acc)*float64(scale), i%c, out[i], want)
		}
	}
}

// TestQuantizeF32Ties: float32 to 8 bits rounds exact halves to even, as
// XNNPACK does.
func TestQuantizeF32Ties(t *testing.T) {
	var in []float32
	for x := -130.5; x <= 130.5; x++ {
		in = append(in, float32(x))
	}
	i8, u8 := make([]int8, len(in)), make([]uint8, len(in))
	QuantizeF32(in, i8, QParams{Scale: 1, Zero: 0})
	QuantizeF32(in, u8, QParams{Scale: 1, Zero: 128})
	for i, x := range in {
		if want := evenTie(int32(2*x), 0.5, 0, -128, 127); int32(i8[i]) != want {
			t.Errorf("int8 quantize %v: %d, want %d", x, i8[i], want)
		}
		if want := evenTie(int32(2*x), 0.5, 128, 0, 255); int32(u8[i]) != want {
			t.Errorf("uint8 quantize %v: %d, want %d", x, u8[i], want)
		}
	}
}

// TestRequantizeLUTTies: an 8-bit to 8-bit QUANTIZE with a scale ratio of
// one half makes every odd input a tie. Both of its paths round ties up
// (toward +Inf): XNNPACK's 8-bit multiplier ((x·128 + 128) >> 8, same
// signedness) and gemmlowp's SaturatingRoundingDoublingHighMul (int8 to
// uint8), so -0.5 is 0, -1.5 is -1, 0.5 is 1, 1.5 is 2.
func TestRequantizeLUTTies(t *testing.T) {
	for _, tc := range []struct {
		inSigned, outSigned bool
		outZero             int32
	}{
		{true, true, 0},     // XNNPACK path
		{false, false, 128}, // XNNPACK path
		{true, false, 128},  // fixed-point path
		{false, true, 0},    // fixed-point path
	} {
		t.Run(fmt.Sprintf("signed %v to %v", tc.inSigned, tc.outSigned), func(t *testing.T) {
			inZero := int32(0)
			if !tc.inSigned {
				inZero = 128
			}
			lut := NewRequantizeLUT(tc.inSigned, QParams{Scale: 1, Zero: inZero}, tc.outSigned, QParams{Scale: 2, Zero: tc.outZero})
			lo, hi := TypeRange(tc.outSigned)
			for b := range 256 {
				x := byteValue(b, tc.inSigned) - inZero
				want := min(max(int32(math.Floor(float64(x)/2+0.5))+tc.outZero, lo), hi)
				if got := byteValue(int(lut[b]), tc.outSigned); got != want {
					t.Fatalf("input %d (%v after scaling): %d, want %d (half up)", x, float64(x)/2, got, want)
				}
			}
		})
	}
}
