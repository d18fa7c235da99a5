package tflite

import (
	"fmt"
	"slices"

	"github.com/edgeinfer/edgeinfer/runtime"
)

// Inputs of other shapes. A model plans its arena and prepares its
// kernels for fixed shapes; a session given inputs of other shapes
// (Session.ResizeInputs; TFLite's ResizeInputTensor) runs a variant of
// the model loaded again from the same file with those input shapes: each
// operator's output shapes are inferred from its inputs before it is
// prepared, and the arena is planned for them. Variants are cached per
// model by input shapes.

// maxVariants bounds the reshaped variants a model keeps.
const maxVariants = 16

// reshapeInputs gives the graph inputs the shapes (one per input, the
// same rank as stored) and marks the model for shape inference.
func (m *Model) reshapeInputs(shapes [][]int) error {
	if len(shapes) != len(m.inputs) {
		return fmt.Errorf("%w: %d input shapes for %d inputs", runtime.ErrInput, len(shapes), len(m.inputs))
	}
	m.origShapes = make([][]int, len(m.tensors))
	for i, t := range m.tensors {
		m.origShapes[i] = t.shape
	}
	for i, x := range m.inputs {
		t, shape := m.tensors[x], shapes[i]
		if len(shape) != len(t.shape) {
			return fmt.Errorf("%w: input %d (%s): shape %v has rank %d, want %d", runtime.ErrInput, i, t, shape, len(shape), len(t.shape))
		}
		n := uint64(max(t.dtype.Size(), 1))
		for k, d := range shape {
			if d < 1 {
				return fmt.Errorf("%w: input %d (%s): dimension %d is %d", runtime.ErrInput, i, t, k, d)
			}
			if k < len(t.signature) && t.signature[k] >= 0 && t.signature[k] != d {
				return fmt.Errorf("%w: input %d (%s): dimension %d is fixed at %d by its shape signature", runtime.ErrInput, i, t, k, t.signature[k])
			}
			if n *= uint64(d); n > maxTensorBytes {
				return fmt.Errorf("%w: input %d (%s): shape %v is too large", runtime.ErrInput, i, t, shape)
			}
		}
		if t.isConst() || t.init != nil {
			return fmt.Errorf("%w: input %d (%s) is stored with a value", runtime.ErrUnsupported, i, t)
		}
		t.shape = slices.Clone(shape)
	}
	m.reshaped = true
	return nil
}

// settlingOps compute their output shapes in their prepare functions
// (settleOutput), given outputs of unknown shape.
var settlingOps = map[string]bool{
	"ADD": true, "SUB": true, "MUL": true, "DIV": true, "MAXIMUM": true, "MINIMUM": true,
	"SQUARED_DIFFERENCE": true, "FLOOR_DIV": true,
	"LSTM": true, "UNIDIRECTIONAL_SEQUENCE_LSTM": true, "BIDIRECTIONAL_SEQUENCE_LSTM": true,
	"RNN": true, "UNIDIRECTIONAL_SEQUENCE_RNN": true, "SVDF": true,
}

// sameShapeOps have one output of their first input's shape.
var sameShapeOps = map[string]bool{
	"ABS": true, "CAST": true, "DEQUANTIZE": true, "QUANTIZE": true, "EXP": true,
	"HARD_SWISH": true, "LEAKY_RELU": true, "LOGISTIC": true, "NEG": true, "RELU": true,
	"RELU6": true, "RELU_N1_TO_1": true, "RSQRT": true, "SQRT": true, "SOFTMAX": true, "TANH": true,
}

// shapeRules compute the output shape of other operators from their
// inputs and options.
var shapeRules = map[string]func(c *opCtx) ([]int, error){
	"FULLY_CONNECTED":   fullyConnectedShape,
	"RESHAPE":           reshapeShape,
	"CONV_2D":           windowShape,
	"DEPTHWISE_CONV_2D": windowShape,
	"AVERAGE_POOL_2D":   windowShape,
	"MAX_POOL_2D":       windowShape,
	"L2_POOL_2D":        windowShape,
	"MEAN":              reduceShape,
	"SUM":               reduceShape,
	"REDUCE_MAX":        reduceShape,
	"REDUCE_MIN":        reduceShape,
	"CONCATENATION":     concatShape,
	"SQUEEZE":           squeezeShape,
	"EXPAND_DIMS":       expandDimsShape,
	"TRANSPOSE":         permuteShape,
	"PAD":               padShape,
	"PADV2":             padShape,
}

