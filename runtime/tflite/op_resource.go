package tflite

import (
	"errors"
	"fmt"

	"github.com/edgeinfer/edgeinfer/runtime"
)

func init() {
	register("VAR_HANDLE", prepareVarHandle)
	register("READ_VARIABLE", prepareReadVariable)
	register("ASSIGN_VARIABLE", prepareAssignVariable)
}

// Resource variables: VAR_HANDLE names a variable (container and
// shared_name), READ_VARIABLE and ASSIGN_VARIABLE read and write it. A
// session holds one value per name, shared by all its subgraphs, kept
// across runs until ResetState; a variable has no value until its first
// assignment. Handles are resolved at load: the resource input of a read
// or an assignment must come from a VAR_HANDLE of the same subgraph.

// resourceVar is the value of one resource variable in one session.
type resourceVar struct {
	dtype runtime.DType
	shape []int
	data  []byte
}

// errUnassigned is the error of a read before any assignment.
var errUnassigned = errors.New("resource variable read before it was assigned")

// prepareVarHandle reads VarHandleOptions: container 0, shared_name 1.
// The handle has no contents: the operators that use it find the name.
func prepareVarHandle(c *opCtx) (kernel, error) {
	if err := c.arity(0, 0, 1); err != nil {
		return nil, err
	}
	if out := c.output(0); !out.resource {
		return nil, c.invalid("output %s should be a RESOURCE tensor", out)
	}
	return kernelFunc(func(*binding) error { return nil }), nil
}

// varName finds the variable a resource input names.
func varName(c *opCtx, input int) (string, error) {
	t := c.input(input)
	if t == nil || !t.resource {
		return "", c.invalid("input %d should be a RESOURCE tensor", input)
	}
	for _, n := range c.m.nodes {
		if n.name == "VAR_HANDLE" && len(n.outputs) == 1 && n.outputs[0] == t.index {
			return n.opts.str(0) + "/" + n.opts.str(1), nil
		}
	}
	return "", c.unsupported("resource %s does not come from a VAR_HANDLE of the same subgraph", t)
}

func prepareReadVariable(c *opCtx) (kernel, error) {
	if err := c.arity(1, 1, 1); err != nil {
		return nil, err
	}
	name, err := varName(c, 0)
	if err != nil {
		return nil, err
	}
	out := c.output(0)
	if out.dtype.Size() == 0 {
		return nil, c.unsupported("variable of type %s", out.dtype)
	}
	return kernelFunc(func(b *binding) error {
		v := b.state.vars[name]
		if v == nil {
			return fmt.Errorf("%q: %w", name, errUnassigned)
		}
		if v.dtype != out.dtype || len(v.data) != len(b.outs[0]) {
			return fmt.Errorf("variable %q holds %s%v, the output is %s", name, v.dtype, v.shape, out)
		}
		copy(b.outs[0], v.data)
		return nil
	}), nil
}

func prepareAssignVariable(c *opCtx) (kernel, error) {
	if err := c.arity(2, 2, 0); err != nil {
		return nil, err
	}
	name, err := varName(c, 0)
	if err != nil {
		return nil, err
	}
	val := c.input(1)
	if val.dtype.Size() == 0 {
		return nil, c.unsupported("variable of type %s", val.dtype)
	}
	return kernelFunc(func(b *binding) error {
		v := b.state.vars[name]
		if v == nil || v.dtype != val.dtype || len(v.data) != len(b.ins[1]) {
			// The first assignment (or one of another type or size)
			// gives the variable its memory.
			v = &resourceVar{dtype: val.dtype, shape: val.shape, data: make([]byte, len(b.ins[1]))}
			b.state.vars[name] = v
		}
		copy(v.data, b.ins[1])
		return nil
	}), nil
}
