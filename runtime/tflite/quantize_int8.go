package tflite

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/edgeinfer/edgeinfer/runtime"
)

// ErrNotQuantizable is returned by QuantizeInt8 for a model with an
// operator (or a tensor) it cannot turn into integer arithmetic.
var ErrNotQuantizable = errors.New("tflite: not quantizable to int8")

// Int8Options are the choices of QuantizeInt8. The zero value keeps the
// model's inputs and outputs float32.
type Int8Options struct {
	// IntIO makes the model's inputs and outputs int8 themselves, with no
	// QUANTIZE and DEQUANTIZE at the edges.
	IntIO bool
}

// int8Rule says how QuantizeInt8 treats an operator: the version TFLite's
// converter writes for its int8 form, and how its output's quantization
// is chosen.
type int8Rule struct {
	version int32
	out     outRule
	weights int32 // axis of per-channel weights (input 1), -1 for none
}

type outRule int

const (
	outObserved outRule = iota // from the ranges seen in calibration
	outAsInput                 // the same as input 0 (TFLite requires it)
	outSoftmax                 // 1/256, -128
	outTanh                    // 1/128, 0
	outShared                  // observed; every input requantized to it
)

var int8Rules = map[int32]int8Rule{
	biConv2D:         {3, outObserved, 0},
	biDepthwise:      {3, outObserved, 3},
	biFullyConnected: {4, outObserved, 0},
	biAdd:            {2, outObserved, -1},
	biSub:            {2, outObserved, -1},
	biMul:            {2, outObserved, -1},
	biMean:           {2, outObserved, -1},
	biRelu:           {2, outObserved, -1},
	biRelu6:          {2, outObserved, -1},
	biAvgPool:        {2, outAsInput, -1},
	biMaxPool:        {2, outAsInput, -1},
	biReshape:        {1, outAsInput, -1},
	biSqueeze:        {1, outAsInput, -1},
	biPad:            {2, outAsInput, -1},
	biResizeBilinear: {2, outAsInput, -1},
	biConcat:         {2, outShared, -1},
	biSoftmax:        {2, outSoftmax, -1},
	biLogistic:       {2, outSoftmax, -1},
	biTanh:           {2, outTanh, -1},
}

// affineQ is a per-tensor affine quantization: real = scale·(q - zp).
type affineQ struct {
	scale float32
	zp    int64
}

// Range is the smallest and largest value a tensor took in calibration.
type Range struct{ Min, Max float32 }

// QuantizeInt8 rewrites a float model for full-integer inference, as
// TensorFlow's converter does with a representative dataset and int8
// operators: weights int8 symmetric per output channel, biases int32
// (scale input·weight), activations int8 with scales and zero points from
// the ranges the engine observes running the float model on samples
// (each sample holds one tensor per model input). Unless o.IntIO, the
// model keeps float32 inputs and outputs with QUANTIZE and DEQUANTIZE at
// its edges. It refuses, wrapping ErrNotQuantizable and naming the
// operator and its index, an operator it cannot quantize. It returns the
// model and the calibration ranges of the tensors it quantized.
func QuantizeInt8(ctx context.Context, model []byte, samples [][][]byte, o Int8Options) ([]byte, map[int32]Range, error) {
	m, err := decodeModel(model)
	if err != nil {
		return nil, nil, fmt.Errorf("tflite: int8: %w", err)
	}
	if len(m.sgs) != 1 {
		return nil, nil, fmt.Errorf("%w: the model has %d subgraphs; only single-subgraph models are quantized", ErrNotQuantizable, len(m.sgs))
	}
	if len(samples) == 0 {
		return nil, nil, fmt.Errorf("tflite: int8: no calibration samples")
	}
	s := m.sgs[0]
	if err := checkInt8(m, s); err != nil {
		return nil, nil, err
	}
	ranges, err := calibrate(ctx, model, s, samples)
	if err != nil {
		return nil, nil, fmt.Errorf("tflite: int8: calibration: %w", err)
	}
	q := &int8Quantizer{m: m, s: s, ranges: ranges, params: map[int32]affineQ{}}
	if err := q.run(); err != nil {
		return nil, nil, err
	}
	if !o.IntIO {
		q.edges()
	}
	out, err := m.encode()
	if err != nil {
		return nil, nil, fmt.Errorf("tflite: int8: %w", err)
	}
	return out, ranges, nil
}

