package tflite

import (
	"encoding/binary"

	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/kernels"
)

func init() {
	register("CUSTOM:MaxPoolingWithArgmax2D", prepareMaxPoolArgmax)
	register("CUSTOM:MaxUnpooling2D", prepareMaxUnpool)
	register("CUSTOM:LiteRtMaxUnpooling2D", prepareMaxUnpool)
}

// poolParams is TfLitePoolParams, which these custom operators keep as
// raw little-endian int32s in their custom options: padding
// (TfLitePadding: 1 SAME, 2 VALID), stride_width, stride_height,
// filter_width, filter_height, activation.
type poolParams struct {
	same             bool
	strideW, strideH int
	filterW, filterH int
	act              kernels.Activation
}

func readPoolParams(c *opCtx) (poolParams, error) {
	var p poolParams
	o := c.n.custom
	if len(o) < 24 {
		return p, c.invalid("custom options hold %d bytes, want the 24 of TfLitePoolParams (padding, strides, filter, activation)", len(o))
	}
	v := func(i int) int32 { return int32(binary.LittleEndian.Uint32(o[4*i:])) }
	switch v(0) {
	case 1:
		p.same = true
	case 2:
	default:
		return p, c.unsupported("padding %d (want 1 SAME or 2 VALID)", v(0))
	}
	p.strideW, p.strideH, p.filterW, p.filterH = int(v(1)), int(v(2)), int(v(3)), int(v(4))
	for _, x := range []int{p.strideW, p.strideH, p.filterW, p.filterH} {
		if x < 1 || x > 1<<16 {
			return p, c.invalid("strides %dx%d and filter %dx%d must be in [1, %d]", p.strideH, p.strideW, p.filterH, p.filterW, 1<<16)
		}
	}
	switch a := kernels.Activation(v(5)); a {
	case kernels.ActNone, kernels.ActRelu, kernels.ActReluN1To1, kernels.ActRelu6:
		p.act = a
	default:
		return p, c.unsupported("fused activation %d", v(5))
	}
	return p, nil
}

// scaled returns in·mul + add, an output size computed from an input size
// and a window geometry, or -1 when it exceeds what a tensor can hold (so
// that 32-bit targets cannot wrap it around).
func scaled(in, mul, add int) int {
	v := int64(in)*int64(mul) + int64(add)
	if v < 0 || v > maxTensorBytes {
		return -1
	}
	return int(v)
}

// resizeOutput gives output i the shape the operator computes, whatever
// the file stores, as TFLite's Prepare of these operators does (their
// converters store placeholder shapes).
func (c *opCtx) resizeOutput(i int, dt runtime.DType, shape []int) error {
	out := c.output(i)
	if out.variable || out.isConst() {
		return c.invalid("output %s is a variable or a constant", out)
	}
	n := uint64(dt.Size())
	for _, d := range shape {
		if d < 0 || (d > 0 && n > maxTensorBytes/uint64(d)) {
			return c.invalid("output shape %v of %s is too large", shape, out)
		}
		n *= uint64(max(d, 1))
	}
	out.shape, out.signature, out.dtype = append([]int(nil), shape...), nil, dt
	return nil
}

