package tflite

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/runtime"
)

// LiteRT refuses models with variable tensors, so the LSTM variants that
// the conformance models (tflm_mnist_lstm_*) do not cover are checked
// against lstmRef, a float64 evaluation written from the operator's
// definition (TFLite's lstm_eval: gates i, f, g, o; peephole, layer norm,
// CIFG, projection, clipping).

// lstmCase is one LSTM configuration.
type lstmCase struct {
	name                          string
	batch, time, input, cell, out int
	cifg, peep, proj, ln          bool
	timeMajor                     bool
	cellClip, projClip            float32
	hybrid, asymmetric            bool
}

// lstmWeights are the constants of one LSTM, by input position.
type lstmWeights map[int][]float32

func (c lstmCase) weights(rng *rand.Rand) lstmWeights {
	w := lstmWeights{}
	draw := func(pos, n int, scale float64) {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32((rng.Float64()*2 - 1) * scale)
		}
		w[pos] = v
	}
	for g := range 4 {
		if g == gateInput && c.cifg {
			continue
		}
		draw(lstmFull.w[g], c.cell*c.input, 0.6)
		draw(lstmFull.r[g], c.cell*c.out, 0.6)
		draw(lstmFull.bias[g], c.cell, 0.3)
		if c.peep && g != gateCell {
			draw(lstmFull.peep[g], c.cell, 0.5)
		}
		if c.ln {
			draw(lstmFull.ln[g], c.cell, 1)
		}
	}
	if c.proj {
		draw(lstmFull.proj, c.out*c.cell, 0.6)
		draw(lstmFull.projBias, c.out, 0.2)
	}
	return w
}

// model builds a one-operator UNIDIRECTIONAL_SEQUENCE_LSTM model; hybrid
// weights are quantized symmetrically per tensor, and w is replaced by
// their dequantized values, which the reference then uses.
func (c lstmCase) model(w lstmWeights) []byte {
	nIn := 20
	if c.ln {
		nIn = 24
	}
	inShape := []int32{int32(c.batch), int32(c.time), int32(c.input)}
	if c.timeMajor {
		inShape[0], inShape[1] = inShape[1], inShape[0]
	}
	outShape := append([]int32(nil), inShape...)
	outShape[2] = int32(c.out)
	tm := testModel{tensors: []testTensor{{name: "x", typ: tensorFloat32, shape: inShape}}, inputs: []int32{0}}
	ins := make([]int32, nIn)
	for i := range ins {
		ins[i] = -1
	}
	ins[0] = 0
	isWeight := map[int]bool{lstmFull.proj: true}
	for g := range 4 {
		isWeight[lstmFull.w[g]], isWeight[lstmFull.r[g]] = true, true
		if lstmFull.peep[g] >= 0 {
			isWeight[lstmFull.peep[g]] = true
		}
	}
	for pos := range nIn {
		v, ok := w[pos]
		if !ok {
			continue
		}
		shape := []int32{int32(len(v))}
		switch {
		case pos == lstmFull.proj:
			shape = []int32{int32(c.out), int32(c.cell)}
		case pos >= 1 && pos <= 4:
			shape = []int32{int32(c.cell), int32(c.input)}
		case pos >= 5 && pos <= 8:
			shape = []int32{int32(c.cell), int32(c.out)}
		}
		t := testTensor{name: "w", typ: tensorFloat32, shape: shape, data: f32bytes(v...)}
		if c.hybrid && isWeight[pos] {
			var m float64
			for _, x := range v {
				m = max(m, math.Abs(float64(x)))
			}
			s := float32(m / 127)
			q := make([]byte, len(v))
			for i, x := range v {
				k := int8(math.Round(float64(x / s)))
				q[i], v[i] = byte(k), float32(k)*s
			}
			t = testTensor{name: "w", typ: tensorInt8, shape: shape, data: q, quant: fbt{2: []float32{s}, 3: []int64{0}}}
		}
		ins[pos] = int32(len(tm.tensors))
		tm.tensors = append(tm.tensors, t)
	}
	ins[lstmFull.h] = int32(len(tm.tensors))
	tm.tensors = append(tm.tensors, testTensor{name: "h", typ: tensorFloat32, shape: []int32{int32(c.batch), int32(c.out)}})
	ins[lstmFull.c] = int32(len(tm.tensors))
	tm.tensors = append(tm.tensors, testTensor{name: "c", typ: tensorFloat32, shape: []int32{int32(c.batch), int32(c.cell)}})
	tm.tensors = append(tm.tensors, testTensor{name: "y", typ: tensorFloat32, shape: outShape})
	y := int32(len(tm.tensors) - 1)
	tm.outputs = []int32{y}
	tm.ops = []testOp{{builtin: 44, ins: ins, outs: []int32{y}, opts: fbt{0: uint8(4), 1: c.cellClip, 2: c.projClip, 3: c.timeMajor, 4: c.asymmetric}}}
	root := tm.root()
	sg := subgraph(root)
	sg[0].([]fbt)[ins[lstmFull.h]][5] = true
	sg[0].([]fbt)[ins[lstmFull.c]][5] = true
	return buildFB("TFL3", root)
}

