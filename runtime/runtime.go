// Package runtime is the backend-neutral contract of edgeinfer's inference
// engine: a Model is an immutable, shareable description of a network; a
// Session owns the memory to run it once at a time. Backends (runtime/tflite)
// implement these interfaces and register themselves; Open picks one by the
// file's identifier, and BindInputs is the one check of the tensors a
// caller gives a model. Callers depend on this package alone and link the
// backends they import.
package runtime

import (
	"context"
	"fmt"
	"strings"
)

// DType is the element type of a tensor.
type DType uint8

// The element types a tensor can have.
const (
	DTypeUnknown DType = iota
	Float32
	Float16
	Float64
	Int8
	UInt8
	Int16
	UInt16
	Int32
	UInt32
	Int64
	UInt64
	Bool
	String
	// Complex64 is a pair of float32 values, real part first.
	Complex64
)

var dtypeNames = [...]string{
	DTypeUnknown: "unknown",
	Float32:      "float32",
	Float16:      "float16",
	Float64:      "float64",
	Int8:         "int8",
	UInt8:        "uint8",
	Int16:        "int16",
	UInt16:       "uint16",
	Int32:        "int32",
	UInt32:       "uint32",
	Int64:        "int64",
	UInt64:       "uint64",
	Bool:         "bool",
	String:       "string",
	Complex64:    "complex64",
}

var dtypeSizes = [...]int{
	Float32: 4, Float16: 2, Float64: 8, Int8: 1, UInt8: 1, Int16: 2, UInt16: 2,
	Int32: 4, UInt32: 4, Int64: 8, UInt64: 8, Bool: 1, Complex64: 8,
}

// String returns the lower-case name used in cases.json and the API.
func (d DType) String() string {
	if int(d) < len(dtypeNames) {
		return dtypeNames[d]
	}
	return fmt.Sprintf("dtype(%d)", uint8(d))
}

// Size is the byte size of one element, or 0 for types without a fixed size.
func (d DType) Size() int {
	if int(d) < len(dtypeSizes) {
		return dtypeSizes[d]
	}
	return 0
}

// ParseDType maps a name such as "float32" back to its DType.
func ParseDType(s string) (DType, error) {
	for i, n := range dtypeNames {
		if i > 0 && strings.EqualFold(n, s) {
			return DType(i), nil
		}
	}
	return DTypeUnknown, fmt.Errorf("runtime: unknown dtype %q", s)
}

// Quantization describes affine quantization: real = Scale * (q - ZeroPoint).
// With more than one scale, the parameters apply per slice along Axis.
type Quantization struct {
	Scale     []float32
	ZeroPoint []int64
	Axis      int
}

// TensorInfo describes a model input or output.
type TensorInfo struct {
	Name  string
	DType DType
	Shape []int
	// Quant is nil for tensors that are not quantized.
	Quant *Quantization
}

// NumElements is the product of the shape (1 for a scalar).
func (t TensorInfo) NumElements() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// ByteSize is the size in bytes of the tensor's raw little-endian contents.
func (t TensorInfo) ByteSize() int { return t.NumElements() * t.DType.Size() }

// String renders the tensor as name:dtype[d0,d1,...].
func (t TensorInfo) String() string {
	dims := make([]string, len(t.Shape))
	for i, d := range t.Shape {
		dims[i] = fmt.Sprint(d)
	}
	return fmt.Sprintf("%s %s[%s]", t.Name, t.DType, strings.Join(dims, ","))
}

// Options select how a Session runs.
type Options struct {
	// Threads is the number of goroutines the heavy operators split their
	// work across. Zero or one means run on the calling goroutine only.
	Threads int
	// Backend names the kernel set within the model's backend (not the
	// runtime backend of OpenOptions): "" or "auto" picks the fastest the
	// CPU supports, "generic" forces the pure-Go reference kernels.
	Backend string
}

// Model is a loaded network. It is immutable and safe for concurrent use;
// each goroutine that runs it needs its own Session.
type Model interface {
	Inputs() []TensorInfo
	Outputs() []TensorInfo
	NewSession(Options) (Session, error)
	// Close releases the model's memory once every session is closed.
	Close() error
}

// Session runs a Model. It is used by one goroutine at a time.
type Session interface {
	// Input returns the bytes of input i; write the tensor into them before Run.
	Input(i int) []byte
	// Output returns the bytes of output i, valid after Run until the next Run.
	Output(i int) []byte
	// Run executes the model. It returns ctx.Err() if ctx ends first.
	Run(ctx context.Context) error
	Close() error
}

// Resizer is implemented by sessions whose inputs can take shapes other
// than the model's stored ones (the dimensions a TFLite shape_signature
// marks -1, or any the graph accepts). ResizeInputs re-plans the session
// for one shape per input; Input and Output then return slices of the new
// sizes, and Inputs and Outputs describe the current shapes.
type Resizer interface {
	ResizeInputs(shapes [][]int) error
	Inputs() []TensorInfo
	Outputs() []TensorInfo
}

// StateResetter is implemented by sessions that keep state from one Run
// to the next (recurrent layers, variables): each Run continues the
// stream the previous ones fed, and ResetState starts a new one, as a new
// session would.
type StateResetter interface {
	ResetState()
}

// StatefulModel is implemented by models that can report whether their
// sessions keep state between runs (then one session carries one stream).
type StatefulModel interface {
	Stateful() bool
}