// inferShapes gives n's outputs the shapes its (possibly reshaped) inputs
// imply, before n is prepared. An operator without a rule is refused if
// any of its run-time inputs changed shape.
func inferShapes(m *Model, n *node) error {
	c := &opCtx{m: m, n: n}
	set := func(i int, shape []int) {
		if out := c.output(i); out != nil && !out.variable && !out.isConst() {
			out.shape, out.signature = slices.Clone(shape), nil
		}
	}
	switch {
	case settlingOps[n.name]:
		for i := range n.outputs {
			if out := c.output(i); !out.variable && !out.isConst() {
				out.signature = make([]int, len(out.shape))
				for k := range out.signature {
					out.signature[k] = -1
				}
			}
		}
		return nil
	case sameShapeOps[n.name] && len(n.inputs) > 0 && n.inputs[0] >= 0 && len(n.outputs) == 1:
		set(0, c.input(0).shape)
		return nil
	}
	if rule := shapeRules[n.name]; rule != nil && len(n.outputs) == 1 {
		shape, err := rule(c)
		if err != nil {
			return err
		}
		set(0, shape)
		return nil
	}
	for k, x := range n.inputs {
		if x >= 0 && !sameShape(m.tensors[x].shape, m.origShapes[x]) {
			return fmt.Errorf("%w: input %d (%s) has another shape than stored, and this engine cannot infer this operator's output shapes", runtime.ErrUnsupported, k, m.tensors[x])
		}
	}
	return nil
}

func fullyConnectedShape(c *opCtx) ([]int, error) {
	in, w := c.input(0), c.input(1)
	if in == nil || w == nil || len(w.shape) != 2 || w.shape[1] == 0 || len(in.shape) == 0 {
		return nil, c.invalid("input and 2-D weights are required")
	}
	if c.n.opts.boolean(2) { // keep_num_dims
		return append(slices.Clone(in.shape[:len(in.shape)-1]), w.shape[0]), nil
	}
	return []int{in.numElements() / w.shape[1], w.shape[0]}, nil
}

func reshapeShape(c *opCtx) ([]int, error) {
	in := c.input(0)
	var dims []int
	if s := c.input(1); s != nil && s.isConst() {
		var ok bool
		if dims, ok = shapeOpInts(s); !ok {
			return nil, c.invalid("shape %s must be int32 or int64", s)
		}
	} else if s == nil {
		for _, d := range c.n.opts.i32s(0) {
			dims = append(dims, int(d))
		}
	}
	if len(dims) == 0 {
		return nil, c.unsupported("a RESHAPE without a constant shape cannot take inputs of other shapes")
	}
	infer, known := -1, 1
	for i, d := range dims {
		switch {
		case d == -1 && infer < 0:
			infer = i
		case d < 1 || known > maxTensorBytes/d:
			return nil, c.invalid("new shape %v", dims)
		default:
			known *= d
		}
	}
	if infer >= 0 {
		if in.numElements()%known != 0 {
			return nil, c.invalid("cannot infer dimension %d of %v for input %s", infer, dims, in)
		}
		dims[infer] = in.numElements() / known
	}
	return dims, nil
}

// windowShape is the output of a convolution or pooling over NHWC input:
// Conv2DOptions padding 0, stride_w 1, stride_h 2, dilation_w 4,
// dilation_h 5; DepthwiseConv2DOptions the same with dilations at 5, 6;
// Pool2DOptions padding 0, strides 1, 2, filter_w 3, filter_h 4.
func windowShape(c *opCtx) ([]int, error) {
	in := c.input(0)
	if in == nil || len(in.shape) != 4 {
		return nil, c.invalid("input must be 4-D")
	}
	o := c.n.opts
	pad, sw, sh := o.u8(0, 0), int(o.i32(1, 1)), int(o.i32(2, 1))
	var kh, kw, ch, dw, dh int
	switch c.n.name {
	case "CONV_2D", "DEPTHWISE_CONV_2D":
		f := c.input(1)
		if f == nil || len(f.shape) != 4 {
			return nil, c.invalid("filter must be 4-D")
		}
		kh, kw = f.shape[1], f.shape[2]
		// Each slot is read with its own width: a wider read of a byte
		// field is a malformed table to the reader.
		if c.n.name == "DEPTHWISE_CONV_2D" {
			ch, dw, dh = f.shape[3], int(o.i32(5, 1)), int(o.i32(6, 1))
		} else {
			ch, dw, dh = f.shape[0], int(o.i32(4, 1)), int(o.i32(5, 1))
		}
	default:
		kw, kh, ch, dw, dh = int(o.i32(3, 1)), int(o.i32(4, 1)), in.shape[3], 1, 1
	}
	if sw < 1 || sh < 1 || dw < 1 || dh < 1 || kh < 1 || kw < 1 {
		return nil, c.invalid("strides, dilations and filter sizes must be positive")
	}
	size := func(n, k, stride, dil int) int {
		if pad == 0 { // SAME
			return (n + stride - 1) / stride
		}
		return max(0, (n-((k-1)*dil+1)+stride)/stride)
	}
	return []int{in.shape[0], size(in.shape[1], kh, sh, dh), size(in.shape[2], kw, sw, dw), ch}, nil
}

