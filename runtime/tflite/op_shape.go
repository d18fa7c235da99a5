package tflite

import (
	"encoding/binary"
	"math"

	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/kernels"
)

// Operators whose output is a shape, a constant pattern or a rearrangement
// of the input. The engine plans every tensor's size at load, so where an
// output's size depends on input values (RANGE, WHERE, FILL's dims,
// BROADCAST_TO's shape), those inputs must be constants; other models are
// refused at load with the input named.

func init() {
	register("SHAPE", prepareShape)
	register("RANK", prepareRank)
	register("RANGE", prepareRange)
	register("FILL", prepareFill)
	register("ZEROS_LIKE", prepareZerosLike)
	register("BROADCAST_TO", prepareBroadcastTo)
	register("REVERSE_V2", prepareReverse)
	register("ONE_HOT", prepareOneHot)
	register("WHERE", prepareWhere)
}

// constKernel writes fixed bytes to output 0 at every run.
func constKernel(v []byte) kernel {
	return kernelFunc(func(b *binding) error {
		copy(b.outs[0], v)
		return nil
	})
}

// intBytes encodes integers as a tensor of dt (int32 or int64).
func intBytes(dt runtime.DType, v []int) []byte {
	var b []byte
	for _, x := range v {
		if dt == runtime.Int64 {
			b = binary.LittleEndian.AppendUint64(b, uint64(x))
		} else {
			b = binary.LittleEndian.AppendUint32(b, uint32(x))
		}
	}
	return b
}

// SHAPE: the input's shape as an int32 or int64 vector (the output's type;
// ShapeOptions.out_type says the same). It is the shape the engine runs
// the input at: for a dimension the shape_signature leaves dynamic (-1),
// the stored size every tensor of the plan is sized with.
func prepareShape(c *opCtx) (kernel, error) {
	if err := c.arity(1, 1, 1); err != nil {
		return nil, err
	}
	in, out := c.input(0), c.output(0)
	dt := out.dtype
	if dt != runtime.Int64 {
		dt = runtime.Int32
	}
	if err := c.settleOutput(0, dt, []int{len(in.shape)}); err != nil {
		return nil, err
	}
	if out.numElements() != len(in.shape) {
		return nil, c.invalid("output %s, want %s[%d]", out, dt, len(in.shape))
	}
	return constKernel(intBytes(dt, in.shape)), nil
}

// RANK: the input's rank as an int32 scalar.
func prepareRank(c *opCtx) (kernel, error) {
	if err := c.arity(1, 1, 1); err != nil {
		return nil, err
	}
	if err := c.settleOutput(0, runtime.Int32, []int{}); err != nil {
		return nil, err
	}
	if out := c.output(0); out.dtype != runtime.Int32 || out.numElements() != 1 {
		return nil, c.invalid("output %s, want an int32 scalar", out)
	}
	return constKernel(intBytes(runtime.Int32, []int{len(c.input(0).shape)})), nil
}

// constScalar reads a constant one-element tensor as float64.
func constScalar(t *tensor) (float64, bool) {
	if t == nil || !t.isConst() || t.numElements() != 1 {
		return 0, false
	}
	switch t.dtype {
	case runtime.Float32:
		return float64(f32(t.data)[0]), true
	case runtime.Int32:
		return float64(i32(t.data)[0]), true
	case runtime.Int64:
		return float64(i64(t.data)[0]), true
	}
	return 0, false
}

// RANGE: start, limit and delta, constant scalars of one type (int32,
// int64 or float32), give [start, start+delta, ...) short of limit.
func prepareRange(c *opCtx) (kernel, error) {
	if err := c.arity(3, 3, 1); err != nil {
		return nil, err
	}
	dt := c.input(0).dtype
	var v [3]float64
	for i := range v {
		t := c.input(i)
		x, ok := constScalar(t)
		if !ok {
			return nil, c.unsupported("input %s must be a constant scalar (the output's size depends on it)", t)
		}
		if t.dtype != dt {
			return nil, c.invalid("inputs %s and %s types differ", c.input(0), t)
		}
		v[i] = x
	}
	start, limit, delta := v[0], v[1], v[2]
	if delta == 0 || (limit > start && delta < 0) || (limit < start && delta > 0) {
		return nil, c.invalid("range from %g to %g by %g", start, limit, delta)
	}
	var n float64
	if dt == runtime.Float32 {
		n = math.Ceil(math.Abs((limit - start) / delta))
	} else {
		n = math.Ceil(math.Abs(limit-start) / math.Abs(delta))
	}
	if n > maxTensorBytes/8 {
		return nil, c.invalid("range from %g to %g by %g has %g values", start, limit, delta, n)
	}
	if err := c.settleOutput(0, dt, []int{int(n)}); err != nil {
		return nil, err
	}
	out := c.output(0)
	if out.dtype != dt || out.numElements() != int(n) {
		return nil, c.invalid("output %s, want %s[%d]", out, dt, int(n))
	}
	var data []byte
	switch dt {
	case runtime.Float32:
		s, d := f32(c.input(0).data)[0], f32(c.input(2).data)[0]
		for i := range int(n) {
			data = binary.LittleEndian.AppendUint32(data, math.Float32bits(s+float32(i)*d))
		}
	case runtime.Int32, runtime.Int64:
		vals := make([]int, int(n))
		for i := range vals {
			vals[i] = int(start) + i*int(delta)
		}
		data = intBytes(dt, vals)
	default:
		return nil, c.unsupported("type %s", dt)
	}
	return constKernel(data), nil
}

