package tflite

import (
	"encoding/binary"
	"math"
	"sort"
)

// fbt is a FlatBuffers table for tests: slot -> value. Values are uint8,
// int8, bool, int32, uint32, float32, int64, uint64 (inline scalars), and
// string, []byte, []int32, []int64, []float32, fbt, []fbt, []any and
// *fbShared (referenced objects).
type fbt map[int]any

// buildFB serialises root as a FlatBuffer with the given 4-byte file
// identifier. Objects are laid out front to back: a table's vtable, the
// table, then the objects it refers to, so every offset points forward.
func buildFB(ident string, root fbt) []byte {
	w := &fbWriter{b: make([]byte, 8), pending: map[*fbShared][]int{}}
	copy(w.b[4:8], ident)
	binary.LittleEndian.PutUint32(w.b, uint32(w.table(root)))
	// Shared objects go last, after every field that refers to them.
	for len(w.order) > 0 {
		s := w.order[0]
		w.order = w.order[1:]
		p := w.object(s.v)
		for _, at := range w.pending[s] {
			w.patch(at, p)
		}
	}
	return w.b
}

// fbMisaligned is a byte vector whose data starts at an odd offset.
type fbMisaligned []byte

// fbShared is an object written once however many fields refer to it, as
// FlatBuffers allows (and hostile files exploit).
type fbShared struct{ v any }

type fbWriter struct {
	b []byte
	// pending lists, per shared object, the fields to patch once it is
	// written; order is the order in which they were first seen.
	pending map[*fbShared][]int
	order   []*fbShared
}

// ref makes the offset field at refer to v, written now or, when shared, at
// the end.
func (w *fbWriter) ref(at int, v any) {
	if s, ok := v.(*fbShared); ok {
		if _, seen := w.pending[s]; !seen {
			w.order = append(w.order, s)
		}
		w.pending[s] = append(w.pending[s], at)
		return
	}
	w.patch(at, w.object(v))
}

func (w *fbWriter) align(n, extra int) {
	for (len(w.b)+extra)%n != 0 {
		w.b = append(w.b, 0)
	}
}

func (w *fbWriter) u32(v uint32) { w.b = binary.LittleEndian.AppendUint32(w.b, v) }

func (w *fbWriter) patch(at, target int) {
	binary.LittleEndian.PutUint32(w.b[at:], uint32(target-at))
}

func inlineSize(v any) int {
	switch v.(type) {
	case uint8, int8, bool:
		return 1
	case int64, uint64:
		return 8
	}
	return 4
}

func (w *fbWriter) table(t fbt) int {
	slots := make([]int, 0, len(t))
	nslots := 0
	for s := range t {
		slots = append(slots, s)
		nslots = max(nslots, s+1)
	}
	sort.Ints(slots)
	w.align(2, 0)
	vt := len(w.b)
	w.b = append(w.b, make([]byte, 4+2*nslots)...)
	w.align(8, 0)
	pos := len(w.b)
	w.u32(uint32(pos - vt))
	refs := map[int]any{}
	for _, s := range slots {
		v := t[s]
		n := inlineSize(v)
		w.align(n, 0)
		binary.LittleEndian.PutUint16(w.b[vt+4+2*s:], uint16(len(w.b)-pos))
		switch x := v.(type) {
		case uint8:
			w.b = append(w.b, x)
		case int8:
			w.b = append(w.b, uint8(x))
		case bool:
			if x {
				w.b = append(w.b, 1)
			} else {
				w.b = append(w.b, 0)
			}
		case int32:
			w.u32(uint32(x))
		case uint32:
			w.u32(x)
		case float32:
			w.u32(math.Float32bits(x))
		case int64:
			w.b = binary.LittleEndian.AppendUint64(w.b, uint64(x))
		case uint64:
			w.b = binary.LittleEndian.AppendUint64(w.b, x)
		default:
			refs[len(w.b)] = v
			w.u32(0)
		}
	}
	binary.LittleEndian.PutUint16(w.b[vt:], uint16(4+2*nslots))
	binary.LittleEndian.PutUint16(w.b[vt+2:], uint16(len(w.b)-pos))
	at := make([]int, 0, len(refs))
	for a := range refs {
		at = append(at, a)
	}
	sort.Ints(at)
	for _, a := range at {
		w.ref(a, refs[a])
	}
	return pos
}

func (w *fbWriter) object(v any) int {
	switch x := v.(type) {
	case fbt:
		return w.table(x)
	case string:
		w.align(4, 0)
		p := len(w.b)
		w.u32(uint32(len(x)))
		w.b = append(append(w.b, x...), 0)
		return p
	case []byte:
		w.align(16, 4) // data starts 16-aligned, as flatc lays out buffers
		p := len(w.b)
		w.u32(uint32(len(x)))
		w.b = append(w.b, x...)
		return p
	case fbMisaligned:
		w.align(2, 0)
		w.b = append(w.b, 0)
		p := len(w.b)
		w.u32(uint32(len(x)))
		w.b = append(w.b, x...)
		return p
	case []int32:
		w.align(4, 0)
		p := len(w.b)
		w.u32(uint32(len(x)))
		for _, e := range x {
			w.u32(uint32(e))
		}
		return p
	case []uint16:
		w.align(4, 0)
		p := len(w.b)
		w.u32(uint32(len(x)))
		for _, e := range x {
			w.b = binary.LittleEndian.AppendUint16(w.b, e)
		}
		return p
	case []float32:
		w.align(4, 0)
		p := len(w.b)
		w.u32(uint32(len(x)))
		for _, e := range x {
			w.u32(math.Float32bits(e))
		}
		return p
	case []int64:
		w.align(8, 4)
		p := len(w.b)
		w.u32(uint32(len(x)))
		for _, e := range x {
			w.b = binary.LittleEndian.AppendUint64(w.b, uint64(e))
		}
		return p
	case []any:
		w.align(4, 0)
		p := len(w.b)
		w.u32(uint32(len(x)))
		slots := len(w.b)
		w.b = append(w.b, make([]byte, 4*len(x))...)
		for i, o := range x {
			w.ref(slots+4*i, o)
		}
		return p
	case []fbt:
		w.align(4, 0)
		p := len(w.b)
		w.u32(uint32(len(x)))
		slots := len(w.b)
		w.b = append(w.b, make([]byte, 4*len(x))...)
		for i, t := range x {
			w.patch(slots+4*i, w.table(t))
		}
		return p
	}
	panic("buildFB: unsupported value type")
}

