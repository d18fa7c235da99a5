package tflite

import (
	"math"

	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/kernels"
)

// Helpers shared by the shape, data-movement and reduction operators.

// shapeOpAxis resolves a possibly negative axis against a rank.
func shapeOpAxis(axis, rank int) (int, bool) {
	if axis < 0 {
		axis += rank
	}
	return axis, axis >= 0 && axis < rank
}

// shapeOpProd multiplies the dimensions of a shape.
func shapeOpProd(dims []int) int {
	n := 1
	for _, d := range dims {
		n *= d
	}
	return n
}

// shapeOpQRange returns the value range of an 8-bit quantized type.
func shapeOpQRange(d runtime.DType) (qmin, qmax int32) {
	if d == runtime.UInt8 {
		return 0, math.MaxUint8
	}
	return math.MinInt8, math.MaxInt8
}

// shapeOpIs8Bit reports whether d is int8 or uint8.
func shapeOpIs8Bit(d runtime.DType) bool { return d == runtime.Int8 || d == runtime.UInt8 }

// shapeOpSameQuant reports whether two tensors share per-tensor scale and
// zero point (both unquantized counts as the same).
func shapeOpSameQuant(a, b *tensor) bool {
	return a.scale() == b.scale() && a.zeroPoint() == b.zeroPoint()
}

// shapeOpInts reads a constant int32 or int64 tensor as ints.
func shapeOpInts(t *tensor) ([]int, bool) {
	if t == nil || !t.isConst() {
		return nil, false
	}
	var out []int
	switch t.dtype {
	case runtime.Int32:
		for _, v := range i32(t.data) {
			out = append(out, int(v))
		}
	case runtime.Int64:
		for _, v := range i64(t.data) {
			if v < math.MinInt32 || v > math.MaxInt32 {
				return nil, false
			}
			out = append(out, int(v))
		}
	default:
		return nil, false
	}
	return out, true
}

func init() {
	register("TRANSPOSE", prepareTranspose)
	register("SLICE", prepareSlice)
	register("STRIDED_SLICE", prepareStridedSlice)
	register("TILE", prepareTile)
	register("MIRROR_PAD", prepareMirrorPad)
	register("DEPTH_TO_SPACE", func(c *opCtx) (kernel, error) { return prepareDepthSpace(c, true) })
	register("SPACE_TO_DEPTH", func(c *opCtx) (kernel, error) { return prepareDepthSpace(c, false) })
	register("SPLIT", func(c *opCtx) (kernel, error) { return prepareSplit(c, false) })
	register("SPLIT_V", func(c *opCtx) (kernel, error) { return prepareSplit(c, true) })
}

// shapeOpPadOK reports whether padding dimension in by before and after
// gives out, without overflowing on 32-bit targets.
func shapeOpPadOK(in, before, after, out int) bool {
	return before >= 0 && after >= 0 && before <= out && after <= out-before && in == out-before-after
}

// shapeOpStrides returns the row-major element strides of a shape.
func shapeOpStrides(shape []int) []int {
	s := make([]int, len(shape))
	n := 1
	for d := len(shape) - 1; d >= 0; d-- {
		s[d] = n
		n *= shape[d]
	}
	return s
}

// checkMove checks what every data-movement operator needs of its input
// and output: same type, same quantization, a fixed-size type. An input
// without quantization parameters moves as stored into any output, as
// TFLite moves bytes whatever the output's parameters say.
func checkMove(c *opCtx, in, out *tensor) error {
	if in.dtype != out.dtype {
		return c.invalid("input %s and output %s types differ", in, out)
	}
	if in.dtype.Size() == 0 {
		return c.unsupported("moving %s tensors", in.dtype)
	}
	if in.quant != nil && !shapeOpSameQuant(in, out) {
		return c.unsupported("moving %s into %s with different quantization", in, out)
	}
	return nil
}

// dimMap gives, for index i along one output dimension, the input offset
// (in elements) that index adds.
type dimMap func(i int) int

// linear returns the map i -> start + i*step.
func linear(start, step int) dimMap {
	return func(i int) int { return start + i*step }
}