// FILL: a tensor of the constant shape dims filled with the scalar value
// (which may change at run time); the output has value's type.
func prepareFill(c *opCtx) (kernel, error) {
	if err := c.arity(2, 2, 1); err != nil {
		return nil, err
	}
	dims, val := c.input(0), c.input(1)
	shape, ok := shapeOpInts(dims)
	if !ok {
		return nil, c.unsupported("dims %s must be a constant int32 or int64 tensor (the output's size depends on it)", dims)
	}
	if val.numElements() != 1 {
		return nil, c.invalid("value %s must be a scalar", val)
	}
	es := val.dtype.Size()
	if es == 0 {
		return nil, c.unsupported("filling %s", val.dtype)
	}
	if err := settleShapeOut(c, val.dtype, shape); err != nil {
		return nil, err
	}
	return kernelFunc(func(b *binding) error {
		kernels.FillBytes(b.outs[0], b.ins[1][:es])
		return nil
	}), nil
}

// settleShapeOut settles output 0 to a shape read from a constant and
// checks it.
func settleShapeOut(c *opCtx, dt runtime.DType, shape []int) error {
	if len(shape) > maxRank {
		return c.unsupported("rank %d", len(shape))
	}
	n := uint64(1)
	for _, d := range shape {
		if d < 0 {
			return c.invalid("shape %v has a negative dimension", shape)
		}
		if n *= uint64(max(d, 1)); n > maxTensorBytes {
			return c.invalid("shape %v is too large", shape)
		}
	}
	if err := c.settleOutput(0, dt, shape); err != nil {
		return err
	}
	if out := c.output(0); out.dtype != dt || !sameShape(out.shape, shape) {
		return c.invalid("output %s, want %s%v", out, dt, shape)
	}
	return nil
}

// ZEROS_LIKE: zeros of the input's type and shape.
func prepareZerosLike(c *opCtx) (kernel, error) {
	in, _, err := checkUnary(c)
	if err != nil {
		return nil, err
	}
	if in.dtype.Size() == 0 {
		return nil, c.unsupported("type %s", in.dtype)
	}
	return kernelFunc(func(b *binding) error {
		clear(b.outs[0])
		return nil
	}), nil
}

// BROADCAST_TO: the input broadcast to the constant shape.
func prepareBroadcastTo(c *opCtx) (kernel, error) {
	if err := c.arity(2, 2, 1); err != nil {
		return nil, err
	}
	in := c.input(0)
	shape, ok := shapeOpInts(c.input(1))
	if !ok {
		return nil, c.unsupported("shape %s must be a constant int32 or int64 tensor", c.input(1))
	}
	if len(in.shape) > len(shape) {
		return nil, c.invalid("input %s has a higher rank than shape %v", in, shape)
	}
	if err := settleShapeOut(c, in.dtype, shape); err != nil {
		return nil, err
	}
	out := c.output(0)
	if err := checkMove(c, in, out); err != nil {
		return nil, err
	}
	st := shapeOpStrides(in.shape)
	skip := len(shape) - len(in.shape)
	maps := make([]dimMap, len(shape))
	for d := range shape {
		k := d - skip
		switch {
		case k < 0 || in.shape[k] == 1:
			maps[d] = linear(0, 0)
		case in.shape[k] == shape[d]:
			maps[d] = linear(0, st[k])
		default:
			return nil, c.invalid("input %s does not broadcast to %v", in, shape)
		}
	}
	return mapKernel(c, in, out, shape, maps)
}

