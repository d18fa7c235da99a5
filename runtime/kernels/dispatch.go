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
	// when they do not fit it. A layout that does not hold every w' may
	// instead store channel n as w'+d[n], with d[n] in p.offs (see
	// PackedQ.offs).
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
	// zero. offs is nil unless pack set p.offs: it then points at the
	// panel's channel offsets d[n] (the weights stored as w'+d[n]) and
	// rsum is the address of the row sums (see sumRows) of the rows, and
	// the kernel takes d[n]·rsum[r] off each sum; rsum may be read up to
	// the rows rounded up to 8. rsum is a uintptr so that the caller's
	// buffer stays on its stack (a pointer passed to a function value
	// escapes): a kernel that reads it is an assembly leaf, during which
	// the stack does not move.
	run func(a *byte, lda, rows int, w *byte, kg int, bias, sum *int32, scale *float32, lo, hi float32, zp, signed int32, c *byte, ldc int, offs *int32, rsum uintptr)
	// wide, when set, does the same for any number of rows (at least
	// one) and two consecutive full panels, the second psz bytes after
	// the first. segs is 1 and segSkip 0, unless windows is set.
	wide func(a *byte, lda, rows int, w *byte, psz, kg int, bias, sum *int32, scale *float32, lo, hi float32, zp, signed int32, c *byte, ldc int, offs *int32, rsum uintptr, segs, segSkip int)
	// quad, when set, does what wide does for four consecutive full
	// panels, each psz bytes after the one before.
	quad func(a *byte, lda, rows int, w *byte, psz, kg int, bias, sum *int32, scale *float32, lo, hi float32, zp, signed int32, c *byte, ldc int, offs *int32, rsum uintptr, segs, segSkip int)
	// windows marks wide and quad kernels that read a row's K as segs
	// segments of kg groups of 4, each segSkip bytes past the end of the
	// one before, and take offs nil: a convolution's windows read in
	// place, one segment a row of taps (see ConvQ.runWindows).
	windows bool
	// tail, when set, does what run does for the last panel when it is
	// partial, storing only its first nc (1 to gemmNR-1) channels.
	tail func(a *byte, lda, rows int, w *byte, kg int, bias, sum *int32, scale *float32, lo, hi float32, zp, signed int32, c *byte, ldc, nc int, offs *int32, rsum uintptr)
	// symmetric marks a layout that also refuses w' = -128 (the weights
	// of TFLite's int8 scheme lie in [-127, 127]).
	symmetric bool
	// flipped marks kernels that also take signed = 3: int8 activations
	// that the caller has already turned into uint8 a+128 (XOR 0x80), so
	// that a tile of rows is turned once rather than once for every panel
	// (see gemmQFlipped). The sums still take 128·Σk w' out.
	flipped bool
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
	p.simd, p.simdData, p.offs = nil, nil, nil
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

// qChunk is the number of rows whose sums (for weights stored with
// offsets) GemmQ keeps at a time.
const qChunk = 128

// rowSumBuf holds the sums of up to qChunk rows, and 8 more entries that
// the kernels may read past the last row.
type rowSumBuf [qChunk + 8]int32

// rowSumsFor sets buf to the sums of rows rows of a (stride lda) for the
// kernels of w, whose signed argument is signed, and returns the address
// rsum they take.
func rowSumsFor(w *PackedQ, a []byte, lda, rows int, signed int32, buf *rowSumBuf) uintptr {
	sumRows(a, lda, rows, w.K, signed == 1, buf[:rows])
	return uintptr(unsafe.Pointer(&buf[0]))
}

// offsAt returns &w.offs[c], nil when w has no offsets.
func offsAt(w *PackedQ, c int) *int32 {
	if w.offs == nil {
		return nil
	}
	return &w.offs[c]
}

// sumRowsGeneric sets sums[r] to the sum of the K bytes of row r of a
// (stride lda) as the kernels read them: as uint8, with the top bit
// flipped when signed (int8 activations as uint8 a+128). sumRows does the
// same, in SIMD where the build has it.
func sumRowsGeneric(a []byte, lda, rows, k int, signed bool, sums []int32) {
	var flip byte
	if signed {
		flip = 0x80
	}
	for r := range rows {
		var s int32
		for _, v := range a[r*lda : r*lda+k] {
			s += int32(v ^ flip)
		}
		sums[r] = s
	}
}

// gemmQTail is GemmQ with w.simd.tail for the partial last panel p and
// rows (readable by simdRows) rows.
func gemmQTail[T Quant8](a []T, lda, rows int, w *PackedQ, rq *Requant, p int, c []T, ldc int) {
	gemmQTailBytes(asBytes(a), lda, rows, w, rq, p, asBytes(c), ldc, signedOf[T]())
}

// gemmQSIMD is GemmQ with w.simd for full panels [p0, p1) and rows
// (readable by simdRows) rows.
func gemmQSIMD[T Quant8](a []T, lda, done int, w *PackedQ, rq *Requant, p0, p1 int, c []T, ldc int) {
	gemmQSIMDBytes(asBytes(a), lda, done, w, rq, p0, p1, asBytes(c), ldc, signedOf[T]())
}

// asBytes returns the bytes of a.
func asBytes[T Quant8](a []T) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(a))), len(a))
}

// signedOf returns the kernels' signed argument for activations of type T.
func signedOf[T Quant8]() int32 {
	if isSigned(T(0)) {
		return 1
	}
	return 0
}

