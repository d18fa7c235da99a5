package tflite

import (
	"github.com/edgeinfer/edgeinfer/runtime"
)

func init() {
	register("WHILE", prepareWhile)
	register("IF", prepareIf)
	register("CALL_ONCE", prepareCallOnce)
}

// matchTensors checks that the tensors ts (an operator's) and the
// subgraph's list have the same types and shapes: this engine plans each
// subgraph for fixed shapes, so a loop whose variables change shape is
// refused.
func matchTensors(c *opCtx, what string, ts []*tensor, sub *Model, list []int) error {
	if len(ts) != len(list) {
		return c.invalid("%s of subgraph %d: %d tensors, the operator has %d", what, sub.index, len(list), len(ts))
	}
	for i, t := range ts {
		st := sub.tensors[list[i]]
		if t.dtype != st.dtype || !sameShape(t.shape, st.shape) {
			return c.unsupported("%s %d of subgraph %d is %s, the operator's is %s (shapes that change between iterations are not supported)", what, i, sub.index, st, t)
		}
		if t.dtype.Size() == 0 {
			return c.unsupported("%s %d of subgraph %d: type %s", what, i, sub.index, t.dtype)
		}
	}
	return nil
}

func (c *opCtx) inputTensors(from int) []*tensor {
	var ts []*tensor
	for i := from; i < c.numInputs(); i++ {
		ts = append(ts, c.input(i))
	}
	return ts
}

func (c *opCtx) outputTensors() []*tensor {
	ts := make([]*tensor, c.numOutputs())
	for i := range ts {
		ts[i] = c.output(i)
	}
	return ts
}

// prepareWhile reads WhileOptions: cond_subgraph_index 0,
// body_subgraph_index 1. The loop variables are the inputs; the condition
// subgraph maps them to one bool, the body to their next values; the
// outputs are the values when the condition fails.
func prepareWhile(c *opCtx) (kernel, error) {
	for i := range c.numInputs() {
		if c.input(i) == nil {
			return nil, c.invalid("input %d is absent", i)
		}
	}
	if c.numInputs() != c.numOutputs() {
		return nil, c.invalid("%d inputs but %d outputs", c.numInputs(), c.numOutputs())
	}
	cond, body := c.m.subgraph(int(c.n.opts.i32(0, 0))), c.m.subgraph(int(c.n.opts.i32(1, 0)))
	vars := c.inputTensors(0)
	if err := matchTensors(c, "input", vars, cond, cond.inputs); err != nil {
		return nil, err
	}
	if err := matchTensors(c, "input", vars, body, body.inputs); err != nil {
		return nil, err
	}
	if err := matchTensors(c, "output", vars, body, body.outputs); err != nil {
		return nil, err
	}
	if err := matchTensors(c, "output", c.outputTensors(), body, body.outputs); err != nil {
		return nil, err
	}
	if len(cond.outputs) != 1 || cond.tensors[cond.outputs[0]].dtype != runtime.Bool || cond.tensors[cond.outputs[0]].numElements() != 1 {
		return nil, c.invalid("condition subgraph %d must have one bool output of one element", cond.index)
	}
	return &whileKernel{cond: cond, body: body}, nil
}

type whileKernel struct{ cond, body *Model }

func (k *whileKernel) bind(b *binding) step {
	cond := bindGraph(k.cond, b.pool, b.generic, b.state)
	body := bindGraph(k.body, b.pool, b.generic, b.state)
	st := b.state
	return func() error {
		for i, in := range b.ins {
			copy(b.outs[i], in)
		}
		for {
			if err := st.ctx.Err(); err != nil {
				return err
			}
			for i, v := range b.outs {
				copy(cond.bufs[k.cond.inputs[i]], v)
			}
			if err := cond.run(); err != nil {
				return err
			}
			if cond.bufs[k.cond.outputs[0]][0] == 0 {
				return nil
			}
			for i, v := range b.outs {
				copy(body.bufs[k.body.inputs[i]], v)
			}
			if err := body.run(); err != nil {
				return err
			}
			for i, v := range b.outs {
				copy(v, body.bufs[k.body.outputs[i]])
			}
		}
	}
}

// prepareIf reads IfOptions: then_subgraph_index 0, else_subgraph_index 1.
// Input 0 is the condition (one bool); the others go to the branch taken,
// whose outputs are the operator's.
func prepareIf(c *opCtx) (kernel, error) {
	if c.numInputs() < 1 || c.input(0) == nil {
		return nil, c.invalid("the condition (input 0) is required")
	}
	for i := range c.numInputs() {
		if c.input(i) == nil {
			return nil, c.invalid("input %d is absent", i)
		}
	}
	if cond := c.input(0); cond.dtype != runtime.Bool || cond.numElements() != 1 {
		return nil, c.invalid("condition %s must be one bool", cond)
	}
	k := &ifKernel{}
	for i := range 2 {
		sub := c.m.subgraph(int(c.n.opts.i32(i, 0)))
		if err := matchTensors(c, "input", c.inputTensors(1), sub, sub.inputs); err != nil {
			return nil, err
		}
		if err := matchTensors(c, "output", c.outputTensors(), sub, sub.outputs); err != nil {
			return nil, err
		}
		k.branch[i] = sub
	}
	return k, nil
}

type ifKernel struct{ branch [2]*Model }

func (k *ifKernel) bind(b *binding) step {
	then := bindGraph(k.branch[0], b.pool, b.generic, b.state)
	els := bindGraph(k.branch[1], b.pool, b.generic, b.state)
	return func() error {
		g := els
		if b.ins[0][0] != 0 {
			g = then
		}
		for i, in := range b.ins[1:] {
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

// prepareCallOnce reads CallOnceOptions: init_subgraph_index 0. The
// subgraph (without inputs or outputs; it typically assigns resource
// variables) runs at the first Run of a session, and again after
// ResetState (not after ResizeInputs).
func prepareCallOnce(c *opCtx) (kernel, error) {
	if err := c.arity(0, 0, 0); err != nil {
		return nil, err
	}
	sub := c.m.subgraph(int(c.n.opts.i32(0, 0)))
	if len(sub.inputs) != 0 || len(sub.outputs) != 0 {
		return nil, c.unsupported("initializer subgraph %d with %d inputs and %d outputs", sub.index, len(sub.inputs), len(sub.outputs))
	}
	return &callOnceKernel{init: sub}, nil
}

type callOnceKernel struct{ init *Model }

func (k *callOnceKernel) bind(b *binding) step {
	g := bindGraph(k.init, b.pool, b.generic, b.state)
	st := b.state
	return func() error {
		if st.once[k.init.index] {
			return nil
		}
		if err := g.run(); err != nil {
			return err
		}
		st.once[k.init.index] = true
		return nil
	}
}
