// Package kernels holds edgeinfer's operator arithmetic on plain Go slices:
// convolutions, matrix products, pooling, element-wise and quantized math,
// following TensorFlow Lite's reference semantics (rounding, saturation,
// fixed-point requantization). Each kernel has a portable generic version
// that is the reference every faster variant is tested against; callers in
// runtime/tflite reach kernels only through the functions of this package,
// which is the dispatch seam for CPU-specific implementations.
//
// The matrix products (convolutions, fully connected) and depthwise
// convolutions have SIMD variants in Go assembly, chosen once at start from
// golang.org/x/sys/cpu and bound to each layer when its weights are packed:
// on amd64 AVX-512 VNNI and AVX2 for 8-bit products, AVX-512 and AVX2+FMA
// for float32, AVX-512 VNNI, AVX-512 and AVX2 for depthwise, AVX-512 for 8-bit and
// float ADD/SUB/MUL, float clamps and QUANTIZE; on arm64 I8MM (SMMLA), SDOT,
// SMULL or SMLAL for 8-bit, FMLA for float32, NEON depthwise and 8-bit
// ADD/SUB/MUL and QUANTIZE (docs/arm64-kernels.md compares them with
// XNNPACK's). 8-bit variants are bit for bit equal to the generic kernels
// (int32 sums are exact in any order); float32 ones differ only by rounding. The purego build tag leaves only
// the generic kernels.
//
// Kernels that can be split take an index range [lo, hi) of output rows or
// channels so a Pool can spread them across goroutines without allocating.
package kernels