// mapKernel runs kernels.MapCopy over the output of shape (which may split
// or merge the stored output's dimensions), reading at the offsets maps
// give. Callers check shape against the output first; the per-dimension
// offset tables are built only here, after the element count is known to
// match, and only for a non-empty output, so they hold at most one entry
// per output element plus one per dimension.
func mapKernel(c *opCtx, in, out *tensor, shape []int, maps []dimMap) (kernel, error) {
	if len(shape) > maxRank {
		return nil, c.unsupported("rank %d", len(shape))
	}
	n := 1
	for _, d := range shape {
		if d < 0 || (d > 0 && n > maxTensorBytes/d) {
			return nil, c.invalid("output %s, want %v", out, shape)
		}
		n *= d
	}
	if n != out.numElements() {
		return nil, c.invalid("output %s, want %v", out, shape)
	}
	if n == 0 {
		// Nothing to move: an empty output is valid whatever the input.
		return kernelFunc(func(*binding) error { return nil }), nil
	}
	if len(shape) == 0 {
		shape, maps = []int{1}, []dimMap{linear(0, 0)}
	}
	offs := make([][]int, len(shape))
	reach := 0
	for d, size := range shape {
		offs[d] = make([]int, size)
		hi := 0
		for i := range offs[d] {
			o := maps[d](i)
			if o < 0 || o >= in.numElements() {
				return nil, c.invalid("dimension %d reads outside input %s", d, in)
			}
			offs[d][i] = o
			hi = max(hi, o)
		}
		if reach += hi; reach >= in.numElements() {
			return nil, c.invalid("output %s reads outside input %s", out, in)
		}
	}
	var run func(dst, src []byte)
	switch in.dtype.Size() {
	case 1:
		run = func(dst, src []byte) { kernels.MapCopy(dst, src, shape, offs) }
	case 2:
		run = func(dst, src []byte) { kernels.MapCopy(u16(dst), u16(src), shape, offs) }
	case 4:
		run = func(dst, src []byte) { kernels.MapCopy(i32(dst), i32(src), shape, offs) }
	case 8:
		run = func(dst, src []byte) { kernels.MapCopy(i64(dst), i64(src), shape, offs) }
	default:
		return nil, c.unsupported("moving %s tensors", in.dtype)
	}
	return kernelFunc(func(b *binding) error {
		run(b.outs[0], b.ins[0])
		return nil
	}), nil
}

// TRANSPOSE: output dimension d is input dimension perm[d] (a constant).
func prepareTranspose(c *opCtx) (kernel, error) {
	if err := c.arity(2, 2, 1); err != nil {
		return nil, err
	}
	in, out := c.input(0), c.output(0)
	if err := checkMove(c, in, out); err != nil {
		return nil, err
	}
	perm, ok := shapeOpInts(c.input(1))
	if !ok || len(perm) != len(in.shape) {
		return nil, c.unsupported("permutation %s must be a constant of %d values", c.input(1), len(in.shape))
	}
	st := shapeOpStrides(in.shape)
	seen := make([]bool, len(perm))
	shape := make([]int, len(perm))
	maps := make([]dimMap, len(perm))
	for d, p := range perm {
		a, ok := shapeOpAxis(p, len(perm))
		if !ok || seen[a] {
			return nil, c.invalid("permutation %v", perm)
		}
		seen[a] = true
		shape[d] = in.shape[a]
		maps[d] = linear(0, st[a])
	}
	if !sameShape(shape, out.shape) {
		return nil, c.invalid("output %s, want %v", out, shape)
	}
	return mapKernel(c, in, out, shape, maps)
}

// SLICE: constant begin and size (-1: to the end) inputs.
func prepareSlice(c *opCtx) (kernel, error) {
	if err := c.arity(3, 3, 1); err != nil {
		return nil, err
	}
	in, out := c.input(0), c.output(0)
	if err := checkMove(c, in, out); err != nil {
		return nil, err
	}
	begin, ok1 := shapeOpInts(c.input(1))
	size, ok2 := shapeOpInts(c.input(2))
	r := len(in.shape)
	if !ok1 || !ok2 || len(begin) != r || len(size) != r {
		return nil, c.unsupported("begin %s and size %s must be constants of %d values", c.input(1), c.input(2), r)
	}
	st := shapeOpStrides(in.shape)
	shape := make([]int, r)
	maps := make([]dimMap, r)
	for d := range shape {
		b, n := begin[d], size[d]
		if n == -1 {
			n = in.shape[d] - b
		}
		if b < 0 || n < 0 || b > in.shape[d] || n > in.shape[d]-b {
			return nil, c.invalid("slice [%d:+%d] of dimension %d of %s", begin[d], size[d], d, in)
		}
		shape[d] = n
		maps[d] = linear(b*st[d], st[d])
	}
	if !sameShape(shape, out.shape) {
		return nil, c.invalid("output %s, want %v", out, shape)
	}
	return mapKernel(c, in, out, shape, maps)
}

