package runtime

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Tensor is one tensor with its data: element type, shape and raw bytes in
// row-major order, little-endian (every target edgeinfer builds for).
type Tensor struct {
	Name  string
	DType DType
	Shape []int
	Data  []byte
}

// InputError says what is wrong with the inputs a caller gave a model. It
// wraps ErrInput.
type InputError struct {
	// Name is the input's name (the caller's, or the model's when matched
	// by position); empty when the problem is not with one named input.
	Name string
	// Index is the input's position among those given, or -1 when the
	// problem is with the set (their number, a missing input).
	Index int
	// Problem says what is wrong.
	Problem string
}

func (e *InputError) Error() string {
	switch {
	case e.Name != "":
		return fmt.Sprintf("%v: input %q: %s", ErrInput, e.Name, e.Problem)
	case e.Index >= 0:
		return fmt.Sprintf("%v: input %d: %s", ErrInput, e.Index, e.Problem)
	}
	return fmt.Sprintf("%v: %s", ErrInput, e.Problem)
}

func (e *InputError) Unwrap() error { return ErrInput }

// BindInputs matches the tensors a caller gives to a model's inputs and
// checks each one, the one place edgeinfer does so (the socket API, the
// agent, SetInputs and the update's smoke test all come here).
//
// Tensors match by name when any is named (then every one must be, and
// every model input must be given once), otherwise by position. Each must
// have its input's dtype and shape, or, when resizable, any shape of the
// same rank with every dimension at least 1; and exactly the bytes its
// shape holds. dst, of len(inputs), receives the tensors in model order,
// named as the model names them; their Data is given's, not a copy.
// BindInputs allocates only for an error, which is an *InputError.
func BindInputs(dst []Tensor, inputs []TensorInfo, given []Tensor, resizable bool) error {
	if len(dst) != len(inputs) {
		panic("runtime: BindInputs: dst must have one tensor per model input")
	}
	named := slices.ContainsFunc(given, func(t Tensor) bool { return t.Name != "" })
	if !named {
		if len(given) != len(inputs) {
			return &InputError{Index: -1, Problem: fmt.Sprintf("the model takes %d inputs (%s), %d given", len(inputs), listInputs(inputs), len(given))}
		}
		for k, t := range given {
			t.Name = inputs[k].Name
			if err := checkInput(k, inputs[k], t, resizable); err != nil {
				return err
			}
			dst[k] = t
		}
		return nil
	}
	for k, t := range given {
		if t.Name == "" {
			return &InputError{Index: k, Problem: "has no name while others have one: name every input or none"}
		}
		i := slices.IndexFunc(inputs, func(in TensorInfo) bool { return in.Name == t.Name })
		if i < 0 {
			return &InputError{Name: t.Name, Index: k, Problem: fmt.Sprintf("the model has no such input (it takes %s)", listInputs(inputs))}
		}
		if slices.ContainsFunc(given[:k], func(u Tensor) bool { return u.Name == t.Name }) {
			return &InputError{Name: t.Name, Index: k, Problem: "given twice"}
		}
		if err := checkInput(k, inputs[i], t, resizable); err != nil {
			return err
		}
		dst[i] = t
	}
	if len(given) < len(inputs) {
		var missing []string
		for _, in := range inputs {
			if !slices.ContainsFunc(given, func(t Tensor) bool { return t.Name == in.Name }) {
				missing = append(missing, strconv.Quote(in.Name))
			}
		}
		return &InputError{Index: -1, Problem: fmt.Sprintf("the model takes %d inputs, missing %s", len(inputs), strings.Join(missing, ", "))}
	}
	return nil
}

// checkInput checks given tensor t, the k-th, against the model input in.
func checkInput(k int, in TensorInfo, t Tensor, resizable bool) error {
	if t.DType != in.DType {
		return &InputError{Name: in.Name, Index: k, Problem: fmt.Sprintf("dtype %s, the model takes %s", t.DType, in.DType)}
	}
	if !slices.Equal(t.Shape, in.Shape) {
		if !resizable {
			return &InputError{Name: in.Name, Index: k, Problem: fmt.Sprintf("shape %s, the model takes %s", formatShape(t.Shape), formatShape(in.Shape))}
		}
		if len(t.Shape) != len(in.Shape) || slices.ContainsFunc(t.Shape, func(d int) bool { return d < 1 }) {
			return &InputError{Name: in.Name, Index: k, Problem: fmt.Sprintf("shape %s, the model takes %s or another shape of rank %d with every dimension at least 1",
				formatShape(t.Shape), formatShape(in.Shape), len(in.Shape))}
		}
	}
	want, ok := byteSize(t.DType, t.Shape)
	if !ok {
		return &InputError{Name: in.Name, Index: k, Problem: fmt.Sprintf("shape %s has more elements than memory holds", formatShape(t.Shape))}
	}
	if len(t.Data) != want {
		return &InputError{Name: in.Name, Index: k, Problem: fmt.Sprintf("%d bytes of data, shape %s of %s needs %d", len(t.Data), formatShape(t.Shape), t.DType, want)}
	}
	return nil
}

// byteSize is the byte size of a tensor of dtype and shape; false when it
// overflows an int (a shape no caller can fill).
func byteSize(dt DType, shape []int) (int, bool) {
	const limit = int(^uint(0) >> 1)
	n := dt.Size()
	for _, d := range shape {
		if d < 0 || (d > 0 && n > limit/d) {
			return 0, false
		}
		n *= d
	}
	return n, true
}

// SetInputs copies raw tensors, one per model input in order, into the
// session's inputs after BindInputs' checks (each has exactly the bytes
// its input takes).
func SetInputs(s Session, infos []TensorInfo, data [][]byte) error {
	if len(data) != len(infos) {
		return &InputError{Index: -1, Problem: fmt.Sprintf("the model takes %d inputs (%s), %d given", len(infos), listInputs(infos), len(data))}
	}
	for i, info := range infos {
		if err := checkInput(i, info, Tensor{Name: info.Name, DType: info.DType, Shape: info.Shape, Data: data[i]}, false); err != nil {
			return err
		}
		copy(s.Input(i), data[i])
	}
	return nil
}

// formatShape renders a shape as [d0,d1,...].
func formatShape(shape []int) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, d := range shape {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(d))
	}
	b.WriteByte(']')
	return b.String()
}

// listInputs renders inputs as `"a" float32[1,3], "b" int8[2]`.
func listInputs(infos []TensorInfo) string {
	parts := make([]string, len(infos))
	for i, t := range infos {
		parts[i] = strconv.Quote(t.Name) + " " + t.DType.String() + formatShape(t.Shape)
	}
	return strings.Join(parts, ", ")
}
