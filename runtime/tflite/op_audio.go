package tflite

import (
	"math"

	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/kernels"
)

// The operators of audio front ends (spectrograms): RFFT2D and the complex
// and float32 element-wise operators around it.
func init() {
	register("RFFT2D", prepareRFFT2D)
	register("COMPLEX_ABS", prepareComplexPart(func(re, im float32) float32 {
		return float32(math.Hypot(float64(re), float64(im)))
	}))
	register("REAL", prepareComplexPart(func(re, _ float32) float32 { return re }))
	register("IMAG", prepareComplexPart(func(_, im float32) float32 { return im }))
	register("LOG", prepareLog)
	register("SIN", prepareFloatUnary(math.Sin))
	register("COS", prepareFloatUnary(math.Cos))
	register("POW", preparePow)
}

// prepareRFFT2D: input float32 [..., H, W], fft_length a constant int32
// [2] of powers of two (FH, FW), output complex64 [..., FH, FW/2+1].
func prepareRFFT2D(c *opCtx) (kernel, error) {
	if err := c.arity(2, 2, 1); err != nil {
		return nil, err
	}
	in, lengths, out := c.input(0), c.input(1), c.output(0)
	r := len(in.shape)
	if r < 2 {
		return nil, c.invalid("input %s must have at least 2 dimensions", in)
	}
	if in.dtype != runtime.Float32 {
		return nil, c.unsupported("input type %s", in.dtype)
	}
	if lengths.dtype != runtime.Int32 || len(lengths.shape) != 1 || lengths.shape[0] != 2 {
		return nil, c.invalid("fft_length %s must be int32 [2]", lengths)
	}
	if !lengths.isConst() {
		return nil, c.unsupported("fft_length %s computed at run time", lengths)
	}
	fl := i32(lengths.data)
	fh, fw := int(fl[0]), int(fl[1])
	const maxLen = 1 << 20
	if fh < 1 || fw < 2 || fh > maxLen || fw > maxLen {
		return nil, c.invalid("fft_length %d x %d", fh, fw)
	}
	shape := append(append([]int(nil), in.shape[:r-2]...), fh, fw/2+1)
	if err := c.settleOutput(0, runtime.Complex64, shape); err != nil {
		return nil, err
	}
	if out.dtype != runtime.Complex64 || !sameShape(out.shape, shape) {
		return nil, c.invalid("output %s, want complex64 %v", out, shape)
	}
	h, w := in.shape[r-2], in.shape[r-1]
	t, err := kernels.NewRFFT2D(h, w, fh, fw)
	if err != nil {
		return nil, c.invalid("fft_length %d x %d: %v", fh, fw, err)
	}
	slices := 1
	for _, d := range in.shape[:r-2] {
		slices *= d
	}
	return &rfftKernel{t: t, slices: slices, inLen: h * w}, nil
}

// rfftKernel runs an RFFT2D over its slices, each part of the session's
// pool with its own scratch.
type rfftKernel struct {
	t             *kernels.RFFT2D
	slices, inLen int
}

func (k *rfftKernel) bind(b *binding) step {
	parts := max(1, min(b.pool.Workers(), k.slices))
	scratch := make([][]complex128, parts)
	for i := range scratch {
		scratch[i] = make([]complex128, k.t.ScratchLen())
	}
	outLen := 2 * k.t.OutLen()
	var r kernels.Ranger = elemRange(func(lo, hi int) {
		in, out := f32(b.ins[0]), f32(b.outs[0])
		for p := lo; p < hi; p++ {
			s0, s1 := kernels.Split(k.slices, parts, p, 1)
			for s := s0; s < s1; s++ {
				k.t.Run(in[s*k.inLen:(s+1)*k.inLen], out[s*outLen:(s+1)*outLen], scratch[p])
			}
		}
	})
	return func() error {
		b.pool.Parallel(parts, 1, r)
		return nil
	}
}

// prepareComplexPart returns the prepareFunc of an operator that maps
// each complex64 element to a float32 (COMPLEX_ABS, REAL, IMAG).
func prepareComplexPart(f func(re, im float32) float32) prepareFunc {
	return func(c *opCtx) (kernel, error) {
		if err := c.arity(1, 1, 1); err != nil {
			return nil, err
		}
		in, out := c.input(0), c.output(0)
		if in.dtype != runtime.Complex64 {
			return nil, c.unsupported("input type %s", in.dtype)
		}
		if err := c.settleOutput(0, runtime.Float32, in.shape); err != nil {
			return nil, err
		}
		if out.dtype != runtime.Float32 || out.numElements() != in.numElements() {
			return nil, c.invalid("output %s, want float32 of input %s's shape", out, in)
		}
		return &elemKernel{n: out.numElements(), grain: elemGrain, run: func(ins, outs [][]byte, lo, hi int) {
			x, y := f32(ins[0]), f32(outs[0])
			for i := lo; i < hi; i++ {
				y[i] = f(x[2*i], x[2*i+1])
			}
		}}, nil
	}
}

