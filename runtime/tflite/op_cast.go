package tflite

import (
	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/kernels"
)

func init() { register("CAST", prepareCast) }

// prepareCast converts between float32, int64, int32, int16, int8, uint8
// and bool with TFLite's semantics: integers wrap when narrowed, floats
// truncate toward zero and saturate, anything non-zero becomes true.
// The options (in/out data types) repeat the tensor types and are ignored.
func prepareCast(c *opCtx) (kernel, error) {
	if err := c.arity(1, 1, 1); err != nil {
		return nil, err
	}
	in, out := c.input(0), c.output(0)
	if in.numElements() != out.numElements() {
		return nil, c.invalid("input %s and output %s sizes differ", in, out)
	}
	conv := castFunc(in.dtype, out.dtype)
	if conv == nil {
		return nil, c.unsupported("cast from %s to %s", in.dtype, out.dtype)
	}
	is, os := in.dtype.Size(), out.dtype.Size()
	return &elemKernel{n: out.numElements(), grain: elemGrain, run: func(ins, outs [][]byte, lo, hi int) {
		conv(ins[0][lo*is:hi*is], outs[0][lo*os:hi*os])
	}}, nil
}

// castFunc returns the conversion of raw tensor bytes from one type to
// another, or nil if either type is not handled.
func castFunc(from, to runtime.DType) func(in, out []byte) {
	switch from {
	case runtime.Float32:
		return castFromFloat(to)
	case runtime.Int64:
		return castFromInt(to, i64)
	case runtime.Int32:
		return castFromInt(to, i32)
	case runtime.Int16:
		return castFromInt(to, i16)
	case runtime.Int8, runtime.UInt8:
		if to == runtime.Float32 {
			d := kernels.NewDequantizer(from == runtime.Int8, kernels.QParams{Scale: 1})
			return func(in, out []byte) { d.Apply(in, f32(out)) }
		}
		if from == runtime.Int8 {
			return castFromInt(to, i8)
		}
		return castFromInt(to, func(b []byte) []byte { return b })
	case runtime.Bool:
		return castFromInt(to, func(b []byte) []byte { return b })
	}
	return nil
}

func castFromFloat(to runtime.DType) func(in, out []byte) {
	switch to {
	case runtime.Float32:
		return func(in, out []byte) { copy(out, in) }
	case runtime.Int64:
		return func(in, out []byte) { kernels.FloatToInt(f32(in), i64(out)) }
	case runtime.Int32:
		return func(in, out []byte) { kernels.FloatToInt(f32(in), i32(out)) }
	case runtime.Int16:
		return func(in, out []byte) { kernels.FloatToInt(f32(in), i16(out)) }
	case runtime.Int8:
		return func(in, out []byte) { kernels.FloatToInt(f32(in), i8(out)) }
	case runtime.UInt8:
		return func(in, out []byte) { kernels.FloatToInt(f32(in), out) }
	case runtime.Bool:
		return func(in, out []byte) { kernels.ToBool(f32(in), out) }
	}
	return nil
}

func castFromInt[F kernels.Integer](to runtime.DType, view func([]byte) []F) func(in, out []byte) {
	switch to {
	case runtime.Float32:
		return func(in, out []byte) { kernels.Convert(view(in), f32(out)) }
	case runtime.Int64:
		return func(in, out []byte) { kernels.Convert(view(in), i64(out)) }
	case runtime.Int32:
		return func(in, out []byte) { kernels.Convert(view(in), i32(out)) }
	case runtime.Int16:
		return func(in, out []byte) { kernels.Convert(view(in), i16(out)) }
	case runtime.Int8:
		return func(in, out []byte) { kernels.Convert(view(in), i8(out)) }
	case runtime.UInt8:
		return func(in, out []byte) { kernels.Convert(view(in), out) }
	case runtime.Bool:
		return func(in, out []byte) { kernels.ToBool(view(in), out) }
	}
	return nil
}
