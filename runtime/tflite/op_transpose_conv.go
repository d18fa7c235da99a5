package tflite

import (
	"encoding/binary"
	"fmt"

	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/kernels"
)

func init() {
	register("TRANSPOSE_CONV", prepareTransposeConv)
	register("CUSTOM:Convolution2DTransposeBias", prepareTransposeConvBias)
}

// TransposeConvOptions: padding 0, stride_w 1, stride_h 2,
// fused_activation_function 3. Inputs: output shape (int32 [4]), weights
// [OutC, KH, KW, InC], input, optional bias.
func prepareTransposeConv(c *opCtx) (kernel, error) {
	if err := c.arity(3, 4, 1); err != nil {
		return nil, err
	}
	shapeT, w, in, out := c.input(0), c.input(1), c.input(2), c.output(0)
	act, err := c.activation(3)
	if err != nil {
		return nil, err
	}
	if shapeT.dtype != runtime.Int32 || shapeT.numElements() != 4 {
		return nil, c.invalid("output shape %s must hold 4 int32 values", shapeT)
	}
	var shape []int
	if shapeT.isConst() {
		for _, d := range i32(shapeT.data) {
			if d < 0 {
				return nil, c.invalid("output shape %v has a negative dimension", i32(shapeT.data))
			}
			shape = append(shape, int(d))
		}
		if len(in.shape) == 4 && len(w.shape) == 4 {
			if err := c.settleOutput(0, in.dtype, shape); err != nil {
				return nil, err
			}
		}
	} else {
		// Computed at run time (from the input's shape, by converters that
		// keep the graph's dimensions symbolic): the stored output shape
		// is taken, and each run checks that the computed one agrees.
		if len(out.shape) != 4 || unknownShape(out, []int{0, 0, 0, 0}) {
			return nil, c.unsupported("output shape %s computed at run time for output %s of unknown shape", shapeT, out)
		}
		shape = out.shape
	}
	if !sameShape(out.shape, shape) {
		return nil, c.invalid("output %s does not have the output shape %v", out, shape)
	}
	k, err := prepareTransposeConvKernel(c, act)
	if err != nil || shapeT.isConst() {
		return k, err
	}
	return checkedShape{k: k, want: shape}, nil
}

// checkedShape runs a TRANSPOSE_CONV whose output shape (input 0) is
// computed at run time after checking that it is the planned one.
type checkedShape struct {
	k    kernel
	want []int
}

func (k checkedShape) bind(b *binding) step {
	run := k.k.bind(b)
	return func() error {
		got := i32(b.ins[0])
		for i, d := range k.want {
			if int(got[i]) != d {
				return fmt.Errorf("output shape %v computed at run time differs from the planned %v", got, k.want)
			}
		}
		return run()
	}
}

