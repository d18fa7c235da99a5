package tflite

import (
	"fmt"
	"math"

	"github.com/edgeinfer/edgeinfer/runtime"
)

// minQuantizedWeights is the converter's threshold: constant tensors with
// fewer elements stay float32 in a dynamic-range model.
const minQuantizedWeights = 1024

// hybridOps are the operators QuantizeWeights rewrites, with the axis of
// their weights' per-channel scales (-1: one scale for the tensor) and the
// operator version TFLite's converter writes for the hybrid form.
var hybridOps = map[int32]struct{ axis, version int32 }{
	biConv2D:         {0, 5},
	biDepthwise:      {3, 6},
	biFullyConnected: {-1, 9},
}

// QuantizeWeights rewrites a float model for dynamic-range inference, as
// TensorFlow's converter does with optimizations=[DEFAULT] and no
// representative data: the float32 weights of FULLY_CONNECTED (one scale),
// CONV_2D and DEPTHWISE_CONV_2D (one scale per output channel) with at
// least 1024 elements are stored as symmetric int8, and those operators
// run hybrid (float activations quantized on the fly; FULLY_CONNECTED
// with asymmetric_quantize_inputs). Biases and smaller weights stay
// float32. Metadata, signatures and associated files are kept. It returns
// the rewritten model and how many weight tensors it quantized, and
// refuses a model with nothing to quantize.
func QuantizeWeights(model []byte) ([]byte, int, error) {
	m, err := decodeModel(model)
	if err != nil {
		return nil, 0, fmt.Errorf("tflite: int8 weights: %w", err)
	}
	n := 0
	for _, s := range m.sgs {
		users := map[int32]int{}
		for _, op := range s.ops {
			for _, in := range opInputs(op) {
				users[in]++
			}
		}
		done := map[int32]bool{}
		for i, op := range s.ops {
			h, ok := hybridOps[m.builtin(op)]
			ins := opInputs(op)
			if !ok || len(ins) < 2 || ins[0] < 0 || ins[1] < 0 {
				continue
			}
			in, w := s.tensors[ins[0]], s.tensors[ins[1]]
			if tensorType(in) != typeFloat32 || tensorType(w) != typeFloat32 || len(m.data(w)) == 0 || done[ins[1]] {
				continue
			}
			if users[ins[1]] > 1 || numElements(tensorShape(w)) < minQuantizedWeights {
				continue
			}
			q, err := symmetricInt8(m.floats(w), tensorShape(w), h.axis)
			if err != nil {
				return nil, 0, fmt.Errorf("tflite: int8 weights: operator %d (%s) weights %q: %w", i, opName(m.builtin(op)), tensorName(w), err)
			}
			setQuantized(m, w, q)
			op[0] = m.opcode(m.builtin(op), h.version)
			if m.builtin(op) == biFullyConnected {
				op[3], op[4] = uint8(8), fcOptions(s.opts[i], true)
			}
			done[ins[1]] = true
			n++
		}
	}
	if n == 0 {
		return nil, 0, fmt.Errorf("tflite: int8 weights: %w: no float32 weights of FULLY_CONNECTED, CONV_2D or DEPTHWISE_CONV_2D with at least %d elements", runtime.ErrUnsupported, minQuantizedWeights)
	}
	out, err := m.encode()
	if err != nil {
		return nil, 0, fmt.Errorf("tflite: int8 weights: %w", err)
	}
	return out, n, nil
}

// fcOptions returns FullyConnectedOptions as read from o (fused activation
// 0, weights format 1, keep_num_dims 2) with asymmetric_quantize_inputs
// (slot 3) set to asym.
func fcOptions(o fbTable, asym bool) wtable {
	w := wtable{0: o.i8(0, 0), 1: o.i8(1, 0), 2: o.u8(2, 0)}
	if asym {
		w[3] = uint8(1)
	}
	return w
}

// quantized is int8 data with its scales along axis (-1: one scale).
type quantized struct {
	data   []byte
	scales []float32
	axis   int32
}

// symmetricInt8 quantizes float weights of the given shape to int8 in
// [-127, 127] with zero point 0: one scale max|w|/127 per slice along
// axis, or for the whole tensor when axis is -1.
func symmetricInt8(w []float32, shape []int32, axis int32) (quantized, error) {
	if numElements(shape) != len(w) {
		return quantized{}, fmt.Errorf("%w: shape %v does not match %d values", runtime.ErrInvalidModel, shape, len(w))
	}
	channels, inner := 1, len(w)
	if axis >= 0 {
		if int(axis) >= len(shape) {
			return quantized{}, fmt.Errorf("%w: shape %v has no axis %d", runtime.ErrInvalidModel, shape, axis)
		}
		channels = int(shape[axis])
		inner = numElements(shape[axis+1:])
	}
	ch := func(i int) int {
		if axis < 0 {
			return 0
		}
		return i / inner % channels
	}
	maxAbs := make([]float32, channels)
	for i, v := range w {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return quantized{}, fmt.Errorf("%w: weight %d is %g", runtime.ErrUnsupported, i, v)
		}
		maxAbs[ch(i)] = max(maxAbs[ch(i)], float32(math.Abs(float64(v))))
	}
	q := quantized{data: make([]byte, len(w)), scales: make([]float32, channels), axis: max(axis, 0)}
	for c, a := range maxAbs {
		q.scales[c] = a / 127
		if a == 0 {
			q.scales[c] = 1
		}
	}
	for i, v := range w {
		x := math.Round(float64(v) / float64(q.scales[ch(i)]))
		q.data[i] = byte(int8(min(127, max(-127, x))))
	}
	return q, nil
}

// setQuantized stores q as tensor t's data and quantization parameters.
func setQuantized(m *qmodel, t wtable, q quantized) {
	t[1] = int8(typeInt8)
	t[2] = m.addBuffer(q.data)
	t[4] = wtable{2: q.scales, 3: make([]int64, len(q.scales)), 6: q.axis}
}

// opName is the name of a builtin operator code.
func opName(code int32) string {
	if n, ok := builtinNames[code]; ok {
		return n
	}
	return fmt.Sprintf("builtin %d", code)
}
