package kernels

import "math"

// A dynamic-range (hybrid) convolution has float32 input and output and
// int8 weights. TFLite with XNNPACK (the engine of the references)
// quantizes its input to int8 on the fly, asymmetrically with a scale and
// zero point per image (per pixel for a 1×1 convolution of stride 1, which
// it runs as a fully connected layer), sums the integer products in int32
// and scales each sum by the input's scale times the channel's weight
// scale. (TFLite's builtin kernels quantize symmetrically when the weights
// have one scale; XNNPACK takes those layers too.) Here the quantized inputs less their zero point
// and the weights are small integers held in float32, so the float32
// convolution kernels (SIMD GEMM and depthwise) compute the same sums,
// exactly while they stay below 2^24, and HybridScale finishes them.

// HybridScale is the float side of a hybrid convolution: per-channel
// weight scales and bias, and the clamp of the fused activation.
type HybridScale struct {
	// WScale and Bias are per output channel, padded to whole panels.
	WScale, Bias []float32
	Lo, Hi       float32
}

// NewHybridScale builds the epilogue of n channels from the weight
// scale(s) and the bias (nil for none).
func NewHybridScale(n int, wScale, bias []float32, lo, hi float32) *HybridScale {
	h := NewHybrid(n, wScale, bias, lo, hi)
	return &HybridScale{WScale: h.WScale, Bias: h.Bias, Lo: lo, Hi: hi}
}

// IntWeightsF32 returns int8 weights as float32 integers.
func IntWeightsF32(w []int8) []float32 {
	out := make([]float32, len(w))
	for i, v := range w {
		out[i] = float32(v)
	}
	return out
}

// Unbounded is the clamp range of a convolution whose outputs HybridScale
// finishes.
func Unbounded() (lo, hi float32) { return float32(math.Inf(-1)), float32(math.Inf(1)) }

// Quantize quantizes the values x that share one scale and zero point,
// stores q - zero point of each in dst as float32 (q is int8 scratch of
// len(x)) and returns the scale.
func (h *HybridScale) Quantize(x, dst []float32, q []int8) float32 {
	scale, zp := quantizeAsymmetric(x, q)
	for i, v := range q[:len(x)] {
		dst[i] = float32(int32(v) - zp)
	}
	return scale
}

// Finish turns the integer sums of rows of n channels in out into outputs,
// for the channels of panels [p0, p1): clamp(sum·scale·WScale[c] + Bias[c]).
func (h *HybridScale) Finish(out []float32, n int, scale float32, p0, p1 int) {
	c0, c1 := p0*gemmNR, min(p1*gemmNR, n)
	for r := 0; r+n <= len(out); r += n {
		row := out[r+c0 : r+c1]
		ws, b := h.WScale[c0:c1], h.Bias[c0:c1]
		for j, v := range row {
			row[j] = min(max(v*(scale*ws[j])+b[j], h.Lo), h.Hi)
		}
	}
}

// Panels returns the number of channel panels of n channels.
func Panels(n int) int { return panels(n) }
