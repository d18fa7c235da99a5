package tflite

import (
	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/kernels"
)

func init() {
	register("UNIDIRECTIONAL_SEQUENCE_RNN", prepareSequenceRNN)
	register("RNN", prepareRNN)
}

// prepareSequenceRNN reads SequenceRNNOptions: time_major 0, fused
// activation 1, asymmetric_quantize_inputs 2. The input is [batch, time,
// input] ([time, batch, input] when time-major).
func prepareSequenceRNN(c *opCtx) (kernel, error) {
	in := c.input(0)
	if in == nil || len(in.shape) != 3 {
		return nil, c.invalid("input must be 3-D")
	}
	d := lstmDims{batch: in.shape[0], time: in.shape[1], input: in.shape[2], timeMajor: c.n.opts.boolean(0)}
	if d.timeMajor {
		d.batch, d.time = d.time, d.batch
	}
	return prepareRNNCell(c, d, kernels.Activation(c.n.opts.u8(1, 0)), c.n.opts.boolean(2))
}

// prepareRNN reads RNNOptions: fused activation 0,
// asymmetric_quantize_inputs 1. The input is [batch, input], one step.
func prepareRNN(c *opCtx) (kernel, error) {
	in := c.input(0)
	if in == nil || len(in.shape) != 2 {
		return nil, c.invalid("input must be 2-D")
	}
	d := lstmDims{batch: in.shape[0], time: 1, input: in.shape[1]}
	return prepareRNNCell(c, d, kernels.Activation(c.n.opts.u8(0, 0)), c.n.opts.boolean(1))
}

// prepareRNNCell checks a basic RNN (inputs: input, weights [units,
// input], recurrent weights [units, units], bias [units], hidden state
// [batch, units], a variable): h = act(W·x + R·h + b), the output is h at
// each step. Float32, or hybrid with int8 weights.
func prepareRNNCell(c *opCtx, d lstmDims, act kernels.Activation, asymmetric bool) (kernel, error) {
	if err := c.arity(5, 5, 1); err != nil {
		return nil, err
	}
	if act > kernels.ActTanh {
		return nil, c.unsupported("activation %d", act)
	}
	in, w, r, bias, h := c.input(0), c.input(1), c.input(2), c.input(3), c.input(4)
	if len(w.shape) != 2 || w.shape[1] != d.input {
		return nil, c.invalid("weights %s must be [units, %d]", w, d.input)
	}
	units := w.shape[0]
	d.cell, d.output, d.outStride = units, units, units
	if !sameShape(r.shape, []int{units, units}) || !sameShape(bias.shape, []int{units}) {
		return nil, c.invalid("recurrent weights %s and bias %s do not match %d units", r, bias, units)
	}
	if !w.isConst() || !r.isConst() || !bias.isConst() {
		return nil, c.unsupported("RNN weights computed at run time")
	}
	if !h.variable || h.numElements() != d.batch*units {
		return nil, c.invalid("hidden state %s must be a variable of %d×%d values", h, d.batch, units)
	}
	outShape := append([]int(nil), in.shape...)
	outShape[len(outShape)-1] = units
	if err := c.settleOutput(0, runtime.Float32, outShape); err != nil {
		return nil, err
	}
	if out := c.output(0); !sameShape(out.shape, outShape) {
		return nil, c.invalid("output %s should be %v", out, outShape)
	}
	for _, t := range []*tensor{in, bias, h} {
		if t.dtype != runtime.Float32 {
			return nil, c.unsupported("%s: RNN runs float32 (or hybrid) only", t)
		}
	}
	k := &rnnKernel{d: d, act: act}
	switch {
	case w.dtype == runtime.Float32 && r.dtype == runtime.Float32:
		k.w.f = kernels.PackF32(f32(w.data), units, d.input, f32(bias.data))
		k.r.f = kernels.PackF32(f32(r.data), units, units, nil)
	case w.dtype == runtime.Int8 && r.dtype == runtime.Int8:
		for _, t := range []*tensor{w, r} {
			if t.quant == nil || len(t.quant.Scale) != 1 || t.quant.ZeroPoint[0] != 0 {
				return nil, c.unsupported("hybrid RNN weights %s without one symmetric scale", t)
			}
		}
		scales := func(s float32) []float32 {
			v := make([]float32, units)
			for i := range v {
				v[i] = s
			}
			return v
		}
		k.w.h = kernels.NewFullyConnectedHybrid(i8(w.data), units, d.input, scales(w.scale()), f32(bias.data), asymmetric, -maxF32, maxF32)
		k.r.h = kernels.NewFullyConnectedHybrid(i8(r.data), units, units, scales(r.scale()), nil, asymmetric, -maxF32, maxF32)
	default:
		return nil, c.unsupported("RNN weights %s and %s", w.dtype, r.dtype)
	}
	return k, nil
}

// rnnKernel is a float32 or hybrid RNN.
type rnnKernel struct {
	d    lstmDims
	w, r lstmMat
	act  kernels.Activation
}

func (k *rnnKernel) bind(b *binding) step {
	d := &k.d
	in, h, out := f32(b.ins[0]), f32(b.ins[4]), f32(b.outs[0])
	xw := make([]float32, d.batch*d.time*d.cell)
	rh := make([]float32, d.cell)
	w, r := k.w.bind(d.batch*d.time), k.r.bind(1)
	return func() error {
		w(in, d.batch*d.time, xw)
		for b := range d.batch {
			hb := h[b*d.cell : (b+1)*d.cell]
			for t := range d.time {
				row := d.row(b, t)
				r(hb, 1, rh)
				v := xw[row*d.cell : (row+1)*d.cell]
				for j := range hb {
					hb[j] = activateF32(k.act, v[j]+rh[j])
				}
				copy(out[row*d.cell:(row+1)*d.cell], hb)
			}
		}
		return nil
	}
}
