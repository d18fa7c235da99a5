package tflite

import (
	"math"

	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/kernels"
)

// Reductions supported.
const (
	reduceMean = iota
	reduceSum
	reduceMax
	reduceMin
)

func init() {
	register("MEAN", func(c *opCtx) (kernel, error) { return prepareReduce(c, reduceMean) })
	register("SUM", func(c *opCtx) (kernel, error) { return prepareReduce(c, reduceSum) })
	register("REDUCE_MAX", func(c *opCtx) (kernel, error) { return prepareReduce(c, reduceMax) })
	register("REDUCE_MIN", func(c *opCtx) (kernel, error) { return prepareReduce(c, reduceMin) })
}

// prepareReduce handles the reductions over the axes given by a constant
// int32/int64 second input (negative and repeated axes allowed).
// ReducerOptions: keep_dims 0 (which only changes the output shape).
func prepareReduce(c *opCtx, kind int) (kernel, error) {
	if err := c.arity(2, 2, 1); err != nil {
		return nil, err
	}
	in, out := c.input(0), c.output(0)
	if in.dtype != out.dtype {
		return nil, c.invalid("input %s and output %s types differ", in, out)
	}
	g, n, outElems, err := reduceGeometry(c, in, out)
	if err != nil {
		return nil, err
	}
	switch {
	case kind == reduceMax || kind == reduceMin:
		return prepareReduceMax(c, in, out, g, kind == reduceMin)
	case in.dtype == runtime.Float32:
		return &reduceFloat{g: g, mean: kind == reduceMean, n: n, outElems: outElems}, nil
	case in.dtype == runtime.Int32 && kind == reduceSum:
		return kernelFunc(func(b *binding) error {
			kernels.ReduceSum(g, i32(b.ins[0]), i32(b.outs[0]))
			return nil
		}), nil
	case in.dtype == runtime.Int16 && (kind == reduceMean || kind == reduceSum):
		return prepareMeanQ16(c, in, out, g, n, outElems, kind == reduceSum)
	case shapeOpIs8Bit(in.dtype) && kind == reduceMean:
		if in.quant == nil || out.quant == nil || out.scale() == 0 {
			return nil, c.invalid("quantized mean needs quantization parameters on %s and %s", in, out)
		}
		qmin, qmax := shapeOpQRange(in.dtype)
		return &reduceQMean{g: g, n: n, outElems: outElems, signed: in.dtype == runtime.Int8,
			inZP: in.zeroPoint(), outZP: out.zeroPoint(), ratio: in.scale() / out.scale(), qmin: qmin, qmax: qmax}, nil
	}
	return nil, c.unsupported("reduction of %s", in.dtype)
}

// reduceGeometry plans the reduction of in over the axes of the constant
// int32/int64 second input (negative and repeated axes allowed) into out:
// the geometry, the number of values n each output sums and the output
// size.
func reduceGeometry(c *opCtx, in, out *tensor) (g *kernels.ReduceGeom, n, outElems int, err error) {
	axes, ok := shapeOpInts(c.input(1))
	if !ok {
		return nil, 0, 0, c.unsupported("axes %s must be a constant int32 or int64 tensor", c.input(1))
	}
	shape := in.shape
	if len(shape) == 0 {
		shape = []int{1}
	}
	reduced := make([]bool, len(shape))
	for _, a := range axes {
		d, ok := shapeOpAxis(a, len(in.shape))
		if !ok {
			return nil, 0, 0, c.invalid("axis %d out of range for %s", a, in)
		}
		reduced[d] = true
	}
	g = &kernels.ReduceGeom{Shape: shape, OutStride: make([]int, len(shape))}
	outElems, n = 1, 1
	for d := len(shape) - 1; d >= 0; d-- {
		if reduced[d] {
			n *= shape[d]
			continue
		}
		g.OutStride[d] = outElems
		outElems *= shape[d]
	}
	if out.numElements() != outElems {
		return nil, 0, 0, c.invalid("output %s should hold %d values", out, outElems)
	}
	if n == 0 {
		return nil, 0, 0, c.unsupported("reducing the empty tensor %s", in)
	}
	return g, n, outElems, nil
}

