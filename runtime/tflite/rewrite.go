package tflite

import (
	"slices"
	"strings"

	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/kernels"
)

// Graph rewrites. Once every operator is prepared, rewrite folds the
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
// is prepared again with the change; if that fails the change is undone and
// both operators run as before. Results stay bit for bit the same for 8-bit
// models; float results differ at most in the sign of a zero.

// fusion records what rewrite folded into an operator.
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

// rewrite applies the graph rewrites to the prepared operators of m.
func (m *Model) rewrite() {
	g := &rewriter{m: m, readers: make([]int, len(m.tensors)), reader: make([]*node, len(m.tensors)), producer: make([]*node, len(m.tensors))}
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
	removed := map[*node]bool{}
	for _, n := range m.nodes {
		if (n.name == "PAD" || n.name == "PADV2") && g.fusePad(n) {
			removed[n] = true
		}
	}
	for _, n := range m.nodes {
		if _, ok := reluActs[n.name]; ok && g.fuseRelu(n) {
			removed[n] = true
		}
	}
	if len(removed) > 0 {
		m.nodes = slices.DeleteFunc(m.nodes, func(n *node) bool { return removed[n] })
	}
}

// rewriter is the state of one rewrite pass: who reads and writes each
// tensor.
type rewriter struct {
	m        *Model
	readers  []int   // per tensor, how many operator inputs read it
	reader   []*node // per tensor, its last reader
	producer []*node // per tensor, the operator that writes it
}

// internal reports whether tensor t only passes a value from its producer
// to its one reader: rewriting both cannot change what anyone else sees.
func (g *rewriter) internal(t int) bool {
	tt := g.m.tensors[t]
	return g.readers[t] == 1 && g.producer[t] != nil && !tt.output && !tt.variable && !tt.isConst() && !slices.Contains(g.m.inputs, t)
}

// fusePad folds a PAD or PADV2 into its reader (see rewrite).
func (g *rewriter) fusePad(pad *node) bool {
	m := g.m
	if len(pad.inputs) < 2 || len(pad.outputs) != 1 || pad.inputs[0] < 0 || pad.inputs[1] < 0 {
		return false
	}
	x, p := pad.inputs[0], pad.outputs[0]
	next := g.reader[p]
	in := m.tensors[x]
	if !g.internal(p) || in.variable || len(in.shape) != 4 || !padsWithZero(m, pad) {
		return false
	}
	ps, ok := shapeOpInts(m.tensors[pad.inputs[1]])
	if !ok || len(ps) != 8 || ps[0] != 0 || ps[1] != 0 || slices.ContainsFunc(ps, func(v int) bool { return v < 0 }) {
		return false
	}
	spatial := ps[6] == 0 && ps[7] == 0
	channel := ps[2] == 0 && ps[3] == 0 && ps[4] == 0 && ps[5] == 0 && ps[6] == 0 && ps[7] > 0
	switch {
	case spatial && (next.name == "CONV_2D" || next.name == "DEPTHWISE_CONV_2D") && next.inputs[0] == p:
		w := m.tensors[next.inputs[1]]
		if w.dtype != in.dtype || (in.dtype != runtime.Float32 && in.dtype != runtime.Int8 && in.dtype != runtime.UInt8) {
			return false // hybrid and 16-bit convolutions keep their PAD
		}
		return g.refuse(next, func(n *node, f *fusion) {
			f.pad = &[4]int{ps[2], ps[3], ps[4], ps[5]}
			f.names = append(f.names, pad.name)
			n.inputs[0] = x
		})
	case channel && next.name == "ADD" && in.dtype == runtime.Float32 && len(next.inputs) == 2:
		other := next.inputs[0]
		if other == p {
			other = next.inputs[1]
		}
		if other < 0 || other == p || !sameShape(m.tensors[other].shape, m.tensors[p].shape) {
			return false
		}
		return g.refuse(next, func(n *node, f *fusion) {
			f.chanPad = true
			f.names = append(f.names, pad.name)
			n.inputs[0], n.inputs[1] = other, x // a + pad(x) = pad(x) + a, exactly
		})
	}
	return false
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

// fuseRelu folds an activation operator into the operator that computes
// its input (see rewrite).
func (g *rewriter) fuseRelu(relu *node) bool {
	m := g.m
	if len(relu.inputs) != 1 || len(relu.outputs) != 1 || relu.inputs[0] < 0 {
		return false
	}
	t, u := relu.inputs[0], relu.outputs[0]
	prev := g.producer[t]
	if prev == nil {
		return false
	}
	slot, ok := actSlots[prev.name]
	if !ok || len(prev.outputs) != 1 || !g.internal(t) {
		return false
	}
	mid, out := m.tensors[t], m.tensors[u]
	switch {
	case out.variable || mid.dtype != out.dtype || !sameShape(mid.shape, out.shape):
		return false
	case mid.dtype == runtime.Int8 || mid.dtype == runtime.UInt8:
		if mid.quant == nil || out.quant == nil || !shapeOpSameQuant(mid, out) {
			return false // the RELU rescales
		}
	case mid.dtype != runtime.Float32:
		return false
	}
	act := reluActs[relu.name]
	cur := kernels.Activation(prev.opts.u8(slot, 0))
	if prev.fuse != nil && prev.fuse.setAct {
		cur = prev.fuse.act
	}
	if cur != kernels.ActNone {
		return false
	}
	if !g.refuse(prev, func(n *node, f *fusion) {
		f.act, f.setAct = act, true
		f.names = append(f.names, relu.name)
		n.outputs[0] = u
	}) {
		return false
	}
	g.producer[u] = prev
	return true
}

// refuse changes operator n with edit and prepares it again. If that
// fails, n is left as it was and refuse reports false.
func (g *rewriter) refuse(n *node, edit func(n *node, f *fusion)) bool {
	saved := *n
	saved.inputs, saved.outputs = slices.Clone(n.inputs), slices.Clone(n.outputs)
	f := &fusion{}
	if n.fuse != nil {
		*f = *n.fuse
		f.names = slices.Clone(n.fuse.names)
	}
	n.fuse = f
	edit(n, f)
	k, err := prepareKernel(g.m, n)
	if err != nil {
		*n = saved
		return false
	}
	n.kernel = k
	return true
}

// prepareAddChannelPad prepares an ADD whose input 1 was the input of a
// PAD of the channel axis (see rewrite).
func prepareAddChannelPad(c *opCtx, act kernels.Activation) (kernel, error) {
	a, b, out := c.input(0), c.input(1), c.output(0)
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
