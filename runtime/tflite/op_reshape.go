package tflite

func init() {
	register("RESHAPE", prepareReshape)
	register("SQUEEZE", prepareSqueeze)
	register("EXPAND_DIMS", prepareExpandDims)
}

// reshapeCopy is the kernel of the operators that change only the shape:
// the output bytes are the input bytes.
var reshapeCopy = kernelFunc(func(b *binding) error {
	copy(b.outs[0], b.ins[0])
	return nil
})

// checkReshape checks that out holds exactly the elements of in.
func checkReshape(c *opCtx, in, out *tensor) error {
	if in.dtype != out.dtype {
		return c.invalid("input %s and output %s types differ", in, out)
	}
	if in.numElements() != out.numElements() {
		return c.invalid("input %s and output %s hold different numbers of elements", in, out)
	}
	if !shapeOpSameQuant(in, out) {
		return c.unsupported("reshaping %s into %s with different quantization", in, out)
	}
	return nil
}

// ReshapeOptions: new_shape 0. The new shape comes from the constant shape
// input, or else from new_shape; one -1 entry is inferred. The stored output
// shape must agree with it.
func prepareReshape(c *opCtx) (kernel, error) {
	if err := c.arity(1, 2, 1); err != nil {
		return nil, err
	}
	in, out := c.input(0), c.output(0)
	if err := checkReshape(c, in, out); err != nil {
		return nil, err
	}
	var dims []int
	if s := c.input(1); s != nil {
		if !s.isConst() {
			return reshapeCopy, nil // dynamic shape: the stored output shape rules
		}
		var ok bool
		if dims, ok = shapeOpInts(s); !ok {
			return nil, c.invalid("shape %s must be int32 or int64", s)
		}
	} else {
		for _, d := range c.n.opts.i32s(0) {
			dims = append(dims, int(d))
		}
		if len(dims) == 0 {
			return reshapeCopy, nil // no shape given: the stored output shape rules
		}
	}
	if c.m.batch > 1 && len(dims) > 0 && dims[0] == 1 && len(out.shape) > 0 && out.shape[0] == c.m.batch {
		dims[0] = c.m.batch // a re-batched graph (OpenBatch): the stored shape names batch 1
	}
	infer, known := -1, 1
	for i, d := range dims {
		switch {
		case d == -1 && infer < 0:
			infer = i
		case d < 0:
			return nil, c.invalid("new shape %v", dims)
		case d > 0 && known > maxTensorBytes/d:
			return nil, c.invalid("new shape %v is too large", dims)
		default:
			known *= d
		}
	}
	if infer >= 0 {
		if known == 0 || in.numElements()%known != 0 {
			return nil, c.invalid("cannot infer dimension %d of %v for input %s", infer, dims, in)
		}
		dims[infer] = in.numElements() / known
	}
	if !sameShape(dims, out.shape) {
		return nil, c.invalid("new shape %v does not match output %s", dims, out)
	}
	return reshapeCopy, nil
}

// SqueezeOptions: squeeze_dims 0 (empty: every dimension of size 1).
func prepareSqueeze(c *opCtx) (kernel, error) {
	if err := c.arity(1, 1, 1); err != nil {
		return nil, err
	}
	in, out := c.input(0), c.output(0)
	if err := checkReshape(c, in, out); err != nil {
		return nil, err
	}
	drop := make([]bool, len(in.shape))
	sq := c.n.opts.i32s(0)
	for _, d := range sq {
		a, ok := shapeOpAxis(int(d), len(in.shape))
		if !ok && len(in.shape) == 0 && !in.isConst() {
			// The file stores [] for an input whose shape is set by
			// resizing it before the first run.
			return nil, c.unsupported("input %s has no stored shape to squeeze dimension %d of (resizing inputs at run time)", in, d)
		}
		if !ok || in.shape[a] != 1 {
			return nil, c.invalid("cannot squeeze dimension %d of %s", d, in)
		}
		drop[a] = true
	}
	var want []int
	for i, d := range in.shape {
		if !drop[i] && (len(sq) > 0 || d != 1) {
			want = append(want, d)
		}
	}
	if !sameShape(want, out.shape) {
		return nil, c.invalid("output %s, want %v", out, want)
	}
	return reshapeCopy, nil
}

// EXPAND_DIMS inserts a dimension of size 1 at the axis given by its second
// input; the stored output shape must be the input's with that dimension.
func prepareExpandDims(c *opCtx) (kernel, error) {
	if err := c.arity(2, 2, 1); err != nil {
		return nil, err
	}
	in, out := c.input(0), c.output(0)
	if err := checkReshape(c, in, out); err != nil {
		return nil, err
	}
	if v, ok := shapeOpInts(c.input(1)); ok {
		if len(v) != 1 {
			return nil, c.invalid("axis %s must hold one value", c.input(1))
		}
		a, ok := shapeOpAxis(v[0], len(in.shape)+1)
		if !ok {
			return nil, c.invalid("axis %d out of range for %s", v[0], in)
		}
		want := append(append(append([]int{}, in.shape[:a]...), 1), in.shape[a:]...)
		if !sameShape(want, out.shape) {
			return nil, c.invalid("output %s, want %v", out, want)
		}
	}
	return reshapeCopy, nil
}
