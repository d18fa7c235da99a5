package tflite

import (
	"context"
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/edgeinfer/edgeinfer/runtime"
)

// opPadV2 is PADV2's builtin code (the others are in oracle_test.go).
const opPadV2 = 60

// rwType is the element type of a rewrite test graph: float32, or 8-bit
// with the activations' quantization (scale, zero point) and the weights'
// zero point.
type rwType struct {
	typ   int8
	scale float32
	zero  int64
	wzero int64
}

var (
	rwF32 = rwType{typ: tensorFloat32}
	rwI8  = rwType{typ: tensorInt8, scale: 0.05, zero: -3}
	rwU8  = rwType{typ: 3, scale: 0.04, zero: 121, wzero: 128}
)

// rwGraph builds a test model one tensor and operator at a time.
type rwGraph struct {
	tm testModel
	ty rwType
	r  *rand.Rand
}

func newRWGraph(ty rwType) *rwGraph {
	return &rwGraph{ty: ty, r: rand.New(rand.NewPCG(7, uint64(ty.typ)))}
}

// act adds a tensor of activations with the graph's type; q overrides
// the quantization (scale, zero point) of 8-bit ones.
func (g *rwGraph) act(shape []int32, q ...float32) int32 {
	t := testTensor{name: "t", typ: g.ty.typ, shape: shape}
	if g.ty.typ != tensorFloat32 {
		scale, zero := g.ty.scale, g.ty.zero
		if len(q) == 2 {
			scale, zero = q[0], int64(q[1])
		}
		t.quant = fbt{2: []float32{scale}, 3: []int64{zero}}
	}
	g.tm.tensors = append(g.tm.tensors, t)
	return int32(len(g.tm.tensors) - 1)
}

func (g *rwGraph) input(shape ...int32) int32 {
	t := g.act(shape)
	g.tm.inputs = append(g.tm.inputs, t)
	return t
}

func (g *rwGraph) konst(t testTensor) int32 {
	g.tm.tensors = append(g.tm.tensors, t)
	return int32(len(g.tm.tensors) - 1)
}

// paddings adds a constant int32 [4, 2] paddings tensor.
func (g *rwGraph) paddings(p ...int32) int32 {
	return g.konst(testTensor{name: "paddings", typ: tensorInt32, shape: []int32{4, 2}, data: i32bytes(p...)})
}

// scalar adds a constant pad value of the graph's type: v for float32,
// the quantized value v for 8-bit.
func (g *rwGraph) scalar(v float32) int32 {
	t := testTensor{name: "value", typ: g.ty.typ, shape: []int32{}}
	if g.ty.typ == tensorFloat32 {
		t.data = f32bytes(v)
	} else {
		t.data = []byte{byte(int8(v))}
		t.quant = fbt{2: []float32{g.ty.scale}, 3: []int64{g.ty.zero}}
	}
	return g.konst(t)
}

// weights adds random constant weights of the given shape and a bias of
// n values.
func (g *rwGraph) weights(shape []int32, n int) (w, bias int32) {
	size := 1
	for _, d := range shape {
		size *= int(d)
	}
	wt := testTensor{name: "w", typ: g.ty.typ, shape: shape}
	bt := testTensor{name: "bias", shape: []int32{int32(n)}}
	if g.ty.typ == tensorFloat32 {
		v := make([]float32, size)
		for i := range v {
			v[i] = g.r.Float32() - 0.5
		}
		b := make([]float32, n)
		for i := range b {
			b[i] = g.r.Float32() - 0.5
		}
		wt.data, bt.typ, bt.data = f32bytes(v...), tensorFloat32, f32bytes(b...)
	} else {
		wt.data = make([]byte, size)
		for i := range wt.data {
			wt.data[i] = byte(g.r.IntN(256))
		}
		if g.ty.typ == tensorInt8 {
			for i := range wt.data {
				wt.data[i] = byte(int8(g.r.IntN(255) - 127))
			}
		}
		wt.quant = fbt{2: []float32{0.02}, 3: []int64{g.ty.wzero}}
		b := make([]int32, n)
		for i := range b {
			b[i] = int32(g.r.IntN(2001) - 1000)
		}
		bt.typ, bt.data = tensorInt32, i32bytes(b...)
		bt.quant = fbt{2: []float32{0.02 * g.ty.scale}, 3: []int64{0}}
	}
	return g.konst(wt), g.konst(bt)
}