// reduceShape reads ReducerOptions keep_dims 0 and the constant axes.
func reduceShape(c *opCtx) ([]int, error) {
	in, axes := c.input(0), c.input(1)
	if in == nil || axes == nil || !axes.isConst() {
		return nil, c.unsupported("reduction axes computed at run time")
	}
	dims, ok := shapeOpInts(axes)
	if !ok {
		return nil, c.invalid("axes %s must be int32 or int64", axes)
	}
	reduced := make([]bool, len(in.shape))
	for _, a := range dims {
		if a < 0 {
			a += len(in.shape)
		}
		if a < 0 || a >= len(in.shape) {
			return nil, c.invalid("axis %d out of range for %s", a, in)
		}
		reduced[a] = true
	}
	var out []int
	for k, d := range in.shape {
		switch {
		case !reduced[k]:
			out = append(out, d)
		case c.n.opts.boolean(0):
			out = append(out, 1)
		}
	}
	return out, nil
}

// concatShape reads ConcatenationOptions axis 0.
func concatShape(c *opCtx) ([]int, error) {
	in := c.input(0)
	if in == nil {
		return nil, c.invalid("input 0 is required")
	}
	axis := int(c.n.opts.i32(0, 0))
	if axis < 0 {
		axis += len(in.shape)
	}
	if axis < 0 || axis >= len(in.shape) {
		return nil, c.invalid("axis %d out of range for %s", axis, in)
	}
	out := slices.Clone(in.shape)
	for i := 1; i < c.numInputs(); i++ {
		t := c.input(i)
		if t == nil || len(t.shape) != len(out) {
			return nil, c.invalid("input %d must have rank %d", i, len(out))
		}
		out[axis] += t.shape[axis]
	}
	return out, nil
}

// constInts reads constant input i as integers.
func constInts(c *opCtx, i int, what string) ([]int, error) {
	t := c.input(i)
	if t == nil || !t.isConst() {
		return nil, c.unsupported("%s computed at run time", what)
	}
	v, ok := shapeOpInts(t)
	if !ok {
		return nil, c.invalid("%s %s must be int32 or int64", what, t)
	}
	return v, nil
}

// squeezeShape reads SqueezeOptions squeeze_dims 0 (none: every 1).
func squeezeShape(c *opCtx) ([]int, error) {
	in := c.input(0)
	drop := make([]bool, len(in.shape))
	dims := c.n.opts.i32s(0)
	for _, d := range dims {
		a := int(d)
		if a < 0 {
			a += len(in.shape)
		}
		if a < 0 || a >= len(in.shape) || in.shape[a] != 1 {
			return nil, c.invalid("cannot squeeze dimension %d of %s", d, in)
		}
		drop[a] = true
	}
	var out []int
	for k, d := range in.shape {
		if !drop[k] && (len(dims) > 0 || d != 1) {
			out = append(out, d)
		}
	}
	return out, nil
}

func expandDimsShape(c *opCtx) ([]int, error) {
	in := c.input(0)
	axis, err := constInts(c, 1, "axis")
	if err != nil || len(axis) != 1 {
		return nil, c.invalid("axis must be one constant value")
	}
	a := axis[0]
	if a < 0 {
		a += len(in.shape) + 1
	}
	if a < 0 || a > len(in.shape) {
		return nil, c.invalid("axis %d out of range for %s", axis[0], in)
	}
	return slices.Insert(slices.Clone(in.shape), a, 1), nil
}

