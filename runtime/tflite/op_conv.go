package tflite

import (
	"unsafe"

	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/kernels"
)

func init() { register("CONV_2D", prepareConv) }

// convOperands checks what CONV_2D and DEPTHWISE_CONV_2D share: an input,
// a constant filter and an optional bias, all 4-D but the bias, one output,
// and the fused activation in options field actSlot.
func convOperands(c *opCtx, actSlot int) (in, w, bias, out *tensor, act kernels.Activation, err error) {
	if err = c.arity(2, 3, 1); err != nil {
		return
	}
	in, w, bias, out = c.input(0), c.input(1), c.input(2), c.output(0)
	if act, err = c.activation(actSlot); err != nil {
		return
	}
	if len(in.shape) != 4 || len(w.shape) != 4 || len(out.shape) != 4 {
		err = c.invalid("input %s, filter %s and output %s must be 4-D", in, w, out)
	} else if !w.isConst() {
		err = c.unsupported("filter %s computed at run time", w)
	}
	return
}

// Conv2DOptions: padding 0, stride_w 1, stride_h 2, fused_activation_function 3,
// dilation_w_factor 4, dilation_h_factor 5.
func prepareConv(c *opCtx) (kernel, error) {
	in, w, bias, out, act, err := convOperands(c, 3)
	if err != nil {
		return nil, err
	}
	if w.shape[3] != in.shape[3] {
		return nil, c.unsupported("grouped convolution: filter %s on input %s", w, in)
	}
	s, err := convShape(c, in, out, w.shape[1], w.shape[2], 0, 1, 2, 5, 4)
	if err != nil {
		return nil, err
	}
	if s.OutC != w.shape[0] {
		return nil, c.invalid("output %s does not have the filter's %d channels", out, w.shape[0])
	}
	if err := checkBias(c, bias, s.OutC); err != nil {
		return nil, err
	}
	macs := work(s.Pixels(), s.OutC, s.K())
	switch {
	case in.dtype == runtime.Int16:
		return prepareConvQ16(c, s, in, w, bias, out, act)
	case in.dtype == runtime.Float32 && w.dtype == runtime.Float32 && out.dtype == runtime.Float32 && biasIs(bias, runtime.Float32):
		lo, hi := act.FloatRange()
		k := kernels.NewConvF32(s, f32(w.data), constF32(bias), lo, hi)
		return gemmKernel[float32]{k: k, ref: k.Generic(), rows: s.Pixels(), macs: macs}, nil
	case in.dtype == runtime.Int8 && w.dtype == runtime.Int8 && out.dtype == runtime.Int8 && biasIs(bias, runtime.Int32):
		rq, wzp, err := requant(c, in, w, out, s.OutC, 0, act)
		if err != nil {
			return nil, err
		}
		k := kernels.NewConvQ[int8](s, i8(w.data), wzp, constI32(bias), in.zeroPoint(), rq)
		return gemmKernel[int8]{k: k, ref: k.Generic(), rows: s.Pixels(), macs: macs}, nil
	case in.dtype == runtime.UInt8 && w.dtype == runtime.UInt8 && out.dtype == runtime.UInt8 && biasIs(bias, runtime.Int32):
		rq, wzp, err := requant(c, in, w, out, s.OutC, 0, act)
		if err != nil {
			return nil, err
		}
		k := kernels.NewConvQ[uint8](s, w.data, wzp, constI32(bias), in.zeroPoint(), rq)
		return gemmKernel[uint8]{k: k, ref: k.Generic(), rows: s.Pixels(), macs: macs}, nil
	case in.dtype == runtime.Float32 && w.dtype == runtime.Int8 && out.dtype == runtime.Float32 && biasIs(bias, runtime.Float32):
		return prepareHybridConv(c, s, w, bias, act, 0, 1, false)
	}
	return nil, c.unsupported("types %s x %s -> %s", in.dtype, w.dtype, out.dtype)
}

