package tflite

import (
	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/kernels"
)

func init() { register("SVDF", prepareSVDF) }

// prepareSVDF handles SVDF (inputs: input [batch, input], feature weights
// [filters, input], time weights [filters, memory], optional bias [units],
// state [batch, filters·memory], a variable). SVDFOptions: rank 0, fused
// activation 1, asymmetric_quantize_inputs 2. Float32, hybrid (int8
// feature weights), and integer: int16 time weights and state as TFLite
// computes it, or int8 ones as TFLite Micro does (stock TFLite misreads
// those as int16).
func prepareSVDF(c *opCtx) (kernel, error) {
	if c.numInputs() != 5 {
		return nil, c.invalid("has %d inputs, want 5", c.numInputs())
	}
	if err := c.arity(3, 5, 1); err != nil {
		return nil, err
	}
	if c.input(4) == nil {
		return nil, c.invalid("the state (input 4) is required")
	}
	in, wf, wt, bias, state, out := c.input(0), c.input(1), c.input(2), c.input(3), c.input(4), c.output(0)
	rank := int(c.n.opts.i32(0, 0))
	act, err := c.activation(1)
	if err != nil {
		return nil, err
	}
	if len(in.shape) != 2 || len(wf.shape) != 2 || len(wt.shape) != 2 {
		return nil, c.invalid("input %s, feature weights %s and time weights %s must be 2-D", in, wf, wt)
	}
	batch, input := in.shape[0], in.shape[1]
	filters, memory := wf.shape[0], wt.shape[1]
	if rank <= 0 || filters%rank != 0 {
		return nil, c.invalid("rank %d does not divide the %d filters", rank, filters)
	}
	units := filters / rank
	if wf.shape[1] != input || wt.shape[0] != filters {
		return nil, c.invalid("feature weights %s and time weights %s do not match input %s", wf, wt, in)
	}
	if !wf.isConst() || !wt.isConst() || (bias != nil && !bias.isConst()) {
		return nil, c.unsupported("SVDF weights computed at run time")
	}
	if bias != nil && (len(bias.shape) != 1 || bias.shape[0] != units) {
		return nil, c.invalid("bias %s should hold %d values", bias, units)
	}
	if !state.variable {
		return nil, c.invalid("state %s must be a variable tensor", state)
	}
	if len(state.shape) != 2 || state.shape[0] != batch || state.shape[1] != filters*memory {
		return nil, c.invalid("state %s should be [%d, %d]", state, batch, filters*memory)
	}
	if err := c.settleOutput(0, out.dtype, []int{batch, units}); err != nil {
		return nil, err
	}
	if !sameShape(out.shape, []int{batch, units}) {
		return nil, c.invalid("output %s should be [%d, %d]", out, batch, units)
	}
	s := svdfShape{batch: batch, input: input, filters: filters, memory: memory, rank: rank}
	switch {
	case in.dtype == runtime.Float32 && wf.dtype == runtime.Float32:
		for _, t := range []*tensor{wt, bias, state, out} {
			if t != nil && t.dtype != runtime.Float32 {
				return nil, c.invalid("%s should be float32", t)
			}
		}
		return &svdfF32{s: s, wf: lstmMat{f: kernels.PackF32(f32(wf.data), filters, input, nil)}, wt: f32(wt.data), bias: constF32(bias), act: act}, nil
	case in.dtype == runtime.Float32 && wf.dtype == runtime.Int8:
		return prepareSVDFHybrid(c, s, wf, wt, bias, state, out, act)
	case in.dtype == runtime.Int8 && wf.dtype == runtime.Int8:
		return prepareSVDFQ(c, s, in, wf, wt, bias, state, out)
	}
	return nil, c.unsupported("input %s with feature weights %s", in.dtype, wf.dtype)
}

// svdfShape are the sizes of an SVDF layer.
type svdfShape struct{ batch, input, filters, memory, rank int }

// prepareSVDFHybrid is EvalHybridSVDF: the input rows are quantized to
// int8 on the fly for the feature product; time weights are dequantized at
// load (float32 or int8 with a scale), the rest is float32.
func prepareSVDFHybrid(c *opCtx, s svdfShape, wf, wt, bias, state, out *tensor, act kernels.Activation) (kernel, error) {
	for _, t := range []*tensor{bias, state, out} {
		if t != nil && t.dtype != runtime.Float32 {
			return nil, c.invalid("%s should be float32", t)
		}
	}
	if wf.quant == nil || len(wf.quant.Scale) != 1 || wf.quant.ZeroPoint[0] != 0 {
		return nil, c.unsupported("hybrid feature weights %s without one symmetric scale", wf)
	}
	var wtf []float32
	switch wt.dtype {
	case runtime.Float32:
		wtf = f32(wt.data)
	case runtime.Int8:
		if wt.quant == nil || len(wt.quant.Scale) != 1 {
			return nil, c.unsupported("time weights %s without one scale", wt)
		}
		wtf = make([]float32, wt.numElements())
		for i, v := range i8(wt.data) {
			wtf[i] = float32(v) * wt.scale()
		}
	default:
		return nil, c.unsupported("hybrid SVDF time weights %s", wt)
	}
	scales := make([]float32, s.filters)
	for i := range scales {
		scales[i] = wf.scale()
	}
	h := kernels.NewFullyConnectedHybrid(i8(wf.data), s.filters, s.input, scales, nil, c.n.opts.boolean(2), -maxF32, maxF32)
	return &svdfF32{s: s, wf: lstmMat{h: h}, wt: wtf, bias: constF32(bias), act: act}, nil
}