// checkInt8 refuses a model with an operator QuantizeInt8 has no rule
// for, or whose float tensors are not all float32.
func checkInt8(m *qmodel, s *qsubgraph) error {
	for _, i := range append(append([]int32{}, s.t[1].([]int32)...), s.t[2].([]int32)...) {
		if tensorType(s.tensors[i]) != typeFloat32 {
			return fmt.Errorf("%w: input or output %q is not float32 (is the model already quantized?)", ErrNotQuantizable, tensorName(s.tensors[i]))
		}
	}
	for i, op := range s.ops {
		code := m.builtin(op)
		r, ok := int8Rules[code]
		if !ok {
			return fmt.Errorf("%w: operator %d (%s) has no int8 rule in this quantizer", ErrNotQuantizable, i, opName(code))
		}
		ins, outs := opInputs(op), opOutputs(op)
		if len(ins) == 0 || ins[0] < 0 || len(outs) == 0 {
			return fmt.Errorf("%w: operator %d (%s) has no first input or no output", ErrNotQuantizable, i, opName(code))
		}
		for _, o := range outs {
			if o < 0 || tensorType(s.tensors[o]) != typeFloat32 || len(m.data(s.tensors[o])) > 0 {
				return fmt.Errorf("%w: operator %d (%s) writes a tensor that is not a float32 activation", ErrNotQuantizable, i, opName(code))
			}
		}
		for k, in := range ins {
			if in < 0 {
				continue
			}
			t := s.tensors[in]
			switch {
			case tensorType(t) == typeFloat32:
			case tensorType(t) == typeInt32 && len(m.data(t)) > 0 && (code == biReshape || code == biPad || code == biMean || code == biResizeBilinear):
			default:
				return fmt.Errorf("%w: operator %d (%s) input %d %q is %s, not float32", ErrNotQuantizable, i, opName(code), k, tensorName(t), tensorTypeName(tensorType(t)))
			}
		}
		if r.weights >= 0 && (len(ins) < 2 || ins[1] < 0 || len(m.data(s.tensors[ins[1]])) == 0) {
			return fmt.Errorf("%w: operator %d (%s) has weights computed at run time", ErrNotQuantizable, i, opName(code))
		}
		if r.weights >= 0 && len(ins) > 2 && ins[2] >= 0 && len(m.data(s.tensors[ins[2]])) == 0 {
			return fmt.Errorf("%w: operator %d (%s) has a bias computed at run time", ErrNotQuantizable, i, opName(code))
		}
		if code == biFullyConnected && s.opts[i].i8(1, 0) != 0 {
			return fmt.Errorf("%w: operator %d (FULLY_CONNECTED) has shuffled weights", ErrNotQuantizable, i)
		}
	}
	return nil
}

func tensorTypeName(t int8) string {
	if dt, ok := tensorTypes[t]; ok {
		return dt.String()
	}
	return fmt.Sprintf("type %d", t)
}

// calibrate runs the float model on every sample with every float32
// activation made an output and returns the range of each tensor (the
// inputs' from the samples themselves).
func calibrate(ctx context.Context, model []byte, s *qsubgraph, samples [][][]byte) (map[int32]Range, error) {
	obs, idx, err := observable(model)
	if err != nil {
		return nil, err
	}
	mod, err := Load(obs)
	if err != nil {
		return nil, err
	}
	defer mod.Close()
	ranges := map[int32]Range{}
	add := func(t int32, b []byte) {
		r, seen := ranges[t]
		for i := 0; i+4 <= len(b); i += 4 {
			v := math.Float32frombits(binary.LittleEndian.Uint32(b[i:]))
			if v != v || math.IsInf(float64(v), 0) {
				continue
			}
			if !seen {
				r, seen = Range{v, v}, true
			}
			r.Min, r.Max = min(r.Min, v), max(r.Max, v)
		}
		if seen {
			ranges[t] = r
		}
	}
	inputs := s.t[1].([]int32)
	for k, sample := range samples {
		outs, err := mod.Run(ctx, runtime.Options{}, sample)
		if err != nil {
			return nil, fmt.Errorf("sample %d: %w", k, err)
		}
		for i, in := range inputs {
			add(in, sample[i])
		}
		for i, t := range idx {
			add(t, outs[i])
		}
	}
	return ranges, nil
}