// prepareFloatUnary returns the prepareFunc of a float32 element-wise
// operator computing f in float64, rounded to float32.
func prepareFloatUnary(f func(float64) float64) prepareFunc {
	return func(c *opCtx) (kernel, error) {
		if err := c.arity(1, 1, 1); err != nil {
			return nil, err
		}
		in, out := c.input(0), c.output(0)
		if in.dtype != runtime.Float32 {
			return nil, c.unsupported("type %s", in.dtype)
		}
		if err := c.settleOutput(0, in.dtype, in.shape); err != nil {
			return nil, err
		}
		if out.dtype != in.dtype || out.numElements() != in.numElements() {
			return nil, c.invalid("input %s and output %s differ", in, out)
		}
		return &elemKernel{n: out.numElements(), grain: elemGrain, run: func(ins, outs [][]byte, lo, hi int) {
			x, y := f32(ins[0])[lo:hi], f32(outs[0])[lo:hi]
			for i, v := range x {
				y[i] = float32(f(float64(v)))
			}
		}}, nil
	}
}

// preparePow: float32 or int32 with broadcasting; integer powers refuse
// negative exponents at run time, as TFLite does.
func preparePow(c *opCtx) (kernel, error) {
	if err := c.arity(2, 2, 1); err != nil {
		return nil, err
	}
	a, b, out := c.input(0), c.input(1), c.output(0)
	if a.dtype != b.dtype {
		return nil, c.invalid("mixed types %s and %s", a.dtype, b.dtype)
	}
	if shape, ok := broadcastShape(a.shape, b.shape); ok {
		if err := c.settleOutput(0, a.dtype, shape); err != nil {
			return nil, err
		}
	}
	if out.dtype != a.dtype {
		return nil, c.invalid("output %s, want %s", out, a.dtype)
	}
	p, err := kernels.NewBroadcast(a.shape, b.shape, out.shape)
	if err != nil {
		return nil, c.invalid("%v", err)
	}
	k := &elemKernel{n: p.Len(), grain: elemGrain}
	switch a.dtype {
	case runtime.Float32:
		k.run = func(ins, outs [][]byte, from, to int) {
			kernels.PowF32(f32(ins[0]), f32(ins[1]), f32(outs[0]), &p, from, to)
		}
		return k, nil
	case runtime.Int32:
		k.check = func(ins [][]byte) error { return kernels.CheckExponents(i32(ins[1])) }
		k.run = func(ins, outs [][]byte, from, to int) {
			kernels.PowInt32(i32(ins[0]), i32(ins[1]), i32(outs[0]), &p, from, to)
		}
		return k, nil
	}
	return nil, c.unsupported("type %s", a.dtype)
}

// prepareLog is LOG on float32, and on int8 and int16 through
// TFLite's tables (non-positive inputs give the lowest output).
func prepareLog(c *opCtx) (kernel, error) {
	if err := c.arity(1, 1, 1); err != nil {
		return nil, err
	}
	in, out := c.input(0), c.output(0)
	if in.dtype == runtime.Float32 {
		return prepareFloatUnary(math.Log)(c)
	}
	if in.dtype != out.dtype || in.numElements() != out.numElements() {
		return nil, c.invalid("input %s and output %s differ", in, out)
	}
	qi, oki := qparams(in)
	qo, oko := qparams(out)
	if !oki || !oko {
		return nil, c.invalid("quantized LOG needs per-tensor quantization on %s and %s", in, out)
	}
	n := out.numElements()
	switch in.dtype {
	case runtime.Int8:
		lut := kernels.NewLogLUT8(qi, qo)
		return lutKernel(&lut, n), nil
	case runtime.Int16:
		if qi.Zero != 0 || qo.Zero != 0 {
			return nil, c.invalid("int16 input %s and output %s must have zero point 0", in, out)
		}
		t := kernels.NewLogLUT16(qi, qo)
		return &elemKernel{n: n, grain: elemGrain, run: func(ins, outs [][]byte, lo, hi int) {
			t.Apply(i16(ins[0])[lo:hi], i16(outs[0])[lo:hi])
		}}, nil
	}
	return nil, c.unsupported("type %s", in.dtype)
}
