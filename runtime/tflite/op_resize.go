package tflite

import (
	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/kernels"
)

func init() {
	register("RESIZE_BILINEAR", func(c *opCtx) (kernel, error) { return prepareResize(c, false) })
	register("RESIZE_NEAREST_NEIGHBOR", func(c *opCtx) (kernel, error) { return prepareResize(c, true) })
}

// resizeMinRows is the fewest output rows worth handing to one worker.
const resizeMinRows = 4

// prepareResize handles RESIZE_BILINEAR (ResizeBilinearOptions:
// align_corners 2, half_pixel_centers 3) and RESIZE_NEAREST_NEIGHBOR
// (ResizeNearestNeighborOptions: align_corners 0, half_pixel_centers 1).
// The size input, when constant, must match the stored output shape.
func prepareResize(c *opCtx, nearest bool) (kernel, error) {
	if err := c.arity(2, 2, 1); err != nil {
		return nil, err
	}
	in, out := c.input(0), c.output(0)
	alignSlot := 2
	if nearest {
		alignSlot = 0
	}
	align, half := c.n.opts.boolean(alignSlot), c.n.opts.boolean(alignSlot+1)
	if align && half {
		return nil, c.invalid("align_corners and half_pixel_centers are both set")
	}
	if len(in.shape) != 4 || len(out.shape) != 4 {
		return nil, c.invalid("input %s and output %s must be 4-D", in, out)
	}
	if in.dtype != out.dtype || out.shape[0] != in.shape[0] || out.shape[3] != in.shape[3] {
		return nil, c.invalid("output %s does not match input %s", out, in)
	}
	if in.shape[1] == 0 || in.shape[2] == 0 {
		return nil, c.invalid("input %s is empty", in)
	}
	if size, ok := shapeOpInts(c.input(1)); ok {
		if len(size) != 2 || size[0] != out.shape[1] || size[1] != out.shape[2] {
			return nil, c.invalid("size %v does not match output %s", size, out)
		}
	}
	if !shapeOpSameQuant(in, out) {
		return nil, c.unsupported("resizing %s into %s with different quantization", in, out)
	}
	b, h, w, ch := in.shape[0], in.shape[1], in.shape[2], in.shape[3]
	oh, ow := out.shape[1], out.shape[2]
	if nearest {
		es := in.dtype.Size()
		if es == 0 {
			return nil, c.unsupported("resizing %s", in.dtype)
		}
		g := kernels.NewNearestGeom(b, h, w, ch, oh, ow, align, half)
		return &resizeKernel{g: g, run: func(g *kernels.ResizeGeom, in, out []byte, lo, hi int) {
			kernels.ResizeNearest(g, in, out, ch*es, lo, hi)
		}}, nil
	}
	g := kernels.NewBilinearGeom(b, h, w, ch, oh, ow, align, half)
	k := &resizeKernel{g: g}
	switch in.dtype {
	case runtime.Float32:
		k.run = func(g *kernels.ResizeGeom, in, out []byte, lo, hi int) {
			kernels.ResizeBilinearF32(g, f32(in), f32(out), lo, hi)
		}
	case runtime.Int8:
		k.run = func(g *kernels.ResizeGeom, in, out []byte, lo, hi int) {
			kernels.ResizeBilinearQ(g, i8(in), i8(out), lo, hi)
		}
	case runtime.UInt8:
		k.run = func(g *kernels.ResizeGeom, in, out []byte, lo, hi int) {
			kernels.ResizeBilinearQ(g, in, out, lo, hi)
		}
	case runtime.Int16:
		r := kernels.NewResizeBilinear16(b, h, w, ch, oh, ow, align, half)
		k.run = func(_ *kernels.ResizeGeom, in, out []byte, lo, hi int) {
			r.Run(i16(in), i16(out), lo, hi)
		}
	default:
		return nil, c.unsupported("bilinear resize of %s", in.dtype)
	}
	return k, nil
}

// resizeKernel is a prepared resize.
type resizeKernel struct {
	g   *kernels.ResizeGeom
	run func(g *kernels.ResizeGeom, in, out []byte, lo, hi int)
}

func (k *resizeKernel) bind(b *binding) step {
	r := &resizeRanger{k: k, in: b.ins[0], out: b.outs[0]}
	return func() error {
		b.pool.Parallel(k.g.Rows(), resizeMinRows, r)
		return nil
	}
}

// resizeRanger runs a resize over a range of output rows of one session.
type resizeRanger struct {
	k       *resizeKernel
	in, out []byte
}

func (r *resizeRanger) Range(lo, hi int) { r.k.run(r.k.g, r.in, r.out, lo, hi) }
