package tflite

import "github.com/edgeinfer/edgeinfer/runtime/kernels"

// The int8 -> int16 SOFTMAX that the keyword-spotting SVDF models
// (conformance2/tflm_keyword_scrambled) need, kept apart from the general
// 16x8 quantization work (op_quantize16_seq.go has their QUANTIZE forms).
// If that work brings its own, its version replaces this one and the hook
// in op_softmax.go.

// prepareSoftmax8To16 is SOFTMAX from int8 to int16 over the last
// dimension.
func prepareSoftmax8To16(c *opCtx, in, out *tensor) (kernel, error) {
	if len(in.shape) == 0 || !sameShape(in.shape, out.shape) {
		return nil, c.invalid("input %s and output %s shapes differ or are scalar", in, out)
	}
	qi, oki := qparams(in)
	qo, oko := qparams(out)
	if !oki || !oko {
		return nil, c.invalid("quantized tensors need per-tensor quantization")
	}
	depth := in.shape[len(in.shape)-1]
	if depth == 0 {
		return &elemKernel{run: func([][]byte, [][]byte, int, int) {}}, nil
	}
	s := kernels.NewSoftmaxQ8(qi.Scale, c.n.opts.f32(0, 0), qo)
	rows := in.numElements() / depth
	return &elemKernel{n: rows, grain: max(1, softmaxGrain/depth), run: func(ins, outs [][]byte, lo, hi int) {
		kernels.SoftmaxQ8To16Run(&s, i8(ins[0]), i16(outs[0]), depth, lo, hi)
	}}, nil
}
