package tflite

import (
	"math"

	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/kernels"
)

// The QUANTIZE forms the keyword-spotting SVDF models need (int16 input).
// The ops-int16 branch has a complete prepareQuantize16 behind the same
// hook in op_quantize.go; when both are merged, this file goes and that
// one stays.

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
