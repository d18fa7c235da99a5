package tflite

import (
	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/kernels"
)

func init() { register("FULLY_CONNECTED", prepareFullyConnected) }

// FullyConnectedOptions: fused_activation_function 0, weights_format 1,
// keep_num_dims 2, asymmetric_quantize_inputs 3.
func prepareFullyConnected(c *opCtx) (kernel, error) {
	if err := c.arity(2, 3, 1); err != nil {
		return nil, err
	}
	in, w, bias, out := c.input(0), c.input(1), c.input(2), c.output(0)
	act, err := c.activation(0)
	if err != nil {
		return nil, err
	}
	if c.n.opts.u8(1, 0) != 0 {
		return nil, c.unsupported("shuffled weights format")
	}
	if len(w.shape) != 2 {
		return nil, c.invalid("weights %s must be 2-D", w)
	}
	units, depth := w.shape[0], w.shape[1]
	if depth == 0 || in.numElements()%depth != 0 {
		return nil, c.invalid("input %s is not a multiple of the weights' depth %d", in, depth)
	}
	batches := in.numElements() / depth
	if out.numElements() != batches*units {
		return nil, c.invalid("output %s should hold %d x %d values", out, batches, units)
	}
	if bias != nil && bias.numElements() != units {
		return nil, c.invalid("bias %s should hold %d values", bias, units)
	}
	if in.dtype != runtime.Float32 || w.dtype != runtime.Float32 || out.dtype != runtime.Float32 || (bias != nil && bias.dtype != runtime.Float32) {
		return nil, c.unsupported("types %s x %s -> %s", in.dtype, w.dtype, out.dtype)
	}
	lo, hi := act.FloatRange()
	return kernelFunc(func(b *binding) error {
		kernels.FullyConnectedF32(f32(b.ins[0]), f32(b.ins[1]), f32(b.ins[2]), f32(b.outs[0]), batches, units, depth, lo, hi)
		return nil
	}), nil
}