// convShape reads the geometry of a convolution-like operator from its
// input, output, window and the option slots of padding, strides and
// dilations (dilation slots < 0 for operators without dilation), and
// checks the output shape.
func convShape(c *opCtx, in, out *tensor, kh, kw int, padSlot, strideWSlot, strideHSlot, dilHSlot, dilWSlot int) (kernels.ConvShape, error) {
	o := c.n.opts
	s := kernels.ConvShape{
		Batches: in.shape[0], InH: in.shape[1], InW: in.shape[2], InC: in.shape[3],
		OutH: out.shape[1], OutW: out.shape[2], OutC: out.shape[3],
		KH: kh, KW: kw,
		StrideW: int(o.i32(strideWSlot, 0)), StrideH: int(o.i32(strideHSlot, 0)),
		DilH: 1, DilW: 1,
	}
	if dilHSlot >= 0 {
		s.DilH, s.DilW = int(o.i32(dilHSlot, 1)), int(o.i32(dilWSlot, 1))
	}
	const maxGeom = 1 << 16
	for _, v := range []int{s.StrideH, s.StrideW, s.DilH, s.DilW, kh, kw} {
		if v < 1 || v > maxGeom {
			return s, c.invalid("stride, dilation and window must be in [1, %d], have stride %dx%d, dilation %dx%d, window %dx%d",
				maxGeom, s.StrideH, s.StrideW, s.DilH, s.DilW, kh, kw)
		}
	}
	var same bool
	switch p := o.u8(padSlot, 0); p {
	case 0:
		same = true
	case 1:
	default:
		return s, c.unsupported("padding %d", p)
	}
	// A PAD folded in by the graph rewrites pads the input before the
	// padding of the options, no wider than the window (as SAME padding).
	var pad [4]int // top, bottom, left, right
	if f := c.n.fuse; f != nil && f.pad != nil {
		pad = *f.pad
		if max(pad[0], pad[1]) > (kh-1)*s.DilH || max(pad[2], pad[3]) > (kw-1)*s.DilW {
			return s, c.unsupported("folded padding %v wider than the %dx%d window", pad, kh, kw)
		}
	}
	inH, inW := s.InH+pad[0]+pad[1], s.InW+pad[2]+pad[3]
	oh, ow := kernels.OutSize(inH, kh, s.StrideH, s.DilH, same), kernels.OutSize(inW, kw, s.StrideW, s.DilW, same)
	if out.shape[0] != s.Batches || oh != s.OutH || ow != s.OutW || oh < 1 || ow < 1 {
		return s, c.invalid("output %s, want %d x %d x %d from input %s", out, s.Batches, oh, ow, in)
	}
	s.PadTop = kernels.Pad(inH, oh, kh, s.StrideH, s.DilH) + pad[0]
	s.PadLeft = kernels.Pad(inW, ow, kw, s.StrideW, s.DilW) + pad[2]
	return s, nil
}

// checkBias checks an optional constant bias of n values.
func checkBias(c *opCtx, bias *tensor, n int) error {
	if bias == nil {
		return nil
	}
	if !bias.isConst() {
		return c.unsupported("bias %s computed at run time", bias)
	}
	if bias.numElements() != n {
		return c.invalid("bias %s should hold %d values", bias, n)
	}
	if bias.dtype != runtime.Float32 && bias.dtype != runtime.Int32 && bias.dtype != runtime.Int64 {
		return c.unsupported("bias type %s", bias.dtype)
	}
	return nil
}

// biasIs reports whether an optional bias is absent or of type d.
func biasIs(bias *tensor, d runtime.DType) bool { return bias == nil || bias.dtype == d }

// constF32 returns a float32 bias, or nil when absent.
func constF32(t *tensor) []float32 {
	if t == nil || t.dtype != runtime.Float32 {
		return nil
	}
	return f32(t.data)
}

// constI32 returns an int32 bias, or nil when absent.
func constI32(t *tensor) []int32 {
	if t == nil || t.dtype != runtime.Int32 {
		return nil
	}
	return i32(t.data)
}

// weightQuant returns the scales and zero points of quantized weights with
// n output channels along axis: one pair, or one per channel.
func weightQuant(c *opCtx, w *tensor, n, axis int) ([]float32, []int32, error) {
	q := w.quant
	if q == nil || len(q.Scale) == 0 {
		return nil, nil, c.invalid("weights %s have no quantization parameters", w)
	}
	if len(q.Scale) != 1 && (len(q.Scale) != n || q.Axis != axis) {
		return nil, nil, c.unsupported("weights %s quantized with %d scales along axis %d, want 1 or %d along axis %d", w, len(q.Scale), q.Axis, n, axis)
	}
	zps := make([]int32, len(q.Scale))
	for i := range zps {
		if i < len(q.ZeroPoint) {
			zps[i] = int32(q.ZeroPoint[i])
		}
	}
	lo, hi := int32(-128), int32(127)
	if w.dtype == runtime.UInt8 {
		lo, hi = 0, 255
	}
	for i, s := range q.Scale {
		if !(s > 0) || zps[i] < lo || zps[i] > hi {
			return nil, nil, c.invalid("weights %s: scale %g zero point %d", w, s, zps[i])
		}
	}
	return q.Scale, zps, nil
}

// requant builds the requantization of an 8-bit operator with n output
// channels whose weights are quantized along axis, and returns the weight
// zero points.
func requant(c *opCtx, in, w, out *tensor, n, axis int, act kernels.Activation) (*kernels.Requant, []int32, error) {
	for _, t := range []*tensor{in, out} {
		if t.quant == nil || len(t.quant.Scale) != 1 || !(t.scale() > 0) {
			return nil, nil, c.invalid("%s needs one positive scale", t)
		}
	}
	ws, wzp, err := weightQuant(c, w, n, axis)
	if err != nil {
		return nil, nil, err
	}
	qmin, qmax := int32(-128), int32(127)
	if out.dtype == runtime.UInt8 {
		qmin, qmax = 0, 255
	}
	zp := out.zeroPoint()
	if zp < qmin || zp > qmax || in.zeroPoint() < qmin || in.zeroPoint() > qmax {
		return nil, nil, c.invalid("zero points %d (input) and %d (output) outside [%d, %d]", in.zeroPoint(), zp, qmin, qmax)
	}
	lo, hi := act.QuantRange(out.scale(), zp, qmin, qmax)
	return kernels.NewRequant(n, in.scale(), ws, out.scale(), zp, lo, hi), wzp, nil
}

