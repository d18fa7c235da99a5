package kernels

import "unsafe"

// CPU-specific matrix product kernels register themselves, best first, in
// qVariants and f32Variants from an init function of their architecture's
// file (built unless the purego tag is set). PackQ and PackF32 pick the
// first variant whose layout the weights fit, once at load; GemmQ and
// GemmF32 then run it, and fall back to the generic Go microkernels (the
// reference every variant is tested against) when there is none.

// qVariant is a SIMD 8-bit matrix product with the requantization fused.
type qVariant struct {
	name string
	// pack returns the weights w' of p in the variant's layout (panels of
	// gemmNR channels by groups of 4 values of K, zero past K), or nil
	// when they do not fit it.
	pack func(p *PackedQ) []byte
	// run computes rows (1 to qRows) rows of a, stride lda, times one
	// full panel of kg groups of 4 weights and stores gemmNR outputs per
	// row at c, stride ldc, requantized like requantRow with the bias,
	// scale and clamp of the panel's channels: float32(acc+bias)·scale
	// clamped to [lo, hi], rounded to nearest even, plus zp. signed is 1
	// when the activations are int8 and 0 when uint8; a kernel whose
	// instructions want the other kind flips the activations' top bit
	// (±128) and takes 128·Σk w' (sum) back out of the bias. It reads
	// 4·kg bytes of each row, which may exceed K; the weights past K are
	// zero.
	run func(a *byte, lda, rows int, w *byte, kg int, bias, sum *int32, scale *float32, lo, hi float32, zp, signed int32, c *byte, ldc int)
	// wide, when set, does the same for any number of rows (at least
	// one) and two consecutive full panels, the second psz bytes after
	// the first.
	wide func(a *byte, lda, rows int, w *byte, psz, kg int, bias, sum *int32, scale *float32, lo, hi float32, zp, signed int32, c *byte, ldc int)
	// tail, when set, does what run does for the last panel when it is
	// partial, storing only its first nc (1 to gemmNR-1) channels.
	tail func(a *byte, lda, rows int, w *byte, kg int, bias, sum *int32, scale *float32, lo, hi float32, zp, signed int32, c *byte, ldc, nc int)
	// symmetric marks a layout that also refuses w' = -128 (the weights
	// of TFLite's int8 scheme lie in [-127, 127]).
	symmetric bool
}

// qRows is the number of rows a qVariant computes per call of run.
const qRows = 4

// f32Variant is a SIMD float32 matrix product on PackedF32 panels: a
// variant has seg or, failing that, run.
type f32Variant struct {
	name string
	// run computes rows (1 to f32Rows) rows of a, stride lda, times one
	// panel of k steps, adds bias, clamps to [lo, hi] and stores the
	// first nc (1 to gemmNR) values of each row at c, stride ldc.
	run func(a *float32, lda, rows int, w *float32, k int, bias *float32, lo, hi float32, c *float32, ldc, nc int)
	// seg computes any number of rows (at least one), stride lda, times
	// one panel (nc ≤ gemmNR) or two consecutive ones, the second psz
	// values after the first (nc > gemmNR), storing the first nc
	// channels of each row like run. It reads each row's values in nseg
	// segments of kseg, segStride apart: value s·kseg+i of row r is
	// a[r·lda + s·segStride + i], against weight step s·kseg+i of the
	// panels at w. A plain product is one segment of K values; a
	// convolution reads the window rows of its pixels where they lie in
	// the input, without gathering them (im2col).
	seg func(a *float32, lda, rows int, w *float32, psz, kseg, nseg, segStride int, bias *float32, lo, hi float32, c *float32, ldc, nc int)
}

// f32Rows is the number of rows an f32Variant computes per call of run.
const f32Rows = 6

var (
	qVariants   []*qVariant
	f32Variants []*f32Variant
)

// useQVariant makes p run with v when its weights fit v's layout, and
// reports whether they did; v nil selects the generic kernels.
func (p *PackedQ) useQVariant(v *qVariant) bool {
	p.simd, p.simdData = nil, nil
	if v == nil {
		return true
	}
	d := v.pack(p)
	p.one = nil
	if d == nil {
		return false
	}
	p.simd, p.simdData = v, d
	return true
}

// simdRows returns how many of rows rows of a, stride lda, a SIMD kernel
// may read: it reads 4·kg bytes of each, and row r can be read when
// r·lda + 4·kg ≤ len(a). The rest (at most the last one or few) are left
// to the generic kernels.
func simdRows(lenA, lda, rows, kg int) int {
	if need := (rows-1)*lda + 4*kg; need > lenA {
		return max(min((lenA-4*kg)/lda+1, rows), 0)
	}
	return rows
}

// gemmQTail is GemmQ with w.simd.tail for the partial last panel p and
// rows (readable by simdRows) rows.
func gemmQTail[T Quant8](a []T, lda, rows int, w *PackedQ, rq *Requant, p int, c []T, ldc int) {
	c0 := p * gemmNR
	nc := w.N - c0
	kg := (w.K + 3) / 4
	_ = c[(rows-1)*ldc+w.N-1]
	var signed int32
	if isSigned(T(0)) {
		signed = 1
	}
	ab := (*byte)(unsafe.Pointer(unsafe.SliceData(a)))
	cb := (*byte)(unsafe.Pointer(unsafe.SliceData(c)))
	wp := &w.simdData[p*(len(w.simdData)/panels(w.N))]
	for r := 0; r < rows; r += qRows {
		w.simd.tail((*byte)(unsafe.Add(unsafe.Pointer(ab), r*lda)), lda, min(qRows, rows-r), wp, kg,
			&rq.Bias[c0], &w.sum[c0], &rq.Scale[c0], rq.lo, rq.hi, rq.ZeroPoint, signed,
			(*byte)(unsafe.Add(unsafe.Pointer(cb), r*ldc+c0)), ldc, nc)
	}
}

