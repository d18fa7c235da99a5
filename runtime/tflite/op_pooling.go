package tflite

import (
	"math"

	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/kernels"
)

func init() {
	register("AVERAGE_POOL_2D", func(c *opCtx) (kernel, error) { return preparePool(c, poolAvg) })
	register("MAX_POOL_2D", func(c *opCtx) (kernel, error) { return preparePool(c, poolMax) })
	register("L2_POOL_2D", func(c *opCtx) (kernel, error) { return preparePool(c, poolL2) })
}

// Pooling kinds.
const (
	poolAvg = iota
	poolMax
	poolL2
)

// poolMaxWindow bounds strides and filter sizes, which keeps the window
// arithmetic from overflowing on 32-bit targets.
const poolMaxWindow = 1 << 20

// poolMinRows is the fewest output rows worth handing to one worker.
const poolMinRows = 4

// poolOutSize returns the output size and leading padding of one spatial
// dimension under TFLite's SAME (padding 0) or VALID (1) rule.
func poolOutSize(padding uint8, in, filter, stride int) (out, pad int) {
	if padding == 0 {
		out = (in + stride - 1) / stride
	} else {
		out = (in - filter + stride) / stride
	}
	if total := (out-1)*stride + filter - in; total > 0 {
		pad = total / 2
	}
	return out, pad
}

// preparePool handles AVERAGE_POOL_2D, MAX_POOL_2D and L2_POOL_2D (float
// only, as in TFLite). Pool2DOptions:
// padding 0, stride_w 1, stride_h 2, filter_width 3, filter_height 4,
// fused_activation_function 5.
func preparePool(c *opCtx, kind int) (kernel, error) {
	isMax := kind == poolMax
	if err := c.arity(1, 1, 1); err != nil {
		return nil, err
	}
	in, out := c.input(0), c.output(0)
	act, err := c.activation(5)
	if err != nil {
		return nil, err
	}
	o := c.n.opts
	padding := o.u8(0, 0)
	sw, sh := int(o.i32(1, 0)), int(o.i32(2, 0))
	fw, fh := int(o.i32(3, 0)), int(o.i32(4, 0))
	if padding > 1 {
		return nil, c.invalid("padding %d", padding)
	}
	if sw < 1 || sh < 1 || fw < 1 || fh < 1 || sw > poolMaxWindow || sh > poolMaxWindow || fw > poolMaxWindow || fh > poolMaxWindow {
		return nil, c.invalid("stride %dx%d or filter %dx%d out of range", sh, sw, fh, fw)
	}
	if len(in.shape) != 4 || len(out.shape) != 4 {
		return nil, c.invalid("input %s and output %s must be 4-D", in, out)
	}
	if in.dtype != out.dtype {
		return nil, c.invalid("input %s and output %s types differ", in, out)
	}
	g := &kernels.PoolGeom{
		Batches: in.shape[0], InH: in.shape[1], InW: in.shape[2], Channels: in.shape[3],
		FilterH: fh, FilterW: fw, StrideH: sh, StrideW: sw,
	}
	g.OutH, g.PadTop = poolOutSize(padding, g.InH, fh, sh)
	g.OutW, g.PadLeft = poolOutSize(padding, g.InW, fw, sw)
	if !sameShape(out.shape, []int{g.Batches, g.OutH, g.OutW, g.Channels}) {
		return nil, c.invalid("output %s, want [%d %d %d %d]", out, g.Batches, g.OutH, g.OutW, g.Channels)
	}
	var run func(g *kernels.PoolGeom, in, out []byte, lo, hi int)
	switch in.dtype {
	case runtime.Float32:
		lo, hi := act.FloatRange()
		switch kind {
		case poolMax:
			run = func(g *kernels.PoolGeom, in, out []byte, r0, r1 int) {
				kernels.MaxPool(g, f32(in), f32(out), lo, hi, r0, r1)
			}
		case poolL2:
			run = func(g *kernels.PoolGeom, in, out []byte, r0, r1 int) {
				kernels.L2PoolF32(g, f32(in), f32(out), lo, hi, r0, r1)
			}
		default:
			run = func(g *kernels.PoolGeom, in, out []byte, r0, r1 int) {
				kernels.AvgPoolF32(g, f32(in), f32(out), lo, hi, r0, r1)
			}
		}
	case runtime.Int8, runtime.UInt8:
		if kind == poolL2 {
			return nil, c.unsupported("L2 pooling of %s", in.dtype)
		}
		if in.quant == nil || out.quant == nil {
			return nil, c.invalid("quantized pooling needs quantization parameters on %s and %s", in, out)
		}
		if in.scale() != out.scale() || in.zeroPoint() != out.zeroPoint() {
			return nil, c.unsupported("pooling from %s to %s with different quantization", in, out)
		}
		qmin, qmax := int32(math.MinInt8), int32(math.MaxInt8)
		if in.dtype == runtime.UInt8 {
			qmin, qmax = 0, math.MaxUint8
		}
		lo, hi := act.QuantRange(out.scale(), out.zeroPoint(), qmin, qmax)
		switch {
		case in.dtype == runtime.Int8 && isMax:
			run = func(g *kernels.PoolGeom, in, out []byte, r0, r1 int) {
				kernels.MaxPool(g, i8(in), i8(out), int8(lo), int8(hi), r0, r1)
			}
		case in.dtype == runtime.Int8:
			run = func(g *kernels.PoolGeom, in, out []byte, r0, r1 int) {
				kernels.AvgPoolQ(g, i8(in), i8(out), lo, hi, r0, r1)
			}
		case isMax:
			run = func(g *kernels.PoolGeom, in, out []byte, r0, r1 int) {
				kernels.MaxPool(g, in, out, uint8(lo), uint8(hi), r0, r1)
			}
		default:
			run = func(g *kernels.PoolGeom, in, out []byte, r0, r1 int) {
				kernels.AvgPoolQ(g, in, out, lo, hi, r0, r1)
			}
		}
	case runtime.Int16:
		if kind == poolL2 {
			return nil, c.unsupported("L2 pooling of %s", in.dtype)
		}
		if !shapeOpSameQuant(in, out) {
			return nil, c.unsupported("pooling from %s to %s with different quantization", in, out)
		}
		qo, err := q16params(c, out)
		if err != nil {
			return nil, err
		}
		lo, hi := actRange16(act, qo)
		if isMax {
			run = func(g *kernels.PoolGeom, in, out []byte, r0, r1 int) {
				kernels.MaxPool(g, i16(in), i16(out), int16(lo), int16(hi), r0, r1)
			}
		} else {
			run = func(g *kernels.PoolGeom, in, out []byte, r0, r1 int) {
				kernels.AvgPoolQ(g, i16(in), i16(out), lo, hi, r0, r1)
			}
		}
	default:
		return nil, c.unsupported("pooling of %s", in.dtype)
	}
	return &poolKernel{g: g, run: run}, nil
}

// poolKernel is a prepared pooling operator.
type poolKernel struct {
	g   *kernels.PoolGeom
	run func(g *kernels.PoolGeom, in, out []byte, lo, hi int)
}

func (k *poolKernel) bind(b *binding) step {
	r := &poolRanger{k: k, in: b.ins[0], out: b.outs[0]}
	return func() error {
		b.pool.Parallel(k.g.Rows(), poolMinRows, r)
		return nil
	}
}

// poolRanger runs a pooling over a range of output rows of one session.
type poolRanger struct {
	k       *poolKernel
	in, out []byte
}

func (r *poolRanger) Range(lo, hi int) { r.k.run(r.k.g, r.in, r.out, lo, hi) }
