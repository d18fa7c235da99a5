package tflite

import (
	"fmt"

	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/kernels"
)

// foldConstants evaluates DENSIFY operators (see foldDensify) and the
// DEQUANTIZE operators whose input is a constant (float16 or int8/uint8
// weights) at load and removes them, so kernels see float32 constants and
// Run never repeats the conversion.
//
// Folding at most quadruples the bytes of the constants it reads (int8 to
// float32); the total is capped at that much of the file, so tensors sharing
// one buffer cannot make a small file expand without bound.
func (m *Model) foldConstants() error {
	budget := 4*uint64(len(m.file)) + expansionSlack
	kept := m.nodes[:0:0]
	for _, n := range m.nodes {
		if n.name == "DENSIFY" && m.foldDensify(n) {
			continue
		}
		if n.name != "DEQUANTIZE" || len(n.inputs) != 1 || len(n.outputs) != 1 || n.inputs[0] < 0 {
			kept = append(kept, n)
			continue
		}
		in, out := m.tensors[n.inputs[0]], m.tensors[n.outputs[0]]
		if !in.isConst() || out.dtype != runtime.Float32 || in.numElements() != out.numElements() || m.isGraphOutput(out.index) {
			kept = append(kept, n)
			continue
		}
		if in.dtype != runtime.Float16 && in.dtype != runtime.Int8 && in.dtype != runtime.UInt8 {
			kept = append(kept, n)
			continue
		}
		size := 4 * uint64(out.numElements())
		if size > budget {
			return invalid("operator %d (DEQUANTIZE) of %s: folded constants outgrow 4 times the %d-byte file", n.index, in, len(m.file))
		}
		budget -= size
		vals, err := dequantizeConst(in)
		if err != nil {
			return invalid("operator %d (DEQUANTIZE) of %s: %v", n.index, in, err)
		}
		b := make([]byte, 4*len(vals))
		copy(f32(b), vals)
		out.data = b
	}
	m.nodes = kept
	return nil
}

func (m *Model) isGraphOutput(t int) bool { return m.tensors[t].output }

// dequantizeConst returns the float32 values of a float16, int8 or uint8
// constant.
func dequantizeConst(t *tensor) ([]float32, error) {
	n := t.numElements()
	out := make([]float32, n)
	switch t.dtype {
	case runtime.Float16:
		for i, h := range u16(t.data) {
			out[i] = kernels.Float16ToFloat32(h)
		}
		return out, nil
	case runtime.Int8, runtime.UInt8:
		if t.quant == nil {
			return nil, errNoQuant
		}
		q := t.quant
		// inner is the number of elements per step along the quantized axis.
		inner, channels := 1, 1
		if len(q.Scale) > 1 {
			channels = t.shape[q.Axis]
			for _, d := range t.shape[q.Axis+1:] {
				inner *= d
			}
		}
		for i := range out {
			c := (i / inner) % channels
			var v int64
			if t.dtype == runtime.Int8 {
				v = int64(int8(t.data[i]))
			} else {
				v = int64(t.data[i])
			}
			out[i] = q.Scale[c] * float32(v-q.ZeroPoint[c])
		}
		return out, nil
	}
	return nil, fmt.Errorf("cannot fold a %s constant", t.dtype)
}

type constErr string

func (e constErr) Error() string { return string(e) }

const errNoQuant = constErr("quantized constant has no quantization parameters")
