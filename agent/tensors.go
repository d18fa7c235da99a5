package agent

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"

	"github.com/edgeinfer/edgeinfer/runtime"
)

// modelShapes reports whether every bound input has its model input's
// shape (a resizable model's request may give others).
func modelShapes(bound []Tensor, inputs []runtime.TensorInfo) bool {
	for i, t := range bound {
		if !slices.Equal(t.Shape, inputs[i].Shape) {
			return false
		}
	}
	return true
}

// selectOutputs maps requested output names to model output indices; no
// names means every output. A name asked for twice is refused, so an
// answer never holds more than the model's own outputs.
func selectOutputs(model string, outputs []runtime.TensorInfo, names []string) ([]int, error) {
	if len(names) == 0 {
		idx := make([]int, len(outputs))
		for i := range idx {
			idx[i] = i
		}
		return idx, nil
	}
	idx := make([]int, len(names))
	for k, name := range names {
		i := slices.IndexFunc(outputs, func(o runtime.TensorInfo) bool { return o.Name == name })
		if i < 0 {
			return nil, fmt.Errorf("%w: model %s has no output %q (outputs: %s)", ErrBadRequest, model, name, infoNames(outputs))
		}
		if slices.Contains(idx[:k], i) {
			return nil, fmt.Errorf("%w: output %q is asked for twice", ErrBadRequest, name)
		}
		idx[k] = i
	}
	return idx, nil
}

func infoNames(infos []runtime.TensorInfo) string {
	s := ""
	for i, t := range infos {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%q %s%v", t.Name, t.DType, t.Shape)
	}
	return s
}

func putFloat32(b []byte, v float32) { binary.LittleEndian.PutUint32(b, math.Float32bits(v)) }
