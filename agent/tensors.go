package agent

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"

	"github.com/edgeinfer/edgeinfer/runtime"
)

// bindInputs matches the request's tensors to the model's inputs (by name,
// or by position when no tensor is named) and checks each one's dtype,
// shape and size. It returns the data in model input order and, when a
// resizable model is given another shape of the same rank, every input's
// shape in that order (nil when all are the model's).
func bindInputs(model string, want []runtime.TensorInfo, got []Tensor, resizable bool) ([][]byte, [][]int, error) {
	out, shapes, err := bind(model, want, got, resizable)
	if err != nil {
		return nil, nil, err
	}
	for i, sh := range shapes {
		if !slices.Equal(sh, want[i].Shape) {
			return out, shapes, nil
		}
	}
	return out, nil, nil
}

func bind(model string, want []runtime.TensorInfo, got []Tensor, resizable bool) ([][]byte, [][]int, error) {
	if len(got) != len(want) {
		return nil, nil, fmt.Errorf("%w: model %s takes %d inputs (%s), the request has %d", ErrBadRequest, model, len(want), infoNames(want), len(got))
	}
	named := false
	for _, t := range got {
		if t.Name != "" {
			named = true
		}
	}
	out := make([][]byte, len(want))
	shapes := make([][]int, len(want))
	for k, t := range got {
		i := k
		if named {
			i = slices.IndexFunc(want, func(w runtime.TensorInfo) bool { return w.Name == t.Name })
			if i < 0 {
				return nil, nil, fmt.Errorf("%w: model %s has no input %q (inputs: %s)", ErrBadRequest, model, t.Name, infoNames(want))
			}
			if out[i] != nil {
				return nil, nil, fmt.Errorf("%w: input %q given twice", ErrBadRequest, t.Name)
			}
		}
		w := want[i]
		if t.DType != w.DType {
			return nil, nil, fmt.Errorf("%w: input %q: dtype %s, the model takes %s", ErrBadRequest, w.Name, t.DType, w.DType)
		}
		if !slices.Equal(t.Shape, w.Shape) && !(resizable && len(t.Shape) == len(w.Shape) && positive(t.Shape)) {
			return nil, nil, fmt.Errorf("%w: input %q: shape %v, the model takes %v", ErrBadRequest, w.Name, t.Shape, w.Shape)
		}
		shapes[i] = t.Shape
		w.Shape = t.Shape
		if len(t.Data) != w.ByteSize() {
			return nil, nil, fmt.Errorf("%w: input %q: %d bytes of data, shape %v of %s needs %d", ErrBadRequest, w.Name, len(t.Data), w.Shape, w.DType, w.ByteSize())
		}
		out[i] = t.Data
		if out[i] == nil {
			out[i] = []byte{}
		}
	}
	return out, shapes, nil
}

// positive reports whether every dimension is at least 1.
func positive(shape []int) bool {
	for _, d := range shape {
		if d < 1 {
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
