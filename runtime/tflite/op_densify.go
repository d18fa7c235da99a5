package tflite

func init() { register("DENSIFY", prepareDensify) }

// densifyOperands checks a DENSIFY operator: one constant input stored
// sparse (densified when the file was read) and one output of its type
// and size.
func densifyOperands(m *Model, n *node) (in, out *tensor, err error) {
	c := &opCtx{m: m, n: n}
	if err := c.arity(1, 1, 1); err != nil {
		return nil, nil, err
	}
	in, out = c.input(0), c.output(0)
	if !in.isConst() || in.sparse == nil {
		return nil, nil, c.invalid("input %s is not a sparse constant", in)
	}
	if err := c.settleOutput(0, in.dtype, in.shape); err != nil {
		return nil, nil, err
	}
	if out.dtype != in.dtype || out.numElements() != in.numElements() {
		return nil, nil, c.invalid("output %s does not match input %s", out, in)
	}
	return in, out, nil
}

// foldDensify makes the output of a DENSIFY operator a constant holding
// its input's dense contents, and reports whether it did (a graph output
// or a variable keeps its operator).
func (m *Model) foldDensify(n *node) bool {
	if len(n.outputs) != 1 {
		return false
	}
	if out := m.tensors[n.outputs[0]]; out.output || out.variable {
		return false
	}
	in, out, err := densifyOperands(m, n)
	if err != nil {
		return false
	}
	out.data = in.data
	return true
}

// prepareDensify runs a DENSIFY that was not folded at load: it copies the
// dense contents to the output.
func prepareDensify(c *opCtx) (kernel, error) {
	in, _, err := densifyOperands(c.m, c.n)
	if err != nil {
		return nil, err
	}
	return kernelFunc(func(b *binding) error {
		copy(b.outs[0], in.data)
		return nil
	}), nil
}