// prepareReduceMax handles REDUCE_MAX and REDUCE_MIN, which keep the
// quantization of their input.
func prepareReduceMax(c *opCtx, in, out *tensor, g *kernels.ReduceGeom, smallest bool) (kernel, error) {
	if !shapeOpSameQuant(in, out) {
		return nil, c.unsupported("reducing %s into %s with different quantization", in, out)
	}
	var run func(in, out []byte)
	switch in.dtype {
	case runtime.Float32:
		init := float32(math.Inf(-1))
		if smallest {
			init = float32(math.Inf(1))
		}
		run = func(in, out []byte) { kernels.ReduceMax(g, f32(in), f32(out), init, smallest) }
	case runtime.Int8:
		init := int8(math.MinInt8)
		if smallest {
			init = math.MaxInt8
		}
		run = func(in, out []byte) { kernels.ReduceMax(g, i8(in), i8(out), init, smallest) }
	case runtime.UInt8:
		init := uint8(0)
		if smallest {
			init = math.MaxUint8
		}
		run = func(in, out []byte) { kernels.ReduceMax(g, in, out, init, smallest) }
	case runtime.Int32:
		init := int32(math.MinInt32)
		if smallest {
			init = math.MaxInt32
		}
		run = func(in, out []byte) { kernels.ReduceMax(g, i32(in), i32(out), init, smallest) }
	default:
		return nil, c.unsupported("reduction of %s", in.dtype)
	}
	return kernelFunc(func(b *binding) error {
		run(b.ins[0], b.outs[0])
		return nil
	}), nil
}

// reduceFloat is a float MEAN or SUM.
type reduceFloat struct {
	g           *kernels.ReduceGeom
	mean        bool
	n, outElems int
}

func (k *reduceFloat) bind(b *binding) step {
	acc := f32(b.outs[0])
	if k.mean {
		acc = make([]float32, k.outElems)
	}
	if k.g.KeepsLast() {
		r := &reduceCols{g: k.g, outElems: k.outElems, run: func(c0, c1 int) {
			kernels.ReduceSumCols(k.g, f32(b.ins[0]), acc, c0, c1)
			if k.mean {
				out := f32(b.outs[0])
				k.g.Rows(k.outElems, c0, c1, func(lo, hi int) { kernels.MeanF32(acc[lo:hi], out[lo:hi], k.n) })
			}
		}}
		return r.bind(b, k.n)
	}
	return func() error {
		kernels.ReduceSum(k.g, f32(b.ins[0]), acc)
		if k.mean {
			kernels.MeanF32(acc, f32(b.outs[0]), k.n)
		}
		return nil
	}
}

// reduceQMean is an int8 or uint8 MEAN.
type reduceQMean struct {
	g           *kernels.ReduceGeom
	n, outElems int
	signed      bool
	inZP, outZP int32
	ratio       float32
	qmin, qmax  int32
}

func (k *reduceQMean) bind(b *binding) step {
	acc := make([]int32, k.outElems)
	if k.g.KeepsLast() {
		r := &reduceCols{g: k.g, outElems: k.outElems, run: func(c0, c1 int) {
			if k.signed {
				kernels.ReduceSumCols(k.g, i8(b.ins[0]), acc, c0, c1)
			} else {
				kernels.ReduceSumCols(k.g, b.ins[0], acc, c0, c1)
			}
			k.g.Rows(k.outElems, c0, c1, func(lo, hi int) { k.mean(acc[lo:hi], b.outs[0][lo:hi]) })
		}}
		return r.bind(b, k.n)
	}
	return func() error {
		if k.signed {
			kernels.ReduceSum(k.g, i8(b.ins[0]), acc)
		} else {
			kernels.ReduceSum(k.g, b.ins[0], acc)
		}
		k.mean(acc, b.outs[0])
		return nil
	}
}

// mean turns the sums acc into the means out (bytes of int8 or uint8).
func (k *reduceQMean) mean(acc []int32, out []byte) {
	if k.signed {
		kernels.MeanQ(acc, i8(out), k.n, k.inZP, k.outZP, k.ratio, k.qmin, k.qmax)
	} else {
		kernels.MeanQ(acc, out, k.n, k.inZP, k.outZP, k.ratio, k.qmin, k.qmax)
	}
}

// reduceGrain is the fewest input values worth a tile of their own.
const reduceGrain = 1 << 14

// reduceCols runs a reduction that keeps the last dimension split by
// columns of it across the session's pool.
type reduceCols struct {
	g        *kernels.ReduceGeom
	outElems int
	run      func(c0, c1 int)
}

func (r *reduceCols) Range(lo, hi int) { r.run(lo, hi) }

// bind returns the step of a reduction of n values into each output.
func (r *reduceCols) bind(b *binding, n int) step {
	last := r.g.Shape[len(r.g.Shape)-1]
	grain := max(1, reduceGrain/max(n*(r.outElems/last), 1))
	pool := b.pool
	return func() error {
		pool.Parallel(last, grain, r)
		return nil
	}
}
