package tflite

import (
	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/kernels"
)

func init() { register("FULLY_CONNECTED", prepareFullyConnected) }

// FullyConnectedOptions: fused_activation_function 0, weights_format 1,
// keep_num_dims 2, asymmetric_quantize_inputs 3. keep_num_dims only
// changes the output's shape, not its contents.
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
	if !w.isConst() {
		return nil, c.unsupported("weights %s computed at run time", w)
	}
	units, depth := w.shape[0], w.shape[1]
	if depth == 0 || in.numElements()%depth != 0 {
		return nil, c.invalid("input %s is not a multiple of the weights' depth %d", in, depth)
	}
	batches := in.numElements() / depth
	if out.numElements() != batches*units {
		return nil, c.invalid("output %s should hold %d x %d values", out, batches, units)
	}
	if err := checkBias(c, bias, units); err != nil {
		return nil, err
	}
	if k, err := prepareSparseFC(c, act, batches, units, depth); k != nil || err != nil {
		return k, err
	}
	s := kernels.FullyConnectedShape(batches, units, depth)
	macs := work(batches, units, depth)
	switch {
	case in.dtype == runtime.Int16:
		return prepareFullyConnectedQ16(c, batches, units, depth, in, w, bias, out, act)
	case in.dtype == runtime.Float32 && w.dtype == runtime.Float32 && out.dtype == runtime.Float32 && biasIs(bias, runtime.Float32):
		lo, hi := act.FloatRange()
		k := kernels.NewConvF32(s, f32(w.data), constF32(bias), lo, hi)
		return gemmKernel[float32]{k: k, ref: k.Generic(), rows: batches, macs: macs}, nil
	case in.dtype == runtime.Float32 && w.dtype == runtime.Int8 && out.dtype == runtime.Float32 && biasIs(bias, runtime.Float32):
		ws, wzp, err := weightQuant(c, w, units, 0)
		if err != nil {
			return nil, err
		}
		for _, z := range wzp {
			if z != 0 {
				return nil, c.unsupported("hybrid weights %s with zero point %d", w, z)
			}
		}
		lo, hi := act.FloatRange()
		k := kernels.NewFullyConnectedHybrid(i8(w.data), units, depth, ws, constF32(bias), c.n.opts.boolean(3), lo, hi)
		return hybridKernel{k: k, rows: batches, macs: macs}, nil
	case in.dtype == runtime.Int8 && w.dtype == runtime.Int8 && out.dtype == runtime.Int8 && biasIs(bias, runtime.Int32):
		rq, wzp, err := requant(c, in, w, out, units, 0, act)
		if err != nil {
			return nil, err
		}
		k := kernels.NewConvQ[int8](s, i8(w.data), wzp, constI32(bias), in.zeroPoint(), rq)
		return gemmKernel[int8]{k: k, ref: k.Generic(), rows: batches, macs: macs}, nil
	case in.dtype == runtime.UInt8 && w.dtype == runtime.UInt8 && out.dtype == runtime.UInt8 && biasIs(bias, runtime.Int32):
		rq, wzp, err := requant(c, in, w, out, units, 0, act)
		if err != nil {
			return nil, err
		}
		k := kernels.NewConvQ[uint8](s, w.data, wzp, constI32(bias), in.zeroPoint(), rq)
		return gemmKernel[uint8]{k: k, ref: k.Generic(), rows: batches, macs: macs}, nil
	}
	return nil, c.unsupported("types %s x %s -> %s", in.dtype, w.dtype, out.dtype)
}

// hybridKernel binds a dynamic-range fully connected layer to sessions.
type hybridKernel struct {
	k    *kernels.FullyConnectedHybrid
	rows int
	macs int
}

func (h hybridKernel) bind(b *binding) step {
	r := &hybridRun{
		k:     h.k,
		in:    f32(b.ins[0]),
		out:   f32(b.outs[0]),
		q:     make([]int8, h.rows*h.k.W.K),
		scale: make([]float32, h.rows),
		zp:    make([]int32, h.rows),
		sp:    newSplit(b.pool.Workers(), h.rows, h.k.Panels(), h.macs, kernels.GemmRows),
	}
	pool := b.pool
	return func() error {
		r.k.Quantize(r.in, r.q, r.scale, r.zp, 0, r.sp.rows)
		pool.Parallel(r.sp.parts, 1, r)
		return nil
	}
}

// hybridRun is one session's binding of a hybridKernel: the input rows
// quantized to int8 with their scales and zero points.
type hybridRun struct {
	k       *kernels.FullyConnectedHybrid
	in, out []float32
	q       []int8
	scale   []float32
	zp      []int32
	sp      split
}

// Range runs parts [lo, hi) of the split.
func (r *hybridRun) Range(lo, hi int) {
	for i := lo; i < hi; i++ {
		m0, m1, p0, p1 := r.sp.part(i)
		r.k.Run(r.q, r.scale, r.zp, r.out, m0, m1, p0, p1)
	}
}
