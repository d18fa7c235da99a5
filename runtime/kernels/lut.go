package kernels

import "math"

// LUT8 maps each byte of an 8-bit tensor to an output byte. Every unary
// operator from an 8-bit type to an 8-bit type is one table lookup per
// element, whatever arithmetic built the table.
type LUT8 [256]uint8

// lut8SIMD, when set, computes out[i] = t[in[i]] for n bytes; a CPU file
// sets it from init.
var lut8SIMD func(t *LUT8, in, out *byte, n int)

// Apply computes out[i] = t[in[i]].
func (t *LUT8) Apply(in, out []byte) {
	out = out[:len(in)]
	if lut8SIMD != nil && len(in) >= simdMinRun {
		lut8SIMD(t, &in[0], &out[0], len(in))
		return
	}
	for i, v := range in {
		out[i] = t[v]
	}
}

// NewLUT8Int tabulates f over the 256 values of the input type; f returns
// the output value, which is clamped to the output type.
func NewLUT8Int(inSigned, outSigned bool, f func(v int32) int32) LUT8 {
	var t LUT8
	lo, hi := TypeRange(outSigned)
	for i := range t {
		t[i] = uint8(min(max(f(byteValue(i, inSigned)), lo), hi))
	}
	return t
}

// NewLUT8Float tabulates q(f(d(x))) where d dequantizes the input and q
// quantizes the result, with the float32 arithmetic of XNNPACK's reference
// unary kernels (which build its 8-bit lookup tables): d(x) = (x - zero) *
// scale, q(y) = round-to-nearest-even(y * (1/scale) + zero), clamped to the
// output type.
func NewLUT8Float(inSigned bool, in QParams, outSigned bool, out QParams, f func(float32) float32) LUT8 {
	inv := 1 / out.Scale
	zin, zout := float32(in.Zero), float32(out.Zero)
	return NewLUT8Int(inSigned, outSigned, func(v int32) int32 {
		x := float32(float32(v)-zin) * in.Scale
		return QuantizeToInt(float32(f(x)*inv) + zout)
	})
}

// QuantizeToInt rounds x to the nearest integer, ties to even, saturating at
// the int32 range (NaN becomes 0), like XNNPACK's round_float_to_int.
func QuantizeToInt(x float32) int32 {
	if x != x {
		return 0
	}
	r := math.RoundToEven(float64(x))
	return int32(min(max(r, math.MinInt32), math.MaxInt32))
}

// LUTF32 maps each byte of an 8-bit tensor to a float32.
type LUTF32 [256]float32

// NewDequantizeLUT tabulates (x - zero) * scale in float32 arithmetic.
func NewDequantizeLUT(signed bool, q QParams) LUTF32 {
	var t LUTF32
	for i := range t {
		t[i] = float32(byteValue(i, signed)-q.Zero) * q.Scale
	}
	return t
}

// dequant8SIMD, when set, stores float32(x - zero) * scale for n bytes x
// (int8 when signed is 1, else uint8); a CPU file sets it from init.
var dequant8SIMD func(in *byte, out *float32, n int, zero int32, scale float32, signed int32)

// Dequantizer converts 8-bit values to float32 as (x - zero) * scale in
// float32 arithmetic: by table, or computed 16 at a time where the CPU
// can (the same roundings: the difference converts exactly).
type Dequantizer struct {
	lut    LUTF32
	signed bool
	q      QParams
}

// NewDequantizer prepares the conversion of int8 (signed) or uint8 values
// with quantization q; QParams{1, 0} converts the plain values (CAST).
func NewDequantizer(signed bool, q QParams) *Dequantizer {
	return &Dequantizer{lut: NewDequantizeLUT(signed, q), signed: signed, q: q}
}

// Apply converts in into out.
func (d *Dequantizer) Apply(in []byte, out []float32) {
	out = out[:len(in)]
	if dequant8SIMD != nil && len(in) >= simdMinRun {
		var signed int32
		if d.signed {
			signed = 1
		}
		dequant8SIMD(&in[0], &out[0], len(in), d.q.Zero, d.q.Scale, signed)
		return
	}
	d.lut.Apply(in, out)
}

// Apply computes out[i] = t[in[i]].
func (t *LUTF32) Apply(in []byte, out []float32) {
	out = out[:len(in)]
	for i, v := range in {
		out[i] = t[v]
	}
}
