package tflite

import (
	"math"

	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/kernels"
)

func init() { register("BATCH_MATMUL", prepareBatchMatMul) }

// BatchMatMulOptions: adj_x 0, adj_y 1, asymmetric_quantize_inputs 2 (see
// batchMatMulHybrid). float32, int8 (per tensor), 16-bit (int16 lhs, int16
// or int8 rhs) and hybrid (float32 lhs, constant int8 rhs).
func prepareBatchMatMul(c *opCtx) (kernel, error) {
	if err := c.arity(2, 2, 1); err != nil {
		return nil, err
	}
	lhs, rhs, out := c.input(0), c.input(1), c.output(0)
	s := &kernels.BatchMatMul{AdjX: c.n.opts.boolean(0), AdjY: c.n.opts.boolean(1)}
	if len(lhs.shape) < 2 || len(rhs.shape) < 2 {
		return nil, c.invalid("operands %s and %s must have rank 2 or more", lhs, rhs)
	}
	lr, rr := len(lhs.shape), len(rhs.shape)
	s.M, s.K = lhs.shape[lr-2], lhs.shape[lr-1]
	if s.AdjX {
		s.M, s.K = s.K, s.M
	}
	k, n := rhs.shape[rr-2], rhs.shape[rr-1]
	if s.AdjY {
		k, n = n, k
	}
	if k != s.K {
		return nil, c.invalid("operands %s and %s have depths %d and %d", lhs, rhs, s.K, k)
	}
	s.N = n
	lb, rb := lhs.shape[:lr-2], rhs.shape[:rr-2]
	ob, ok := broadcastShape(lb, rb)
	if !ok {
		return nil, c.invalid("batch dimensions of %s and %s do not broadcast", lhs, rhs)
	}
	outShape := append(append([]int(nil), ob...), s.M, s.N)
	dt := lhs.dtype
	if dt == runtime.Int8 || dt == runtime.Float32 || dt == runtime.Int16 {
		if err := c.settleOutput(0, dt, outShape); err != nil {
			return nil, err
		}
	}
	if !sameShape(out.shape, outShape) {
		return nil, c.invalid("output %s, want %v", out, outShape)
	}
	s.Lhs, s.Rhs = batchIndices(ob, lb), batchIndices(ob, rb)
	switch {
	case lhs.dtype == runtime.Float32 && rhs.dtype == runtime.Float32 && out.dtype == runtime.Float32:
		if rhs.isConst() {
			return batchMatMulConstF32(s, f32(rhs.data), rhs.numElements()/max(s.K*s.N, 1)), nil
		}
		return kernelFunc(func(b *binding) error {
			kernels.BatchMatMulF32(s, f32(b.ins[0]), f32(b.ins[1]), f32(b.outs[0]), 0, len(s.Lhs))
			return nil
		}), nil
	case lhs.dtype == runtime.Int8 && rhs.dtype == runtime.Int8 && out.dtype == runtime.Int8:
		ql, okl := qparams(lhs)
		qr, okr := qparams(rhs)
		qo, oko := qparams(out)
		if !okl || !okr || !oko {
			return nil, c.invalid("int8 operands %s, %s and output %s need per-tensor quantization", lhs, rhs, out)
		}
		lo, hi := kernels.TypeRange(true)
		q := kernels.NewBatchMatMulQ8(ql, qr, qo, lo, hi)
		return kernelFunc(func(b *binding) error {
			kernels.BatchMatMulQ8Run(s, q, i8(b.ins[0]), i8(b.ins[1]), i8(b.outs[0]), 0, len(s.Lhs))
			return nil
		}), nil
	case lhs.dtype == runtime.Int16 && (rhs.dtype == runtime.Int16 || rhs.dtype == runtime.Int8) && out.dtype == runtime.Int16:
		return batchMatMulQ16(c, s, lhs, rhs, out)
	case lhs.dtype == runtime.Float32 && rhs.dtype == runtime.Int8 && out.dtype == runtime.Float32:
		if !rhs.isConst() {
			return nil, c.unsupported("hybrid rhs %s computed at run time", rhs)
		}
		ws, wzp, err := weightQuant(c, rhs, s.N, len(rhs.shape)-1)
		if err != nil {
			return nil, err
		}
		if len(ws) != 1 || wzp[0] != 0 {
			return nil, c.unsupported("hybrid rhs %s with %d scales and zero point %d (want one scale, zero point 0)", rhs, len(ws), wzp[0])
		}
		return batchMatMulHybrid(s, i8(rhs.data), rhs.numElements()/max(s.K*s.N, 1), ws), nil
	}
	return nil, c.unsupported("types %s x %s -> %s", lhs.dtype, rhs.dtype, out.dtype)
}

