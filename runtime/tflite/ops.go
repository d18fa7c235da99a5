package tflite

import (
	"fmt"
	"slices"
	"strings"

	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/kernels"
)

// A prepareFunc checks one operator at load (types, shapes, options) and
// precomputes what its kernel needs (quantization multipliers, packed
// weights). It returns the kernel, or an error built with opCtx's helpers.
type prepareFunc func(c *opCtx) (kernel, error)

// A kernel is a prepared operator, shared by every session of a model.
type kernel interface {
	// bind attaches the kernel to one session's tensor buffers and returns
	// the step that runs it. It may allocate per-session scratch memory;
	// the step it returns must not allocate.
	bind(b *binding) step
}

// step runs one bound operator.
type step func() error

// binding holds one operator's tensor buffers in one session. Absent
// optional inputs are nil.
type binding struct {
	ins, outs [][]byte
	pool      *kernels.Pool
	// generic asks for the generic Go kernels (Options.Backend "generic")
	// where an operator has SIMD variants.
	generic bool
	// state is shared by every subgraph of the session (resource
	// variables, the run's context, what ResetState resets).
	state *sessionState
}

// kernelFunc is a kernel whose step is a plain function of the binding.
type kernelFunc func(b *binding) error

func (f kernelFunc) bind(b *binding) step { return func() error { return f(b) } }

var registry = map[string]prepareFunc{}

// register makes an operator available; name is the builtin name
// ("CONV_2D") or "CUSTOM:" followed by the custom code.
func register(name string, f prepareFunc) {
	if _, dup := registry[name]; dup {
		panic("tflite: operator registered twice: " + name)
	}
	registry[name] = f
}

// Supported reports whether an operator name has a kernel.
func Supported(name string) bool {
	_, ok := registry[name]
	return ok
}

// opCtx is what a prepareFunc sees of its operator.
type opCtx struct {
	m *Model
	n *node
}

func (c *opCtx) numInputs() int  { return len(c.n.inputs) }
func (c *opCtx) numOutputs() int { return len(c.n.outputs) }

// input returns input i, or nil if it is absent (optional, -1, or beyond
// the operator's input list).
func (c *opCtx) input(i int) *tensor {
	if i >= len(c.n.inputs) || c.n.inputs[i] < 0 {
		return nil
	}
	return c.m.tensors[c.n.inputs[i]]
}

// output returns output i, or nil if the operator has fewer outputs.
func (c *opCtx) output(i int) *tensor {
	if i >= len(c.n.outputs) {
		return nil
	}
	return c.m.tensors[c.n.outputs[i]]
}

// invalid reports a model that contradicts the operator's definition.
func (c *opCtx) invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", runtime.ErrInvalidModel, fmt.Sprintf(format, args...))
}

// unsupported reports a valid use of the operator this engine lacks.
func (c *opCtx) unsupported(format string, args ...any) error {
	return fmt.Errorf("%w: %s", runtime.ErrUnsupported, fmt.Sprintf(format, args...))
}

// arity checks the number of inputs (between minIn and maxIn, counting
// absent optional ones) and outputs, and that required inputs are present.
func (c *opCtx) arity(minIn, maxIn, outs int) error {
	if n := c.numInputs(); n < minIn || n > maxIn {
		if minIn == maxIn {
			return c.invalid("has %d inputs, want %d", n, minIn)
		}
		return c.invalid("has %d inputs, want %d to %d", n, minIn, maxIn)
	}
	for i := 0; i < minIn; i++ {
		if c.input(i) == nil {
			return c.invalid("required input %d is absent", i)
		}
	}
	if n := c.numOutputs(); n != outs {
		return c.invalid("has %d outputs, want %d", n, outs)
	}
	// Absent optional inputs may be left off the end of the list: pad it
	// with -1 so that kernels can index every input up to maxIn (nil).
	for len(c.n.inputs) < maxIn {
		c.n.inputs = append(c.n.inputs, -1)
	}
	return nil
}

// activation reads a fused activation from an options field (or the one
// the graph rewrites set) and refuses the ones without a kernel.
func (c *opCtx) activation(slot int) (kernels.Activation, error) {
	a := kernels.Activation(c.n.opts.u8(slot, 0))
	if f := c.n.fuse; f != nil && f.setAct {
		a = f.act // a RELU folded in by rewrite
	}
	switch a {
	case kernels.ActNone, kernels.ActRelu, kernels.ActReluN1To1, kernels.ActRelu6:
		return a, nil
	}
	return 0, c.unsupported("fused activation %d", a)
}