// STRIDED_SLICE with constant begin, end and strides. StridedSliceOptions:
// begin_mask 0, end_mask 1, ellipsis_mask 2, new_axis_mask 3,
// shrink_axis_mask 4, offset 5. Bounds follow TFLite's StartForAxis and
// StopForAxis.
func prepareStridedSlice(c *opCtx) (kernel, error) {
	if err := c.arity(4, 4, 1); err != nil {
		return nil, err
	}
	in, out := c.input(0), c.output(0)
	if err := checkMove(c, in, out); err != nil {
		return nil, err
	}
	o := c.n.opts
	beginMask, endMask, shrinkMask := o.i32(0, 0), o.i32(1, 0), o.i32(4, 0)
	offset := o.boolean(5)
	if o.i32(2, 0) != 0 || o.i32(3, 0) != 0 {
		return nil, c.unsupported("ellipsis and new-axis masks")
	}
	begin, ok1 := shapeOpInts(c.input(1))
	end, ok2 := shapeOpInts(c.input(2))
	strides, ok3 := shapeOpInts(c.input(3))
	r := len(in.shape)
	n := len(begin)
	if !ok1 || !ok2 || !ok3 || len(end) != n || len(strides) != n || n > r {
		return nil, c.unsupported("begin, end and strides must be constants of equal length at most %d", r)
	}
	st := shapeOpStrides(in.shape)
	var shape, kept []int
	var maps []dimMap
	for d := 0; d < r; d++ {
		dim := in.shape[d]
		start, stop, step := 0, dim, 1
		if d < n {
			step = strides[d]
			if step == 0 || step > 1<<29 || step < -(1<<29) {
				return nil, c.invalid("stride %d on dimension %d", step, d)
			}
			lo, hi := 0, dim
			if step < 0 {
				lo, hi = -1, dim-1
			}
			start = begin[d]
			switch {
			case beginMask&(1<<d) != 0:
				start = lo
				if step < 0 {
					start = hi
				}
			case start < 0:
				start += dim
			}
			start = min(max(start, lo), hi)
			stop = end[d]
			switch {
			case shrinkMask&(1<<d) != 0:
				stop, step = start+1, 1
			case endMask&(1<<d) != 0:
				stop = hi
				if step < 0 {
					stop = lo
				}
			case offset:
				stop = min(max(stop, -(1<<29)), 1<<29) + start
			case stop < 0:
				stop += dim
			}
			if shrinkMask&(1<<d) == 0 {
				stop = min(max(stop, lo), hi)
			}
		}
		cnt := 0
		if step > 0 && stop > start {
			cnt = (stop - start + step - 1) / step
		} else if step < 0 && stop < start {
			cnt = (start - stop - step - 1) / -step
		}
		if cnt > 0 && (start < 0 || start >= dim || start+(cnt-1)*step < 0 || start+(cnt-1)*step >= dim) {
			return nil, c.invalid("slice of dimension %d of %s out of range", d, in)
		}
		shape = append(shape, cnt)
		maps = append(maps, linear(start*st[d], step*st[d]))
		if d >= n || shrinkMask&(1<<d) == 0 {
			kept = append(kept, cnt)
		}
	}
	if !sameShape(kept, out.shape) {
		return nil, c.invalid("output %s, want %v", out, kept)
	}
	return mapKernel(c, in, out, shape, maps)
}

