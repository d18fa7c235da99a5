package media

import (
	"encoding/binary"
	"fmt"
	"math"
	"sort"

	"github.com/edgeinfer/edgeinfer/api"
	"github.com/edgeinfer/edgeinfer/runtime"
)

// Scores returns an output tensor's values as float32: float32 as it is,
// 8-bit and 16-bit integers dequantized with the tensor's (per-tensor)
// quantization, or taken as they are without one.
func Scores(t runtime.TensorInfo, data []byte) ([]float32, error) {
	n := t.NumElements()
	if len(data) != t.ByteSize() {
		return nil, fmt.Errorf("media: output %s holds %d bytes, want %d", t, len(data), t.ByteSize())
	}
	scale, zp := float32(1), int64(0)
	if q := t.Quant; q != nil && len(q.Scale) > 0 {
		if len(q.Scale) != 1 {
			return nil, fmt.Errorf("media: output %s is quantized per channel; scores need one scale", t)
		}
		scale = q.Scale[0]
		if len(q.ZeroPoint) > 0 {
			zp = q.ZeroPoint[0]
		}
	}
	out := make([]float32, n)
	for i := range out {
		switch t.DType {
		case runtime.Float32:
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:]))
		case runtime.UInt8:
			out[i] = scale * float32(int64(data[i])-zp)
		case runtime.Int8:
			out[i] = scale * float32(int64(int8(data[i]))-zp)
		case runtime.Int16:
			out[i] = scale * float32(int64(int16(binary.LittleEndian.Uint16(data[2*i:])))-zp)
		default:
			return nil, fmt.Errorf("media: output %s: scores of %s are not read", t, t.DType)
		}
	}
	return out, nil
}

// Class is one class of a classification (the socket API's type).
type Class = api.Class

// TopK returns the k highest scores, highest first (ties: lower index
// first), labelled from labels by index.
func TopK(scores []float32, labels []string, k int) []Class {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return scores[idx[a]] > scores[idx[b]] })
	k = min(max(k, 0), len(idx))
	out := make([]Class, k)
	for i, j := range idx[:k] {
		out[i] = Class{Index: j, Score: scores[j]}
		if j < len(labels) {
			out[i].Label = labels[j]
		}
	}
	return out
}
