package tflite

import (
	"math"

	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/kernels"
)

// The int16 forms of QUANTIZE and SOFTMAX that the keyword-spotting SVDF
// models (conformance2/tflm_keyword_scrambled) need, kept apart from the
// general 16x8 quantization work: the ops-int16 branch has a complete
// prepareQuantize16 (same name and hook); when both are merged, its
// version replaces the one below.

// prepareQuantize16 handles QUANTIZE from int16 to int8 or int32: TFLite's
// Requantize, q_out = zp_out + M(q_in - zp_in) with M = s_in/s_out. It
// returns nil, nil for the other forms.
func prepareQuantize16(c *opCtx, in, out *tensor) (kernel, error) {
	if in.dtype != runtime.Int16 || (out.dtype != runtime.Int8 && out.dtype != runtime.Int32) {
		return nil, nil
	}
	qi, oki := qparams(in)
	qo, oko := qparams(out)
	if !oki || !oko {
		return nil, c.unsupported("%s -> %s without per-tensor quantization", in, out)
	}
	m := kernels.NewMultiplier(float64(qi.Scale) / float64(qo.Scale))
	zi, zo := qi.Zero, qo.Zero
	k := &elemKernel{n: out.numElements(), grain: elemGrain}
	if out.dtype == runtime.Int8 {
		k.run = func(ins, outs [][]byte, lo, hi int) {
			y := i8(outs[0])
			for i, v := range i16(ins[0])[lo:hi] {
				y[lo+i] = int8(min(max(m.Apply(int32(v)-zi)+zo, math.MinInt8), math.MaxInt8))
			}
		}
		return k, nil
	}
	k.run = func(ins, outs [][]byte, lo, hi int) {
		y := i32(outs[0])
		for i, v := range i16(ins[0])[lo:hi] {
			y[lo+i] = m.Apply(int32(v)-zi) + zo
		}
	}
	return k, nil
}

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
