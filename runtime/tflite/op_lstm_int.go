package tflite

import (
	"math"

	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/kernels"
)

// newLSTMQ prepares TFLite's integer LSTM (int8 input, weights and output
// state, int16 cell state; PopulateQuantizedLstmParams8x8_16 and
// PopulatePrecomputedZPTimesWeightsWithBias). The scale products are
// computed in float32, as TFLite does, before they become multipliers.
func newLSTMQ(c *opCtx, l *lstmCell, o lstmOptions) (kernel, error) {
	if len(c.n.intermediates) != 5 {
		return nil, c.unsupported("integer LSTM with %d intermediate tensors (want 5: the 8x8_16 kernel)", len(c.n.intermediates))
	}
	inter := make([]*tensor, 5)
	for i, x := range c.n.intermediates {
		inter[i] = c.m.tensors[x]
	}
	if l.h.dtype != runtime.Int8 || l.c.dtype != runtime.Int16 {
		return nil, c.unsupported("integer LSTM with %s output state and %s cell state (want int8 and int16)", l.h.dtype, l.c.dtype)
	}
	perTensor := func(t *tensor, dt runtime.DType) error {
		if t == nil {
			return nil
		}
		if t.dtype != dt {
			return c.invalid("%s should be %s", t, dt)
		}
		if dt == runtime.Int32 {
			return nil
		}
		if t.quant == nil || len(t.quant.Scale) != 1 {
			return c.unsupported("%s without one per-tensor scale", t)
		}
		if dt != runtime.Int8 || t == l.in || t == l.h || t == l.out {
			return nil
		}
		if t.quant.ZeroPoint[0] != 0 {
			return c.unsupported("weights %s with zero point %d", t, t.quant.ZeroPoint[0])
		}
		return nil
	}
	for _, t := range []*tensor{l.in, l.h, l.out, l.proj} {
		if err := perTensor(t, runtime.Int8); err != nil {
			return nil, err
		}
	}
	if err := perTensor(l.c, runtime.Int16); err != nil {
		return nil, err
	}
	if err := perTensor(l.projBias, runtime.Int32); err != nil {
		return nil, err
	}
	if l.diag {
		return nil, c.unsupported("integer LSTM with diagonal recurrent weights")
	}
	for g := range 4 {
		for _, t := range []*tensor{l.w[g], l.r[g]} {
			if err := perTensor(t, runtime.Int8); err != nil {
				return nil, err
			}
		}
		for _, t := range []*tensor{l.peep[g], l.ln[g]} {
			if err := perTensor(t, runtime.Int16); err != nil {
				return nil, err
			}
		}
		if err := perTensor(l.bias[g], runtime.Int32); err != nil {
			return nil, err
		}
	}

	// Intermediate scales: the gates are Q3.12 without layer norm.
	interScale := [5]float32{}
	interZP := [5]int32{}
	for i := range 4 {
		interScale[i] = float32(math.Ldexp(1, -12))
		if l.layerNrm {
			if inter[i].quant == nil {
				return nil, c.invalid("intermediate %s has no quantization", inter[i])
			}
			interScale[i], interZP[i] = inter[i].scale(), inter[i].zeroPoint()
		}
	}
	if inter[4].quant == nil {
		return nil, c.invalid("hidden-state intermediate %s has no quantization", inter[4])
	}
	interScale[4], interZP[4] = inter[4].scale(), inter[4].zeroPoint()

	cellLog2 := math.Log(float64(l.c.scale())) * (1 / math.Log(2))
	cellShift := math.Round(float64(float32(cellLog2)))
	if math.Abs(float64(float32(cellLog2))-cellShift) >= 1e-3 {
		return nil, c.unsupported("cell state %s scale %v is not a power of two", l.c, l.c.scale())
	}
	if cellShift < -15 || cellShift > -9 {
		// TFLite's tanh of the cell state takes 0 to 6 integer bits.
		return nil, c.unsupported("cell state %s scale 2^%d (TFLite takes 2^-15 to 2^-9)", l.c, int(cellShift))
	}
	k := &lstmQ{d: l.d, q: kernels.LSTMQ{
		Input: l.d.input, Cell: l.d.cell, Out: l.d.output,
		CellShift: int(cellShift),
		HiddenZP:  interZP[4],
		OutZP:     l.h.zeroPoint(),
	}, inZP: l.in.zeroPoint(), hZP: l.h.zeroPoint()}
	if o.cellClip > 0 {
		k.q.CellClip = int16(min(max(o.cellClip/l.c.scale(), -32768), 32767))
	}
	if o.projClip > 0 {
		k.q.ProjClip = int8(min(max(o.projClip/l.out.scale(), -128), 127))
	}
	inScale, hScale := l.in.scale(), l.h.scale()
	cellPOT := math.Ldexp(1, int(cellShift))
	for _, g := range l.present() {
		p := &kernels.LSTMGateQ{W: i8(l.w[g].data), R: i8(l.r[g].data)}
		var bias []int32
		if !l.layerNrm {
			bias = i32(l.bias[g].data)
		}
		p.WBias = zpTimesWeights(p.W, l.d.cell, l.d.input, -k.inZP, bias)
		p.RBias = zpTimesWeights(p.R, l.d.cell, l.d.output, -k.hZP, nil)
		p.WM = kernels.NewMultiplier(float64(l.w[g].scale() * inScale / interScale[g]))
		p.RM = kernels.NewMultiplier(float64(l.r[g].scale() * hScale / interScale[g]))
		if t := l.peep[g]; t != nil {
			p.Peep = i16(t.data)
			p.PeepM = kernels.NewMultiplier(float64(float32(cellPOT * float64(t.scale()) / float64(interScale[g]))))
		}
		lnScale := float32(1)
		if l.layerNrm {
			p.LN, p.LNBias = i16(l.ln[g].data), i32(l.bias[g].data)
			lnScale = l.ln[g].scale()
		}
		p.LNM = kernels.NewMultiplier(float64(lnScale))
		p.LNGuard = max(1, int32(10000*lnScale))
		k.q.Gates[g] = p
	}
	k.q.Hidden = kernels.NewMultiplier(float64(float32(math.Ldexp(1, -15) / float64(interScale[4]) * math.Ldexp(1, -15))))
	if l.proj != nil {
		k.q.Proj = i8(l.proj.data)
		var pb []int32
		if l.projBias != nil {
			pb = i32(l.projBias.data)
		}
		k.q.ProjBias = zpTimesWeights(k.q.Proj, l.d.output, l.d.cell, interZP[4], pb)
		k.q.ProjM = kernels.NewMultiplier(float64(l.proj.scale() * interScale[4] / hScale))
	}
	return k, nil
}