// TILE: output dimension d repeats input dimension d multiples[d] times.
func prepareTile(c *opCtx) (kernel, error) {
	if err := c.arity(2, 2, 1); err != nil {
		return nil, err
	}
	in, out := c.input(0), c.output(0)
	if err := checkMove(c, in, out); err != nil {
		return nil, err
	}
	mult, ok := shapeOpInts(c.input(1))
	if !ok || len(mult) != len(in.shape) {
		return nil, c.unsupported("multiples %s must be a constant of %d values", c.input(1), len(in.shape))
	}
	st := shapeOpStrides(in.shape)
	shape := make([]int, len(mult))
	maps := make([]dimMap, len(mult))
	for d, m := range mult {
		if m < 0 || (in.shape[d] > 0 && m > maxTensorBytes/in.shape[d]) {
			return nil, c.invalid("multiple %d", m)
		}
		shape[d] = in.shape[d] * m
	}
	if !sameShape(shape, out.shape) {
		return nil, c.invalid("output %s, want %v", out, shape)
	}
	for d := range shape {
		n, s := in.shape[d], st[d]
		maps[d] = func(i int) int { return (i % n) * s }
	}
	return mapKernel(c, in, out, shape, maps)
}

// MIRROR_PAD with constant paddings. MirrorPadOptions: mode 0 (REFLECT 0,
// which does not repeat the edge; SYMMETRIC 1, which does).
func prepareMirrorPad(c *opCtx) (kernel, error) {
	if err := c.arity(2, 2, 1); err != nil {
		return nil, err
	}
	in, out := c.input(0), c.output(0)
	if err := checkMove(c, in, out); err != nil {
		return nil, err
	}
	symmetric := c.n.opts.u8(0, 0) == 1
	p, ok := shapeOpInts(c.input(1))
	r := len(in.shape)
	if !ok || len(p) != 2*r {
		return nil, c.unsupported("paddings %s must be a constant [%d, 2] tensor", c.input(1), r)
	}
	st := shapeOpStrides(in.shape)
	shape := make([]int, r)
	maps := make([]dimMap, r)
	if len(out.shape) != r {
		return nil, c.invalid("output %s has rank %d, want %d", out, len(out.shape), r)
	}
	for d := range shape {
		n, before := in.shape[d], p[2*d]
		if !shapeOpPadOK(n, before, p[2*d+1], out.shape[d]) {
			return nil, c.invalid("paddings %v do not take %s to %s", p, in, out)
		}
		// REFLECT needs before, after < n; SYMMETRIC before, after <= n.
		limit := n - 1
		if symmetric {
			limit = n
		}
		if limit = max(limit, 0); before > limit || p[2*d+1] > limit {
			return nil, c.invalid("paddings %v too large for %s", p, in)
		}
		shape[d] = out.shape[d]
		s := st[d]
		maps[d] = func(i int) int {
			j := i - before
			switch {
			case j < 0 && symmetric:
				j = -j - 1
			case j < 0:
				j = -j
			case j >= n && symmetric:
				j = 2*n - 1 - j
			case j >= n:
				j = 2*n - 2 - j
			}
			return j * s
		}
	}
	if !sameShape(shape, out.shape) {
		return nil, c.invalid("output %s, want %v", out, shape)
	}
	return mapKernel(c, in, out, shape, maps)
}

// prepareDepthSpace handles DEPTH_TO_SPACE and SPACE_TO_DEPTH on NHWC
// tensors (options: block_size 0), as TFLite orders the moved blocks.
func prepareDepthSpace(c *opCtx, toSpace bool) (kernel, error) {
	if err := c.arity(1, 1, 1); err != nil {
		return nil, err
	}
	in, out := c.input(0), c.output(0)
	if err := checkMove(c, in, out); err != nil {
		return nil, err
	}
	bs := int(c.n.opts.i32(0, 0))
	if len(in.shape) != 4 || bs < 1 || bs > 1<<15 {
		return nil, c.invalid("input %s with block size %d", in, bs)
	}
	n, h, w, ch := in.shape[0], in.shape[1], in.shape[2], in.shape[3]
	st := shapeOpStrides(in.shape)
	var shape []int
	maps := make([]dimMap, 4)
	maps[0] = linear(0, st[0])
	if toSpace {
		if ch%(bs*bs) != 0 {
			return nil, c.invalid("depth of %s is not a multiple of %d", in, bs*bs)
		}
		if h > maxTensorBytes/bs || w > maxTensorBytes/bs {
			return nil, c.invalid("input %s with block size %d is too large", in, bs)
		}
		oc := ch / (bs * bs)
		shape = []int{n, h * bs, w * bs, oc}
		maps[1] = func(y int) int { return (y/bs)*st[1] + (y%bs)*bs*oc }
		maps[2] = func(x int) int { return (x/bs)*st[2] + (x%bs)*oc }
		maps[3] = linear(0, 1)
	} else {
		if h%bs != 0 || w%bs != 0 {
			return nil, c.invalid("height and width of %s are not multiples of %d", in, bs)
		}
		if ch > maxTensorBytes/(bs*bs) {
			return nil, c.invalid("input %s with block size %d is too large", in, bs)
		}
		shape = []int{n, h / bs, w / bs, ch * bs * bs}
		maps[1] = linear(0, bs*st[1])
		maps[2] = linear(0, bs*st[2])
		maps[3] = func(o int) int {
			by, bx, k := o/(bs*ch), (o/ch)%bs, o%ch
			return by*st[1] + bx*st[2] + k
		}
	}
	if !sameShape(shape, out.shape) {
		return nil, c.invalid("output %s, want %v", out, shape)
	}
	return mapKernel(c, in, out, shape, maps)
}

