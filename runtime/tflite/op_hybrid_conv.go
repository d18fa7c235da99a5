package tflite

import (
	"github.com/edgeinfer/edgeinfer/runtime/kernels"
)

// prepareHybridConv prepares a dynamic-range CONV_2D (depthwise false) or
// DEPTHWISE_CONV_2D (depth multiplier mult): float32 input and output,
// int8 weights quantized per tensor or per output channel along axis
// (per channel only for DEPTHWISE_CONV_2D, as TFLite requires). The input
// is quantized as kernels.HybridScale describes.
func prepareHybridConv(c *opCtx, s kernels.ConvShape, w, bias *tensor, act kernels.Activation, axis, mult int, depthwise bool) (kernel, error) {
	ws, wzp, err := weightQuant(c, w, s.OutC, axis)
	if err != nil {
		return nil, err
	}
	for _, z := range wzp {
		if z != 0 {
			return nil, c.unsupported("hybrid weights %s with zero point %d", w, z)
		}
	}
	if depthwise && len(ws) != s.OutC {
		return nil, c.invalid("hybrid depthwise weights %s have %d scales, TFLite wants one per channel (%d)", w, len(ws), s.OutC)
	}
	lo, hi := act.FloatRange()
	k := &hybridConvKernel{
		h:       kernels.NewHybridScale(s.OutC, ws, constF32(bias), lo, hi),
		batches: s.Batches,
		inSize:  s.InH * s.InW * s.InC,
		n:       s.OutC,
		macs:    work(s.Pixels(), s.OutC, s.K()),
	}
	wf := kernels.IntWeightsF32(i8(w.data))
	ulo, uhi := kernels.Unbounded()
	if depthwise {
		d := kernels.NewDepthwiseF32(s, mult, wf, nil, ulo, uhi)
		k.macs = work(s.Pixels(), s.OutC, s.KH*s.KW)
		k.dw, k.dwRef = d, d.Generic()
		k.rows, k.rowsPerBatch, k.pixelsPerRow, k.panels = s.Batches*s.OutH, s.OutH, s.OutW, 0
		return k, nil
	}
	if s.KH == 1 && s.KW == 1 && s.StrideH == 1 && s.StrideW == 1 {
		// XNNPACK runs it as a fully connected layer: one scale per pixel.
		k.batches, k.inSize = s.Pixels(), s.InC
	}
	conv := kernels.NewConvF32(s, wf, nil, ulo, uhi)
	k.conv, k.convRef = conv, conv.Generic()
	k.rows, k.rowsPerBatch, k.pixelsPerRow, k.panels = s.Pixels(), s.Pixels()/k.batches, 1, conv.Panels()
	return k, nil
}

// hybridConvKernel binds a hybrid convolution to sessions: its rows are
// output pixels (conv) or output image rows (dw) of pixelsPerRow pixels;
// the input is quantized in batches groups of inSize values, each giving
// rowsPerBatch rows.
type hybridConvKernel struct {
	h             *kernels.HybridScale
	conv, convRef *kernels.ConvF32
	dw, dwRef     *kernels.DepthwiseF32
	batches       int
	inSize        int
	n             int
	rows, panels  int
	rowsPerBatch  int
	pixelsPerRow  int
	macs          int
}

func (k *hybridConvKernel) bind(b *binding) step {
	r := &hybridConvRun{k: k, in: f32(b.ins[0]), out: f32(b.outs[0]),
		x: make([]float32, k.batches*k.inSize), q: make([]int8, k.inSize), scale: make([]float32, k.batches),
		conv: k.conv, dw: k.dw}
	if b.generic {
		r.conv, r.dw = k.convRef, k.dwRef
	}
	if k.conv != nil {
		r.sp = newSplit(b.pool.Workers(), k.rows, k.panels, k.macs, kernels.GemmRows)
		r.scratch = make([][]float32, r.sp.parts)
		for i := range r.scratch {
			r.scratch[i] = make([]float32, k.conv.ScratchLen())
		}
	} else {
		r.sp = newSplit(b.pool.Workers(), k.rows, 1, k.macs, 1)
	}
	pool := b.pool
	return func() error {
		for i := range k.batches {
			r.scale[i] = k.h.Quantize(r.in[i*k.inSize:(i+1)*k.inSize], r.x[i*k.inSize:], r.q)
		}
		pool.Parallel(r.sp.parts, 1, r)
		return nil
	}
}

// hybridConvRun is one session's binding of a hybridConvKernel: the input
// quantized, as float32 integers, and the scale of each batch.
type hybridConvRun struct {
	k       *hybridConvKernel
	in, out []float32
	x       []float32
	q       []int8
	scale   []float32
	conv    *kernels.ConvF32
	dw      *kernels.DepthwiseF32
	scratch [][]float32
	sp      split
}

// Range runs parts [lo, hi) of the split.
func (r *hybridConvRun) Range(lo, hi int) {
	k := r.k
	for i := lo; i < hi; i++ {
		m0, m1, p0, p1 := r.sp.part(i)
		if r.conv != nil {
			r.conv.Run(r.x, r.out, r.scratch[i], m0, m1, p0, p1)
		} else {
			r.dw.Run(r.x, r.out, m0, m1)
			p0, p1 = 0, kernels.Panels(k.n)
		}
		// Finish the rows batch by batch.
		for m := m0; m < m1; {
			b := m / k.rowsPerBatch
			end := min(m1, (b+1)*k.rowsPerBatch)
			w := k.pixelsPerRow * k.n
			k.h.Finish(r.out[m*w:end*w], k.n, r.scale[b], p0, p1)
			m = end
		}
	}
}
