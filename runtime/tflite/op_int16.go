package tflite

import (
	"fmt"
	"math"

	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/kernels"
)

// This file prepares the int16 forms of TFLite's 16x8 quantization
// (int16 activations, int8 weights, int64 biases); the operators' own files
// dispatch here on the int16 type.

// q16params returns the per-tensor quantization of an int16 tensor.
func q16params(c *opCtx, t *tensor) (kernels.QParams, error) {
	q, ok := qparams(t)
	if !ok {
		return q, c.invalid("int16 tensor %s needs per-tensor quantization", t)
	}
	if q.Zero < math.MinInt16 || q.Zero > math.MaxInt16 {
		return q, c.invalid("int16 tensor %s has zero point %d", t, q.Zero)
	}
	return q, nil
}

// actRange16 is the clamp of a fused activation on an int16 output.
func actRange16(act kernels.Activation, q kernels.QParams) (lo, hi int32) {
	return act.QuantRange(q.Scale, q.Zero, math.MinInt16, math.MaxInt16)
}

// prepareBinaryQ16 finishes an int16 ADD, SUB or MUL. ADD and SUB take
// TFLite's power-of-two path when their pot_scale_int16 option (slot 1,
// default true) is set and every scale is a power of two with zero points
// 0 (TFLite reads the option as false when the options table is absent);
// otherwise the general path.
func prepareBinaryQ16(c *opCtx, op kernels.BinaryOp, act kernels.Activation, p *kernels.Broadcast, k *elemKernel) (kernel, error) {
	a, b, out := c.input(0), c.input(1), c.output(0)
	qa, err := q16params(c, a)
	if err != nil {
		return nil, err
	}
	qb, err := q16params(c, b)
	if err != nil {
		return nil, err
	}
	qo, err := q16params(c, out)
	if err != nil {
		return nil, err
	}
	lo, hi := actRange16(act, qo)
	switch op {
	case kernels.OpAdd, kernels.OpSub:
		sub := op == kernels.OpSub
		q := kernels.NewAddQ16(sub, qa, qb, qo, lo, hi)
		if o := c.n.opts; o.present() && o.u8(1, 1) != 0 {
			la, oka := kernels.CheckedLog2(qa.Scale)
			lb, okb := kernels.CheckedLog2(qb.Scale)
			lq, oko := kernels.CheckedLog2(qo.Scale)
			if oka && okb && oko && qa.Zero == 0 && qb.Zero == 0 && qo.Zero == 0 {
				var ok bool
				if q, ok = kernels.NewAddQ16POT(sub, la-lq, lb-lq, lo, hi); !ok {
					return nil, c.unsupported("int16 power-of-two scales %g, %g -> %g: only one input may be rescaled, and only down", qa.Scale, qb.Scale, qo.Scale)
				}
			}
		}
		k.run = func(ins, outs [][]byte, from, to int) {
			kernels.AddQ16Run(&q, i16(ins[0]), i16(ins[1]), i16(outs[0]), p, from, to)
		}
		return k, nil
	case kernels.OpMul:
		// TFLite requires symmetric operands: the product of two offset
		// int16 values could overflow its 32-bit arithmetic.
		if qa.Zero != 0 || qb.Zero != 0 || qo.Zero != 0 {
			return nil, c.invalid("int16 MUL operands %s, %s and output %s must have zero point 0", a, b, out)
		}
		q := kernels.NewMulQ16(qa, qb, qo, lo, hi)
		k.run = func(ins, outs [][]byte, from, to int) {
			kernels.MulQ16Run(&q, i16(ins[0]), i16(ins[1]), i16(outs[0]), p, from, to)
		}
		return k, nil
	}
	return nil, c.unsupported("type %s", out.dtype)
}