type int8Quantizer struct {
	m      *qmodel
	s      *qsubgraph
	ranges map[int32]Range
	params map[int32]affineQ
	done   map[int32]bool // constant tensors already rewritten
}

// activation returns the quantization of activation tensor t from its
// calibration range, widened to hold 0 as TFLite requires.
func (q *int8Quantizer) activation(t int32) affineQ {
	if p, ok := q.params[t]; ok {
		return p
	}
	r := q.ranges[t]
	p := asymmetricParams(r.Min, r.Max)
	q.params[t] = p
	return p
}

// asymmetricParams is the int8 quantization of [lo, hi] widened to 0.
func asymmetricParams(lo, hi float32) affineQ {
	lo, hi = min(lo, 0), max(hi, 0)
	if hi == lo {
		return affineQ{scale: 1, zp: 0}
	}
	scale := float64(hi-lo) / 255
	zp := math.Round(-128 - float64(lo)/scale)
	return affineQ{scale: float32(scale), zp: int64(min(127, max(-128, zp)))}
}

func (q *int8Quantizer) run() error {
	q.done = map[int32]bool{}
	for _, in := range q.s.t[1].([]int32) {
		q.activation(in)
	}
	var ops []wtable
	for i, op := range q.s.ops {
		code := q.m.builtin(op)
		r := int8Rules[code]
		ins, outs := opInputs(op), opOutputs(op)
		if r.weights < 0 {
			for _, in := range ins {
				if in >= 0 && tensorType(q.s.tensors[in]) == typeFloat32 && len(q.m.data(q.s.tensors[in])) > 0 {
					q.constant(in)
				}
			}
		}
		inP := q.activation(ins[0])
		if r.weights >= 0 {
			if err := q.weights(i, code, ins, inP, r.weights); err != nil {
				return err
			}
		}
		for _, out := range outs {
			switch r.out {
			case outAsInput:
				q.params[out] = inP
			case outSoftmax:
				q.params[out] = affineQ{scale: 1.0 / 256, zp: -128}
			case outTanh:
				q.params[out] = affineQ{scale: 1.0 / 128, zp: 0}
			default:
				q.activation(out)
			}
		}
		if r.out == outShared {
			ops = append(ops, q.requantize(ins, q.params[outs[0]])...)
		}
		op[0] = q.m.opcode(code, r.version)
		ops = append(ops, op)
	}
	q.s.ops = ops
	for t, p := range q.params {
		w := q.s.tensors[t]
		if tensorType(w) != typeFloat32 || q.done[t] {
			continue
		}
		w[1] = int8(typeInt8)
		w[4] = wtable{2: []float32{p.scale}, 3: []int64{p.zp}}
	}
	return nil
}

// requantize makes every input of an operator whose inputs must share
// the output's quantization p (CONCATENATION) have it: each input with
// other parameters is read through a new int8 tensor that a QUANTIZE
// (int8 to int8) writes, as TensorFlow's converter does. It returns those
// QUANTIZE operators, to run before the operator.
func (q *int8Quantizer) requantize(ins []int32, p affineQ) []wtable {
	var ops []wtable
	for k, in := range ins {
		if in < 0 || q.params[in] == p {
			continue
		}
		t := wtable{1: int8(typeInt8), 2: uint32(0), 3: tensorName(q.s.tensors[in]) + "_requantized",
			4: wtable{2: []float32{p.scale}, 3: []int64{p.zp}}}
		if sh := tensorShape(q.s.tensors[in]); sh != nil {
			t[0] = sh
		}
		q.s.tensors = append(q.s.tensors, t)
		tw := int32(len(q.s.tensors) - 1)
		q.done[tw] = true
		ops = append(ops, wtable{0: q.m.opcode(biQuantize, 2), 1: []int32{in}, 2: []int32{tw}})
		ins[k] = tw
	}
	return ops
}

