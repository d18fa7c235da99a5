package tflite

import (
	"github.com/edgeinfer/edgeinfer/runtime"
)

func init() { register("BIDIRECTIONAL_SEQUENCE_LSTM", prepareBidiLSTM) }

// The two directions' tensors of BIDIRECTIONAL_SEQUENCE_LSTM (48 inputs;
// 39 to 47 are the auxiliary input and its weights).
var (
	lstmBidiFw = lstmTensors{
		w: [4]int{1, 2, 3, 4}, r: [4]int{5, 6, 7, 8}, peep: [4]int{9, 10, -1, 11},
		bias: [4]int{12, 13, 14, 15}, proj: 16, projBias: 17, h: 35, c: 36,
		ln: [4]int{-1, -1, -1, -1},
	}
	lstmBidiBw = lstmTensors{
		w: [4]int{18, 19, 20, 21}, r: [4]int{22, 23, 24, 25}, peep: [4]int{26, 27, -1, 28},
		bias: [4]int{29, 30, 31, 32}, proj: 33, projBias: 34, h: 37, c: 38,
		ln: [4]int{-1, -1, -1, -1},
	}
)

// prepareBidiLSTM reads BidirectionalSequenceLSTMOptions: activation 0,
// cell_clip 1, proj_clip 2, merge_outputs 3, time_major 4 (default true),
// asymmetric_quantize_inputs 5. The forward direction runs over time, the
// backward one from the last step to the first; with merge_outputs one
// output holds both (forward first), else each has its own. Float32 and
// hybrid, as in TFLite; the auxiliary input is not supported.
func prepareBidiLSTM(c *opCtx) (kernel, error) {
	if c.numInputs() != 48 {
		return nil, c.invalid("has %d inputs, want 48", c.numInputs())
	}
	merge := c.n.opts.boolean(3)
	outs := 2
	if merge {
		outs = 1
	}
	if err := c.arity(1, 48, outs); err != nil {
		return nil, err
	}
	for i := 39; i < 48; i++ {
		if c.input(i) != nil {
			return nil, c.unsupported("auxiliary input (input %d)", i)
		}
	}
	opts, err := readLSTMOptions(c)
	if err != nil {
		return nil, err
	}
	in := c.input(0)
	if len(in.shape) != 3 {
		return nil, c.invalid("input %s must be 3-D", in)
	}
	timeMajor := c.n.opts.u8(4, 1) != 0
	d := lstmDims{batch: in.shape[0], time: in.shape[1], input: in.shape[2], timeMajor: timeMajor}
	if timeMajor {
		d.batch, d.time = d.time, d.batch
	}
	fw, err := readLSTMCell(c, lstmBidiFw, in, d)
	if err != nil {
		return nil, err
	}
	bd := d
	bd.reverse = true
	bw, err := readLSTMCell(c, lstmBidiBw, in, bd)
	if err != nil {
		return nil, err
	}
	shape := func(n int) []int {
		s := append([]int(nil), in.shape...)
		s[2] = n
		return s
	}
	if merge {
		fw.d.outStride = fw.d.output + bw.d.output
		bw.d.outStride, bw.d.outOff = fw.d.outStride, fw.d.output
		if err := c.settleOutput(0, in.dtype, shape(fw.d.outStride)); err != nil {
			return nil, err
		}
		fw.out, bw.out = c.output(0), c.output(0)
	} else {
		fw.d.outStride, bw.d.outStride = fw.d.output, bw.d.output
		for i, n := range []int{fw.d.output, bw.d.output} {
			if err := c.settleOutput(i, in.dtype, shape(n)); err != nil {
				return nil, err
			}
		}
		fw.out, bw.out = c.output(0), c.output(1)
	}
	for _, l := range []*lstmCell{fw, bw} {
		if !sameShape(l.out.shape, shape(l.d.outStride)) || l.out.dtype != runtime.Float32 {
			return nil, c.invalid("output %s should be float32%v", l.out, shape(l.d.outStride))
		}
	}
	if in.dtype != runtime.Float32 {
		return nil, c.unsupported("input %s (TFLite's bidirectional LSTM is float32 or hybrid)", in)
	}
	k := &lstmBidi{merge: merge}
	for i, l := range []*lstmCell{fw, bw} {
		var dk kernel
		switch wt := l.w[gateOutput].dtype; wt {
		case runtime.Float32:
			dk, err = newLSTMF32(c, l, opts)
		case runtime.Int8:
			dk, err = newLSTMHybrid(c, l, opts, c.n.opts.boolean(5))
		default:
			return nil, c.unsupported("weights %s", wt)
		}
		if err != nil {
			return nil, err
		}
		k.dir[i] = dk.(*lstmF32)
	}
	return k, nil
}

// lstmBidi runs the forward then the backward direction.
type lstmBidi struct {
	dir   [2]*lstmF32
	merge bool
}

func (k *lstmBidi) bind(b *binding) step {
	bwOut := b.outs[0]
	if !k.merge {
		bwOut = b.outs[1]
	}
	fw := k.dir[0].bindDir(b.ins[0], b.ins[lstmBidiFw.h], b.ins[lstmBidiFw.c], b.outs[0])
	bw := k.dir[1].bindDir(b.ins[0], b.ins[lstmBidiBw.h], b.ins[lstmBidiBw.c], bwOut)
	return func() error {
		if err := fw(); err != nil {
			return err
		}
		return bw()
	}
}
