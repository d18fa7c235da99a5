package tflite

import (
	"math"

	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/kernels"
)

func init() {
	register("ADD", prepareBinary(kernels.OpAdd, 0))
	register("SUB", prepareBinary(kernels.OpSub, 0))
	register("MUL", prepareBinary(kernels.OpMul, 0))
	register("DIV", prepareBinary(kernels.OpDiv, 0))
	register("FLOOR_DIV", prepareBinary(kernels.OpFloorDiv, -1))
	register("MAXIMUM", prepareBinary(kernels.OpMaximum, -1))
	register("MINIMUM", prepareBinary(kernels.OpMinimum, -1))
	register("SQUARED_DIFFERENCE", prepareBinary(kernels.OpSquaredDifference, -1))
}

// elemGrain is the fewest elements worth handing to another goroutine:
// below it the hand-off costs more than the arithmetic.
const elemGrain = 1 << 15

// elemRange adapts a function of an index range to kernels.Ranger.
type elemRange func(lo, hi int)

func (f elemRange) Range(lo, hi int) { f(lo, hi) }

// elemKernel is a kernel whose work is n independent items (elements or
// rows), split across the session's pool in chunks of at least grain items.
type elemKernel struct {
	n, grain int
	run      func(ins, outs [][]byte, lo, hi int)
	// check, if set, validates the inputs before each run.
	check func(ins [][]byte) error
}

func (k *elemKernel) bind(b *binding) step {
	var r kernels.Ranger = elemRange(func(lo, hi int) { k.run(b.ins, b.outs, lo, hi) })
	return func() error {
		if k.check != nil {
			if err := k.check(b.ins); err != nil {
				return err
			}
		}
		b.pool.Parallel(k.n, k.grain, r)
		return nil
	}
}

// floatActRange is the clamp of a fused activation on float values; no
// activation leaves infinities alone, as XNNPACK does.
func floatActRange(a kernels.Activation) (lo, hi float32) {
	if a == kernels.ActNone {
		return float32(math.Inf(-1)), float32(math.Inf(1))
	}
	return a.FloatRange()
}

// intActRange is TFLite's CalculateActivationRange for integer tensors
// whose type spans [tmin, tmax].
func intActRange[T int32 | int64](a kernels.Activation, tmin, tmax T) (lo, hi T) {
	switch a {
	case kernels.ActRelu:
		return 0, tmax
	case kernels.ActRelu6:
		return 0, 6
	case kernels.ActReluN1To1:
		return -1, 1
	}
	return tmin, tmax
}

// qparams returns a tensor's per-tensor quantization, or false if it has
// none or more than one scale.
func qparams(t *tensor) (kernels.QParams, bool) {
	if t.quant == nil || len(t.quant.Scale) != 1 || t.quant.Scale[0] <= 0 {
		return kernels.QParams{}, false
	}
	return kernels.QParams{Scale: t.quant.Scale[0], Zero: int32(t.quant.ZeroPoint[0])}, true
}

// quantized8 reports whether a dtype is an 8-bit quantized type, and
// whether it is signed.
func quantized8(d runtime.DType) (ok, signed bool) {
	return d == runtime.Int8 || d == runtime.UInt8, d == runtime.Int8
}

// broadcastShape returns the shape two shapes broadcast to, numpy style.
func broadcastShape(a, b []int) ([]int, bool) {
	if len(a) < len(b) {
		a, b = b, a
	}
	out := append([]int(nil), a...)
	for i := 1; i <= len(b); i++ {
		da, db := a[len(a)-i], b[len(b)-i]
		switch {
		case da == db, db == 1:
		case da == 1:
			out[len(out)-i] = db
		default:
			return nil, false
		}
	}
	return out, true
}

