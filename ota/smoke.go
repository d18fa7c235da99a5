package ota

import (
	"encoding/binary"
	"fmt"
	"math"
)

// dtypeSize is the element size of each datatype a smoke tensor may have
// (the names of the socket API and of runtime.DType).
var dtypeSize = map[string]int{
	"float32": 4, "float16": 2, "float64": 8,
	"int8": 1, "uint8": 1, "int16": 2, "uint16": 2,
	"int32": 4, "uint32": 4, "int64": 8, "uint64": 8, "bool": 1,
}

// Check compares the outputs of a smoke run with the expected ones. got
// holds the model's outputs in its order; an expected tensor with a name
// is matched by name, one without by its position. Each element may differ
// by at most Tolerance. It returns nil when no outputs are expected.
func (s *Smoke) Check(got []SmokeTensor) error {
	for i, want := range s.Outputs {
		var g *SmokeTensor
		if want.Name != "" {
			for j := range got {
				if got[j].Name == want.Name {
					g = &got[j]
				}
			}
		} else if i < len(got) {
			g = &got[i]
		}
		label := want.Name
		if label == "" {
			label = fmt.Sprintf("#%d", i)
		}
		if g == nil {
			return fmt.Errorf("%w: output %s: the model has no such output", ErrSmoke, label)
		}
		if g.DataType != want.DataType || len(g.Data) != len(want.Data) {
			return fmt.Errorf("%w: output %s: got %s of %d bytes, want %s of %d bytes", ErrSmoke, label, g.DataType, len(g.Data), want.DataType, len(want.Data))
		}
		size := dtypeSize[want.DataType]
		for k := 0; k+size <= len(want.Data); k += size {
			a, b := element(want.DataType, g.Data[k:]), element(want.DataType, want.Data[k:])
			if d := math.Abs(a - b); !(d <= s.Tolerance) {
				return fmt.Errorf("%w: output %s element %d: got %g, want %g (tolerance %g)", ErrSmoke, label, k/size, a, b, s.Tolerance)
			}
		}
	}
	return nil
}

// element reads one little-endian element as a float64.
func element(dtype string, b []byte) float64 {
	le := binary.LittleEndian
	switch dtype {
	case "float32":
		return float64(math.Float32frombits(le.Uint32(b)))
	case "float64":
		return math.Float64frombits(le.Uint64(b))
	case "float16":
		return halfToFloat(le.Uint16(b))
	case "int8":
		return float64(int8(b[0]))
	case "uint8", "bool":
		return float64(b[0])
	case "int16":
		return float64(int16(le.Uint16(b)))
	case "uint16":
		return float64(le.Uint16(b))
	case "int32":
		return float64(int32(le.Uint32(b)))
	case "uint32":
		return float64(le.Uint32(b))
	case "int64":
		return float64(int64(le.Uint64(b)))
	default: // uint64
		return float64(le.Uint64(b))
	}
}

func halfToFloat(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	exp := int(h>>10) & 0x1f
	frac := float64(h & 0x3ff)
	switch exp {
	case 0:
		return sign * frac * math.Pow(2, -24)
	case 0x1f:
		if frac == 0 {
			return sign * math.Inf(1)
		}
		return math.NaN()
	}
	return sign * (1 + frac/1024) * math.Pow(2, float64(exp-15))
}