// prepareSplit handles SPLIT (inputs: constant axis, tensor; SplitOptions:
// num_splits 0; equal parts) and SPLIT_V (inputs: tensor, constant
// size_splits with at most one -1, constant axis).
func prepareSplit(c *opCtx, sizes bool) (kernel, error) {
	inIdx, axisIdx := 1, 0
	if sizes {
		inIdx, axisIdx = 0, 2
	}
	in := c.input(inIdx)
	if in == nil || c.input(axisIdx) == nil {
		return nil, c.invalid("missing input")
	}
	av, ok := shapeOpInts(c.input(axisIdx))
	if !ok || len(av) != 1 {
		return nil, c.unsupported("axis %s must be a constant scalar", c.input(axisIdx))
	}
	axis, ok := shapeOpAxis(av[0], len(in.shape))
	if !ok {
		return nil, c.invalid("axis %d out of range for %s", av[0], in)
	}
	num := c.numOutputs()
	if num < 1 {
		return nil, c.invalid("has no outputs")
	}
	if ns := int(c.n.opts.i32(0, 0)); ns != 0 && ns != num {
		return nil, c.invalid("num_splits %d, but %d outputs", ns, num)
	}
	dim := in.shape[axis]
	parts := make([]int, num)
	if sizes {
		sv, ok := shapeOpInts(c.input(1))
		if !ok || len(sv) != num {
			return nil, c.unsupported("size_splits %s must be a constant of %d values", c.input(1), num)
		}
		infer, total := -1, 0
		for i, s := range sv {
			switch {
			case s == -1 && infer < 0:
				infer = i
			case s < 0 || s > dim:
				return nil, c.invalid("size_splits %v", sv)
			default:
				total += s
			}
			parts[i] = s
		}
		if infer >= 0 {
			parts[infer] = dim - total
			total = dim
		}
		if total != dim || (infer >= 0 && parts[infer] < 0) {
			return nil, c.invalid("size_splits %v do not add up to %d", sv, dim)
		}
	} else {
		if dim%num != 0 {
			return nil, c.invalid("cannot split %d into %d equal parts", dim, num)
		}
		for i := range parts {
			parts[i] = dim / num
		}
	}
	es := in.dtype.Size()
	outer := shapeOpProd(in.shape[:axis])
	inner := shapeOpProd(in.shape[axis+1:]) * es
	blocks := make([]int, num)
	starts := make([]int, num)
	at := 0
	for i, p := range parts {
		out := c.output(i)
		if err := checkMove(c, in, out); err != nil {
			return nil, err
		}
		want := append([]int{}, in.shape...)
		want[axis] = p
		if !sameShape(want, out.shape) {
			return nil, c.invalid("output %s, want %v", out, want)
		}
		blocks[i], starts[i] = p*inner, at*inner
		at += p
	}
	stride := dim * inner
	return kernelFunc(func(b *binding) error {
		src := b.ins[inIdx]
		for i, dst := range b.outs {
			kernels.GatherBlocks(dst, src, outer, blocks[i], stride, starts[i])
		}
		return nil
	}), nil
}