// gemmQTailBytes is gemmQTail on the bytes of a and c, with the kernels'
// signed argument.
func gemmQTailBytes(a []byte, lda, rows int, w *PackedQ, rq *Requant, p int, c []byte, ldc int, signed int32) {
	c0 := p * gemmNR
	nc := w.N - c0
	kg := (w.K + 3) / 4
	_ = c[(rows-1)*ldc+w.N-1]
	ab := unsafe.SliceData(a)
	cb := unsafe.SliceData(c)
	wp := &w.simdData[p*(len(w.simdData)/panels(w.N))]
	var buf rowSumBuf
	step := rows
	if w.offs != nil {
		step = qChunk
	}
	for r0 := 0; r0 < rows; r0 += step {
		n := min(step, rows-r0)
		var rsum uintptr
		if w.offs != nil {
			rsum = rowSumsFor(w, a[r0*lda:], lda, n, signed, &buf)
		}
		offs := offsAt(w, c0)
		for r := 0; r < n; r += qRows {
			w.simd.tail((*byte)(unsafe.Add(unsafe.Pointer(ab), (r0+r)*lda)), lda, min(qRows, n-r), wp, kg,
				&rq.Bias[c0], &w.sum[c0], &rq.Scale[c0], rq.lo, rq.hi, rq.ZeroPoint, signed,
				(*byte)(unsafe.Add(unsafe.Pointer(cb), (r0+r)*ldc+c0)), ldc, nc, offs, rowSumAt(rsum, r))
		}
	}
}

// rowSumAt returns the address of row sum r from that of the first, 0
// when that is.
func rowSumAt(rsum uintptr, r int) uintptr {
	if rsum == 0 {
		return 0
	}
	return rsum + uintptr(4*r)
}

// gemmQSIMDBytes is gemmQSIMD on the bytes of a and c, with the kernels'
// signed argument.
func gemmQSIMDBytes(a []byte, lda, done int, w *PackedQ, rq *Requant, p0, p1 int, c []byte, ldc int, signed int32) {
	kg := (w.K + 3) / 4
	_ = c[(done-1)*ldc+p1*gemmNR-1]
	ab := unsafe.SliceData(a)
	cb := unsafe.SliceData(c)
	psz := len(w.simdData) / panels(w.N)
	var buf rowSumBuf
	step := done
	if w.offs != nil {
		step = qChunk
	}
	for r0 := 0; r0 < done; r0 += step {
		n := min(step, done-r0)
		ar := (*byte)(unsafe.Add(unsafe.Pointer(ab), r0*lda))
		cr := (*byte)(unsafe.Add(unsafe.Pointer(cb), r0*ldc))
		var rsum uintptr
		if w.offs != nil {
			rsum = rowSumsFor(w, a[r0*lda:], lda, n, signed, &buf)
		}
		for p := p0; p < p1; p++ {
			c0 := p * gemmNR
			offs := offsAt(w, c0)
			wp := &w.simdData[p*psz]
			if w.simd.quad != nil && p+3 < p1 {
				w.simd.quad(ar, lda, n, wp, psz, kg, &rq.Bias[c0], &w.sum[c0], &rq.Scale[c0], rq.lo, rq.hi, rq.ZeroPoint, signed,
					(*byte)(unsafe.Add(unsafe.Pointer(cr), c0)), ldc, offs, rsum, 1, 0)
				p += 3
				continue
			}
			if w.simd.wide != nil && p+1 < p1 {
				w.simd.wide(ar, lda, n, wp, psz, kg, &rq.Bias[c0], &w.sum[c0], &rq.Scale[c0], rq.lo, rq.hi, rq.ZeroPoint, signed,
					(*byte)(unsafe.Add(unsafe.Pointer(cr), c0)), ldc, offs, rsum, 1, 0)
				p++
				continue
			}
			for r := 0; r < n; r += qRows {
				w.simd.run((*byte)(unsafe.Add(unsafe.Pointer(ar), r*lda)), lda, min(qRows, n-r), wp, kg,
					&rq.Bias[c0], &w.sum[c0], &rq.Scale[c0], rq.lo, rq.hi, rq.ZeroPoint, signed,
					(*byte)(unsafe.Add(unsafe.Pointer(cr), r*ldc+c0)), ldc, offs, rowSumAt(rsum, r))
			}
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
	// f32Cols, when set, does what f32Row does with the output pixels
	// outStep bytes apart (any nc); the float depthwise kernel uses it for
	// the border columns of the rows whose windows lie inside the input
	// vertically, a column at a time.
	f32Cols func(x *float32, rowStep, colStep int, w *float32, kh, kw, wSkip, nc, cs int, bias *float32, lo, hi float32, out *float32, n, xStep, outStep int)
	// qTile and qTileU, when set, compute the 8-bit output pixels whose
	// windows lie wholly inside the input from weights packed by
	// packDWTile (see dwTileQ): qTile those whose weights w' fit int8,
	// qTileU those with uint8 weights and one zero point.
	qTile, qTileU func(x *byte, offs *int, ng int, w *byte, nc, cs int, add *int32, scale *float32, lo, hi float32, zp, xflip, oflip, wzp int32, out *byte, n, xStep int)
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

// flipBytesGeneric sets dst[i] = src[i] XOR 0x80 (int8 a as uint8 a+128);
// flipBytes does the same, in SIMD where the build has it. dst may be src.
func flipBytesGeneric(dst, src []byte) {
	dst = dst[:len(src)]
	for i, v := range src {
		dst[i] = v ^ 0x80
	}
}

// asInt8 returns c as int8 values: c is []int8 whenever the caller asks
// for it (gemmQFlipped runs only for int8 activations).
func asInt8[T Quant8](c []T) []int8 {
	return unsafe.Slice((*int8)(unsafe.Pointer(unsafe.SliceData(c))), len(c))
}
