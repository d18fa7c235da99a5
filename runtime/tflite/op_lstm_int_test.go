package tflite

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/edgeinfer/edgeinfer/runtime"
)

// The integer LSTM's variants that tflm_mnist_lstm_int8 (plain, no
// peephole, projection or layer norm) does not cover, against the float64
// reference on the dequantized weights.

// Quantization of the integer LSTM test models.
const (
	lstmQInScale   = 1.0 / 64 // int8 input, zero point 3
	lstmQInZP      = 3
	lstmQCellLog2  = -11 // int16 cell state, range ±16
	lstmQHidden    = 1.0 / 128
	lstmQProjScale = 1.0 / 64
)

// intModel builds the case as an 8x8_16 integer LSTM. w's weights are
// replaced by their dequantized values.
func (c lstmCase) intModel(w lstmWeights) []byte {
	nIn := 20
	if c.ln {
		nIn = 24
	}
	quant := func(s float64, zp int64) fbt { return fbt{2: []float32{float32(s)}, 3: []int64{zp}} }
	inShape := []int32{int32(c.batch), int32(c.time), int32(c.input)}
	outScale := lstmQHidden
	if c.proj {
		outScale = lstmQProjScale
	}
	tm := testModel{tensors: []testTensor{{name: "x", typ: tensorInt8, shape: inShape, quant: quant(lstmQInScale, lstmQInZP)}}, inputs: []int32{0}}
	ins := make([]int32, nIn)
	for i := range ins {
		ins[i] = -1
	}
	ins[0] = 0
	add := func(pos int, t testTensor) {
		ins[pos] = int32(len(tm.tensors))
		tm.tensors = append(tm.tensors, t)
	}
	sym := func(pos int, shape []int32, typ int8, lim float64, size int) float32 {
		q, s, d := quantSym(w[pos], lim)
		copy(w[pos], d)
		add(pos, testTensor{typ: typ, shape: shape, data: bytesOf(q, size), quant: quant(float64(s), 0)})
		return s
	}
	lnScale := map[int]float32{}
	gateScale := map[int]float32{}
	for g := range 4 {
		if g == gateInput && c.cifg {
			continue
		}
		gateScale[g] = sym(lstmFull.w[g], []int32{int32(c.cell), int32(c.input)}, tensorInt8, 127, 1)
		sym(lstmFull.r[g], []int32{int32(c.cell), int32(c.out)}, tensorInt8, 127, 1)
		if c.peep && g != gateCell {
			sym(lstmFull.peep[g], []int32{int32(c.cell)}, tensorInt16, 32767, 2)
		}
		if c.ln {
			lnScale[g] = sym(lstmFull.ln[g], []int32{int32(c.cell)}, tensorInt16, 32767, 2)
		}
	}
	for g, ws := range gateScale {
		// Bias: in product units without layer norm, else in the layer
		// norm's (its scale / 1024).
		bs := float64(ws) * lstmQInScale
		if c.ln {
			bs = float64(lnScale[g]) / 1024
		}
		v := w[lstmFull.bias[g]]
		q := make([]int32, len(v))
		for i, x := range v {
			q[i] = int32(math.Round(float64(x) / bs))
			v[i] = float32(float64(q[i]) * bs)
		}
		add(lstmFull.bias[g], testTensor{typ: tensorInt32, shape: []int32{int32(c.cell)}, data: bytesOf(q, 4), quant: quant(bs, 0)})
	}
	if c.proj {
		ps := sym(lstmFull.proj, []int32{int32(c.out), int32(c.cell)}, tensorInt8, 127, 1)
		bs := float64(ps) * lstmQHidden
		v := w[lstmFull.projBias]
		q := make([]int32, len(v))
		for i, x := range v {
			q[i] = int32(math.Round(float64(x) / bs))
			v[i] = float32(float64(q[i]) * bs)
		}
		add(lstmFull.projBias, testTensor{typ: tensorInt32, shape: []int32{int32(c.out)}, data: bytesOf(q, 4), quant: quant(bs, 0)})
	}
	add(lstmFull.h, testTensor{typ: tensorInt8, shape: []int32{int32(c.batch), int32(c.out)}, quant: quant(outScale, 0)})
	add(lstmFull.c, testTensor{typ: tensorInt16, shape: []int32{int32(c.batch), int32(c.cell)}, quant: quant(math.Ldexp(1, lstmQCellLog2), 0)})
	var inters []int32
	for range 4 {
		inters = append(inters, int32(len(tm.tensors)))
		tm.tensors = append(tm.tensors, testTensor{typ: tensorInt16, shape: []int32{0}, quant: quant(math.Ldexp(1, -12), 0)})
	}
	inters = append(inters, int32(len(tm.tensors)))
	tm.tensors = append(tm.tensors, testTensor{typ: tensorInt8, shape: []int32{0}, quant: quant(lstmQHidden, 0)})
	outShape := append([]int32(nil), inShape...)
	outShape[2] = int32(c.out)
	tm.tensors = append(tm.tensors, testTensor{name: "y", typ: tensorInt8, shape: outShape, quant: quant(outScale, 0)})
	y := int32(len(tm.tensors) - 1)
	tm.outputs = []int32{y}
	tm.ops = []testOp{{builtin: 44, ins: ins, outs: []int32{y}, opts: fbt{0: uint8(4), 1: c.cellClip, 2: c.projClip}}}
	root := tm.root()
	sg := subgraph(root)
	sg[0].([]fbt)[ins[lstmFull.h]][5] = true
	sg[0].([]fbt)[ins[lstmFull.c]][5] = true
	sg[3].([]fbt)[0][8] = inters
	return buildFB("TFL3", root)
}

func TestIntegerLSTMVariants(t *testing.T) {
	cases := []lstmCase{
		{name: "plain_batch2", batch: 2, time: 4, input: 3, cell: 4, out: 4},
		{name: "cifg_peephole_clip", batch: 1, time: 4, input: 3, cell: 4, out: 4, cifg: true, peep: true, cellClip: 1.5},
		{name: "projection", batch: 1, time: 4, input: 4, cell: 5, out: 3, proj: true, projClip: 1},
		{name: "layer_norm", batch: 1, time: 3, input: 3, cell: 4, out: 4, ln: true},
		{name: "layer_norm_cifg_peephole_projection", batch: 2, time: 3, input: 3, cell: 4, out: 2, ln: true, cifg: true, peep: true, proj: true},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(i), 44))
			w := c.weights(rng)
			m, err := Load(c.intModel(w))
			if err != nil {
				t.Fatal(err)
			}
			s, err := m.NewSession(runtime.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			outScale := lstmQHidden
			if c.proj {
				outScale = lstmQProjScale
			}
			h, cs := make([]float64, c.batch*c.out), make([]float64, c.batch*c.cell)
			worst := 0.0
			for range 2 {
				xq := i8(s.Input(0))
				x := make([]float32, len(xq))
				for k := range xq {
					xq[k] = int8(rng.IntN(128) - 64)
					x[k] = float32((float64(xq[k]) - lstmQInZP) * lstmQInScale)
				}
				if err := s.Run(context.Background()); err != nil {
					t.Fatal(err)
				}
				want := c.ref(w, x, h, cs)
				for k, v := range i8(s.Output(0)) {
					worst = max(worst, math.Abs(float64(v)*outScale-want[k])/outScale)
				}
			}
			// Rounding of the output and of the states re-quantized every
			// step (measured: under 0.7 steps).
			if worst > 1.5 {
				t.Errorf("worst difference %.2f output steps, want at most 1.5", worst)
			}
		})
	}
}
