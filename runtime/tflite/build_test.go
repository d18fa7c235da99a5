package tflite

import (
	"encoding/binary"
	"math"

	"github.com/edgeinfer/edgeinfer/runtime/tflite/internal/flatbuf"
)

// The tests build models with package flatbuf: fbt is a table to write,
// fbShared an object written once however many fields refer to it, and
// fbMisaligned a byte vector whose data starts at an odd offset.
type (
	fbt          = flatbuf.Fields
	fbShared     = flatbuf.Shared
	fbMisaligned = flatbuf.Misaligned
)

// buildFB serialises root as a FlatBuffer with the given 4-byte file
// identifier.
func buildFB(ident string, root fbt) []byte { return flatbuf.Build(ident, root) }

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
