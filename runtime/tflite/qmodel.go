package tflite

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/tflite/internal/flatbuf"
)

// Builtin operator codes the quantizers rewrite or emit.
const (
	biAdd            = 0
	biAvgPool        = 1
	biConcat         = 2
	biConv2D         = 3
	biDepthwise      = 4
	biFullyConnected = 9
	biLogistic       = 14
	biMaxPool        = 17
	biMul            = 18
	biRelu           = 19
	biRelu6          = 21
	biReshape        = 22
	biResizeBilinear = 23
	biSoftmax        = 25
	biTanh           = 28
	biPad            = 34
	biMean           = 40
	biSub            = 41
	biSqueeze        = 43
	biQuantize       = 114

	typeInt32 = 2
	typeInt8  = 9
)

// qmodel is a model decoded for rewriting: its tables as wtables that
// the quantizers edit in place, its buffers as bytes, then written back
// with encode. Tensor and buffer indexes are the model's own; new ones
// are appended.
type qmodel struct {
	src   []byte
	root  wtable
	codes []wtable
	bufs  [][]byte
	sgs   []*qsubgraph
}

// qsubgraph is one subgraph of a qmodel. opts keeps each operator's
// options table as read, for the options a quantizer rewrites.
type qsubgraph struct {
	t       wtable
	tensors []wtable
	ops     []wtable
	opts    []fbTable
}

// decodeModel validates model as the engine does and decodes it for
// rewriting. It refuses what the writer cannot copy faithfully (sparse or
// variant tensors, operator options it does not know).
func decodeModel(model []byte) (*qmodel, error) {
	if _, err := parse(model); err != nil {
		return nil, err
	}
	r := newFBReader(model)
	root := fbRoot(r)
	bufs, err := parseBuffers(r, root)
	if err != nil {
		return nil, err
	}
	c := &fp16Converter{}
	m := &qmodel{src: model, root: wtable{0: root.u32(0, 0)}, bufs: bufs}
	if d := root.str(3); d != "" {
		m.root[3] = d
	}
	for _, oc := range root.tables(1) {
		t := wtable{0: oc.i8(0, 0), 2: oc.i32(2, 1), 3: oc.i32(3, 0)}
		if s := oc.str(1); s != "" {
			t[1] = s
		}
		m.codes = append(m.codes, t)
	}
	for i, sg := range root.tables(2) {
		s := &qsubgraph{t: wtable{1: sg.i32s(1), 2: sg.i32s(2)}}
		if n := sg.str(4); n != "" {
			s.t[4] = n
		}
		for k, t := range sg.tables(0) {
			wt, err := c.tensor(t)
			if err != nil {
				return nil, fmt.Errorf("subgraph %d tensor %d: %w", i, k, err)
			}
			s.tensors = append(s.tensors, wt)
		}
		for k, op := range sg.tables(3) {
			w, err := c.operator(op)
			if err != nil {
				return nil, fmt.Errorf("subgraph %d operator %d: %w", i, k, err)
			}
			s.ops = append(s.ops, w)
			s.opts = append(s.opts, op.table(4))
		}
		m.sgs = append(m.sgs, s)
	}
	if mb := root.i32s(5); len(mb) > 0 {
		m.root[5] = mb
	}
	var md []wtable
	for _, t := range root.tables(6) {
		md = append(md, wtable{0: t.str(0), 1: t.u32(1, 0)})
	}
	if md != nil {
		m.root[6] = md
	}
	if sigs := c.signatures(root.tables(7)); sigs != nil {
		m.root[7] = sigs
	}
	if r.Err() != nil {
		return nil, r.Err()
	}
	if len(m.bufs) == 0 || len(m.bufs[0]) != 0 {
		return nil, fmt.Errorf("%w: buffer 0 is not the empty buffer", runtime.ErrUnsupported)
	}
	return m, nil
}