func (g *rwGraph) op(code int32, opts fbt, ins []int32, out int32) int32 {
	g.tm.ops = append(g.tm.ops, testOp{builtin: code, ins: ins, outs: []int32{out}, opts: opts})
	return out
}

// conv adds a CONV_2D (or, dw, a DEPTHWISE_CONV_2D) with a k×k window,
// VALID (valid) or SAME padding and the given stride from in [1,h,w,c] to
// a new tensor.
func (g *rwGraph) conv(dw bool, in int32, k, stride int32, valid bool, act uint8) int32 {
	s := g.tm.tensors[in].shape
	h, w, c := s[1], s[2], s[3]
	oh, ow := (h+stride-1)/stride, (w+stride-1)/stride
	pad := uint8(0)
	if valid {
		oh, ow, pad = (h-k+stride)/stride, (w-k+stride)/stride, 1
	}
	oc := c + 2
	code, opts := int32(opConv), fbt{0: pad, 1: stride, 2: stride, 3: act}
	wshape := []int32{oc, k, k, c}
	if dw {
		oc = c
		code, opts = opDepthwise, fbt{0: pad, 1: stride, 2: stride, 3: int32(1), 4: act}
		wshape = []int32{1, k, k, c}
	}
	wt, bias := g.weights(wshape, int(oc))
	return g.op(code, opts, []int32{in, wt, bias}, g.act([]int32{1, oh, ow, oc}))
}

// pad adds a PAD (or, with a value, a PADV2) of in by p.
func (g *rwGraph) pad(in int32, p []int32, value ...float32) int32 {
	s := g.tm.tensors[in].shape
	out := make([]int32, 4)
	for d := range out {
		out[d] = s[d] + p[2*d] + p[2*d+1]
	}
	ins, code := []int32{in, g.paddings(p...)}, int32(opPad)
	if len(value) == 1 {
		ins, code = append(ins, g.scalar(value[0])), opPadV2
	}
	return g.op(code, nil, ins, g.act(out))
}

// binary adds an element-wise operator with the fused activation act;
// q sets the output's quantization.
func (g *rwGraph) binary(code int32, a, b int32, act uint8, q ...float32) int32 {
	s := g.tm.tensors[a].shape
	if len(g.tm.tensors[b].shape) > 0 && g.tm.tensors[b].shape[3] > s[3] {
		s = g.tm.tensors[b].shape
	}
	return g.op(code, fbt{0: act}, []int32{a, b}, g.act(s, q...))
}

// unary adds a RELU-like operator; q sets the output's quantization.
func (g *rwGraph) unary(code int32, in int32, q ...float32) int32 {
	return g.op(code, nil, []int32{in}, g.act(g.tm.tensors[in].shape, q...))
}

func (g *rwGraph) model(outputs ...int32) []byte {
	g.tm.outputs = outputs
	return g.tm.bytes()
}

// loadPlain loads a model as loadShaped does without the graph rewrites:
// the reference the rewritten graph must agree with.
func loadPlain(b []byte, shapes [][]int) (*Model, error) {
	m, err := parse(b)
	if err == nil {
		err = m.foldConstants()
	}
	if err == nil && shapes != nil {
		err = m.reshapeInputs(shapes)
	}
	if err == nil {
		err = m.prepareCalled()
	}
	if err == nil {
		err = m.prepare(false)
	}
	if err == nil {
		m.plan, err = planArena(m)
	}
	return m, err
}