// prepareBinary returns the prepareFunc of an element-wise binary operator
// whose options table holds the fused activation at actSlot (-1: none).
func prepareBinary(op kernels.BinaryOp, actSlot int) prepareFunc {
	return func(c *opCtx) (kernel, error) {
		if err := c.arity(2, 2, 1); err != nil {
			return nil, err
		}
		a, b, out := c.input(0), c.input(1), c.output(0)
		act := kernels.ActNone
		if actSlot >= 0 {
			var err error
			if act, err = c.activation(actSlot); err != nil {
				return nil, err
			}
		}
		if f := c.n.fuse; f != nil && f.chanPad {
			if op != kernels.OpAdd {
				return nil, c.unsupported("channel padding folded into %s", c.n.name)
			}
			return prepareAddChannelPad(c, act)
		}
		if a.dtype == b.dtype {
			// TFLite types and sizes the output from the inputs: some
			// files store float32 for an 8-bit sum, or [] for a shape
			// that depends on a dynamic input dimension.
			if shape, ok := broadcastShape(a.shape, b.shape); ok {
				if err := c.settleOutput(0, a.dtype, shape); err != nil {
					return nil, err
				}
			}
		}
		if a.dtype != b.dtype || a.dtype != out.dtype {
			return nil, c.invalid("mixed types %s, %s -> %s", a.dtype, b.dtype, out.dtype)
		}
		p, err := kernels.NewBroadcast(a.shape, b.shape, out.shape)
		if err != nil {
			return nil, c.invalid("%v", err)
		}
		k := &elemKernel{n: p.Len(), grain: elemGrain}
		switch dt := out.dtype; {
		case dt == runtime.Float32:
			lo, hi := floatActRange(act)
			if op == kernels.OpFloorDiv {
				k.run = func(ins, outs [][]byte, from, to int) {
					kernels.FloorDivF32(f32(ins[0]), f32(ins[1]), f32(outs[0]), &p, from, to)
				}
				return k, nil
			}
			k.run = func(ins, outs [][]byte, from, to int) {
				kernels.BinaryF32(op, f32(ins[0]), f32(ins[1]), f32(outs[0]), &p, from, to, lo, hi)
			}
			return k, nil
		case dt == runtime.Int32:
			lo, hi := intActRange[int32](act, math.MinInt32, math.MaxInt32)
			if op == kernels.OpDiv || op == kernels.OpFloorDiv {
				k.check = func(ins [][]byte) error { return kernels.CheckDivisor(i32(ins[1])) }
			}
			k.run = func(ins, outs [][]byte, from, to int) {
				kernels.BinaryInt(op, i32(ins[0]), i32(ins[1]), i32(outs[0]), &p, from, to, lo, hi)
			}
			return k, nil
		case dt == runtime.Int64:
			lo, hi := intActRange[int64](act, math.MinInt64, math.MaxInt64)
			if op == kernels.OpDiv || op == kernels.OpFloorDiv {
				k.check = func(ins [][]byte) error { return kernels.CheckDivisor(i64(ins[1])) }
			}
			k.run = func(ins, outs [][]byte, from, to int) {
				kernels.BinaryInt(op, i64(ins[0]), i64(ins[1]), i64(outs[0]), &p, from, to, lo, hi)
			}
			return k, nil
		case dt == runtime.Int8 || dt == runtime.UInt8:
			return prepareBinaryQ8(c, op, act, &p, k)
		case dt == runtime.Int16 && (op == kernels.OpMaximum || op == kernels.OpMinimum):
			k.run = func(ins, outs [][]byte, from, to int) {
				kernels.MaxMin8(op, i16(ins[0]), i16(ins[1]), i16(outs[0]), &p, from, to)
			}
			return k, nil
		case dt == runtime.Int16 && (op == kernels.OpAdd || op == kernels.OpSub || op == kernels.OpMul):
			return prepareBinaryQ16(c, op, act, &p, k)
		}
		return nil, c.unsupported("type %s", out.dtype)
	}
}

// prepareBinaryQ8 finishes an 8-bit quantized ADD, SUB, MUL, MAXIMUM or
// MINIMUM.
func prepareBinaryQ8(c *opCtx, op kernels.BinaryOp, act kernels.Activation, p *kernels.Broadcast, k *elemKernel) (kernel, error) {
	a, b, out := c.input(0), c.input(1), c.output(0)
	qa, oka := qparams(a)
	qb, okb := qparams(b)
	qo, oko := qparams(out)
	if !oka || !okb || !oko {
		return nil, c.invalid("8-bit operands need per-tensor quantization")
	}
	_, signed := quantized8(out.dtype)
	tlo, thi := kernels.TypeRange(signed)
	lo, hi := act.QuantRange(qo.Scale, qo.Zero, tlo, thi)
	switch op {
	case kernels.OpMaximum, kernels.OpMinimum:
		if signed {
			k.run = func(ins, outs [][]byte, from, to int) {
				kernels.MaxMin8(op, i8(ins[0]), i8(ins[1]), i8(outs[0]), p, from, to)
			}
		} else {
			k.run = func(ins, outs [][]byte, from, to int) {
				kernels.MaxMin8(op, ins[0], ins[1], outs[0], p, from, to)
			}
		}
		return k, nil
	case kernels.OpAdd, kernels.OpSub:
		q := kernels.NewAddQ8(signed, op == kernels.OpSub, qa, qb, qo, lo, hi)
		if signed {
			k.run = func(ins, outs [][]byte, from, to int) {
				kernels.AddQ8Run(&q, i8(ins[0]), i8(ins[1]), i8(outs[0]), p, from, to)
			}
		} else {
			k.run = func(ins, outs [][]byte, from, to int) {
				kernels.AddQ8Run(&q, ins[0], ins[1], outs[0], p, from, to)
			}
		}
		return k, nil
	case kernels.OpMul:
		q := kernels.NewMulQ8(qa, qb, qo, lo, hi)
		if signed {
			k.run = func(ins, outs [][]byte, from, to int) {
				kernels.MulQ8Run(&q, i8(ins[0]), i8(ins[1]), i8(outs[0]), p, from, to)
			}
		} else {
			k.run = func(ins, outs [][]byte, from, to int) {
				kernels.MulQ8Run(&q, ins[0], ins[1], outs[0], p, from, to)
			}
		}
		return k, nil
	}
	return nil, c.unsupported("type %s", out.dtype)
}
