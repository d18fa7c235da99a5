package kernels

import "math"

// Requant turns int32 accumulators of a quantized convolution or matrix
// product into 8-bit outputs the way XNNPACK does (and so the conformance
// references, which come from TFLite with the XNNPACK delegate): the
// accumulator, bias included, is converted to float32, multiplied by the
// channel's scale in_scale·w_scale[c]/out_scale (computed in float32),
// clamped to the activation range, rounded to nearest even and offset by the
// output zero point. TFLite's builtin kernels use fixed-point multipliers
// instead; the two differ by at most one unit in rare ties.
type Requant struct {
	// Scale holds one multiplier per output channel.
	Scale []float32
	// Bias holds per output channel the int32 bias plus the input zero
	// point corrections: bias[c] - zx·Σk w'[c][k].
	Bias []int32
	// ZeroPoint is the output zero point.
	ZeroPoint int32
	// lo and hi bound the scaled value before the zero point is added.
	lo, hi float32
}

// NewRequant builds a Requant for n channels from the quantization of input,
// weights (one scale, or one per channel) and output, the output zero point
// and the clamp range [qmin, qmax] of the fused activation. The bias is set
// separately (see PackedQ.FoldBias).
func NewRequant(n int, inScale float32, wScale []float32, outScale float32, outZP, qmin, qmax int32) *Requant {
	r := &Requant{
		Scale:     make([]float32, panels(n)*gemmNR),
		Bias:      make([]int32, panels(n)*gemmNR),
		ZeroPoint: outZP,
		lo:        float32(qmin - outZP),
		hi:        float32(qmax - outZP),
	}
	for c := 0; c < n; c++ {
		ws := wScale[0]
		if len(wScale) > 1 {
			ws = wScale[c]
		}
		r.Scale[c] = inScale * ws / outScale
	}
	return r
}

// roundMagic is 1.5·2²³: adding it to a float32 of magnitude below 2²² puts
// the value, rounded to nearest even, in the low mantissa bits.
const (
	roundMagic     = 12582912.0
	roundMagicBits = 0x4B400000
)

// requantRow requantizes the accumulators of channels c0, c0+1, … into dst.
func requantRow[T Quant8](r *Requant, dst []T, acc []int32, c0 int) {
	n := len(dst)
	acc = acc[:n]
	scale, bias := r.Scale[c0:c0+n], r.Bias[c0:c0+n]
	lo, hi, zp := r.lo, r.hi, r.ZeroPoint-roundMagicBits
	for j := range dst {
		v := float32(acc[j]+bias[j]) * scale[j]
		v = min(max(v, lo), hi)
		dst[j] = T(int32(math.Float32bits(v+roundMagic)) + zp)
	}
}