// zpTimesWeights returns bias + zp·(row sums of w), w being rows×cols
// (PrecomputeZeroPointTimesWeightWithBias); bias may be nil.
func zpTimesWeights(w []int8, rows, cols int, zp int32, bias []int32) []int32 {
	out := make([]int32, rows)
	copy(out, bias)
	if zp == 0 {
		return out
	}
	for r := range rows {
		var s int32
		for _, v := range w[r*cols : (r+1)*cols] {
			s += int32(v)
		}
		out[r] += s * zp
	}
	return out
}

// lstmQ is an integer LSTM direction.
type lstmQ struct {
	d         lstmDims
	q         kernels.LSTMQ
	inZP, hZP int32
}

func (k *lstmQ) bind(b *binding) step {
	lt := lstmFull
	return k.bindDir(b.ins[0], b.ins[lt.h], b.ins[lt.c], b.outs[0])
}

func (k *lstmQ) bindDir(in, h, c, out []byte) step {
	x, hs, cs, o := i8(in), i8(h), i16(c), i8(out)
	s := k.q.NewScratch()
	d := &k.d
	return func() error {
		for b := range d.batch {
			hb, cb := hs[b*d.output:(b+1)*d.output], cs[b*d.cell:(b+1)*d.cell]
			for t := range d.time {
				row := d.row(b, t)
				o0 := row*d.outStride + d.outOff
				k.q.Step(x[row*d.input:(row+1)*d.input], hb, cb, o[o0:o0+d.output], s)
			}
		}
		return nil
	}
}

