package tflite

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/edgeinfer/edgeinfer/runtime"
)

const (
	tensorBoolType     int8 = 6
	tensorResourceType int8 = 13
)

// optionTypes are the BuiltinOptions union types of the operators the
// multi-subgraph tests use (TFLite reads options only with their type).
var optionTypes = map[int32]uint8{0: 11, 18: 21, 41: 28, 53: 37, 118: 92, 119: 93, 129: 103, 142: 111, 143: 112, 144: 113}

// multiModel builds a model of several subgraphs (the first is the main
// one) that share the operator codes and buffers; variables lists, per
// subgraph, the tensors to mark is_variable.
func multiModel(graphs []testModel, variables [][]int) fbt {
	bufs := []fbt{{}}
	var codes, subgraphs []fbt
	index := map[int32]uint32{}
	for g, tm := range graphs {
		var tensors []fbt
		for k, t := range tm.tensors {
			tt := fbt{0: t.shape, 1: t.typ, 2: uint32(0), 3: t.name}
			if t.data != nil {
				tt[2] = uint32(len(bufs))
				bufs = append(bufs, fbt{0: t.data})
			}
			if t.quant != nil {
				tt[4] = t.quant
			}
			for _, v := range variables[g] {
				if v == k {
					tt[5] = true
				}
			}
			tensors = append(tensors, tt)
		}
		var ops []fbt
		for _, o := range tm.ops {
			k, ok := index[o.builtin]
			if !ok {
				k = uint32(len(codes))
				index[o.builtin] = k
				codes = append(codes, fbt{0: int8(min(o.builtin, 127)), 2: int32(1), 3: o.builtin})
			}
			op := fbt{0: k, 1: o.ins, 2: o.outs}
			if o.opts != nil {
				op[3], op[4] = optionTypes[o.builtin], o.opts
			}
			ops = append(ops, op)
		}
		subgraphs = append(subgraphs, fbt{0: tensors, 1: tm.inputs, 2: tm.outputs, 3: ops, 4: "sg"})
	}
	return fbt{0: uint32(3), 1: codes, 2: subgraphs, 3: "test model", 4: bufs}
}

func i32bytesOf(v ...int32) []byte { return bytesOf(v, 4) }

// whileModel counts n down to 0 doubling x: main WHILE(n, x) with
// condition subgraph 1 (CAST n to bool) and body subgraph 2 (n-1, x·2);
// bodyCalls makes the body run a WHILE of its own calling that subgraph.
func whileModel(bodyCalls int32) []byte {
	scalarI := func(name string) testTensor { return testTensor{name: name, typ: tensorInt32, shape: []int32{}} }
	scalarF := func(name string) testTensor { return testTensor{name: name, typ: tensorFloat32, shape: []int32{}} }
	main := testModel{
		tensors: []testTensor{scalarI("n"), scalarF("x"), scalarI("n_out"), scalarF("x_out")},
		inputs:  []int32{0, 1}, outputs: []int32{2, 3},
		ops: []testOp{{builtin: 119, ins: []int32{0, 1}, outs: []int32{2, 3}, opts: fbt{0: int32(1), 1: int32(2)}}},
	}
	cond := testModel{
		tensors: []testTensor{scalarI("n"), scalarF("x"), {name: "go", typ: tensorBoolType, shape: []int32{}}},
		inputs:  []int32{0, 1}, outputs: []int32{2},
		ops: []testOp{{builtin: 53, ins: []int32{0}, outs: []int32{2}}},
	}
	body := testModel{
		tensors: []testTensor{scalarI("n"), scalarF("x"), {name: "one", typ: tensorInt32, shape: []int32{}, data: i32bytesOf(1)},
			{name: "two", typ: tensorFloat32, shape: []int32{}, data: f32bytes(2)}, scalarI("n1"), scalarF("x1")},
		inputs: []int32{0, 1}, outputs: []int32{4, 5},
		ops: []testOp{
			{builtin: 41, ins: []int32{0, 2}, outs: []int32{4}, opts: fbt{}},
			{builtin: 18, ins: []int32{1, 3}, outs: []int32{5}, opts: fbt{}},
		},
	}
	if bodyCalls >= 0 {
		body.tensors = append(body.tensors, scalarI("n2"), scalarF("x2"))
		body.ops = append(body.ops, testOp{builtin: 119, ins: []int32{4, 5}, outs: []int32{6, 7}, opts: fbt{0: int32(1), 1: bodyCalls}})
		body.outputs = []int32{6, 7}
	}
	return buildFB("TFL3", multiModel([]testModel{main, cond, body}, [][]int{nil, nil, nil}))
}