// svdfF32 is a float32 or hybrid SVDF (EvalFloatSVDF, EvalHybridSVDF).
type svdfF32 struct {
	s    svdfShape
	wf   lstmMat
	wt   []float32
	bias []float32
	act  kernels.Activation
}

func (k *svdfF32) bind(b *binding) step {
	s := &k.s
	in, state, out := f32(b.ins[0]), f32(b.ins[4]), f32(b.outs[0])
	feat := make([]float32, s.batch*s.filters)
	mul := k.wf.bind(s.batch)
	units := s.filters / s.rank
	lo, hi := k.act.FloatRange()
	return func() error {
		copy(state, state[1:])
		mul(in, s.batch, feat)
		for i, v := range feat {
			state[i*s.memory+s.memory-1] = v
		}
		for b := range s.batch {
			st := state[b*s.filters*s.memory:]
			for u := range units {
				var sum float32
				for r := u * s.rank; r < (u+1)*s.rank; r++ {
					var dot float32
					row := st[r*s.memory : (r+1)*s.memory]
					for m, w := range k.wt[r*s.memory : (r+1)*s.memory] {
						dot += w * row[m]
					}
					sum += dot
				}
				if k.bias != nil {
					sum += k.bias[u]
				}
				out[b*units+u] = min(max(sum, lo), hi)
			}
		}
		return nil
	}
}

// prepareSVDFQ is the integer SVDF: int16 time weights and state
// (TFLite; the state's zero point is taken as 0, as TFLite does), or int8
// ones with the state's zero point (TFLite Micro). TFLite applies no fused
// activation on this path.
func prepareSVDFQ(c *opCtx, s svdfShape, in, wf, wt, bias, state, out *tensor) (kernel, error) {
	if out.dtype != runtime.Int8 {
		return nil, c.invalid("output %s should be int8", out)
	}
	if bias != nil && bias.dtype != runtime.Int32 {
		return nil, c.invalid("bias %s should be int32", bias)
	}
	if wt.dtype != state.dtype || (wt.dtype != runtime.Int16 && wt.dtype != runtime.Int8) {
		return nil, c.unsupported("integer SVDF with %s time weights %s and %s state %s (want both int16, or both int8)", wt.dtype, wt, state.dtype, state)
	}
	for _, t := range []*tensor{in, wf, wt, state, out} {
		if t.quant == nil || len(t.quant.Scale) != 1 {
			return nil, c.unsupported("%s without one per-tensor scale", t)
		}
	}
	k := &svdfQ{s: s, q: kernels.SVDFQ{
		Rank: s.rank, Input: s.input, Filters: s.filters, Memory: s.memory,
		WF: i8(wf.data), Bias: constI32(bias),
		InZP: in.zeroPoint(), OutZP: out.zeroPoint(),
		M1: kernels.NewMultiplier(float64(in.scale() * wf.scale() / state.scale())),
		M2: kernels.NewMultiplier(float64(state.scale() * wt.scale() / out.scale())),
	}, wt: wt.data, int8State: wt.dtype == runtime.Int8}
	if k.int8State {
		k.q.StateZP = state.zeroPoint()
	}
	return k, nil
}

// svdfQ is an integer SVDF.
type svdfQ struct {
	s         svdfShape
	q         kernels.SVDFQ
	wt        []byte
	int8State bool
}

func (k *svdfQ) bind(b *binding) step {
	in, state, out := i8(b.ins[0]), b.ins[4], i8(b.outs[0])
	scratch, acc := make([]int32, k.s.filters), make([]int32, k.s.filters/k.s.rank)
	if k.int8State {
		wt, st := i8(k.wt), i8(state)
		return func() error {
			kernels.SVDFQRun(&k.q, wt, in, st, out, scratch, acc, k.s.batch)
			return nil
		}
	}
	wt, st := i16(k.wt), i16(state)
	return func() error {
		kernels.SVDFQRun(&k.q, wt, in, st, out, scratch, acc, k.s.batch)
		return nil
	}
}