// newLSTMHybrid prepares a dynamic-range LSTM (EvalHybrid): float32 input,
// states and output, int8 weights with one scale each; every matrix
// product quantizes its input rows to int8 on the fly, symmetrically or,
// with asymmetric_quantize_inputs, asymmetrically. Peephole weights are
// dequantized at load; the rest is the float32 cell.
func newLSTMHybrid(c *opCtx, l *lstmCell, o lstmOptions, asymmetric bool) (kernel, error) {
	for _, t := range []*tensor{l.h, l.c, l.projBias} {
		if t != nil && t.dtype != runtime.Float32 {
			return nil, c.invalid("%s should be float32", t)
		}
	}
	weight := func(t *tensor) (float32, error) {
		if t.dtype != runtime.Int8 {
			return 0, c.unsupported("hybrid LSTM weights %s (want int8)", t)
		}
		if t.quant == nil || len(t.quant.Scale) != 1 || t.quant.ZeroPoint[0] != 0 {
			return 0, c.unsupported("hybrid LSTM weights %s without one symmetric scale", t)
		}
		return t.scale(), nil
	}
	k := &lstmF32{d: l.d, gates: l.present(), act: o.act, cellClip: o.cellClip, projClip: o.projClip}
	nc := l.d.cell
	stack := func(ts [4]*tensor, bias [4]*tensor, cols int) (*kernels.FullyConnectedHybrid, error) {
		var w []int8
		var scales, b []float32
		for _, g := range k.gates {
			s, err := weight(ts[g])
			if err != nil {
				return nil, err
			}
			w = append(w, i8(ts[g].data)...)
			for range nc {
				scales = append(scales, s)
			}
			if bias[g] != nil {
				b = append(b, f32(bias[g].data)...)
			} else {
				b = append(b, make([]float32, nc)...)
			}
		}
		return kernels.NewFullyConnectedHybrid(w, len(k.gates)*nc, cols, scales, b, asymmetric, -maxF32, maxF32), nil
	}
	for i, g := range k.gates {
		k.pos[g] = i * nc
		for _, t := range []*tensor{l.bias[g], l.ln[g]} {
			if t != nil && t.dtype != runtime.Float32 {
				return nil, c.invalid("%s should be float32", t)
			}
		}
		if p := l.peep[g]; p != nil {
			s, err := weight(p)
			if err != nil {
				return nil, err
			}
			k.peep[g] = make([]float32, nc)
			for j, v := range i8(p.data) {
				k.peep[g][j] = float32(v) * s
			}
		}
		if l.layerNrm {
			k.ln[g], k.lnB[g] = f32(l.ln[g].data), f32(l.bias[g].data)
		}
	}
	if l.diag {
		return nil, c.unsupported("hybrid LSTM with diagonal recurrent weights")
	}
	bias := l.bias
	if l.layerNrm {
		bias = [4]*tensor{}
	}
	var err error
	if k.w.h, err = stack(l.w, bias, l.d.input); err != nil {
		return nil, err
	}
	if k.r.h, err = stack(l.r, [4]*tensor{}, l.d.output); err != nil {
		return nil, err
	}
	if l.proj != nil {
		s, err := weight(l.proj)
		if err != nil {
			return nil, err
		}
		scales := make([]float32, l.d.output)
		for i := range scales {
			scales[i] = s
		}
		k.proj.h = kernels.NewFullyConnectedHybrid(i8(l.proj.data), l.d.output, nc, scales, constF32(l.projBias), asymmetric, -maxF32, maxF32)
	}
	return k, nil
}