// REVERSE_V2: the input with the constant axes reversed.
func prepareReverse(c *opCtx) (kernel, error) {
	if err := c.arity(2, 2, 1); err != nil {
		return nil, err
	}
	in := c.input(0)
	axes, ok := shapeOpInts(c.input(1))
	if !ok {
		return nil, c.unsupported("axes %s must be a constant int32 or int64 tensor", c.input(1))
	}
	if err := settleShapeOut(c, in.dtype, in.shape); err != nil {
		return nil, err
	}
	out := c.output(0)
	if err := checkMove(c, in, out); err != nil {
		return nil, err
	}
	st := shapeOpStrides(in.shape)
	maps := make([]dimMap, len(in.shape))
	for d := range maps {
		maps[d] = linear(0, st[d])
	}
	for _, a := range axes {
		d, ok := shapeOpAxis(a, len(in.shape))
		if !ok {
			return nil, c.invalid("axis %d out of range for %s", a, in)
		}
		maps[d] = linear((in.shape[d]-1)*st[d], -st[d])
	}
	return mapKernel(c, in, out, in.shape, maps)
}

// ONE_HOT: indices (int32 or int64), a constant scalar depth, and scalar
// on and off values of the output's type; OneHotOptions: axis 0 (-1 for a
// new innermost dimension). An index outside [0, depth) gives off values.
func prepareOneHot(c *opCtx) (kernel, error) {
	if err := c.arity(4, 4, 1); err != nil {
		return nil, err
	}
	idx, on, off := c.input(0), c.input(2), c.input(3)
	dv, ok := constScalar(c.input(1))
	if !ok || c.input(1).dtype != runtime.Int32 || dv < 0 {
		return nil, c.unsupported("depth %s must be a constant non-negative int32 scalar", c.input(1))
	}
	depth := int(dv)
	axis := int(c.n.opts.i32(0, -1))
	if axis == -1 {
		axis = len(idx.shape)
	}
	if axis < 0 || axis > len(idx.shape) {
		return nil, c.invalid("axis %d out of range for indices %s", axis, idx)
	}
	if on.dtype != off.dtype || on.numElements() != 1 || off.numElements() != 1 {
		return nil, c.invalid("on value %s and off value %s must be scalars of one type", on, off)
	}
	es := on.dtype.Size()
	if es == 0 {
		return nil, c.unsupported("type %s", on.dtype)
	}
	shape := append(append(append([]int{}, idx.shape[:axis]...), depth), idx.shape[axis:]...)
	if err := settleShapeOut(c, on.dtype, shape); err != nil {
		return nil, err
	}
	outer, inner := shapeOpProd(idx.shape[:axis]), shapeOpProd(idx.shape[axis:])
	switch idx.dtype {
	case runtime.Int32:
		return kernelFunc(func(b *binding) error {
			kernels.OneHot(i32(b.ins[0]), b.outs[0], b.ins[2][:es], b.ins[3][:es], outer, depth, inner)
			return nil
		}), nil
	case runtime.Int64:
		return kernelFunc(func(b *binding) error {
			kernels.OneHot(i64(b.ins[0]), b.outs[0], b.ins[2][:es], b.ins[3][:es], outer, depth, inner)
			return nil
		}), nil
	}
	return nil, c.unsupported("indices of type %s", idx.dtype)
}

// WHERE: the int64 coordinates of the true (non-zero) elements of a
// constant condition, one row each. A condition computed at run time
// would give an output whose size the engine cannot plan at load.
func prepareWhere(c *opCtx) (kernel, error) {
	if err := c.arity(1, 1, 1); err != nil {
		return nil, err
	}
	cond := c.input(0)
	if !cond.isConst() {
		return nil, c.unsupported("condition %s is computed at run time: the output's size depends on its values (only a constant condition is supported)", cond)
	}
	es := cond.dtype.Size()
	if es == 0 || cond.dtype == runtime.String {
		return nil, c.unsupported("condition of type %s", cond.dtype)
	}
	st := shapeOpStrides(cond.shape)
	var coords []int
	rows := 0
	for i := range cond.numElements() {
		nz := false
		for _, v := range cond.data[i*es : (i+1)*es] {
			nz = nz || v != 0
		}
		if cond.dtype == runtime.Float32 {
			nz = f32(cond.data)[i] != 0
		}
		if !nz {
			continue
		}
		rows++
		for d := range cond.shape {
			coords = append(coords, i/st[d]%cond.shape[d])
		}
	}
	if err := settleShapeOut(c, runtime.Int64, []int{rows, len(cond.shape)}); err != nil {
		return nil, err
	}
	return constKernel(intBytes(runtime.Int64, coords)), nil
}