func TestWhile(t *testing.T) {
	m, err := Load(whileModel(-1))
	if err != nil {
		t.Fatal(err)
	}
	if m.Stateful() {
		t.Error("a loop without variables reports state")
	}
	s, err := m.NewSession(runtime.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, tc := range []struct {
		n    int32
		x, y float32
	}{{3, 1.5, 12}, {0, 7, 7}, {10, 1, 1024}} {
		copy(s.Input(0), i32bytesOf(tc.n))
		copy(s.Input(1), f32bytes(tc.x))
		if err := s.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		if n, y := i32(s.Output(0))[0], f32(s.Output(1))[0]; n != 0 || y != tc.y {
			t.Errorf("while n=%d x=%v: got n=%d x=%v, want 0 and %v", tc.n, tc.x, n, y, tc.y)
		}
	}
	// A cancelled context stops a loop between iterations.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	copy(s.Input(0), i32bytesOf(1<<30))
	if err := s.Run(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("run with a cancelled context: %v", err)
	}
}

// TestWhileRecursion refuses a body that runs a loop over itself, and one
// whose body calls the main subgraph, naming the operator.
func TestWhileRecursion(t *testing.T) {
	for _, callee := range []int32{2, 0} {
		_, err := Load(whileModel(callee))
		if !errors.Is(err, runtime.ErrUnsupported) || !strings.Contains(err.Error(), "recursion") || !strings.Contains(err.Error(), "(WHILE)") {
			t.Errorf("body calling subgraph %d: %v, want an unsupported recursion naming the WHILE", callee, err)
		}
	}
	if _, err := Load(whileModel(7)); !errors.Is(err, runtime.ErrInvalidModel) || !strings.Contains(err.Error(), "calls subgraph 7") {
		t.Errorf("call of a missing subgraph: %v", err)
	}
}

func TestIf(t *testing.T) {
	scalarF := func(name string) testTensor { return testTensor{name: name, typ: tensorFloat32, shape: []int32{}} }
	main := testModel{
		tensors: []testTensor{{name: "c", typ: tensorBoolType, shape: []int32{}}, scalarF("x"), scalarF("y")},
		inputs:  []int32{0, 1}, outputs: []int32{2},
		ops: []testOp{{builtin: 118, ins: []int32{0, 1}, outs: []int32{2}, opts: fbt{0: int32(1), 1: int32(2)}}},
	}
	branch := func(op int32, k float32) testModel {
		return testModel{
			tensors: []testTensor{scalarF("x"), {name: "k", typ: tensorFloat32, shape: []int32{}, data: f32bytes(k)}, scalarF("y")},
			inputs:  []int32{0}, outputs: []int32{2},
			ops: []testOp{{builtin: op, ins: []int32{0, 1}, outs: []int32{2}, opts: fbt{}}},
		}
	}
	m, err := Load(buildFB("TFL3", multiModel([]testModel{main, branch(0, 1), branch(18, 3)}, [][]int{nil, nil, nil})))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		c    byte
		x, y float32
	}{{1, 2, 3}, {0, 2, 6}, {1, -1, 0}} {
		outs, err := m.Run(context.Background(), runtime.Options{}, [][]byte{{tc.c}, f32bytes(tc.x)})
		if err != nil {
			t.Fatal(err)
		}
		if y := f32(outs[0])[0]; y != tc.y {
			t.Errorf("if %d x=%v: %v, want %v", tc.c, tc.x, y, tc.y)
		}
	}
}