// batchMatMulQ16 prepares an int16 x int16 or int16 x int8 product (16x8
// einsums) as TFLite's builtin kernel does: every zero point 0, and the
// scales of its legacy per-tensor quantization (legacyQParams), so that an
// rhs with one scale per channel, which that kernel reads as scale 0,
// gives zeros there and here.
func batchMatMulQ16(c *opCtx, s *kernels.BatchMatMul, lhs, rhs, out *tensor) (kernel, error) {
	ql, qr, qo := legacyQParams(lhs), legacyQParams(rhs), legacyQParams(out)
	if ql.Zero != 0 || qr.Zero != 0 || qo.Zero != 0 {
		return nil, c.invalid("16-bit operands %s, %s and output %s must have zero point 0", lhs, rhs, out)
	}
	if qo.Scale <= 0 {
		return nil, c.invalid("16-bit output %s needs one positive scale", out)
	}
	lo, hi := int32(math.MinInt16), int32(math.MaxInt16)
	q := kernels.NewBatchMatMulQ8(ql, qr, qo, lo, hi)
	if rhs.dtype == runtime.Int8 {
		return kernelFunc(func(b *binding) error {
			kernels.BatchMatMulQ16Run(s, q, i16(b.ins[0]), i8(b.ins[1]), i16(b.outs[0]), 0, len(s.Lhs))
			return nil
		}), nil
	}
	return kernelFunc(func(b *binding) error {
		kernels.BatchMatMulQ16Run(s, q, i16(b.ins[0]), i16(b.ins[1]), i16(b.outs[0]), 0, len(s.Lhs))
		return nil
	}), nil
}

// legacyQParams is the per-tensor quantization TFLite's kernels read from
// a tensor's params: its scale and zero point when it has one of each,
// else zero.
func legacyQParams(t *tensor) kernels.QParams {
	if t.quant == nil || len(t.quant.Scale) != 1 || len(t.quant.ZeroPoint) != 1 {
		return kernels.QParams{}
	}
	return kernels.QParams{Scale: t.quant.Scale[0], Zero: int32(t.quant.ZeroPoint[0])}
}

// batchIndices returns, for each index of the batch shape out (row-major),
// the flat index of the batch of an operand whose batch shape is in
// (right-aligned, broadcast along its dimensions of size 1).
func batchIndices(out, in []int) []int {
	total := 1
	for _, d := range out {
		total *= d
	}
	idx := make([]int, total)
	coord := make([]int, len(out))
	for i := range idx {
		flat, stride := 0, 1
		for d := len(in) - 1; d >= 0; d-- {
			c := coord[len(out)-len(in)+d]
			if in[d] == 1 {
				c = 0
			}
			flat += c * stride
			stride *= in[d]
		}
		idx[i] = flat
		for d := len(out) - 1; d >= 0; d-- {
			if coord[d]++; coord[d] < out[d] {
				break
			}
			coord[d] = 0
		}
	}
	return idx
}

// batchMatMulConstF32 runs a float32 product with a constant rhs of
// batches matrices on the SIMD GEMM, each rhs matrix packed at load.
func batchMatMulConstF32(s *kernels.BatchMatMul, rhs []float32, batches int) kernel {
	packed := make([]*kernels.PackedF32, batches)
	for j := range packed {
		packed[j] = kernels.PackF32(kernels.WeightsRHS(s, rhs, j), s.N, s.K, nil)
	}
	lo, hi := kernels.Unbounded()
	return bindFunc(func(b *binding) step {
		scratch := make([]float32, s.M*s.K)
		lhs, out := f32(b.ins[0]), f32(b.outs[0])
		return func() error {
			for i := range s.Lhs {
				a := s.RowsLHS(lhs, i, scratch)
				w := packed[s.Rhs[i]]
				kernels.GemmF32(a, s.K, s.M, w, 0, kernels.Panels(s.N), out[i*s.M*s.N:], s.N, lo, hi)
			}
			return nil
		}
	})
}

// batchMatMulHybrid runs a dynamic-range product: each lhs row quantized
// to int8 on the fly, times a constant int8 rhs of batches matrices with
// one scale. Rows are quantized asymmetrically whatever
// asymmetric_quantize_inputs says, as LiteRT with XNNPACK (the engine of
// the references) does; TFLite's builtin kernel follows the option.
func batchMatMulHybrid(s *kernels.BatchMatMul, rhs []int8, batches int, scale []float32) kernel {
	fcs := make([]*kernels.FullyConnectedHybrid, batches)
	lo, hi := kernels.Unbounded()
	for j := range fcs {
		fcs[j] = kernels.NewFullyConnectedHybrid(kernels.WeightsRHS(s, rhs, j), s.N, s.K, scale, nil, true, lo, hi)
	}
	return bindFunc(func(b *binding) step {
		rows := make([]float32, s.M*s.K)
		q := make([]int8, s.M*s.K)
		scales, zps := make([]float32, s.M), make([]int32, s.M)
		lhs, out := f32(b.ins[0]), f32(b.outs[0])
		return func() error {
			for i := range s.Lhs {
				a := s.RowsLHS(lhs, i, rows)
				fc := fcs[s.Rhs[i]]
				fc.Quantize(a, q, scales, zps, 0, s.M)
				fc.Run(q, scales, zps, out[i*s.M*s.N:], 0, s.M, 0, fc.Panels())
			}
			return nil
		}
	})
}