// gemmQSIMD is GemmQ with w.simd for full panels [p0, p1) and rows
// (readable by simdRows) rows.
func gemmQSIMD[T Quant8](a []T, lda, done int, w *PackedQ, rq *Requant, p0, p1 int, c []T, ldc int) {
	kg := (w.K + 3) / 4
	_ = c[(done-1)*ldc+p1*gemmNR-1]
	var signed int32
	if isSigned(T(0)) {
		signed = 1
	}
	ab := (*byte)(unsafe.Pointer(unsafe.SliceData(a)))
	cb := (*byte)(unsafe.Pointer(unsafe.SliceData(c)))
	psz := len(w.simdData) / panels(w.N)
	for p := p0; p < p1; p++ {
		c0 := p * gemmNR
		wp := &w.simdData[p*psz]
		if w.simd.wide != nil && p+1 < p1 {
			w.simd.wide(ab, lda, done, wp, psz, kg, &rq.Bias[c0], &w.sum[c0], &rq.Scale[c0], rq.lo, rq.hi, rq.ZeroPoint, signed,
				(*byte)(unsafe.Add(unsafe.Pointer(cb), c0)), ldc)
			p++
			continue
		}
		for r := 0; r < done; r += qRows {
			w.simd.run((*byte)(unsafe.Add(unsafe.Pointer(ab), r*lda)), lda, min(qRows, done-r), wp, kg,
				&rq.Bias[c0], &w.sum[c0], &rq.Scale[c0], rq.lo, rq.hi, rq.ZeroPoint, signed,
				(*byte)(unsafe.Add(unsafe.Pointer(cb), r*ldc+c0)), ldc)
		}
	}
}

// isSigned reports whether T is int8.
func isSigned[T Quant8](T) bool {
	var x T
	x--
	return x < 0
}

// dwVariant is a SIMD depthwise convolution of one output pixel over the
// first nc (a multiple of 8) of cs channels with depth multiplier 1, from
// the kh×kw taps of its window that lie inside the input. x points at the
// first such tap's input value, rowStep and colStep are the byte distances
// between window rows and columns, w points at that tap's weights in
// [KH·KW][cs] and wSkip is the bytes of weights to skip after each row of
// kw taps.
type dwVariant struct {
	name string
	// f32 stores clamp(bias + Σ taps x·w, lo, hi).
	f32 func(x *float32, rowStep, colStep int, w *float32, kh, kw, wSkip, nc, cs int, bias *float32, lo, hi float32, out *float32)
	// q stores the requantization (like requantRow) of init + Σ taps
	// (x' - xzp)·w, where x' is x as uint8 x+128 when signed is 1 and x
	// otherwise.
	q func(x *byte, rowStep, colStep int, w *int16, kh, kw, wSkip, nc, cs int, init, bias *int32, scale *float32, lo, hi float32, zp, signed, xzp int32, out *byte)
	// f32Row and qRow, when set, do what f32 and q do for n output pixels
	// of a row whose windows have the same taps inside the input: pixel i
	// reads x + i·xStep bytes and writes the pixel after out + (i-1)·cs.
	// They take every nc (a multiple of 8 up to cs), and the depthwise
	// kernels use them for the runs of pixels whose windows lie across
	// the input.
	f32Row func(x *float32, rowStep, colStep int, w *float32, kh, kw, wSkip, nc, cs int, bias *float32, lo, hi float32, out *float32, n, xStep int)
	qRow   func(x *byte, rowStep, colStep int, w *int16, kh, kw, wSkip, nc, cs int, init, bias *int32, scale *float32, lo, hi float32, zp, signed, xzp int32, out *byte, n, xStep int)
	// rawInt8 is set when q and qRow read int8 inputs as they are
	// (x' = x) rather than as uint8 x+128.
	rawInt8 bool
	// anyNCF32 is set when f32 and f32Row take any nc, not only
	// multiples of 8.
	anyNCF32 bool
}

var dwVariants []*dwVariant

// firstDW returns the preferred depthwise variant, nil for none.
func firstDW() *dwVariant {
	if len(dwVariants) == 0 {
		return nil
	}
	return dwVariants[0]
}

// tapRange returns the taps [k0, k1) of a window of k taps, dil apart,
// starting at input position i0, that lie inside an input of n positions.
func tapRange(i0, k, dil, n int) (k0, k1 int) {
	if i0 < 0 {
		k0 = (-i0 + dil - 1) / dil
	}
	if i0 < n {
		k1 = min(k, (n-i0+dil-1)/dil)
	}
	return min(k0, k1), k1
}

// Variants names the SIMD kernels this build picks on this CPU, best
// first, by kind ("int8", "float32", "depthwise"); a kind with none runs
// the generic Go kernels. 8-bit layers whose weights do not fit a
// variant's layout use the next one.
func Variants() map[string][]string {
	m := map[string][]string{}
	for _, v := range qVariants {
		m["int8"] = append(m["int8"], v.name)
	}
	for _, v := range f32Variants {
		m["float32"] = append(m["float32"], v.name)
	}
	for _, v := range dwVariants {
		m["depthwise"] = append(m["depthwise"], v.name)
	}
	return m
}