// lstmRef runs the LSTM in float64 over x (layout as the case's input),
// continuing from the states h and c, which it updates.
func (c lstmCase) ref(w lstmWeights, x []float32, h, cs []float64) []float64 {
	out := make([]float64, c.batch*c.time*c.out)
	sig := func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }
	clip := func(v float64, lim float32) float64 {
		if lim > 0 {
			return math.Max(-float64(lim), math.Min(float64(lim), v))
		}
		return v
	}
	for b := range c.batch {
		hb, cb := h[b*c.out:(b+1)*c.out], cs[b*c.cell:(b+1)*c.cell]
		for t := range c.time {
			row := b*c.time + t
			if c.timeMajor {
				row = t*c.batch + b
			}
			xr := x[row*c.input : (row+1)*c.input]
			var gate [4][]float64
			for g := range 4 {
				if g == gateInput && c.cifg {
					continue
				}
				v := make([]float64, c.cell)
				for j := range v {
					var s float64
					for i, xv := range xr {
						s += float64(w[lstmFull.w[g]][j*c.input+i]) * float64(xv)
					}
					for i, hv := range hb {
						s += float64(w[lstmFull.r[g]][j*c.out+i]) * hv
					}
					if c.peep && (g == gateInput || g == gateForget) {
						s += float64(w[lstmFull.peep[g]][j]) * cb[j]
					}
					if !c.ln {
						s += float64(w[lstmFull.bias[g]][j])
					}
					v[j] = s
				}
				gate[g] = v
			}
			norm := func(g int) {
				if !c.ln {
					return
				}
				v := gate[g]
				var mean, sq float64
				for _, x := range v {
					mean += x
				}
				mean /= float64(len(v))
				for _, x := range v {
					sq += (x - mean) * (x - mean)
				}
				inv := 1 / math.Sqrt(sq/float64(len(v))+1e-8)
				for j := range v {
					v[j] = (v[j]-mean)*inv*float64(w[lstmFull.ln[g]][j]) + float64(w[lstmFull.bias[g]][j])
				}
			}
			for _, g := range []int{gateInput, gateForget, gateCell} {
				if gate[g] == nil {
					continue
				}
				norm(g)
				for j, v := range gate[g] {
					if g == gateCell {
						gate[g][j] = math.Tanh(v)
					} else {
						gate[g][j] = sig(v)
					}
				}
			}
			for j := range cb {
				in := 1 - gate[gateForget][j]
				if !c.cifg {
					in = gate[gateInput][j]
				}
				cb[j] = clip(gate[gateForget][j]*cb[j]+in*gate[gateCell][j], c.cellClip)
			}
			o := gate[gateOutput]
			if c.peep {
				for j := range o {
					o[j] += float64(w[lstmFull.peep[gateOutput]][j]) * cb[j]
				}
			}
			norm(gateOutput)
			hidden := make([]float64, c.cell)
			for j := range o {
				hidden[j] = sig(o[j]) * math.Tanh(cb[j])
			}
			if c.proj {
				for r := range hb {
					s := float64(w[lstmFull.projBias][r])
					for j, v := range hidden {
						s += float64(w[lstmFull.proj][r*c.cell+j]) * v
					}
					hb[r] = clip(s, c.projClip)
				}
			} else {
				copy(hb, hidden)
			}
			copy(out[row*c.out:(row+1)*c.out], hb)
		}
	}
	return out
}