// requant16 checks the quantization of a 16x8 layer with n output channels
// whose int8 weights are quantized along axis, and builds its
// requantization with the bias (int64 or int32) folded in; FULLY_CONNECTED
// requantizes in float64, as TFLite's does.
func requant16(c *opCtx, in, w, bias, out *tensor, n, axis int, act kernels.Activation) (*kernels.Requant16, error) {
	if w.dtype != runtime.Int8 || out.dtype != runtime.Int16 {
		return nil, c.unsupported("types %s x %s -> %s", in.dtype, w.dtype, out.dtype)
	}
	qi, err := q16params(c, in)
	if err != nil {
		return nil, err
	}
	qo, err := q16params(c, out)
	if err != nil {
		return nil, err
	}
	if qi.Zero != 0 || qo.Zero != 0 {
		return nil, c.invalid("16x8 input %s and output %s must have zero point 0", in, out)
	}
	ws, wzp, err := weightQuant(c, w, n, axis)
	if err != nil {
		return nil, err
	}
	for _, z := range wzp {
		if z != 0 {
			return nil, c.invalid("16x8 weights %s must have zero point 0", w)
		}
	}
	var b []int64
	acc32 := false
	switch {
	case bias == nil:
	case bias.dtype == runtime.Int64:
		b = i64(bias.data)
	case bias.dtype == runtime.Int32:
		acc32 = true
		b = make([]int64, n)
		for i, v := range i32(bias.data) {
			b[i] = int64(v)
		}
	default:
		return nil, c.unsupported("16x8 bias type %s", bias.dtype)
	}
	lo, hi := actRange16(act, qo)
	rq := kernels.NewRequant16(n, qi.Scale, ws, qo.Scale, qo.Zero, b, acc32, lo, hi)
	if c.n.name == "FULLY_CONNECTED" {
		rq.ScaleInFloat(qi.Scale, ws, qo.Scale)
	}
	return rq, nil
}

// rangeKernel runs a 16x8 layer over n independent rows or pixels, each
// costing about cost multiply-accumulates.
func rangeKernel(n, cost int, run func(in, out []int16, lo, hi int)) kernel {
	return rangeKernelAt(0, n, cost, run)
}

// rangeKernelAt is rangeKernel for a layer whose data is input number input.
func rangeKernelAt(input, n, cost int, run func(in, out []int16, lo, hi int)) kernel {
	return &elemKernel{n: n, grain: max(1, minParallelMACs/max(cost, 1)), run: func(ins, outs [][]byte, lo, hi int) {
		run(i16(ins[input]), i16(outs[0]), lo, hi)
	}}
}

func prepareConvQ16(c *opCtx, s kernels.ConvShape, in, w, bias, out *tensor, act kernels.Activation) (kernel, error) {
	rq, err := requant16(c, in, w, bias, out, s.OutC, 0, act)
	if err != nil {
		return nil, err
	}
	k := kernels.NewConvQ16(s, i8(w.data), rq)
	return rangeKernel(s.Pixels(), s.OutC*s.K(), k.Run), nil
}

func prepareDepthwiseQ16(c *opCtx, s kernels.ConvShape, mult int, in, w, bias, out *tensor, act kernels.Activation) (kernel, error) {
	rq, err := requant16(c, in, w, bias, out, s.OutC, 3, act)
	if err != nil {
		return nil, err
	}
	k := kernels.NewDepthwiseQ16(s, mult, i8(w.data), rq)
	return rangeKernel(s.Pixels(), s.OutC*s.KH*s.KW, k.Run), nil
}

func prepareFullyConnectedQ16(c *opCtx, batches, units, depth int, in, w, bias, out *tensor, act kernels.Activation) (kernel, error) {
	rq, err := requant16(c, in, w, bias, out, units, 0, act)
	if err != nil {
		return nil, err
	}
	k := kernels.NewFullyConnectedQ16(units, depth, i8(w.data), rq)
	return rangeKernel(batches, units*depth, k.Run), nil
}

// intRange is the value range of an integer type QUANTIZE produces.
func intRange(d runtime.DType) (lo, hi int32, ok bool) {
	switch d {
	case runtime.Int8:
		return math.MinInt8, math.MaxInt8, true
	case runtime.UInt8:
		return 0, math.MaxUint8, true
	case runtime.Int16:
		return math.MinInt16, math.MaxInt16, true
	case runtime.Int32:
		return math.MinInt32, math.MaxInt32, true
	}
	return 0, 0, false
}

