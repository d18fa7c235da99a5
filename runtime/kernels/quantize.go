package kernels

import (
	"math"
	"unsafe"
)

// quantF32SIMD, when set, is QuantizeF32 on n values (a NaN input gives
// an unspecified byte, as in the generic loop); CPU files set it from init.
var quantF32SIMD func(in *float32, out *byte, n int, inv, flo, fhi float32, zero int32)

// signedQ8 reports whether T is the signed 8-bit type.
func signedQ8[T Q8]() bool {
	var zero T
	return zero-1 < 0
}

// QuantizeF32 computes out = round(in / scale) + zero clamped to T's range,
// the way XNNPACK (and so TFLite with its XNNPACK delegate) converts:
// multiply by the float32 reciprocal of the scale, clamp, round to nearest
// even. (TFLite's builtin kernel divides and rounds ties away from zero;
// the two differ only on exact ties.)
func QuantizeF32[T Q8](in []float32, out []T, q QParams) {
	inv := 1 / q.Scale
	lo, hi := TypeRange(signedQ8[T]())
	flo, fhi := float32(lo-q.Zero), float32(hi-q.Zero)
	out = out[:len(in)]
	if quantF32SIMD != nil && len(in) > 0 {
		quantF32SIMD(&in[0], (*byte)(unsafe.Pointer(&out[0])), len(in), inv, flo, fhi, q.Zero)
		return
	}
	for i, x := range in {
		f := min(max(x*inv, flo), fhi)
		out[i] = T(int32(math.Float32bits(f+magicBias)) - magicBiasBits + q.Zero)
	}
}

// NewRequantizeLUT tabulates an 8-bit to 8-bit QUANTIZE. Between tensors of
// the same type whose scale ratio lies in [2^-8, 2^7], TFLite delegates to
// XNNPACK, which scales by a multiplier with 8 fractional bits:
// out = ((x - zin) * round(256 * ratio) + 128) >> 8 + zout. Otherwise it
// is TFLite's Requantize: zout + MultiplyByQuantizedMultiplier(x - zin).
func NewRequantizeLUT(inSigned bool, in QParams, outSigned bool, out QParams) LUT8 {
	r := in.Scale / out.Scale
	if inSigned == outSigned && r >= 1.0/256 && r <= 128 {
		m := int32(math.RoundToEven(float64(256 * r)))
		return NewLUT8Int(inSigned, outSigned, func(v int32) int32 {
			return ((v-in.Zero)*m+0x80)>>8 + out.Zero
		})
	}
	m, e := QuantizeMultiplier(float64(in.Scale) / float64(out.Scale))
	return NewLUT8Int(inSigned, outSigned, func(v int32) int32 {
		return MultiplyByQuantizedMultiplier(v-in.Zero, m, e) + out.Zero
	})
}

// NewReluLUT tabulates TFLite's quantized RELU, RELU6 and RELU_N1_TO_1
// (QuantizedReluX): requantize from the input to the output parameters, then
// clamp to [actMin, actMax] expressed in the output's quantization (actMax
// may be +Inf).
func NewReluLUT(signed bool, in, out QParams, actMin, actMax float32) LUT8 {
	m, e := QuantizeMultiplier(float64(in.Scale / out.Scale))
	lo, hi := TypeRange(signed)
	lo = max(lo, out.Zero+int32(math.Round(float64(actMin/out.Scale))))
	if !math.IsInf(float64(actMax), 1) {
		hi = min(hi, out.Zero+int32(math.Round(float64(actMax/out.Scale))))
	}
	return NewLUT8Int(signed, signed, func(v int32) int32 {
		return min(max(out.Zero+MultiplyByQuantizedMultiplier(v-in.Zero, m, e), lo), hi)
	})
}