// prepare finds and prepares every operator's kernel, with the graph
// rewrites (rewrite.go) when rewrite is set. Like TFLite's
// InterpreterBuilder, it resolves every operator before preparing any, so a
// model with an operator this engine lacks is reported as unsupported
// rather than by the first check a known operator fails.
func (m *Model) prepare(rewrite bool) error {
	for _, n := range m.nodes {
		if !Supported(n.name) {
			return unsupportedOp(n)
		}
	}
	g := newRewriter(m)
	for _, n := range m.nodes {
		if g.folded[n] {
			continue
		}
		var k kernel
		var err error
		if rewrite {
			k, err = g.prepare(n)
		} else {
			k, err = prepareStored(m, n)
		}
		if err != nil {
			return fmt.Errorf("operator %d (%s): %w", n.index, n.name, err)
		}
		n.kernel = k
		g.done[n] = true
	}
	if len(g.folded) > 0 {
		m.nodes = slices.DeleteFunc(m.nodes, func(n *node) bool { return g.folded[n] })
	}
	return nil
}

// prepareStored prepares operator n as the file stores it, inferring its
// output shapes first in a model with reshaped inputs.
func prepareStored(m *Model, n *node) (kernel, error) {
	if m.reshaped {
		if err := inferShapes(m, n); err != nil {
			return nil, err
		}
	}
	return prepareKernel(m, n)
}

// prepareKernel runs the prepare function of n, which must have a kernel,
// and reports options the reader found malformed on the way.
func prepareKernel(m *Model, n *node) (kernel, error) {
	k, err := registry[n.name](&opCtx{m: m, n: n})
	if err == nil && n.opts.Err() != nil {
		err = invalid("options: %v", n.opts.Err())
	}
	return k, err
}

// unsupportedOp is the error for an operator without a kernel; for the
// operators of accelerator-compiled and TensorFlow-only models it says so.
func unsupportedOp(n *node) error {
	hint := ""
	switch {
	case n.name == "CUSTOM:edgetpu-custom-op":
		hint = " (the model is compiled for a Coral Edge TPU; use the model from before edgetpu_compiler)"
	case n.name == "CUSTOM:ethos-u":
		hint = " (the model is compiled by Vela for an Arm Ethos-U NPU; use the model from before Vela)"
	case strings.HasPrefix(n.name, "CUSTOM:Flex"):
		hint = " (a TensorFlow operator that needs TFLite's Flex delegate)"
	}
	return fmt.Errorf("%w: operator %d: %s (version %d) is not supported by this engine%s", runtime.ErrUnsupported, n.index, n.name, n.version, hint)
}

// sameShape reports whether two shapes are equal.
func sameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// unknownShape reports whether a tensor's stored shape is a placeholder:
// rank 0 where the operator computes a higher rank, or a shape_signature
// with -1 (a dimension fixed only when TFLite's Prepare resizes it).
func unknownShape(t *tensor, want []int) bool {
	if len(t.shape) == 0 && len(want) > 0 {
		return true
	}
	for _, d := range t.signature {
		if d < 0 {
			return true
		}
	}
	return false
}

// settleOutput gives output i the type and shape the operator computes, as
// TFLite's Prepare does (it retypes and resizes outputs whatever the file
// stores): the type always, the shape only where the stored one is unknown
// (see unknownShape), since a different concrete shape more likely means a
// damaged file. Variables keep what the file says. The caller checks the
// output against its operator's rules afterwards.
func (c *opCtx) settleOutput(i int, dt runtime.DType, shape []int) error {
	out := c.output(i)
	if out == nil || out.variable || out.isConst() {
		return nil
	}
	if !sameShape(out.shape, shape) && unknownShape(out, shape) {
		n := uint64(max(dt.Size(), 1))
		for _, d := range shape {
			if d < 0 || (d > 0 && n > maxTensorBytes/uint64(d)) {
				return c.invalid("output shape %v of %s is too large", shape, out)
			}
			n *= uint64(max(d, 1))
		}
		out.shape, out.signature = append([]int(nil), shape...), nil
	}
	out.dtype = dt
	return nil
}
