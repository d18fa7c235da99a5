package tflite

import (
	"slices"
	"strings"

	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/kernels"
)

// The graph rewrites. While it prepares the operators, the loader folds the
// operators that only pad or clamp a tensor into the operator next to them,
// as XNNPACK's subgraph rewrites do, so that fewer operators run and fewer
// tensors take arena memory:
//
//   - a PAD (or PADV2) of the two spatial axes of a 4-D tensor, with the
//     value the convolution's implicit padding reads (0, or the input's zero
//     point), into the CONV_2D or DEPTHWISE_CONV_2D that reads it: explicit
//     padding before the convolution's own;
//   - a PAD of the channel axis with zeros into the float ADD that reads it
//     (kernels.AddChannelPadF32: the padded channels are the other operand
//     plus 0), the shortcut of BlazeFace's residual blocks;
//   - a RELU, RELU6 or RELU_N1_TO_1 into the fused activation of the ADD,
//     SUB, MUL, CONV_2D or DEPTHWISE_CONV_2D that computes its input, when
//     that operator has no activation of its own; for 8-bit tensors only
//     when the RELU's input and output quantization are the same, where
//     TFLite's quantized RELU is exactly the clamp of the fused activation.
//
// A rewrite applies only where the tensor between the two operators has one
// reader and is neither an input nor an output of the subgraph nor a
// variable, so nothing else can see it go. The operator that absorbs another
// is prepared with the change; if that fails it is prepared as stored and
// both operators run. Results stay bit for bit the same for 8-bit
// models; float results may differ by rounding (a convolution's border
// pixels may take another kernel path than when the PAD ran) and in the
// sign of a zero.

// fusion records what the rewrites folded into an operator.
type fusion struct {
	// names are the operators folded in, in the order they were, for the
	// operator's name in profiles ("CONV_2D+PAD", "ADD+PAD+RELU").
	names []string
	// act, when setAct, replaces the fused activation of the options.
	act    kernels.Activation
	setAct bool
	// pad, when not nil, is padding [top, bottom, left, right] around the
	// input of a convolution, before the padding of its options.
	pad *[4]int
	// chanPad marks an ADD whose input 1 has fewer channels than its
	// output: it is read as if padded with zeros.
	chanPad bool
}

// opName is the operator's name with the operators fused into it.
func (n *node) opName() string {
	if n.fuse == nil {
		return n.name
	}
	return n.name + "+" + strings.Join(n.fuse.names, "+")
}

// actSlots is the options field of the fused activation of the operators
// a RELU can fold into.
var actSlots = map[string]int{"ADD": 0, "SUB": 0, "MUL": 0, "CONV_2D": 3, "DEPTHWISE_CONV_2D": 4}

// reluActs are the activation operators and their fused equivalents.
var reluActs = map[string]kernels.Activation{"RELU": kernels.ActRelu, "RELU6": kernels.ActRelu6, "RELU_N1_TO_1": kernels.ActReluN1To1}

// rewriter prepares the operators of one graph with the rewrites: it
// knows who reads and writes each tensor in the stored graph, and which
// operators are prepared or folded into another so far.
type rewriter struct {
	m        *Model
	readers  []int   // per tensor, how many operator inputs read it
	reader   []*node // per tensor, its last reader
	producer []*node // per tensor, the operator that writes it
	done     map[*node]bool
	folded   map[*node]bool
}

func newRewriter(m *Model) *rewriter {
	g := &rewriter{m: m, readers: make([]int, len(m.tensors)), reader: make([]*node, len(m.tensors)), producer: make([]*node, len(m.tensors)),
		done: map[*node]bool{}, folded: map[*node]bool{}}
	for _, n := range m.nodes {
		for _, t := range n.inputs {
			if t >= 0 {
				g.readers[t]++
				g.reader[t] = n
			}
		}
		for _, t := range n.outputs {
			g.producer[t] = n
		}
	}
	return g
}