// prepareQuantize16 handles float32 -> int16 and the QUANTIZE forms with
// an int16 or int32 side, which TFLite computes with its integer
// Requantize: int16 -> int8, int16, int32; int32 -> int8, int16; int8 and
// uint8 -> int16. It returns nil, nil for the other forms.
func prepareQuantize16(c *opCtx, in, out *tensor) (kernel, error) {
	wide := func(d runtime.DType) bool { return d == runtime.Int16 || d == runtime.Int32 }
	if !wide(in.dtype) && !wide(out.dtype) {
		return nil, nil
	}
	qo, ok := qparams(out)
	if !ok {
		return nil, c.unsupported("output %s without per-tensor quantization", out)
	}
	n := out.numElements()
	if in.dtype == runtime.Float32 {
		if out.dtype != runtime.Int16 {
			return nil, c.unsupported("float32 -> %s", out.dtype)
		}
		return &elemKernel{n: n, grain: elemGrain, run: func(ins, outs [][]byte, lo, hi int) {
			kernels.QuantizeF32Int16(f32(ins[0])[lo:hi], i16(outs[0])[lo:hi], qo)
		}}, nil
	}
	switch [2]runtime.DType{in.dtype, out.dtype} {
	case [2]runtime.DType{runtime.Int16, runtime.Int8}, [2]runtime.DType{runtime.Int16, runtime.Int16},
		[2]runtime.DType{runtime.Int16, runtime.Int32}, [2]runtime.DType{runtime.Int32, runtime.Int8},
		[2]runtime.DType{runtime.Int32, runtime.Int16}, [2]runtime.DType{runtime.Int8, runtime.Int16},
		[2]runtime.DType{runtime.UInt8, runtime.Int16}:
	default:
		return nil, c.unsupported("%s -> %s", in.dtype, out.dtype)
	}
	qi, ok := qparams(in)
	if !ok {
		return nil, c.invalid("input %s without per-tensor quantization", in)
	}
	lo, hi, _ := intRange(out.dtype)
	q := kernels.NewRequantize(qi, qo, lo, hi)
	run := requantizeRun(in.dtype, out.dtype, &q)
	return &elemKernel{n: n, grain: elemGrain, run: func(ins, outs [][]byte, lo, hi int) {
		run(ins[0], outs[0], lo, hi)
	}}, nil
}

// requantizeRun returns the requantization of elements [lo, hi) between
// two integer types, or nil.
func requantizeRun(from, to runtime.DType, q *kernels.Requantize) func(in, out []byte, lo, hi int) {
	switch from {
	case runtime.Int8:
		return requantizeTo(i8, to, q)
	case runtime.UInt8:
		return requantizeTo(func(b []byte) []byte { return b }, to, q)
	case runtime.Int16:
		return requantizeTo(i16, to, q)
	case runtime.Int32:
		return requantizeTo(i32, to, q)
	}
	return nil
}

func requantizeTo[I kernels.Int](view func([]byte) []I, to runtime.DType, q *kernels.Requantize) func(in, out []byte, lo, hi int) {
	switch to {
	case runtime.Int8:
		return func(in, out []byte, lo, hi int) { kernels.RequantizeRun(q, view(in)[lo:hi], i8(out)[lo:hi]) }
	case runtime.UInt8:
		return func(in, out []byte, lo, hi int) { kernels.RequantizeRun(q, view(in)[lo:hi], out[lo:hi]) }
	case runtime.Int16:
		return func(in, out []byte, lo, hi int) { kernels.RequantizeRun(q, view(in)[lo:hi], i16(out)[lo:hi]) }
	case runtime.Int32:
		return func(in, out []byte, lo, hi int) { kernels.RequantizeRun(q, view(in)[lo:hi], i32(out)[lo:hi]) }
	}
	return nil
}

// prepareDequantize16 is DEQUANTIZE from int16.
func prepareDequantize16(c *opCtx, in *tensor, n int) (kernel, error) {
	qi, ok := qparams(in)
	if !ok {
		return nil, c.unsupported("input %s without per-tensor quantization", in)
	}
	return &elemKernel{n: n, grain: elemGrain, run: func(ins, outs [][]byte, lo, hi int) {
		kernels.DequantizeInt16(i16(ins[0])[lo:hi], f32(outs[0])[lo:hi], qi)
	}}, nil
}

// prepareUnaryQ16 handles the int16 activations.
func prepareUnaryQ16(c *opCtx, op kernels.UnaryOp, alpha float32) (kernel, error) {
	in, out := c.input(0), c.output(0)
	qi, err := q16params(c, in)
	if err != nil {
		return nil, err
	}
	qo, err := q16params(c, out)
	if err != nil {
		return nil, err
	}
	n := out.numElements()
	var run func(in, out []int16)
	switch op {
	case kernels.OpLeakyRelu:
		q := kernels.NewLeakyReluQ16(qi, qo, alpha)
		run = q.Run
	case kernels.OpRelu, kernels.OpRelu6:
		if qi.Zero != 0 || qo.Zero != 0 {
			return nil, c.invalid("int16 input %s and output %s must have zero point 0", in, out)
		}
		act := kernels.ActRelu
		if op == kernels.OpRelu6 {
			act = kernels.ActRelu6
		}
		lo, hi := actRange16(act, qo)
		q := kernels.NewReluQ16(qi, qo, lo, hi)
		run = q.Run
	case kernels.OpLogistic, kernels.OpTanh:
		if qi.Zero != 0 || qo.Zero != 0 || qo.Scale != 1.0/32768 {
			return nil, c.invalid("int16 %s needs zero points 0 and output scale 2^-15, have input %s and output %s", c.n.name, in, out)
		}
		q := kernels.NewSigmoidQ16(qi.Scale, op == kernels.OpTanh)
		run = q.Run
	case kernels.OpRsqrt:
		if qi.Zero != 0 || qo.Zero != 0 {
			return nil, c.invalid("int16 input %s and output %s must have zero point 0", in, out)
		}
		t := kernels.NewRsqrtLUT16(qi, qo)
		return &elemKernel{n: n, grain: elemGrain, check: checkNonNegative16, run: func(ins, outs [][]byte, lo, hi int) {
			t.Apply(i16(ins[0])[lo:hi], i16(outs[0])[lo:hi])
		}}, nil
	default:
		return nil, c.unsupported("type %s", in.dtype)
	}
	return &elemKernel{n: n, grain: elemGrain, run: func(ins, outs [][]byte, lo, hi int) {
		run(i16(ins[0])[lo:hi], i16(outs[0])[lo:hi])
	}}, nil
}

