package tflite

func init() { register("STABLEHLO_COMPOSITE", prepareComposite) }

// prepareComposite reads StableHLOCompositeOptions (builtin_options_2):
// name 0, decomposition_subgraph_index 1, composite_attributes 2. Like
// TFLite, it runs the decomposition subgraph: the operator's inputs are
// its inputs, its outputs the operator's; the name and attributes only
// describe it.
func prepareComposite(c *opCtx) (kernel, error) {
	for i := range c.numInputs() {
		if c.input(i) == nil {
			return nil, c.invalid("input %d is absent", i)
		}
	}
	sub := c.m.subgraph(int(c.n.opts2.i32(1, -1)))
	if err := matchTensors(c, "input", c.inputTensors(0), sub, sub.inputs); err != nil {
		return nil, err
	}
	if err := matchTensors(c, "output", c.outputTensors(), sub, sub.outputs); err != nil {
		return nil, err
	}
	return &callKernel{sub: sub}, nil
}

// callKernel runs a subgraph on the operator's inputs into its outputs.
type callKernel struct{ sub *Model }

func (k *callKernel) bind(b *binding) step {
	g := bindGraph(k.sub, b.pool, b.generic, b.state)
	return func() error {
		for i, in := range b.ins {
			copy(g.bufs[g.m.inputs[i]], in)
		}
		if err := g.run(); err != nil {
			return err
		}
		for i, out := range b.outs {
			copy(out, g.bufs[g.m.outputs[i]])
		}
		return nil
	}
}
