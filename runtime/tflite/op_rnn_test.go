package tflite

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/edgeinfer/edgeinfer/runtime"
)

// reverseTime returns x (batch-major rows of n values, or time-major)
// with its time steps in reverse order.
func reverseTime(x []float32, batch, time, n int, timeMajor bool) []float32 {
	r := make([]float32, len(x))
	for b := range batch {
		for t := range time {
			src, dst := b*time+t, b*time+time-1-t
			if timeMajor {
				src, dst = t*batch+b, (time-1-t)*batch+b
			}
			copy(r[dst*n:(dst+1)*n], x[src*n:(src+1)*n])
		}
	}
	return r
}

// TestBidirectionalLSTM checks both directions, merged and separate
// outputs, against the float64 reference (the backward direction is the
// reference run on the time-reversed sequence).
func TestBidirectionalLSTM(t *testing.T) {
	for i, merge := range []bool{true, false} {
		c := lstmCase{batch: 2, time: 4, input: 3, cell: 4, out: 4, peep: true, timeMajor: i == 0}
		rng := rand.New(rand.NewPCG(uint64(i), 5))
		fw, bw := c.weights(rng), c.weights(rng)
		inShape := []int32{int32(c.batch), int32(c.time), int32(c.input)}
		if c.timeMajor {
			inShape[0], inShape[1] = inShape[1], inShape[0]
		}
		tm := testModel{tensors: []testTensor{{name: "x", typ: tensorFloat32, shape: inShape}}, inputs: []int32{0}}
		ins := make([]int32, 48)
		for k := range ins {
			ins[k] = -1
		}
		ins[0] = 0
		add := func(pos int, tt testTensor) {
			ins[pos] = int32(len(tm.tensors))
			tm.tensors = append(tm.tensors, tt)
		}
		for d, lt := range []lstmTensors{lstmBidiFw, lstmBidiBw} {
			w := []lstmWeights{fw, bw}[d]
			for g := range 4 {
				add(lt.w[g], testTensor{typ: tensorFloat32, shape: []int32{int32(c.cell), int32(c.input)}, data: f32bytes(w[lstmFull.w[g]]...)})
				add(lt.r[g], testTensor{typ: tensorFloat32, shape: []int32{int32(c.cell), int32(c.out)}, data: f32bytes(w[lstmFull.r[g]]...)})
				add(lt.bias[g], testTensor{typ: tensorFloat32, shape: []int32{int32(c.cell)}, data: f32bytes(w[lstmFull.bias[g]]...)})
				if lt.peep[g] >= 0 {
					add(lt.peep[g], testTensor{typ: tensorFloat32, shape: []int32{int32(c.cell)}, data: f32bytes(w[lstmFull.peep[g]]...)})
				}
			}
			add(lt.h, testTensor{typ: tensorFloat32, shape: []int32{int32(c.batch), int32(c.out)}})
			add(lt.c, testTensor{typ: tensorFloat32, shape: []int32{int32(c.batch), int32(c.cell)}})
		}
		outShape := append([]int32(nil), inShape...)
		outShape[2] = int32(2 * c.out)
		outs := []int32{int32(len(tm.tensors))}
		if merge {
			tm.tensors = append(tm.tensors, testTensor{typ: tensorFloat32, shape: outShape})
		} else {
			outShape[2] = int32(c.out)
			tm.tensors = append(tm.tensors, testTensor{typ: tensorFloat32, shape: outShape}, testTensor{typ: tensorFloat32, shape: outShape})
			outs = append(outs, outs[0]+1)
		}
		tm.outputs = outs
		tm.ops = []testOp{{builtin: 52, ins: ins, outs: outs, opts: fbt{0: uint8(4), 3: merge, 4: c.timeMajor}}}
		root := tm.root()
		for _, lt := range []lstmTensors{lstmBidiFw, lstmBidiBw} {
			subgraph(root)[0].([]fbt)[ins[lt.h]][5] = true
			subgraph(root)[0].([]fbt)[ins[lt.c]][5] = true
		}
		m, err := Load(buildFB("TFL3", root))
		if err != nil {
			t.Fatal(err)
		}
		s, err := m.NewSession(runtime.Options{})
		if err != nil {
			t.Fatal(err)
		}
		x := make([]float32, c.batch*c.time*c.input)
		for k := range x {
			x[k] = float32(rng.Float64()*2 - 1)
		}
		copy(f32(s.Input(0)), x)
		if err := s.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		wantF := c.ref(fw, x, make([]float64, c.batch*c.out), make([]float64, c.batch*c.cell))
		rev := c.ref(bw, reverseTime(x, c.batch, c.time, c.input, c.timeMajor), make([]float64, c.batch*c.out), make([]float64, c.batch*c.cell))
		revF := make([]float32, len(rev))
		for k, v := range rev {
			revF[k] = float32(v)
		}
		wantB := reverseTime(revF, c.batch, c.time, c.out, c.timeMajor)
		rows := c.batch * c.time
		for r := range rows {
			for j := range c.out {
				var gf, gb float32
				if merge {
					o := f32(s.Output(0))
					gf, gb = o[r*2*c.out+j], o[r*2*c.out+c.out+j]
				} else {
					gf, gb = f32(s.Output(0))[r*c.out+j], f32(s.Output(1))[r*c.out+j]
				}
				if math.Abs(float64(gf)-wantF[r*c.out+j]) > 2e-5 || math.Abs(float64(gb-wantB[r*c.out+j])) > 2e-5 {
					t.Fatalf("merge=%v row %d unit %d: forward %v backward %v, want %v and %v", merge, r, j, gf, gb, wantF[r*c.out+j], wantB[r*c.out+j])
				}
			}
		}
		s.Close()
	}
}