// TestCallOnceResourceVariable keeps an accumulator in a resource
// variable that a CALL_ONCE initializer sets to 10: y = x + acc; acc = y.
func TestCallOnceResourceVariable(t *testing.T) {
	res := testTensor{name: "h", typ: tensorResourceType, shape: []int32{}}
	main := testModel{
		tensors: []testTensor{{name: "x", typ: tensorFloat32, shape: []int32{1}}, res, {name: "acc", typ: tensorFloat32, shape: []int32{1}}, {name: "y", typ: tensorFloat32, shape: []int32{1}}},
		inputs:  []int32{0}, outputs: []int32{3},
		ops: []testOp{
			{builtin: 129, opts: fbt{0: int32(1)}},
			{builtin: 142, outs: []int32{1}, opts: fbt{0: "", 1: "acc"}},
			{builtin: 143, ins: []int32{1}, outs: []int32{2}},
			{builtin: 0, ins: []int32{0, 2}, outs: []int32{3}, opts: fbt{}},
			{builtin: 144, ins: []int32{1, 3}},
		},
	}
	init := testModel{
		tensors: []testTensor{res, {name: "ten", typ: tensorFloat32, shape: []int32{1}, data: f32bytes(10)}},
		ops: []testOp{
			{builtin: 142, outs: []int32{0}, opts: fbt{0: "", 1: "acc"}},
			{builtin: 144, ins: []int32{0, 1}},
		},
	}
	root := multiModel([]testModel{main, init}, [][]int{nil, nil})
	m, err := Load(buildFB("TFL3", root))
	if err != nil {
		t.Fatal(err)
	}
	if !m.Stateful() {
		t.Error("a model with a resource variable reports no state")
	}
	s, err := m.NewSession(runtime.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	run := func() float32 {
		copy(s.Input(0), f32bytes(1))
		if err := s.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		return f32(s.Output(0))[0]
	}
	for i, want := range []float32{11, 12, 13} {
		if got := run(); got != want {
			t.Fatalf("run %d: %v, want %v", i, got, want)
		}
	}
	s.(*Session).ResetState()
	if got := run(); got != 11 {
		t.Errorf("after ResetState: %v, want 11", got)
	}
	// A second session has its own variable.
	s2, err := m.NewSession(runtime.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	copy(s2.Input(0), f32bytes(5))
	if err := s2.Run(context.Background()); err != nil || f32(s2.Output(0))[0] != 15 {
		t.Errorf("second session: %v %v, want 15", f32(s2.Output(0)), err)
	}
}

// seqSeeds are the fuzz seeds of the sequence and control-flow paths:
// several subgraphs (a loop, a recursive loop, a composite's
// decomposition), variables and LSTM/SVDF operator layouts.
func seqSeeds() map[string][]byte {
	lc := lstmCase{batch: 1, time: 2, input: 2, cell: 2, out: 2, peep: true}
	sc := svdfCase{batch: 1, input: 3, units: 2, memory: 2, rank: 1, typ: "i16"}
	rng := rand.New(rand.NewPCG(1, 2))
	return map[string][]byte{
		"while":           whileModel(-1),
		"while_recursive": whileModel(2),
		"composite":       compositeModel(1),
		"lstm":            lc.model(lc.weights(rng)),
		"svdf_int16":      sc.model(&svdfWeights{wf: []float32{0.1, -0.2, 0.3, 0.1, 0.2, -0.1}, wt: []float32{0.5, -0.5, 0.25, 0.1}, bias: []float32{0.1, -0.1}}),
	}
}

// FuzzSubgraphs loads and runs mutations of the multi-subgraph seeds: a
// model must load or be refused with ErrInvalidModel or ErrUnsupported,
// and a loaded one must run without a panic (a loop that never ends is
// stopped by the context).
func FuzzSubgraphs(f *testing.F) {
	for _, b := range seqSeeds() {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Load(data)
		if err != nil {
			if !errors.Is(err, runtime.ErrInvalidModel) && !errors.Is(err, runtime.ErrUnsupported) {
				t.Fatalf("load error wraps neither ErrInvalidModel nor ErrUnsupported: %v", err)
			}
			return
		}
		if m.ArenaBytes() > fuzzSessionLimit {
			return
		}
		s, err := m.NewSession(runtime.Options{})
		if err != nil {
			return
		}
		defer s.Close()
		// The deadline bounds a loop that never ends; it asserts nothing.
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		s.Run(ctx)
	})
}

// TestSubgraphFanOut refuses a chain of subgraphs that each loop twice
// over the next: a session would bind 2^depth arenas.
func TestSubgraphFanOut(t *testing.T) {
	const depth = 16
	scalarI := testTensor{name: "n", typ: tensorInt32, shape: []int32{}}
	var graphs []testModel
	// Subgraphs 0 … depth-3 loop twice over the next; depth-2 is a
	// pass-through body, depth-1 the condition.
	for i := range depth {
		g := testModel{tensors: []testTensor{scalarI, scalarI, scalarI}, inputs: []int32{0}, outputs: []int32{2}}
		switch i {
		case depth - 1:
			g.tensors = []testTensor{scalarI, {name: "go", typ: tensorBoolType, shape: []int32{}}}
			g.outputs = []int32{1}
			g.ops = []testOp{{builtin: 53, ins: []int32{0}, outs: []int32{1}}}
		case depth - 2:
			g.tensors, g.outputs = []testTensor{scalarI}, []int32{0}
		default:
			next := int32(i + 1)
			g.ops = []testOp{
				{builtin: 119, ins: []int32{0}, outs: []int32{1}, opts: fbt{0: int32(depth - 1), 1: next}},
				{builtin: 119, ins: []int32{1}, outs: []int32{2}, opts: fbt{0: int32(depth - 1), 1: next}},
			}
		}
		graphs = append(graphs, g)
	}
	_, err := Load(buildFB("TFL3", multiModel(graphs, make([][]int, depth))))
	if !errors.Is(err, runtime.ErrUnsupported) || !strings.Contains(err.Error(), "arenas") {
		t.Errorf("load: %v, want the fan-out refused", err)
	}
}