// prepareTransposeConvKernel prepares the kernel of a TRANSPOSE_CONV whose
// operands prepareTransposeConv checked.
func prepareTransposeConvKernel(c *opCtx, act kernels.Activation) (kernel, error) {
	w, in, bias, out := c.input(1), c.input(2), c.input(3), c.output(0)
	var same bool
	switch p := c.n.opts.u8(0, 0); p {
	case 0:
		same = true
	case 1:
	default:
		return nil, c.unsupported("padding %d", p)
	}
	s, err := transposeShape(c, in, w, out, int(c.n.opts.i32(2, 0)), int(c.n.opts.i32(1, 0)))
	if err != nil {
		return nil, err
	}
	s.PadTop = kernels.Pad(s.OutH, kernels.OutSize(s.OutH, s.KH, s.StrideH, 1, same), s.KH, s.StrideH, 1)
	s.PadLeft = kernels.Pad(s.OutW, kernels.OutSize(s.OutW, s.KW, s.StrideW, 1, same), s.KW, s.StrideW, 1)
	if err := checkBias(c, bias, s.OutC); err != nil {
		return nil, err
	}
	switch {
	case in.dtype == runtime.Float32 && w.dtype == runtime.Float32 && out.dtype == runtime.Float32 && biasIs(bias, runtime.Float32):
		lo, hi := act.FloatRange()
		return transposeF32Kernel(kernels.NewTransposeConvF32(s, f32(w.data), constF32(bias), lo, hi), 2), nil
	case in.dtype == runtime.Int8 && w.dtype == runtime.Int8 && out.dtype == runtime.Int8 && biasIs(bias, runtime.Int32):
		rq, wzp, err := requant(c, in, w, out, s.OutC, 0, act)
		if err != nil {
			return nil, err
		}
		return transposeQKernel(kernels.NewTransposeConvQ[int8](s, i8(w.data), wzp, constI32(bias), in.zeroPoint(), rq)), nil
	case in.dtype == runtime.UInt8 && w.dtype == runtime.UInt8 && out.dtype == runtime.UInt8 && biasIs(bias, runtime.Int32):
		rq, wzp, err := requant(c, in, w, out, s.OutC, 0, act)
		if err != nil {
			return nil, err
		}
		return transposeQKernel(kernels.NewTransposeConvQ[uint8](s, w.data, wzp, constI32(bias), in.zeroPoint(), rq)), nil
	case in.dtype == runtime.Int16:
		rq, err := requant16(c, in, w, bias, out, s.OutC, 0, act)
		if err != nil {
			return nil, err
		}
		k := kernels.NewTransposeConvQ16(s, i8(w.data), rq)
		return rangeKernelAt(2, s.Pixels(), s.OutC*s.InC*max(1, s.KH*s.KW/(s.StrideH*s.StrideW)), k.Run), nil
	}
	return nil, c.unsupported("types %s x %s -> %s", in.dtype, w.dtype, out.dtype)
}

// transposeShape checks the input, constant weights and output of a
// transposed convolution and returns its geometry (without padding).
func transposeShape(c *opCtx, in, w, out *tensor, strideH, strideW int) (kernels.ConvShape, error) {
	var s kernels.ConvShape
	if len(in.shape) != 4 || len(w.shape) != 4 || len(out.shape) != 4 {
		return s, c.invalid("input %s, weights %s and output %s must be 4-D", in, w, out)
	}
	if !w.isConst() {
		return s, c.unsupported("weights %s computed at run time", w)
	}
	if w.shape[3] != in.shape[3] || w.shape[0] != out.shape[3] || in.shape[0] != out.shape[0] {
		return s, c.invalid("weights %s do not fit input %s and output %s", w, in, out)
	}
	const maxGeom = 1 << 16
	for _, v := range []int{strideH, strideW, w.shape[1], w.shape[2]} {
		if v < 1 || v > maxGeom {
			return s, c.invalid("strides %dx%d and window %dx%d must be in [1, %d]", strideH, strideW, w.shape[1], w.shape[2], maxGeom)
		}
	}
	return kernels.ConvShape{
		Batches: in.shape[0], InH: in.shape[1], InW: in.shape[2], InC: in.shape[3],
		OutH: out.shape[1], OutW: out.shape[2], OutC: out.shape[3],
		KH: w.shape[1], KW: w.shape[2], StrideH: strideH, StrideW: strideW, DilH: 1, DilW: 1,
	}, nil
}