// prepare prepares operator n with the PAD before it and the activation
// after it folded in, where the rewrites apply; the PAD is prepared
// already, the activation is not prepared at all. If the fused operator
// fails to prepare, n is prepared as stored. Either way each kernel is
// built once, so its packed weights are not built twice.
func (g *rewriter) prepare(n *node) (kernel, error) {
	m := g.m
	pad, padEdit := g.padBefore(n)
	relu, act := g.reluAfter(n)
	if pad == nil && relu == nil {
		return prepareStored(m, n)
	}
	saved := *n
	saved.inputs, saved.outputs = slices.Clone(n.inputs), slices.Clone(n.outputs)
	f := &fusion{}
	n.fuse = f
	if relu != nil {
		f.act, f.setAct = act, true
		n.outputs[0] = relu.outputs[0]
	}
	var err error
	if m.reshaped {
		// Shapes follow the stored operator: infer them before the PAD's
		// input takes the place of its output.
		err = inferShapes(m, n)
	}
	if pad != nil {
		f.names = append(f.names, pad.name)
		padEdit(n, f)
	}
	if relu != nil {
		f.names = append(f.names, relu.name)
	}
	var k kernel
	if err == nil {
		k, err = prepareKernel(m, n)
	}
	if err != nil {
		*n = saved
		return prepareStored(m, n)
	}
	if pad != nil {
		g.folded[pad] = true
	}
	if relu != nil {
		g.folded[relu] = true
	}
	return k, nil
}

// internal reports whether tensor t only passes a value from its producer
// to its one reader: rewriting both cannot change what anyone else sees.
func (g *rewriter) internal(t int) bool {
	tt := g.m.tensors[t]
	return g.readers[t] == 1 && g.producer[t] != nil && !tt.output && !tt.variable && !tt.isConst() && !slices.Contains(g.m.inputs, t)
}

// padBefore returns the prepared PAD or PADV2 whose output n reads and
// can absorb (see the rewrites above), and the change to n that does it;
// nil if none.
func (g *rewriter) padBefore(n *node) (*node, func(n *node, f *fusion)) {
	m := g.m
	var at []int // the inputs of n a PAD may feed
	switch n.name {
	case "CONV_2D", "DEPTHWISE_CONV_2D":
		at = []int{0}
	case "ADD":
		at = []int{0, 1}
	default:
		return nil, nil
	}
	for _, i := range at {
		if i >= len(n.inputs) || n.inputs[i] < 0 {
			continue
		}
		p := n.inputs[i]
		pad := g.producer[p]
		if pad == nil || (pad.name != "PAD" && pad.name != "PADV2") || !g.done[pad] || len(pad.inputs) < 2 || len(pad.outputs) != 1 || pad.inputs[0] < 0 || pad.inputs[1] < 0 {
			continue
		}
		x := pad.inputs[0]
		in := m.tensors[x]
		if !g.internal(p) || in.variable || len(in.shape) != 4 || !padsWithZero(m, pad) {
			continue
		}
		ps, ok := shapeOpInts(m.tensors[pad.inputs[1]])
		if !ok || len(ps) != 8 || ps[0] != 0 || ps[1] != 0 || slices.ContainsFunc(ps, func(v int) bool { return v < 0 }) {
			continue
		}
		spatial := ps[6] == 0 && ps[7] == 0
		channel := ps[2] == 0 && ps[3] == 0 && ps[4] == 0 && ps[5] == 0 && ps[6] == 0 && ps[7] > 0
		switch {
		case spatial && n.name != "ADD":
			if len(n.inputs) < 2 || n.inputs[1] < 0 {
				continue // not yet checked: prepare refuses it
			}
			w := m.tensors[n.inputs[1]]
			if w.dtype != in.dtype || (in.dtype != runtime.Float32 && in.dtype != runtime.Int8 && in.dtype != runtime.UInt8) {
				continue // hybrid and 16-bit convolutions keep their PAD
			}
			return pad, func(n *node, f *fusion) {
				f.pad = &[4]int{ps[2], ps[3], ps[4], ps[5]}
				n.inputs[0] = x
			}
		case channel && n.name == "ADD" && in.dtype == runtime.Float32 && len(n.inputs) == 2:
			other := n.inputs[1-i]
			if other < 0 || other == p || !sameShape(m.tensors[other].shape, m.tensors[p].shape) {
				continue
			}
			return pad, func(n *node, f *fusion) {
				f.chanPad = true
				n.inputs[0], n.inputs[1] = other, x // a + pad(x) = pad(x) + a, exactly
			}
		}
	}
	return nil, nil
}