func loadUnrewritten(t *testing.T, b []byte, shapes [][]int) *Model {
	t.Helper()
	m, err := loadPlain(b, shapes)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func opNames(m *Model) []string {
	var names []string
	for _, op := range m.Operators() {
		names = append(names, op.Name)
	}
	return names
}

// randomInput returns random contents for tensor info: floats in [-4, 4)
// with a few zeros, or any 8-bit values.
func randomInput(r *rand.Rand, ti runtime.TensorInfo) []byte {
	n := 1
	for _, d := range ti.Shape {
		n *= d
	}
	if ti.DType == runtime.Float32 {
		v := make([]float32, n)
		for i := range v {
			if r.IntN(8) != 0 {
				v[i] = 8*r.Float32() - 4
			}
		}
		return f32bytes(v...)
	}
	b := make([]byte, n*ti.DType.Size())
	for i := range b {
		b[i] = byte(r.IntN(256))
	}
	return b
}

// rewriteCase is a graph with a rewrite's pattern and the operators the
// loaded model must run (nil: the model is invalid, and refused).
type rewriteCase struct {
	name  string
	build func() []byte
	want  []string
}

func rewriteCases() []rewriteCase {
	spatial := []int32{0, 0, 1, 1, 1, 1, 0, 0}
	return []rewriteCase{
		{"float pad into conv", func() []byte {
			g := newRWGraph(rwF32)
			return g.model(g.conv(false, g.pad(g.input(1, 9, 8, 3), spatial), 3, 1, true, 0))
		}, []string{"CONV_2D+PAD"}},
		{"float asymmetric pad into strided conv", func() []byte {
			g := newRWGraph(rwF32)
			return g.model(g.conv(false, g.pad(g.input(1, 10, 10, 4), []int32{0, 0, 0, 1, 0, 1, 0, 0}), 3, 2, true, 0))
		}, []string{"CONV_2D+PAD"}},
		{"float uneven pad into a wide SAME conv", func() []byte {
			g := newRWGraph(rwF32)
			return g.model(g.conv(false, g.pad(g.input(1, 13, 12, 24), []int32{0, 0, 2, 0, 1, 3, 0, 0}), 5, 1, false, 0))
		}, []string{"CONV_2D+PAD"}},
		{"int8 uneven pad into a wide strided conv", func() []byte {
			g := newRWGraph(rwI8)
			return g.model(g.conv(false, g.pad(g.input(1, 13, 12, 24), []int32{0, 0, 2, 0, 1, 3, 0, 0}), 5, 2, true, 0))
		}, []string{"CONV_2D+PAD"}},
		{"float pad into strided depthwise", func() []byte {
			g := newRWGraph(rwF32)
			return g.model(g.conv(true, g.pad(g.input(1, 16, 16, 20), spatial), 3, 2, true, 0))
		}, []string{"DEPTHWISE_CONV_2D+PAD"}},
		{"float pad into SAME depthwise", func() []byte {
			g := newRWGraph(rwF32)
			return g.model(g.conv(true, g.pad(g.input(1, 12, 11, 32), []int32{0, 0, 2, 0, 0, 2, 0, 0}), 5, 1, false, 0))
		}, []string{"DEPTHWISE_CONV_2D+PAD"}},
		{"int8 pad into conv", func() []byte {
			g := newRWGraph(rwI8)
			return g.model(g.conv(false, g.pad(g.input(1, 9, 9, 8), spatial), 3, 1, true, 0))
		}, []string{"CONV_2D+PAD"}},
		{"int8 pad into SAME strided depthwise", func() []byte {
			g := newRWGraph(rwI8)
			return g.model(g.conv(true, g.pad(g.input(1, 14, 14, 24), spatial), 3, 2, false, 0))
		}, []string{"DEPTHWISE_CONV_2D+PAD"}},
		{"uint8 pad into depthwise", func() []byte {
			g := newRWGraph(rwU8)
			return g.model(g.conv(true, g.pad(g.input(1, 8, 8, 16), spatial), 3, 1, true, 0))
		}, []string{"DEPTHWISE_CONV_2D+PAD"}},
		{"int8 padv2 with the zero point", func() []byte {
			g := newRWGraph(rwI8)
			return g.model(g.conv(false, g.pad(g.input(1, 9, 9, 8), spatial, -3), 3, 1, true, 0))
		}, []string{"CONV_2D+PADV2"}},
		{"int8 padv2 with another value", func() []byte {
			g := newRWGraph(rwI8)
			return g.model(g.conv(false, g.pad(g.input(1, 9, 9, 8), spatial, 5), 3, 1, true, 0))
		}, []string{"PADV2", "CONV_2D"}},
		{"float padv2 with 1", func() []byte {
			g := newRWGraph(rwF32)
			return g.model(g.conv(true, g.pad(g.input(1, 9, 9, 8), spatial, 1), 3, 1, true, 0))
		}, []string{"PADV2", "DEPTHWISE_CONV_2D"}},
		{"padded tensor is an output", func() []byte {
			g := newRWGraph(rwF32)
			p := g.pad(g.input(1, 9, 8, 3), spatial)
			return g.model(g.conv(false, p, 3, 1, true, 0), p)
		}, []string{"PAD", "CONV_2D"}},
		{"padded tensor has another reader", func() []byte {
			g := newRWGraph(rwI8)
			p := g.pad(g.input(1, 9, 9, 8), spatial)
			return g.model(g.conv(false, p, 3, 1, true, 0), g.conv(true, p, 3, 1, true, 0))
		}, []string{"PAD", "CONV_2D", "DEPTHWISE_CONV_2D"}},
		{"padding wider than the window", func() []byte {
			g := newRWGraph(rwF32)
			return g.model(g.conv(false, g.pad(g.input(1, 6, 6, 3), []int32{0, 0, 3, 3, 0, 0, 0, 0}), 3, 1, true, 0))
		}, []string{"PAD", "CONV_2D"}},
		{"pad into a conv without weights", func() []byte {
			g := newRWGraph(rwF32)
			p := g.pad(g.input(1, 6, 6, 3), spatial)
			return g.model(g.op(opConv, fbt{0: uint8(1), 1: int32(1), 2: int32(1)}, []int32{p}, g.act([]int32{1, 6, 6, 3})))
		}, nil},
		{"pad into max pool", func() []byte {
			g := newRWGraph(rwF32)
			p := g.pad(g.input(1, 8, 8, 4), spatial)
			return g.model(g.op(opMaxPool, fbt{0: uint8(1), 1: int32(2), 2: int32(2), 3: int32(2), 4: int32(2)}, []int32{p}, g.act([]int32{1, 5, 5, 4})))
		}, []string{"PAD", "MAX_POOL_2D"}},
		{"channel pad into add", func() []byte {
			g := newRWGraph(rwF32)
			a := g.input(1, 6, 5, 28)
			return g.model(g.binary(opAdd, a, g.pad(g.input(1, 6, 5, 24), []int32{0, 0, 0, 0, 0, 0, 0, 4}), 0))
		}, []string{"ADD+PAD"}},
		{"channel pad as the first operand, then relu", func() []byte {
			g := newRWGraph(rwF32)
			a := g.input(1, 4, 4, 40)
			return g.model(g.unary(opRelu, g.binary(opAdd, g.pad(g.input(1, 4, 4, 17), []int32{0, 0, 0, 0, 0, 0, 0, 23}), a, 0)))
		}, []string{"ADD+PAD+RELU"}},
		{"channel pad into add with relu6", func() []byte {
			g := newRWGraph(rwF32)
			a := g.input(1, 3, 3, 8)
			return g.model(g.binary(opAdd, a, g.pad(g.input(1, 3, 3, 6), []int32{0, 0, 0, 0, 0, 0, 0, 2}), 3))
		}, []string{"ADD+PAD"}},
		{"channel pad into sub", func() []byte {
			g := newRWGraph(rwF32)
			a := g.input(1, 6, 5, 28)
			return g.model(g.binary(opSub, a, g.pad(g.input(1, 6, 5, 24), []int32{0, 0, 0, 0, 0, 0, 0, 4}), 0))
		}, []string{"PAD", "SUB"}},
		{"channel pad before the channels", func() []byte {
			g := newRWGraph(rwF32)
			a := g.input(1, 6, 5, 28)
			return g.model(g.binary(opAdd, a, g.pad(g.input(1, 6, 5, 24), []int32{0, 0, 0, 0, 0, 0, 2, 2}), 0))
		}, []string{"PAD", "ADD"}},
		{"int8 channel pad into add", func() []byte {
			g := newRWGraph(rwI8)
			a := g.input(1, 6, 5, 28)
			return g.model(g.binary(opAdd, a, g.pad(g.input(1, 6, 5, 24), []int32{0, 0, 0, 0, 0, 0, 0, 4}), 0))
		}, []string{"PAD", "ADD"}},
		{"float relu into add", func() []byte {
			g := newRWGraph(rwF32)
			return g.model(g.unary(opRelu, g.binary(opAdd, g.input(1, 5, 5, 7), g.input(1, 5, 5, 7), 0)))
		}, []string{"ADD+RELU"}},
		{"int8 relu into add", func() []byte {
			g := newRWGraph(rwI8)
			return g.model(g.unary(opRelu, g.binary(opAdd, g.input(1, 5, 5, 7), g.input(1, 5, 5, 7), 0)))
		}, []string{"ADD+RELU"}},
		{"int8 relu6 into sub", func() []byte {
			g := newRWGraph(rwI8)
			return g.model(g.unary(opRelu6, g.binary(opSub, g.input(1, 5, 5, 7), g.input(1, 5, 5, 7), 0, 0.03, -20), 0.03, -20))
		}, []string{"SUB+RELU6"}},
		{"int8 relu that rescales", func() []byte {
			g := newRWGraph(rwI8)
			return g.model(g.unary(opRelu, g.binary(opAdd, g.input(1, 5, 5, 7), g.input(1, 5, 5, 7), 0), 0.05, -128))
		}, []string{"ADD", "RELU"}},
		{"uint8 relu6 into conv", func() []byte {
			g := newRWGraph(rwU8)
			return g.model(g.unary(opRelu6, g.conv(false, g.input(1, 6, 6, 5), 3, 1, false, 0)))
		}, []string{"CONV_2D+RELU6"}},
		{"int8 relu into depthwise after a pad", func() []byte {
			g := newRWGraph(rwI8)
			return g.model(g.unary(opRelu, g.conv(true, g.pad(g.input(1, 10, 10, 16), spatial), 3, 2, true, 0)))
		}, []string{"DEPTHWISE_CONV_2D+PAD+RELU"}},
		{"float relu_n1_to_1 into mul", func() []byte {
			g := newRWGraph(rwF32)
			return g.model(g.unary(opReluN1, g.binary(opMul, g.input(1, 4, 4, 9), g.input(1, 4, 4, 9), 0)))
		}, []string{"MUL+RELU_N1_TO_1"}},
		{"relu after an add with relu6", func() []byte {
			g := newRWGraph(rwF32)
			return g.model(g.unary(opRelu, g.binary(opAdd, g.input(1, 5, 5, 7), g.input(1, 5, 5, 7), 3)))
		}, []string{"ADD", "RELU"}},
		{"sum has another reader", func() []byte {
			g := newRWGraph(rwI8)
			s := g.binary(opAdd, g.input(1, 5, 5, 7), g.input(1, 5, 5, 7), 0)
			return g.model(g.unary(opRelu, s), g.unary(opRelu6, s))
		}, []string{"ADD", "RELU", "RELU6"}},
		{"sum is an output", func() []byte {
			g := newRWGraph(rwF32)
			s := g.binary(opAdd, g.input(1, 5, 5, 7), g.input(1, 5, 5, 7), 0)
			return g.model(g.unary(opRelu, s), s)
		}, []string{"ADD", "RELU"}},
		{"relu of a graph input", func() []byte {
			g := newRWGraph(rwF32)
			return g.model(g.unary(opRelu, g.input(1, 5, 5, 7)))
		}, []string{"RELU"}},
	}
}

// TestRewrites builds small graphs with each rewrite's pattern, checks
// which operators the loaded model runs (the rewrite applied, or not in
// the cases it must not), and that its outputs agree with the graph loaded
// without rewrites: bit for bit for 8-bit graphs, within float rounding
// for float ones, with the SIMD and the generic kernels; as stored, and
// with larger inputs (shapes inferred while preparing).
func TestRewrites(t *testing.T) {
	for _, tc := range rewriteCases() {
		t.Run(tc.name, func(t *testing.T) {
			b := tc.build()
			m, err := Load(b)
			if tc.want == nil {
				if !errors.Is(err, runtime.ErrInvalidModel) {
					t.Fatalf("Load: %v, want an invalid model", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			// The same graph with inputs 2 rows and 2 columns larger, whose
			// shapes are inferred while the operators are prepared.
			var shapes [][]int
			for _, ti := range m.Inputs() {
				s := slices.Clone(ti.Shape)
				s[1], s[2] = s[1]+2, s[2]+2
				shapes = append(shapes, s)
			}
			big, err := loadShaped(b, 0, shapes)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range []struct {
				m, ref *Model
			}{{m, loadUnrewritten(t, b, nil)}, {big, loadUnrewritten(t, b, shapes)}} {
				if got := opNames(v.m); !slices.Equal(got, tc.want) {
					t.Fatalf("inputs %v: operators %v, want %v", v.m.Inputs()[0].Shape, got, tc.want)
				}
				compareRuns(t, v.m, v.ref)
			}
		})
	}
}

// compareRuns runs m and ref on the same random inputs, with the SIMD and
// the generic kernels, and fails unless their outputs agree: bit for bit
// for 8-bit outputs, within float rounding for float ones.
func compareRuns(t *testing.T, m, ref *Model) {
	t.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	for round := range 3 {
		var ins [][]byte
		for _, ti := range m.Inputs() {
			ins = append(ins, randomInput(r, ti))
		}
		for _, backend := range []string{"auto", "generic"} {
			o := runtime.Options{Backend: backend}
			got, err := m.Run(context.Background(), o, ins)
			if err != nil {
				t.Fatal(err)
			}
			want, err := ref.Run(context.Background(), o, ins)
			if err != nil {
				t.Fatal(err)
			}
			for i := range want {
				if m.Outputs()[i].DType != runtime.Float32 {
					if !slices.Equal(got[i], want[i]) {
						t.Fatalf("inputs %v, round %d, %s kernels: output %d differs from the graph without rewrites", m.Inputs()[0].Shape, round, backend, i)
					}
					continue
				}
				for j := 0; j < len(want[i]); j += 4 {
					g := math.Float32frombits(binary.LittleEndian.Uint32(got[i][j:]))
					w := math.Float32frombits(binary.LittleEndian.Uint32(want[i][j:]))
					if math.Abs(float64(g-w)) > 1e-5*max(1, math.Abs(float64(w))) {
						t.Fatalf("inputs %v, round %d, %s kernels: output %d value %d = %g, without rewrites %g", m.Inputs()[0].Shape, round, backend, i, j/4, g, w)
					}
				}
			}
		}
	}
}

// FuzzRewrites loads mutations of the rewrite test graphs with and without
// the rewrites: both must load, or fail, alike; where they load and run,
// their 8-bit outputs must agree bit for bit.
func FuzzRewrites(f *testing.F) {
	for _, tc := range rewriteCases() {
		f.Add(tc.build())
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Load(data)
		ref, rerr := loadPlain(data, nil)
		if (err == nil) != (rerr == nil) {
			t.Fatalf("with rewrites: %v; without: %v", err, rerr)
		}
		if err != nil {
			return
		}
		defer m.Close()
		if m.ArenaBytes() > fuzzSessionLimit || ref.ArenaBytes() > fuzzSessionLimit {
			return
		}
		r := rand.New(rand.NewPCG(uint64(len(data)), 1))
		var ins [][]byte
		for _, ti := range m.Inputs() {
			ins = append(ins, randomInput(r, ti))
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		got, err := m.Run(ctx, runtime.Options{}, ins)
		if err != nil {
			return
		}
		want, err := ref.Run(ctx, runtime.Options{}, ins)
		if err != nil {
			return
		}
		for i, o := range m.Outputs() {
			if (o.DType == runtime.Int8 || o.DType == runtime.UInt8) && !slices.Equal(got[i], want[i]) {
				t.Fatalf("output %d differs from the graph without rewrites", i)
			}
		}
	})
}