func permuteShape(c *opCtx) ([]int, error) {
	in := c.input(0)
	perm, err := constInts(c, 1, "permutation")
	if err != nil {
		return nil, err
	}
	if len(perm) != len(in.shape) {
		return nil, c.invalid("permutation %v for %s", perm, in)
	}
	out := make([]int, len(perm))
	for k, p := range perm {
		if p < 0 || p >= len(in.shape) {
			return nil, c.invalid("permutation %v for %s", perm, in)
		}
		out[k] = in.shape[p]
	}
	return out, nil
}

func padShape(c *opCtx) ([]int, error) {
	in := c.input(0)
	pads, err := constInts(c, 1, "paddings")
	if err != nil {
		return nil, err
	}
	if len(pads) != 2*len(in.shape) {
		return nil, c.invalid("paddings %v for %s", pads, in)
	}
	out := slices.Clone(in.shape)
	for k := range out {
		if pads[2*k] < 0 || pads[2*k+1] < 0 {
			return nil, c.invalid("paddings %v", pads)
		}
		out[k] += pads[2*k] + pads[2*k+1]
	}
	return out, nil
}

// variant returns the model loaded for the given input shapes (m itself
// when they are the stored ones).
func (m *Model) variant(shapes [][]int) (*Model, error) {
	if len(shapes) == len(m.inputs) {
		same := true
		for i, x := range m.inputs {
			same = same && sameShape(shapes[i], m.tensors[x].shape)
		}
		if same {
			return m, nil
		}
	}
	key := fmt.Sprint(shapes)
	m.mu.Lock()
	v := m.variants[key]
	m.mu.Unlock()
	if v != nil {
		return v, nil
	}
	v, err := loadShaped(m.file, m.batch, shapes)
	if err != nil {
		return nil, fmt.Errorf("tflite: input shapes %v: %w", shapes, err)
	}
	v.base = m
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.variants == nil {
		m.variants = map[string]*Model{}
	}
	if len(m.variants) < maxVariants {
		m.variants[key] = v
	}
	return v, nil
}

// owner is the model that owns the mapping and counts the sessions.
func (m *Model) owner() *Model {
	if m.base != nil {
		return m.base
	}
	return m
}

// ResizeInputs gives the session's inputs the shapes (one per input, each
// of the rank stored; dimensions that the model's shape_signature fixes
// must keep their value) and re-plans the session for them: the outputs
// take the shapes the graph computes, Input and Output return slices of
// the new sizes, and Inputs and Outputs describe them. The state kept
// between runs (variable tensors of unchanged size, resource variables)
// carries over. The previous buffers must not be used afterwards.
func (s *Session) ResizeInputs(shapes [][]int) error {
	if s.closed {
		return runtime.ErrClosed
	}
	v, err := s.m.owner().variant(shapes)
	if err != nil {
		return err
	}
	if v == s.m {
		return nil
	}
	old, oldBufs := s.m, s.bufs
	s.state.resets = nil
	g := bindGraph(v, s.pool, s.generic, s.state)
	for i, t := range v.tensors {
		if t.variable && i < len(old.tensors) && old.tensors[i].variable && len(oldBufs[i]) == len(g.bufs[i]) {
			copy(g.bufs[i], oldBufs[i])
		}
	}
	s.m, s.arena, s.bufs, s.steps = v, g.arena, g.bufs, g.steps
	return nil
}

// Inputs describes the session's inputs with their current shapes.
func (s *Session) Inputs() []runtime.TensorInfo { return s.m.Inputs() }

// Outputs describes the session's outputs with their current shapes.
func (s *Session) Outputs() []runtime.TensorInfo { return s.m.Outputs() }

var (
	_ runtime.Resizer       = (*Session)(nil)
	_ runtime.StateResetter = (*Session)(nil)
	_ runtime.StatefulModel = (*Model)(nil)
)

// Stateful reports whether the model's sessions keep state between runs:
// a variable tensor or a resource variable in the main subgraph or one it
// calls.
func (m *Model) Stateful() bool {
	seen := map[*Model]bool{}
	var visit func(g *Model) bool
	visit = func(g *Model) bool {
		if seen[g] {
			return false
		}
		seen[g] = true
		for _, t := range g.tensors {
			if t.variable || t.resource {
				return true
			}
		}
		for _, n := range g.nodes {
			for _, callee := range calls(n) {
				if visit(g.subgraph(callee)) {
					return true
				}
			}
		}
		return false
	}
	return visit(m)
}
