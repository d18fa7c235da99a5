package kernels

import "math"

// ScatterBlocks copies src, made of outer consecutive blocks of block
// elements, into dst at dst[o*stride+offset:], o = 0..outer-1. It is the
// inner step of concatenation, packing and tiling.
func ScatterBlocks[T any](dst, src []T, outer, block, stride, offset int) {
	for o := 0; o < outer; o++ {
		copy(dst[o*stride+offset:o*stride+offset+block], src[o*block:(o+1)*block])
	}
}

// GatherBlocks is the inverse of ScatterBlocks: it copies the blocks at
// src[o*stride+offset:] into consecutive blocks of dst. It is the inner step
// of splitting and unpacking.
func GatherBlocks[T any](dst, src []T, outer, block, stride, offset int) {
	for o := 0; o < outer; o++ {
		copy(dst[o*block:(o+1)*block], src[o*stride+offset:o*stride+offset+block])
	}
}

// Requant8 maps 8-bit values from one quantization to another the way
// TFLite's ConcatenationWithScaling does: q' = round(q*scale + bias) + zp in
// float32, rounded half away from zero and saturated to the type, with
// scale = in_scale / out_scale and bias = -in_zero_point * scale.
type Requant8 struct {
	Scale, Bias float32
	ZeroPoint   int32
}

// NewRequant8 prepares the mapping from (inScale, inZP) to (outScale, outZP).
func NewRequant8(inScale float32, inZP int32, outScale float32, outZP int32) Requant8 {
	s := inScale * (1 / outScale)
	return Requant8{Scale: s, Bias: -float32(inZP) * s, ZeroPoint: outZP}
}

// ScatterBlocksRequant is ScatterBlocks that requantizes each value with r,
// clamping to [qmin, qmax].
func ScatterBlocksRequant[T ~int8 | ~uint8](dst, src []T, outer, block, stride, offset int, r Requant8, qmin, qmax int32) {
	for o := 0; o < outer; o++ {
		d := dst[o*stride+offset : o*stride+offset+block]
		s := src[o*block : (o+1)*block]
		for i, v := range s {
			// The explicit conversion keeps the product from being fused
			// into a multiply-add, which would round differently.
			x := float32(float32(v)*r.Scale) + r.Bias
			q := int32(math.Round(float64(x))) + r.ZeroPoint
			d[i] = T(min(max(q, qmin), qmax))
		}
	}
}
