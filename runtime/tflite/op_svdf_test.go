package tflite

import (
	"context"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/edgeinfer/edgeinfer/runtime"
)

// SVDF keeps its memory in a variable tensor, which LiteRT refuses, so it
// is checked against svdfRef, a float64 evaluation written from the
// operator's definition: each filter's newest state column is the feature
// product of the input, the output of a unit is the sum over its rank
// filters of (time weights · state), plus bias, through the activation.

type svdfCase struct {
	name                        string
	batch, input, units, memory int
	rank                        int
	relu                        bool
	typ                         string // "f32", "hybrid", "i16" (TFLite), "i8" (TFLite Micro)
}

type svdfWeights struct{ wf, wt, bias []float32 }

// quantSym quantizes v symmetrically to [-lim, lim] and returns the
// values, their scale and the dequantized values.
func quantSym(v []float32, lim float64) ([]int32, float32, []float32) {
	var m float64
	for _, x := range v {
		m = max(m, math.Abs(float64(x)))
	}
	s := float32(m / lim)
	q, d := make([]int32, len(v)), make([]float32, len(v))
	for i, x := range v {
		q[i] = int32(math.Round(float64(x / s)))
		d[i] = float32(q[i]) * s
	}
	return q, s, d
}

func bytesOf(q []int32, size int) []byte {
	b := make([]byte, 0, size*len(q))
	for _, v := range q {
		switch size {
		case 1:
			b = append(b, byte(int8(v)))
		case 2:
			b = binary.LittleEndian.AppendUint16(b, uint16(int16(v)))
		default:
			b = binary.LittleEndian.AppendUint32(b, uint32(v))
		}
	}
	return b
}

// Quantization of the integer cases: input [-1, 1] as int8 with zero point
// 5, state and output with fixed ranges.
const (
	svdfInScale     = 1.0 / 128
	svdfInZP        = 5
	svdfStateRange  = 4.0
	svdfOutScale    = 1.0 / 16
	svdfOutZP       = -3
	svdfStateZPInt8 = 7
)

// model builds the case; integer weights replace w's values by their
// dequantized ones, which the reference then uses.
func (c svdfCase) model(w *svdfWeights) []byte {
	filters := c.units * c.rank
	tm := testModel{inputs: []int32{0}, outputs: []int32{5}}
	in := testTensor{name: "x", typ: tensorFloat32, shape: []int32{int32(c.batch), int32(c.input)}}
	wf := testTensor{name: "wf", typ: tensorFloat32, shape: []int32{int32(filters), int32(c.input)}, data: f32bytes(w.wf...)}
	wt := testTensor{name: "wt", typ: tensorFloat32, shape: []int32{int32(filters), int32(c.memory)}, data: f32bytes(w.wt...)}
	bias := testTensor{name: "b", typ: tensorFloat32, shape: []int32{int32(c.units)}, data: f32bytes(w.bias...)}
	state := testTensor{name: "state", typ: tensorFloat32, shape: []int32{int32(c.batch), int32(filters * c.memory)}}
	out := testTensor{name: "y", typ: tensorFloat32, shape: []int32{int32(c.batch), int32(c.units)}}
	quant := func(s float32, zp int64) fbt { return fbt{2: []float32{s}, 3: []int64{zp}} }
	switch c.typ {
	case "hybrid":
		q, s, d := quantSym(w.wf, 127)
		w.wf = d
		wf = testTensor{name: "wf", typ: tensorInt8, shape: wf.shape, data: bytesOf(q, 1), quant: quant(s, 0)}
	case "i16", "i8":
		q, s, d := quantSym(w.wf, 127)
		w.wf = d
		wf = testTensor{name: "wf", typ: tensorInt8, shape: wf.shape, data: bytesOf(q, 1), quant: quant(s, 0)}
		in = testTensor{name: "x", typ: tensorInt8, shape: in.shape, quant: quant(svdfInScale, svdfInZP)}
		stTyp, lim, size, zp := tensorInt16, 32767.0, 2, int64(0)
		if c.typ == "i8" {
			stTyp, lim, size, zp = tensorInt8, 127, 1, svdfStateZPInt8
		}
		stScale := float32(svdfStateRange / lim)
		qt, st, dt := quantSym(w.wt, lim)
		w.wt = dt
		wt = testTensor{name: "wt", typ: stTyp, shape: wt.shape, data: bytesOf(qt, size), quant: quant(st, 0)}
		bs := stScale * st
		qb := make([]int32, len(w.bias))
		for i, v := range w.bias {
			qb[i] = int32(math.Round(float64(v / bs)))
			w.bias[i] = float32(qb[i]) * bs
		}
		bias = testTensor{name: "b", typ: tensorInt32, shape: bias.shape, data: bytesOf(qb, 4), quant: quant(bs, 0)}
		state = testTensor{name: "state", typ: stTyp, shape: state.shape, quant: quant(stScale, zp)}
		out = testTensor{name: "y", typ: tensorInt8, shape: out.shape, quant: quant(svdfOutScale, svdfOutZP)}
	}
	tm.tensors = []testTensor{in, wf, wt, bias, state, out}
	act := uint8(0)
	if c.relu {
		act = 1
	}
	tm.ops = []testOp{{builtin: 27, ins: []int32{0, 1, 2, 3, 4}, outs: []int32{5}, opts: fbt{0: int32(c.rank), 1: act}}}
	root := tm.root()
	subgraph(root)[0].([]fbt)[4][5] = true
	return buildFB("TFL3", root)
}