// constant quantizes a constant float operand other than weights and
// biases (an ADD's or MUL's constant side) per tensor from its values.
func (q *int8Quantizer) constant(t int32) {
	if q.done[t] {
		return
	}
	w := q.s.tensors[t]
	v := q.m.floats(w)
	lo, hi := float32(0), float32(0)
	for _, x := range v {
		lo, hi = min(lo, x), max(hi, x)
	}
	p := asymmetricParams(lo, hi)
	data := make([]byte, len(v))
	for i, x := range v {
		data[i] = byte(int8(min(127, max(-128, math.Round(float64(x)/float64(p.scale))+float64(p.zp)))))
	}
	w[1], w[2] = int8(typeInt8), q.m.addBuffer(data)
	w[4] = wtable{2: []float32{p.scale}, 3: []int64{p.zp}}
	q.params[t] = p
	q.done[t] = true
}

// weights quantizes operator i's weights per channel along axis and its
// bias to int32 with scale input·weight of each channel.
func (q *int8Quantizer) weights(i int, code int32, ins []int32, in affineQ, axis int32) error {
	wt := q.s.tensors[ins[1]]
	if q.done[ins[1]] {
		return fmt.Errorf("%w: operator %d (%s) shares its weights %q with another operator", ErrNotQuantizable, i, opName(code), tensorName(wt))
	}
	qw, err := symmetricInt8(q.m.floats(wt), tensorShape(wt), axis)
	if err != nil {
		return fmt.Errorf("%w: operator %d (%s) weights %q: %w", ErrNotQuantizable, i, opName(code), tensorName(wt), err)
	}
	setQuantized(q.m, wt, qw)
	q.done[ins[1]] = true
	if len(ins) < 3 || ins[2] < 0 {
		return nil
	}
	bt := q.s.tensors[ins[2]]
	if q.done[ins[2]] {
		return fmt.Errorf("%w: operator %d (%s) shares its bias %q with another operator", ErrNotQuantizable, i, opName(code), tensorName(bt))
	}
	b := q.m.floats(bt)
	if len(b) != len(qw.scales) && len(qw.scales) != 1 {
		return fmt.Errorf("%w: operator %d (%s) bias %q has %d values for %d channels", ErrNotQuantizable, i, opName(code), tensorName(bt), len(b), len(qw.scales))
	}
	scales := make([]float32, len(b))
	data := make([]byte, 4*len(b))
	for c, v := range b {
		ws := qw.scales[min(c, len(qw.scales)-1)]
		scales[c] = in.scale * ws
		x := math.Round(float64(v) / float64(scales[c]))
		binary.LittleEndian.PutUint32(data[4*c:], uint32(int32(min(math.MaxInt32, max(math.MinInt32, x)))))
	}
	bt[1], bt[2] = int8(typeInt32), q.m.addBuffer(data)
	bt[4] = wtable{2: scales, 3: make([]int64, len(scales)), 6: int32(0)}
	q.done[ins[2]] = true
	return nil
}

// edges keeps the model's inputs and outputs float32: a QUANTIZE from each
// input to a new int8 tensor its readers now read, and a DEQUANTIZE from a
// new int8 tensor each output's writer now writes.
func (q *int8Quantizer) edges() {
	s := q.s
	rewire := map[int32]int32{}
	var front, back []wtable
	quant := q.m.opcode(biQuantize, 2)
	dequant := q.m.opcode(opDequantizeCode, 2)
	addTwin := func(t int32) int32 {
		orig := s.tensors[t]
		twin := wtable{}
		for k, v := range orig {
			twin[k] = v
		}
		twin[2] = uint32(0)
		twin[3] = tensorName(orig) + "_int8"
		orig[1] = int8(typeFloat32)
		delete(orig, 4)
		s.tensors = append(s.tensors, twin)
		return int32(len(s.tensors) - 1)
	}
	for _, in := range s.t[1].([]int32) {
		tw := addTwin(in)
		rewire[in] = tw
		front = append(front, wtable{0: quant, 1: []int32{in}, 2: []int32{tw}})
	}
	for _, op := range s.ops {
		ins := opInputs(op)
		for k, in := range ins {
			if tw, ok := rewire[in]; ok {
				ins[k] = tw
			}
		}
	}
	for _, out := range s.t[2].([]int32) {
		tw := addTwin(out)
		for _, op := range s.ops {
			for _, list := range [][]int32{opInputs(op), opOutputs(op)} {
				for k, t := range list {
					if t == out {
						list[k] = tw
					}
				}
			}
		}
		back = append(back, wtable{0: dequant, 1: []int32{tw}, 2: []int32{out}})
	}
	s.ops = append(append(front, s.ops...), back...)
}