// Schema slots of the tables the tests build.
const (
	tensorFloat32 int8 = 0
	tensorFloat16 int8 = 1
	tensorInt32   int8 = 2
	tensorString  int8 = 5
	tensorInt16   int8 = 7
	tensorInt8    int8 = 9
)

// testTensor describes one tensor of a test model.
type testTensor struct {
	name  string
	typ   int8
	shape []int32
	data  []byte // constant contents, nil for run-time tensors
	quant fbt
	// sparsity is a SparsityParameters table; data then holds the stored
	// values only.
	sparsity fbt
}

// testOp is one operator of a test model.
type testOp struct {
	builtin int32
	custom  string
	ins     []int32
	outs    []int32
	opts    fbt
}

// testModel is a one-subgraph model for tests.
type testModel struct {
	tensors []testTensor
	inputs  []int32
	outputs []int32
	ops     []testOp
	sigs    []fbt
}

// root returns the Model table; callers may edit it before building.
func (tm testModel) root() fbt {
	bufs := []fbt{{}} // buffer 0 is the empty sentinel
	var tensors []fbt
	for _, t := range tm.tensors {
		tt := fbt{0: t.shape, 1: t.typ, 2: uint32(0), 3: t.name}
		if t.data != nil {
			tt[2] = uint32(len(bufs))
			bufs = append(bufs, fbt{0: t.data})
		}
		if t.quant != nil {
			tt[4] = t.quant
		}
		if t.sparsity != nil {
			tt[6] = t.sparsity
		}
		tensors = append(tensors, tt)
	}
	var codes, ops []fbt
	index := map[string]uint32{}
	for _, o := range tm.ops {
		key := string(rune(o.builtin)) + o.custom
		k, ok := index[key]
		if !ok {
			k = uint32(len(codes))
			index[key] = k
			c := fbt{0: int8(min(o.builtin, 127)), 2: int32(1), 3: o.builtin}
			if o.custom != "" {
				c[1] = o.custom
			}
			codes = append(codes, c)
		}
		op := fbt{0: k, 1: o.ins, 2: o.outs}
		if o.opts != nil {
			op[4] = o.opts
		}
		ops = append(ops, op)
	}
	sg := fbt{0: tensors, 1: tm.inputs, 2: tm.outputs, 3: ops, 4: "main"}
	root := fbt{0: uint32(3), 1: codes, 2: []fbt{sg}, 3: "test model", 4: bufs}
	if tm.sigs != nil {
		root[7] = tm.sigs
	}
	return root
}

func (tm testModel) bytes() []byte { return buildFB("TFL3", tm.root()) }

func f32bytes(v ...float32) []byte {
	b := make([]byte, 0, 4*len(v))
	for _, x := range v {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
	}
	return b
}

// fcModel is y = relu?(W x + b) with x [1,4], W [2,4], b [2], y [1,2]: the
// smallest model the engine runs today.
func fcModel() testModel {
	return testModel{
		tensors: []testTensor{
			{name: "x", typ: tensorFloat32, shape: []int32{1, 4}},
			{name: "w", typ: tensorFloat32, shape: []int32{2, 4}, data: f32bytes(1, 2, 3, 4, -1, -2, -3, -4)},
			{name: "b", typ: tensorFloat32, shape: []int32{2}, data: f32bytes(0.5, -0.5)},
			{name: "y", typ: tensorFloat32, shape: []int32{1, 2}},
		},
		inputs:  []int32{0},
		outputs: []int32{3},
		ops:     []testOp{{builtin: 9, ins: []int32{0, 1, 2}, outs: []int32{3}, opts: fbt{0: uint8(0)}}},
	}
}

// chainModel is x -> FC -> FC -> ... -> y with n float layers of width w,
// the weights all identity.
func chainModel(n, w int) testModel {
	eye := make([]float32, w*w)
	for i := range w {
		eye[i*w+i] = 1
	}
	tm := testModel{tensors: []testTensor{
		{name: "x", typ: tensorFloat32, shape: []int32{1, int32(w)}},
		{name: "eye", typ: tensorFloat32, shape: []int32{int32(w), int32(w)}, data: f32bytes(eye...)},
	}, inputs: []int32{0}}
	prev := int32(0)
	for i := range n {
		tm.tensors = append(tm.tensors, testTensor{name: "h" + string(rune('a'+i)), typ: tensorFloat32, shape: []int32{1, int32(w)}})
		cur := int32(len(tm.tensors) - 1)
		tm.ops = append(tm.ops, testOp{builtin: 9, ins: []int32{prev, 1, -1}, outs: []int32{cur}})
		prev = cur
	}
	tm.outputs = []int32{prev}
	return tm
}