// ref runs one step in float64 on x, updating state.
func (c svdfCase) ref(w *svdfWeights, x []float64, state []float64) []float64 {
	filters := c.units * c.rank
	copy(state, state[1:])
	out := make([]float64, c.batch*c.units)
	for b := range c.batch {
		st := state[b*filters*c.memory : (b+1)*filters*c.memory]
		for f := range filters {
			var s float64
			for i := range c.input {
				s += float64(w.wf[f*c.input+i]) * x[b*c.input+i]
			}
			st[f*c.memory+c.memory-1] = s
		}
		for u := range c.units {
			s := float64(w.bias[u])
			for f := u * c.rank; f < (u+1)*c.rank; f++ {
				for m := range c.memory {
					s += float64(w.wt[f*c.memory+m]) * st[f*c.memory+m]
				}
			}
			// TFLite's integer SVDF applies no activation.
			if c.relu && (c.typ == "f32" || c.typ == "hybrid") {
				s = max(s, 0)
			}
			out[b*c.units+u] = s
		}
	}
	return out
}

// TestSVDF runs five steps of one session for each configuration against
// the float64 reference, the state carrying over.
func TestSVDF(t *testing.T) {
	cases := []svdfCase{
		{name: "f32_rank1_relu", batch: 1, input: 6, units: 4, memory: 5, rank: 1, relu: true, typ: "f32"},
		{name: "f32_rank2_batch2", batch: 2, input: 5, units: 3, memory: 4, rank: 2, typ: "f32"},
		{name: "hybrid_rank2", batch: 2, input: 7, units: 3, memory: 3, rank: 2, typ: "hybrid"},
		{name: "i16_state", batch: 2, input: 8, units: 4, memory: 6, rank: 2, relu: true, typ: "i16"},
		{name: "i8_state_tflm", batch: 1, input: 8, units: 4, memory: 4, rank: 1, typ: "i8"},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 27))
			filters := c.units * c.rank
			draw := func(n int, s float64) []float32 {
				v := make([]float32, n)
				for k := range v {
					v[k] = float32((rng.Float64()*2 - 1) * s)
				}
				return v
			}
			// Keep the products inside the integer ranges chosen above.
			w := &svdfWeights{wf: draw(filters*c.input, 0.4), wt: draw(filters*c.memory, 0.3), bias: draw(c.units, 0.2)}
			m, err := Load(c.model(w))
			if err != nil {
				t.Fatal(err)
			}
			s, err := m.NewSession(runtime.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			state := make([]float64, c.batch*filters*c.memory)
			for step := range 5 {
				x := make([]float64, c.batch*c.input)
				switch c.typ {
				case "f32", "hybrid":
					in := f32(s.Input(0))
					for k := range x {
						in[k] = float32(rng.Float64()*2 - 1)
						x[k] = float64(in[k])
					}
				default:
					in := i8(s.Input(0))
					for k := range x {
						in[k] = int8(rng.IntN(256) - 128)
						x[k] = (float64(in[k]) - svdfInZP) * svdfInScale
					}
				}
				if err := s.Run(context.Background()); err != nil {
					t.Fatal(err)
				}
				want := c.ref(w, x, state)
				for k, wv := range want {
					var got, tol float64
					switch c.typ {
					case "f32":
						got, tol = float64(f32(s.Output(0))[k]), 1e-5
					case "hybrid":
						got, tol = float64(f32(s.Output(0))[k]), 0.02
					default:
						// Rounding of the output, and of the state (8-bit
						// state: 1/64 per element over rank×memory terms).
						got = float64(int32(i8(s.Output(0))[k])-svdfOutZP) * svdfOutScale
						wv = min(max(wv, (-128-svdfOutZP)*svdfOutScale), (127-svdfOutZP)*svdfOutScale)
						tol = 1.01 * svdfOutScale
						if c.typ == "i8" {
							tol = 2.01 * svdfOutScale
						}
					}
					if math.Abs(got-wv) > tol {
						t.Fatalf("step %d: output %d = %v, want %v", step, k, got, wv)
					}
				}
			}
		})
	}
}