// encode writes the model, with every buffer no tensor or metadata entry
// refers to emptied, and the associated files of the source appended.
func (m *qmodel) encode() ([]byte, error) {
	used := map[uint32]bool{}
	for _, s := range m.sgs {
		for _, t := range s.tensors {
			used[t[2].(uint32)] = true
		}
	}
	if md, ok := m.root[6].([]wtable); ok {
		for _, t := range md {
			used[t[1].(uint32)] = true
		}
	}
	if mb, ok := m.root[5].([]int32); ok {
		for _, b := range mb {
			used[uint32(b)] = true
		}
	}
	bufs := make([]wtable, len(m.bufs))
	for i, b := range m.bufs {
		bufs[i] = wtable{}
		if len(b) > 0 && used[uint32(i)] {
			bufs[i] = wtable{0: b}
		}
	}
	out := wtable{}
	for k, v := range m.root {
		out[k] = v
	}
	out[1] = m.codes
	out[4] = bufs
	var sgs []wtable
	for _, s := range m.sgs {
		t := wtable{}
		for k, v := range s.t {
			t[k] = v
		}
		t[0], t[3] = s.tensors, s.ops
		sgs = append(sgs, t)
	}
	out[2] = sgs
	return appendZip(flatbuf.Build("TFL3", out), m.src)
}

// builtin returns the builtin code of operator op.
func (m *qmodel) builtin(op wtable) int32 {
	c := m.codes[op[0].(uint32)]
	return max(int32(c[0].(int8)), c[3].(int32))
}

// opcode returns the index of the operator code for builtin, added if the
// model has none, with its version raised to at least version.
func (m *qmodel) opcode(builtin, version int32) uint32 {
	for i, c := range m.codes {
		if max(int32(c[0].(int8)), c[3].(int32)) == builtin && c[1] == nil {
			c[2] = max(c[2].(int32), version)
			return uint32(i)
		}
	}
	m.codes = append(m.codes, wtable{0: int8(min(builtin, 127)), 2: version, 3: builtin})
	return uint32(len(m.codes) - 1)
}

// addBuffer appends data as a new buffer and returns its index.
func (m *qmodel) addBuffer(data []byte) uint32 {
	m.bufs = append(m.bufs, data)
	return uint32(len(m.bufs) - 1)
}

// data returns the constant data of tensor t (nil for activations).
func (m *qmodel) data(t wtable) []byte {
	b := t[2].(uint32)
	if int(b) >= len(m.bufs) {
		return nil
	}
	return m.bufs[b]
}

// floats returns the float32 constant data of tensor t.
func (m *qmodel) floats(t wtable) []float32 {
	d := m.data(t)
	out := make([]float32, len(d)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(d[4*i:]))
	}
	return out
}

func tensorType(t wtable) int8 { return t[1].(int8) }

func tensorShape(t wtable) []int32 {
	s, _ := t[0].([]int32)
	return s
}

func tensorName(t wtable) string {
	s, _ := t[3].(string)
	return s
}

func numElements(shape []int32) int {
	n := 1
	for _, d := range shape {
		n *= int(d)
	}
	return n
}

func opInputs(op wtable) []int32  { return op[1].([]int32) }
func opOutputs(op wtable) []int32 { return op[2].([]int32) }

// observable returns model rewritten so that every float32 tensor an
// operator of the first subgraph writes is also an output, after the
// model's own outputs, and the indexes of those tensors in output order.
// Running it shows every activation, as a calibrator needs.
func observable(model []byte) ([]byte, []int32, error) {
	m, err := decodeModel(model)
	if err != nil {
		return nil, nil, err
	}
	s := m.sgs[0]
	outs := append([]int32{}, s.t[2].([]int32)...)
	seen := map[int32]bool{}
	for _, o := range outs {
		seen[o] = true
	}
	for _, op := range s.ops {
		for _, o := range opOutputs(op) {
			if o >= 0 && !seen[o] && tensorType(s.tensors[o]) == typeFloat32 {
				seen[o] = true
				outs = append(outs, o)
			}
		}
	}
	s.t[2] = outs
	delete(m.root, 7)
	b, err := m.encode()
	return b, outs, err
}