// padsWithZero reports whether a prepared PAD or PADV2 fills with the
// value a convolution's implicit padding stands for: 0 for float tensors,
// the zero point for 8-bit ones (PAD keeps the quantization).
func padsWithZero(m *Model, pad *node) bool {
	in := m.tensors[pad.inputs[0]]
	var v *tensor
	if len(pad.inputs) > 2 && pad.inputs[2] >= 0 {
		v = m.tensors[pad.inputs[2]]
	}
	switch in.dtype {
	case runtime.Float32:
		return v == nil || f32(v.data)[0] == 0
	case runtime.Int8, runtime.UInt8:
		return v == nil || v.data[0] == byte(in.zeroPoint())
	}
	return false
}

// reluAfter returns the activation operator, not yet prepared, that
// reads the output of n and that n can absorb (see the rewrites above),
// with its fused activation; nil if none.
func (g *rewriter) reluAfter(n *node) (*node, kernels.Activation) {
	m := g.m
	slot, ok := actSlots[n.name]
	if !ok || len(n.outputs) != 1 {
		return nil, 0
	}
	t := n.outputs[0]
	relu := g.reader[t]
	if relu == nil || g.done[relu] || !g.internal(t) || len(relu.inputs) != 1 || len(relu.outputs) != 1 {
		return nil, 0
	}
	act, ok := reluActs[relu.name]
	if !ok || kernels.Activation(n.opts.u8(slot, 0)) != kernels.ActNone {
		return nil, 0
	}
	mid, out := m.tensors[t], m.tensors[relu.outputs[0]]
	switch {
	case out.variable || out.isConst() || mid.dtype != out.dtype || !sameShape(mid.shape, out.shape):
		return nil, 0
	case mid.dtype == runtime.Int8 || mid.dtype == runtime.UInt8:
		if mid.quant == nil || out.quant == nil || len(out.quant.Scale) != 1 || !shapeOpSameQuant(mid, out) {
			return nil, 0 // the RELU rescales
		}
	case mid.dtype != runtime.Float32:
		return nil, 0
	}
	return relu, act
}

// prepareAddChannelPad prepares an ADD whose input 1 was the input of a
// PAD of the channel axis (see the rewrites at the top of this file).
func prepareAddChannelPad(c *opCtx, act kernels.Activation) (kernel, error) {
	a, b, out := c.input(0), c.input(1), c.output(0)
	if a.dtype == runtime.Float32 && b.dtype == runtime.Float32 {
		// The output takes a's shape, as prepareBinary settles it.
		if err := c.settleOutput(0, runtime.Float32, a.shape); err != nil {
			return nil, err
		}
	}
	r := len(out.shape)
	if r == 0 || a.dtype != runtime.Float32 || b.dtype != runtime.Float32 || out.dtype != runtime.Float32 ||
		!sameShape(a.shape, out.shape) || len(b.shape) != r || !sameShape(b.shape[:r-1], out.shape[:r-1]) ||
		b.shape[r-1] < 1 || b.shape[r-1] >= out.shape[r-1] {
		return nil, c.unsupported("channel-padded ADD of %s and %s into %s", a, b, out)
	}
	ch, cb := out.shape[r-1], b.shape[r-1]
	lo, hi := floatActRange(act)
	return &elemKernel{n: out.numElements() / ch, grain: max(elemGrain/ch, 1), run: func(ins, outs [][]byte, from, to int) {
		kernels.AddChannelPadF32(f32(ins[0]), f32(ins[1]), f32(outs[0]), ch, cb, from, to, lo, hi)
	}}, nil
}
