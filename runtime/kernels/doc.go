// Package kernels holds edgeinfer's operator arithmetic on plain Go slices:
// convolutions, matrix products, pooling, element-wise and quantized math,
// following TensorFlow Lite's reference semantics (rounding, saturation,
// fixed-point requantization). Each kernel has a portable generic version
// that is the reference every faster variant is tested against; callers in
// runtime/tflite reach kernels only through the functions of this package,
// which is the dispatch seam for CPU-specific implementations.
//
// Kernels that can be split take an index range [lo, hi) of output rows or
// channels so a Pool can spread them across goroutines without allocating.
package kernels