// prepareMaxPoolArgmax is MediaPipe's MaxPoolingWithArgmax2D: a float32
// max pool with a second output, the position of each maximum in its
// window (float32).
func prepareMaxPoolArgmax(c *opCtx) (kernel, error) {
	if err := c.arity(1, 1, 2); err != nil {
		return nil, err
	}
	p, err := readPoolParams(c)
	if err != nil {
		return nil, err
	}
	in := c.input(0)
	if len(in.shape) != 4 || in.dtype != runtime.Float32 {
		return nil, c.unsupported("input %s: want 4-D float32", in)
	}
	s := kernels.ConvShape{Batches: in.shape[0], InH: in.shape[1], InW: in.shape[2], InC: in.shape[3], OutC: in.shape[3],
		KH: p.filterH, KW: p.filterW, StrideH: p.strideH, StrideW: p.strideW, DilH: 1, DilW: 1}
	s.OutH, s.OutW = kernels.OutSize(s.InH, s.KH, s.StrideH, 1, p.same), kernels.OutSize(s.InW, s.KW, s.StrideW, 1, p.same)
	if s.OutH < 1 || s.OutW < 1 {
		return nil, c.invalid("filter %dx%d is larger than input %s", s.KH, s.KW, in)
	}
	s.PadTop, s.PadLeft = kernels.Pad(s.InH, s.OutH, s.KH, s.StrideH, 1), kernels.Pad(s.InW, s.OutW, s.KW, s.StrideW, 1)
	shape := []int{s.Batches, s.OutH, s.OutW, s.OutC}
	for i := range 2 {
		if err := c.resizeOutput(i, runtime.Float32, shape); err != nil {
			return nil, err
		}
	}
	lo, hi := p.act.FloatRange()
	return kernelFunc(func(b *binding) error {
		kernels.MaxPoolArgmax(&s, f32(b.ins[0]), f32(b.outs[0]), f32(b.outs[1]), lo, hi)
		return nil
	}), nil
}

// prepareMaxUnpool is MaxUnpooling2D: MediaPipe's, whose float32 indices
// name a place in each window (output size input × filter), and
// TensorFlow Lite's (also registered by LiteRT as LiteRtMaxUnpooling2D),
// whose int32 indices are flat over an output image (output size input ×
// stride for SAME, (input-1) × stride + filter for VALID).
func prepareMaxUnpool(c *opCtx) (kernel, error) {
	if err := c.arity(2, 2, 1); err != nil {
		return nil, err
	}
	p, err := readPoolParams(c)
	if err != nil {
		return nil, err
	}
	in, idx := c.input(0), c.input(1)
	if len(in.shape) != 4 || in.dtype != runtime.Float32 {
		return nil, c.unsupported("input %s: want 4-D float32", in)
	}
	if !sameShape(in.shape, idx.shape) {
		return nil, c.invalid("indices %s do not have the shape of input %s", idx, in)
	}
	s := kernels.ConvShape{Batches: in.shape[0], InH: in.shape[1], InW: in.shape[2], InC: in.shape[3], OutC: in.shape[3],
		KH: p.filterH, KW: p.filterW, StrideH: p.strideH, StrideW: p.strideW, DilH: 1, DilW: 1}
	switch {
	case idx.dtype == runtime.Float32 && c.n.name == "CUSTOM:MaxUnpooling2D":
		s.OutH, s.OutW = scaled(s.InH, s.KH, 0), scaled(s.InW, s.KW, 0)
		s.PadTop, s.PadLeft = kernels.Pad(s.OutH, s.InH, s.KH, s.StrideH, 1), kernels.Pad(s.OutW, s.InW, s.KW, s.StrideW, 1)
		if err := c.resizeOutput(0, runtime.Float32, []int{s.Batches, s.OutH, s.OutW, s.OutC}); err != nil {
			return nil, err
		}
		return kernelFunc(func(b *binding) error {
			kernels.MaxUnpoolWindow(&s, f32(b.ins[0]), f32(b.ins[1]), f32(b.outs[0]))
			return nil
		}), nil
	case idx.dtype == runtime.Int32:
		if p.same {
			s.OutH, s.OutW = scaled(s.InH, s.StrideH, 0), scaled(s.InW, s.StrideW, 0)
		} else {
			s.OutH, s.OutW = scaled(s.InH-1, s.StrideH, s.KH), scaled(s.InW-1, s.StrideW, s.KW)
		}
		if err := c.resizeOutput(0, runtime.Float32, []int{s.Batches, s.OutH, s.OutW, s.OutC}); err != nil {
			return nil, err
		}
		batches := s.Batches
		return kernelFunc(func(b *binding) error {
			if batches == 0 {
				return nil
			}
			return kernels.MaxUnpoolFlat(batches, f32(b.ins[0]), i32(b.ins[1]), f32(b.outs[0]))
		}), nil
	}
	return nil, c.unsupported("indices of type %s", idx.dtype)
}
