package api

import (
	"fmt"
	"strings"

	"github.com/edgeinfer/edgeinfer/runtime"
)

// datatypes maps runtime dtypes to the protocol's datatype names.
var datatypes = map[runtime.DType]string{
	runtime.Bool:    "BOOL",
	runtime.UInt8:   "UINT8",
	runtime.UInt16:  "UINT16",
	runtime.UInt32:  "UINT32",
	runtime.UInt64:  "UINT64",
	runtime.Int8:    "INT8",
	runtime.Int16:   "INT16",
	runtime.Int32:   "INT32",
	runtime.Int64:   "INT64",
	runtime.Float16: "FP16",
	runtime.Float32: "FP32",
	runtime.Float64: "FP64",
	runtime.String:  "BYTES",
}

// Datatype returns the protocol's name of a dtype ("FP32" for float32).
func Datatype(dt runtime.DType) string {
	if s, ok := datatypes[dt]; ok {
		return s
	}
	return strings.ToUpper(dt.String())
}

// ParseDatatype maps a protocol datatype name ("FP32", case-insensitive)
// to its dtype.
func ParseDatatype(s string) (runtime.DType, error) {
	for dt, name := range datatypes {
		if strings.EqualFold(name, s) {
			return dt, nil
		}
	}
	return runtime.DTypeUnknown, fmt.Errorf("unknown datatype %q (want BOOL, UINT8, UINT16, UINT32, UINT64, INT8, INT16, INT32, INT64, FP16, FP32, FP64)", s)
}

// Shape converts a runtime shape to the protocol's.
func Shape(s []int) []int64 {
	out := make([]int64, len(s))
	for i, d := range s {
		out[i] = int64(d)
	}
	return out
}

// FormatShape renders a shape as [1,224,224,3].
func FormatShape(s []int64) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, d := range s {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprint(&b, d)
	}
	b.WriteByte(']')
	return b.String()
}
