package tflite

import (
	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/kernels"
)

func init() { register("DEPTHWISE_CONV_2D", prepareDepthwise) }

// DepthwiseConv2DOptions: padding 0, stride_w 1, stride_h 2,
// depth_multiplier 3, fused_activation_function 4, dilation_w_factor 5,
// dilation_h_factor 6. The depth multiplier is taken from the shapes
// (output channels / input channels), which TFLite also checks it against.
func prepareDepthwise(c *opCtx) (kernel, error) {
	in, w, bias, out, act, err := convOperands(c, 4)
	if err != nil {
		return nil, err
	}
	s, err := convShape(c, in, out, w.shape[1], w.shape[2], 0, 1, 2, 6, 5)
	if err != nil {
		return nil, err
	}
	if w.shape[0] != 1 || w.shape[3] != s.OutC || s.InC == 0 || s.OutC%s.InC != 0 {
		return nil, c.invalid("filter %s does not fit input %s and output %s", w, in, out)
	}
	mult := s.OutC / s.InC
	if err := checkBias(c, bias, s.OutC); err != nil {
		return nil, err
	}
	rows := s.Batches * s.OutH
	macs := work(s.Pixels(), s.OutC, s.KH*s.KW)
	switch {
	case in.dtype == runtime.Int16:
		return prepareDepthwiseQ16(c, s, mult, in, w, bias, out, act)
	case in.dtype == runtime.Float32 && w.dtype == runtime.Float32 && out.dtype == runtime.Float32 && biasIs(bias, runtime.Float32):
		lo, hi := act.FloatRange()
		d := kernels.NewDepthwiseF32(s, mult, f32(w.data), constF32(bias), lo, hi)
		g := d.Generic()
		return dwKernel[float32]{run: func(in, out []float32, _ []int32, r0, r1 int) { d.Run(in, out, r0, r1) },
			ref: func(in, out []float32, _ []int32, r0, r1 int) { g.Run(in, out, r0, r1) }, rows: rows, macs: macs}, nil
	case in.dtype == runtime.Int8 && w.dtype == runtime.Int8 && out.dtype == runtime.Int8 && biasIs(bias, runtime.Int32):
		rq, wzp, err := requant(c, in, w, out, s.OutC, 3, act)
		if err != nil {
			return nil, err
		}
		d := kernels.NewDepthwiseQ[int8](s, mult, i8(w.data), wzp, constI32(bias), in.zeroPoint(), rq)
		return dwKernel[int8]{run: d.Run, ref: d.Generic().Run, acc: d.ScratchLen(), rows: rows, macs: macs}, nil
	case in.dtype == runtime.UInt8 && w.dtype == runtime.UInt8 && out.dtype == runtime.UInt8 && biasIs(bias, runtime.Int32):
		rq, wzp, err := requant(c, in, w, out, s.OutC, 3, act)
		if err != nil {
			return nil, err
		}
		d := kernels.NewDepthwiseQ[uint8](s, mult, w.data, wzp, constI32(bias), in.zeroPoint(), rq)
		return dwKernel[uint8]{run: d.Run, ref: d.Generic().Run, acc: d.ScratchLen(), rows: rows, macs: macs}, nil
	case in.dtype == runtime.Float32 && w.dtype == runtime.Int8 && out.dtype == runtime.Float32 && biasIs(bias, runtime.Float32):
		return prepareHybridConv(c, s, w, bias, act, 3, mult, true)
	}
	return nil, c.unsupported("types %s x %s -> %s", in.dtype, w.dtype, out.dtype)
}

// dwKernel binds a depthwise convolution to sessions; run computes output
// rows [r0, r1) with acc as private int32 scratch of the given length.
// ref runs the generic kernels, for sessions that ask for them.
type dwKernel[T float32 | int8 | uint8] struct {
	run, ref func(in, out []T, acc []int32, r0, r1 int)
	acc      int
	rows     int
	macs     int
}

func (k dwKernel[T]) bind(b *binding) step {
	run := k.run
	if b.generic {
		run = k.ref
	}
	r := &dwRun[T]{run: run, in: view[T](b.ins[0]), out: view[T](b.outs[0])}
	r.sp = newSplit(b.pool.Workers(), k.rows, 1, k.macs, 1)
	r.acc = make([][]int32, r.sp.parts)
	for i := range r.acc {
		r.acc[i] = make([]int32, k.acc)
	}
	pool := b.pool
	return func() error {
		pool.Parallel(r.sp.parts, 1, r)
		return nil
	}
}

// dwRun is one session's binding of a dwKernel.
type dwRun[T any] struct {
	run     func(in, out []T, acc []int32, r0, r1 int)
	in, out []T
	acc     [][]int32
	sp      split
}

// Range runs parts [lo, hi) of the split.
func (r *dwRun[T]) Range(lo, hi int) {
	for i := lo; i < hi; i++ {
		m0, m1, _, _ := r.sp.part(i)
		r.run(r.in, r.out, r.acc[i], m0, m1)
	}
}