// gemmRunner is a convolution or fully connected kernel computed as a
// matrix product over output rows and channel panels.
type gemmRunner[T any] interface {
	Run(in, out, scratch []T, m0, m1, p0, p1 int)
	ScratchLen() int
	Panels() int
}

// gemmKernel binds a gemmRunner to sessions.
// ref runs the generic kernels, for sessions that ask for them.
type gemmKernel[T float32 | int8 | uint8] struct {
	k, ref gemmRunner[T]
	rows   int
	macs   int
}

func (g gemmKernel[T]) bind(b *binding) step {
	k := g.k
	if b.generic {
		k = g.ref
	}
	r := &gemmRun[T]{k: k, in: view[T](b.ins[0]), out: view[T](b.outs[0])}
	r.sp = newSplit(b.pool.Workers(), g.rows, g.k.Panels(), g.macs, kernels.GemmRows)
	r.scratch = make([][]T, r.sp.parts)
	for i := range r.scratch {
		r.scratch[i] = make([]T, g.k.ScratchLen())
	}
	pool := b.pool
	return func() error {
		pool.Parallel(r.sp.parts, 1, r)
		return nil
	}
}

// gemmRun is one session's binding of a gemmKernel.
type gemmRun[T any] struct {
	k       gemmRunner[T]
	in, out []T
	scratch [][]T
	sp      split
}

// Range runs parts [lo, hi) of the split.
func (r *gemmRun[T]) Range(lo, hi int) {
	for i := lo; i < hi; i++ {
		m0, m1, p0, p1 := r.sp.part(i)
		r.k.Run(r.in, r.out, r.scratch[i], m0, m1, p0, p1)
	}
}

// work returns the product of the dimensions, the number of
// multiply-accumulates of an operator, capped so that it cannot overflow a
// 32-bit int.
func work(dims ...int) int {
	w := int64(1)
	for _, d := range dims {
		w = min(w*int64(d), 1<<30)
	}
	return int(w)
}

// minParallelMACs is the work below which splitting an operator across
// goroutines costs more than it saves.
const minParallelMACs = 1 << 16

// tilesPerWorker is how many tiles a split aims to give each worker: the
// pool hands tiles out one at a time, so a worker that starts late or runs
// slow leaves little for the others to wait on.
const tilesPerWorker = 4

// split divides rows×panels of output into a grid of tiles: rowParts bands
// of rows (in multiples of align) by panelParts groups of channel panels
// (in pairs, the unit of the widest 8-bit kernels).
// Bands of rows come first when the rows outnumber the channels (each band
// then reads all weights, and a convolution gathers its input once for all
// of its panels); groups of panels first otherwise (each then reads all of
// the fewer rows).
type split struct {
	rows, panels, align  int
	rowParts, panelParts int
	parts                int
}

func newSplit(workers, rows, panels, macs, align int) split {
	s := split{rows: rows, panels: panels, align: align, rowParts: 1, panelParts: 1, parts: 1}
	if workers <= 1 || macs < minParallelMACs {
		return s
	}
	// At least a quarter of minParallelMACs per tile, and a tile for
	// each worker.
	want := min(workers*tilesPerWorker, max(macs/(minParallelMACs/4), workers))
	bands := max((rows+align-1)/align, 1)
	pairs := (panels + 1) / 2
	if rows >= panels*8 {
		s.rowParts = min(want, bands)
		s.panelParts = min(pairs, (want+s.rowParts-1)/s.rowParts)
	} else {
		s.panelParts = min(want, pairs)
		s.rowParts = min(bands, (want+s.panelParts-1)/s.panelParts)
	}
	s.rowParts, s.panelParts = max(s.rowParts, 1), max(s.panelParts, 1)
	s.parts = s.rowParts * s.panelParts
	return s
}

// part returns the rows and panels of part i.
func (s split) part(i int) (m0, m1, p0, p1 int) {
	m0, m1 = kernels.Split(s.rows, s.rowParts, i/s.panelParts, s.align)
	p0, p1 = kernels.Split(s.panels, s.panelParts, i%s.panelParts, 2)
	return m0, m1, p0, p1
}

// view returns the elements of tensor bytes as float32, int8 or uint8.
func view[T float32 | int8 | uint8](b []byte) []T {
	var z T
	n := len(b) / int(unsafe.Sizeof(z))
	if n == 0 {
		return nil
	}
	return unsafe.Slice((*T)(unsafe.Pointer(&b[0])), n)
}