// TestLSTMVariants runs each configuration for three calls of one session
// (the state carries over) against the float64 reference.
func TestLSTMVariants(t *testing.T) {
	cases := []lstmCase{
		{name: "plain", batch: 1, time: 4, input: 3, cell: 4, out: 4},
		{name: "batch2_clip", batch: 2, time: 3, input: 3, cell: 5, out: 5, cellClip: 0.4},
		{name: "time_major", batch: 2, time: 3, input: 2, cell: 3, out: 3, timeMajor: true},
		{name: "cifg_peephole", batch: 2, time: 3, input: 3, cell: 4, out: 4, cifg: true, peep: true},
		{name: "peephole_projection", batch: 1, time: 3, input: 3, cell: 5, out: 3, peep: true, proj: true, projClip: 0.3},
		{name: "layer_norm", batch: 2, time: 2, input: 3, cell: 4, out: 4, ln: true, peep: true},
		{name: "layer_norm_cifg_projection", batch: 1, time: 3, input: 4, cell: 4, out: 2, ln: true, cifg: true, proj: true},
		{name: "hybrid", batch: 2, time: 3, input: 3, cell: 4, out: 4, hybrid: true},
		{name: "hybrid_asymmetric_peephole_projection", batch: 1, time: 3, input: 3, cell: 5, out: 3, hybrid: true, asymmetric: true, peep: true, proj: true},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 11))
			w := c.weights(rng)
			m, err := Load(c.model(w))
			if err != nil {
				t.Fatal(err)
			}
			if !m.Stateful() {
				t.Error("an LSTM reports no state")
			}
			s, err := m.NewSession(runtime.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			h, cs := make([]float64, c.batch*c.out), make([]float64, c.batch*c.cell)
			// Hybrid products quantize their inputs to 8 bits per row.
			tol := 2e-5
			if c.hybrid {
				tol = 0.05
			}
			for run := range 3 {
				x := make([]float32, c.batch*c.time*c.input)
				for k := range x {
					x[k] = float32(rng.Float64()*2 - 1)
				}
				copy(f32(s.Input(0)), x)
				if err := s.Run(context.Background()); err != nil {
					t.Fatal(err)
				}
				want := c.ref(w, x, h, cs)
				got := f32(s.Output(0))
				for k := range want {
					if d := math.Abs(float64(got[k]) - want[k]); d > tol {
						t.Fatalf("run %d: output %d = %v, want %v (|diff| %.2g)", run, k, got[k], want[k], d)
					}
				}
			}
			// ResetState starts the stream again from zero state.
			s.(*Session).ResetState()
			clear(h)
			clear(cs)
			x := make([]float32, c.batch*c.time*c.input)
			copy(f32(s.Input(0)), x)
			if err := s.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			want := c.ref(w, x, h, cs)
			for k, g := range f32(s.Output(0)) {
				if d := math.Abs(float64(g) - want[k]); d > tol {
					t.Fatalf("after ResetState: output %d = %v, want %v", k, g, want[k])
				}
			}
		})
	}
}

// TestLSTMHostileLength refuses at load a sequence whose gate products
// would take more memory than a tensor may.
func TestLSTMHostileLength(t *testing.T) {
	c := lstmCase{batch: 1, time: 1<<20 + 1, input: 1, cell: 64, out: 64}
	_, err := Load(c.model(c.weights(rand.New(rand.NewPCG(1, 1)))))
	if !errors.Is(err, runtime.ErrUnsupported) || !strings.Contains(err.Error(), "gate memory") {
		t.Errorf("load: %v, want the sequence refused", err)
	}
}