// prepareTransposeConvBias is MediaPipe's Convolution2DTransposeBias: a
// float32 transposed convolution with inputs input, weights and bias, and
// custom options TfLiteTransposeConvParams as raw int32s: padding
// (TfLitePadding: 1 SAME, 2 VALID), stride_width, stride_height. The
// output size follows from them as MediaPipe computes it.
func prepareTransposeConvBias(c *opCtx) (kernel, error) {
	if err := c.arity(3, 3, 1); err != nil {
		return nil, err
	}
	in, w, bias, out := c.input(0), c.input(1), c.input(2), c.output(0)
	if len(c.n.custom) < 12 {
		return nil, c.invalid("custom options hold %d bytes, want at least 12 (padding, stride_width, stride_height)", len(c.n.custom))
	}
	o := c.n.custom
	pad, sw, sh := int32(binary.LittleEndian.Uint32(o)), int(int32(binary.LittleEndian.Uint32(o[4:]))), int(int32(binary.LittleEndian.Uint32(o[8:])))
	if pad != 1 && pad != 2 {
		return nil, c.unsupported("padding %d (want 1 SAME or 2 VALID)", pad)
	}
	if len(in.shape) != 4 || len(w.shape) != 4 {
		return nil, c.invalid("input %s and weights %s must be 4-D", in, w)
	}
	if sw < 1 || sh < 1 || sw > 1<<16 || sh > 1<<16 {
		return nil, c.invalid("strides %dx%d must be in [1, %d]", sh, sw, 1<<16)
	}
	kh, kw := w.shape[1], w.shape[2]
	var ph, pw int
	if pad == 1 {
		ph = max(0, kh-(in.shape[1]-1)%sh-1)
		pw = max(0, kw-(in.shape[2]-1)%sw-1)
	}
	shape := []int{in.shape[0], scaled(in.shape[1]-1, sh, kh-ph), scaled(in.shape[2]-1, sw, kw-pw), w.shape[0]}
	if err := c.settleOutput(0, in.dtype, shape); err != nil {
		return nil, err
	}
	if !sameShape(out.shape, shape) {
		return nil, c.invalid("output %s, want %v", out, shape)
	}
	s, err := transposeShape(c, in, w, out, sh, sw)
	if err != nil {
		return nil, err
	}
	s.PadTop, s.PadLeft = ph/2, pw/2
	if err := checkBias(c, bias, s.OutC); err != nil {
		return nil, err
	}
	if in.dtype != runtime.Float32 || w.dtype != runtime.Float32 || bias.dtype != runtime.Float32 || out.dtype != runtime.Float32 {
		return nil, c.unsupported("types %s x %s -> %s (float32 only)", in.dtype, w.dtype, out.dtype)
	}
	lo, hi := kernels.ActNone.FloatRange()
	return transposeF32Kernel(kernels.NewTransposeConvF32(s, f32(w.data), f32(bias.data), lo, hi), 0), nil
}

// bindFunc is a kernel given by its bind method.
type bindFunc func(b *binding) step

func (f bindFunc) bind(b *binding) step { return f(b) }

// transposeF32Kernel binds a float32 transposed convolution whose data is
// input number input: rows of output, split across the session's workers.
func transposeF32Kernel(t *kernels.TransposeConvF32, input int) kernel {
	g := t.Generic()
	s := &t.Shape
	macs := work(s.Batches, s.InH, s.InW, s.InC, t.W.N)
	return bindFunc(func(b *binding) step {
		k := t
		if b.generic {
			k = g
		}
		in, out := f32(b.ins[input]), f32(b.outs[0])
		sp := newSplit(b.pool.Workers(), k.Rows(), 1, macs, 1)
		scratch := make([][]float32, sp.parts)
		for i := range scratch {
			scratch[i] = make([]float32, k.ScratchLen())
		}
		r := elemRange(func(lo, hi int) {
			for i := lo; i < hi; i++ {
				m0, m1, _, _ := sp.part(i)
				k.Run(in, out, scratch[i], m0, m1)
			}
		})
		pool := b.pool
		return func() error {
			pool.Parallel(sp.parts, 1, r)
			return nil
		}
	})
}

// transposeQKernel binds an 8-bit TRANSPOSE_CONV (data in input 2).
func transposeQKernel[T int8 | uint8](t *kernels.TransposeConvQ[T]) kernel {
	g := t.Generic()
	s := &t.Shape
	macs := work(s.Batches, s.InH, s.InW, s.InC, t.W.N)
	return bindFunc(func(b *binding) step {
		k := t
		if b.generic {
			k = g
		}
		in, out := view[T](b.ins[2]), view[T](b.outs[0])
		sp := newSplit(b.pool.Workers(), k.Rows(), 1, macs, 1)
		scratch := make([][]int32, sp.parts)
		fscratch := make([][]float32, sp.parts)
		for i := range scratch {
			m0, m1, _, _ := sp.part(i)
			scratch[i] = make([]int32, k.ScratchLen(m1-m0))
			fscratch[i] = make([]float32, k.ScratchF32Len())
		}
		r := elemRange(func(lo, hi int) {
			for i := lo; i < hi; i++ {
				m0, m1, _, _ := sp.part(i)
				k.Run(in, out, scratch[i], fscratch[i], m0, m1)
			}
		})
		pool := b.pool
		return func() error {
			pool.Parallel(sp.parts, 1, r)
			return nil
		}
	})
}