// prepareSoftmax16 finishes a SOFTMAX with an int16 output: from int16
// (TFLite's table arithmetic, output scale 2^-15) or from 8 bits (the
// 8-bit float table, rounded into int16). k runs rows of depth values.
func prepareSoftmax16(c *opCtx, beta float32, depth int, k *elemKernel) (kernel, error) {
	in, out := c.input(0), c.output(0)
	if in.dtype != runtime.Int16 && in.dtype != runtime.Int8 && in.dtype != runtime.UInt8 {
		return nil, c.unsupported("types %s -> %s", in.dtype, out.dtype)
	}
	qo, err := q16params(c, out)
	if err != nil {
		return nil, err
	}
	qi, ok := qparams(in)
	if !ok {
		return nil, c.invalid("input %s needs per-tensor quantization", in)
	}
	switch in.dtype {
	case runtime.Int16:
		if qi.Zero != 0 || qo.Zero != 0 || math.Abs(float64(qo.Scale)-1.0/32768) > 0.001/32768 {
			return nil, c.invalid("int16 SOFTMAX needs zero points 0 and output scale 2^-15, have input %s and output %s", in, out)
		}
		q := kernels.NewSoftmaxQ16(qi.Scale, beta)
		k.run = func(ins, outs [][]byte, lo, hi int) { q.Run(i16(ins[0]), i16(outs[0]), depth, lo, hi) }
		return k, nil
	case runtime.Int8:
		s := kernels.NewSoftmaxQ8(qi.Scale, beta, qo)
		k.run = func(ins, outs [][]byte, lo, hi int) {
			kernels.SoftmaxQ8To16Run(&s, i8(ins[0]), i16(outs[0]), depth, lo, hi)
		}
		return k, nil
	case runtime.UInt8:
		s := kernels.NewSoftmaxQ8(qi.Scale, beta, qo)
		k.run = func(ins, outs [][]byte, lo, hi int) {
			kernels.SoftmaxQ8To16Run(&s, ins[0], i16(outs[0]), depth, lo, hi)
		}
		return k, nil
	}
	return nil, c.unsupported("types %s -> %s", in.dtype, out.dtype)
}

// prepareMeanQ16 is an int16 MEAN (or SUM) over n elements per output.
func prepareMeanQ16(c *opCtx, in, out *tensor, g *kernels.ReduceGeom, n, outElems int, sum bool) (kernel, error) {
	qi, err := q16params(c, in)
	if err != nil {
		return nil, err
	}
	qo, err := q16params(c, out)
	if err != nil {
		return nil, err
	}
	if out.dtype != runtime.Int16 {
		return nil, c.invalid("output %s, want int16", out)
	}
	return &meanQ16{g: g, q: kernels.NewMeanQ16(qi, qo, n, sum), outElems: outElems}, nil
}

// meanQ16 is a prepared int16 MEAN or SUM; each session has its own sums.
type meanQ16 struct {
	g        *kernels.ReduceGeom
	q        kernels.MeanQ16
	outElems int
}

func (k *meanQ16) bind(b *binding) step {
	acc := make([]int32, k.outElems)
	return func() error {
		kernels.ReduceSum(k.g, i16(b.ins[0]), acc)
		k.q.Run(acc, i16(b.outs[0]))
		return nil
	}
}

// errRsqrtNegative is TFLite's refusal of negative RSQRT inputs.
var errRsqrtNegative = fmt.Errorf("%w: RSQRT is only defined for positive values", runtime.ErrInput)

// checkNonNegative16 refuses negative int16 RSQRT inputs, as TFLite does.
func checkNonNegative16(ins [][]byte) error {
	for _, v := range i16(ins[0]) {
		if v < 0 {
			return errRsqrtNegative
		}
	}
	return nil
}