// TestSequenceRNN checks UNIDIRECTIONAL_SEQUENCE_RNN (float32 and hybrid)
// and RNN over two runs of a session against a float64 evaluation of
// h = relu(W·x + R·h + b).
func TestSequenceRNN(t *testing.T) {
	const batch, time, input, units = 2, 3, 4, 5
	for i, tc := range []struct {
		name      string
		seq       bool
		hybrid    bool
		timeMajor bool
		tol       float64
	}{
		{name: "seq_f32", seq: true, tol: 1e-5},
		{name: "seq_f32_time_major", seq: true, timeMajor: true, tol: 1e-5},
		{name: "seq_hybrid", seq: true, hybrid: true, tol: 0.03},
		{name: "rnn_f32", tol: 1e-5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 9))
			draw := func(n int) []float32 {
				v := make([]float32, n)
				for k := range v {
					v[k] = float32(rng.Float64() - 0.5)
				}
				return v
			}
			w, r, bias := draw(units*input), draw(units*units), draw(units)
			steps := time
			inShape := []int32{batch, time, input}
			if tc.timeMajor {
				inShape = []int32{time, batch, input}
			}
			if !tc.seq {
				steps, inShape = 1, []int32{batch, input}
			}
			outShape := append([]int32(nil), inShape...)
			outShape[len(outShape)-1] = units
			weight := func(v []float32, shape []int32) testTensor {
				if !tc.hybrid {
					return testTensor{typ: tensorFloat32, shape: shape, data: f32bytes(v...)}
				}
				q, s, d := quantSym(v, 127)
				copy(v, d)
				return testTensor{typ: tensorInt8, shape: shape, data: bytesOf(q, 1), quant: fbt{2: []float32{s}, 3: []int64{0}}}
			}
			tm := testModel{tensors: []testTensor{
				{typ: tensorFloat32, shape: inShape},
				weight(w, []int32{units, input}),
				weight(r, []int32{units, units}),
				{typ: tensorFloat32, shape: []int32{units}, data: f32bytes(bias...)},
				{typ: tensorFloat32, shape: []int32{batch, units}},
				{typ: tensorFloat32, shape: outShape},
			}, inputs: []int32{0}, outputs: []int32{5}}
			op := testOp{builtin: 35, ins: []int32{0, 1, 2, 3, 4}, outs: []int32{5}, opts: fbt{0: tc.timeMajor, 1: uint8(1)}}
			if !tc.seq {
				op = testOp{builtin: 24, ins: []int32{0, 1, 2, 3, 4}, outs: []int32{5}, opts: fbt{0: uint8(1)}}
			}
			tm.ops = []testOp{op}
			root := tm.root()
			subgraph(root)[0].([]fbt)[4][5] = true
			m, err := Load(buildFB("TFL3", root))
			if err != nil {
				t.Fatal(err)
			}
			s, err := m.NewSession(runtime.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			h := make([]float64, batch*units)
			for run := range 2 {
				x := draw(batch * steps * input)
				copy(f32(s.Input(0)), x)
				if err := s.Run(context.Background()); err != nil {
					t.Fatal(err)
				}
				got := f32(s.Output(0))
				for b := range batch {
					for st := range steps {
						row := b*steps + st
						if tc.timeMajor {
							row = st*batch + b
						}
						nh := make([]float64, units)
						for u := range units {
							v := float64(bias[u])
							for k := range input {
								v += float64(w[u*input+k]) * float64(x[row*input+k])
							}
							for k := range units {
								v += float64(r[u*units+k]) * h[b*units+k]
							}
							nh[u] = math.Max(v, 0)
						}
						copy(h[b*units:], nh)
						for u, want := range nh {
							if d := math.Abs(float64(got[row*units+u]) - want); d > tc.tol {
								t.Fatalf("run %d row %d unit %d: %v, want %v", run, row, u, got[row*units+u], want)
							}
						}
					}
				}
			}
		})
	}
}
