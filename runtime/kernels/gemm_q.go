package kernels

import "unsafe"

// Quant8 is the element type of 8-bit quantized activations.
type Quant8 interface{ int8 | uint8 }

// PackedQ is an 8-bit weight matrix [N×K] packed into panels of int16
// values w' = w - wZeroPoint[n], so that the accumulators need no weight
// zero point term.
type PackedQ struct {
	N, K int
	// data holds the weights w' = w - zero point in the generic layout,
	// or nil when a SIMD layout covers every panel (see packQ): the
	// generic kernels then read raw.
	data []int16
	// raw is w as given to PackQ ([N][K], int8 when rawSigned, else
	// uint8) and zps its zero points (one, or one per channel).
	raw       []byte
	rawSigned bool
	zps       []int32
	// one and oneAt are the panel made from raw last while packing.
	one   []int16
	oneAt int
	// sum holds Σk w'[n][k] per channel, padded to whole panels.
	sum []int32
	// simd is the SIMD variant chosen at pack time (nil for none) and
	// simdData the weights in its layout.
	simd     *qVariant
	simdData []byte
	// offs, when the layout of simd stores channel n as w'+offs[n] (so
	// that uint8 weights, w - 128, fit int8), holds those offsets,
	// padded to whole panels; nil when every channel is stored as w'.
	// The kernels then take offs[n]·Σk a[r][k] off each sum.
	offs []int32
}

// PackQ packs w (N rows of K weights) with its zero point(s): one for all
// channels, or one per channel.
func PackQ[W Quant8](w []W, n, k int, zeroPoint []int32) *PackedQ {
	return packQ(w, n, k, zeroPoint, true)
}

// packQ is PackQ; unless keep, the generic layout is made only when the
// SIMD variant chosen leaves panels to the generic kernels (it is the
// weights' largest copy, two bytes each, which the load would otherwise
// allocate and drop), and the generic kernels read w, which the caller
// then keeps unchanged.
func packQ[W Quant8](w []W, n, k int, zeroPoint []int32, keep bool) *PackedQ {
	p := &PackedQ{N: n, K: k, sum: make([]int32, panels(n)*gemmNR),
		raw: unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(w))), len(w)), rawSigned: isSigned(W(0)), zps: zeroPoint}
	for c := range n {
		zp := p.zp(c)
		var s int32
		for _, v := range w[c*k : (c+1)*k] {
			s += int32(v) - zp
		}
		p.sum[c] = s
	}
	if keep {
		p.unpack()
	}
	for _, v := range qVariants {
		if p.useQVariant(v) {
			break
		}
	}
	if p.data == nil && (p.simd == nil || p.simd.tail == nil) {
		p.unpack()
	}
	return p
}

// zp is the zero point of channel c.
func (p *PackedQ) zp(c int) int32 {
	if len(p.zps) > 1 {
		return p.zps[c]
	}
	return p.zps[0]
}

// unpack makes the generic layout from raw.
func (p *PackedQ) unpack() {
	sz := gemmNR * p.K
	p.data = make([]int16, panels(p.N)*sz)
	for i := range panels(p.N) {
		p.rawPanel(i, p.data[i*sz:(i+1)*sz])
	}
}

// rawPanel writes panel i in the generic layout into dst from raw.
func (p *PackedQ) rawPanel(i int, dst []int16) {
	k := p.K
	clear(dst)
	for c := i * gemmNR; c < min((i+1)*gemmNR, p.N); c++ {
		zp, j := p.zp(c), c%gemmNR
		for x, v := range p.raw[c*k : (c+1)*k] {
			dst[x*gemmNR+j] = int16(rawWeight(v, p.rawSigned) - zp)
		}
	}
}

// rawWeight is the value of a weight byte as an int8 (signed) or uint8.
func rawWeight(b byte, signed bool) int32 {
	if signed {
		return int32(int8(b))
	}
	return int32(b)
}

// rawRowQ sets acc[j] = Σk a[k]·w'[c0+j][k] for the nc channels from c0
// (0 for the rest of the panel), reading the weights from raw.
func rawRowQ[T Quant8](w *PackedQ, a []T, c0, nc int, acc *[gemmMR * gemmNR]int32) {
	k := w.K
	a = a[:k]
	for j := range gemmNR {
		acc[j] = 0
		if j >= nc {
			continue
		}
		c := c0 + j
		zp := w.zp(c)
		var s int32
		for i, v := range w.raw[c*k : (c+1)*k] {
			s += int32(a[i]) * (rawWeight(v, w.rawSigned) - zp)
		}
		acc[j] = s
	}
}

// FoldBias sets r.Bias to bias[c] - inZP·Σk w'[c][k]; bias may be nil.
func (p *PackedQ) FoldBias(r *Requant, bias []int32, inZP int32) {
	for c := 0; c < p.N; c++ {
		var b int32
		if bias != nil {
			b = bias[c]
		}
		r.Bias[c] = b - inZP*p.sum[c]
	}
}

// panel returns panel i in the generic layout. Without the generic layout
// (packing for a SIMD variant: one goroutine) it is made from raw into a
// buffer that the next call for another panel reuses.
func (p *PackedQ) panel(i int) []int16 {
	sz := gemmNR * p.K
	if p.data == nil {
		if p.one == nil || p.oneAt != i {
			if p.one == nil {
				p.one = make([]int16, sz)
			}
			p.rawPanel(i, p.one)
			p.oneAt = i
		}
		return p.one
	}
	return p.data[i*sz : (i+1)*sz : (i+1)*sz]
}

// GemmQ computes rows×N quantized outputs c[r·ldc+n] = requant(Σk a[r·lda+k]·W'[n][k])
// for output channels in panels [p0, p1).
func GemmQ[T Quant8](a []T, lda, rows int, w *PackedQ, rq *Requant, p0, p1 int, c []T, ldc int) {
	if w.simd == nil || rows <= 0 || p1 <= p0 {
		gemmQGeneric(a, lda, rows, w, rq, p0, p1, c, ldc)
		return
	}
	full := min(p1, w.N/gemmNR)
	end := full // panels the SIMD kernels compute
	if p1 > full && w.simd.tail != nil {
		end = p1
	}
	done := simdRows(len(a), lda, rows, (w.K+3)/4)
	if done > 0 && end > p0 {
		if full > p0 {
			gemmQSIMD(a, lda, done, w, rq, p0, full, c, ldc)
		}
		if end > full {
			gemmQTail(a, lda, done, w, rq, full, c, ldc)
		}
	} else {
		done = 0
	}
	if done < rows {
		gemmQGeneric(a[done*lda:], lda, rows-done, w, rq, p0, end, c[done*ldc:], ldc)
	}
	gemmQGeneric(a, lda, rows, w, rq, max(p0, end), p1, c, ldc)
}

// takesFlipped reports whether gemmQFlipped can run w: its SIMD variant
// takes turned activations and covers every panel.
func (p *PackedQ) takesFlipped() bool {
	return p.simd != nil && p.simd.flipped && p.simd.tail != nil
}

// gemmQFlipped is GemmQ for int8 activations that the caller has turned
// into uint8 a+128 (flipBytes), for w that takesFlipped. Every row must be
// readable by the SIMD kernels: (rows-1)·lda + 4·⌈K/4⌉ ≤ len(a).
func gemmQFlipped(a []byte, lda, rows int, w *PackedQ, rq *Requant, p0, p1 int, c []int8, ldc int) {
	if rows <= 0 || p1 <= p0 {
		return
	}
	if simdRows(len(a), lda, rows, (w.K+3)/4) < rows {
		panic("kernels: gemmQFlipped: rows past the end of a")
	}
	full := min(p1, w.N/gemmNR)
	cb := asBytes(c)
	if full > p0 {
		gemmQSIMDBytes(a, lda, rows, w, rq, p0, full, cb, ldc, 3)
	}
	if p1 > full {
		gemmQTailBytes(a, lda, rows, w, rq, full, cb, ldc, 3)
	}
}

func gemmQGeneric[T Quant8](a []T, lda, rows int, w *PackedQ, rq *Requant, p0, p1 int, c []T, ldc int) {
	var acc [gemmMR * gemmNR]int32
	k := w.K
	if w.data == nil {
		for p := p0; p < p1; p++ {
			c0 := p * gemmNR
			nc := min(gemmNR, w.N-c0)
			for r := range rows {
				rawRowQ(w, a[r*lda:], c0, nc, &acc)
				requantRow(rq, c[r*ldc+c0:][:nc], acc[:gemmNR], c0)
			}
		}
		return
	}
	for p := p0; p < p1; p++ {
		b := w.panel(p)
		c0 := p * gemmNR
		nc := min(gemmNR, w.N-c0)
		r := 0
		for ; r+gemmMRQ <= rows; r += gemmMRQ {
			microQx2(a[r*lda:], lda, k, b, &acc)
			for i := 0; i < gemmMRQ; i++ {
				requantRow(rq, c[(r+i)*ldc+c0:][:nc], acc[i*gemmNR:(i+1)*gemmNR], c0)
			}
		}
		for ; r < rows; r++ {
			microQx1(a[r*lda:r*lda+k], b, &acc)
			requantRow(rq, c[r*ldc+c0:][:nc], acc[:gemmNR], c0)
		}
	}
}

// Hybrid holds the float side of a dynamic-range (hybrid) matrix product:
// int8 weights with float scales, float bias and activation range.
type Hybrid struct {
	// WScale and Bias are per channel, padded to whole panels.
	WScale, Bias []float32
	Lo, Hi       float32
}

// NewHybrid builds the float epilogue for n channels from the weight
// scale(s) and the float bias (nil for none).
func NewHybrid(n int, wScale, bias []float32, lo, hi float32) *Hybrid {
	h := &Hybrid{WScale: make([]float32, panels(n)*gemmNR), Bias: make([]float32, panels(n)*gemmNR), Lo: lo, Hi: hi}
	for c := 0; c < n; c++ {
		h.WScale[c] = wScale[0]
		if len(wScale) > 1 {
			h.WScale[c] = wScale[c]
		}
	}
	copy(h.Bias, bias)
	return h
}

// GemmHybrid computes c[r·ldc+n] = clamp(bias[n] + (Σk a[r·lda+k]·W'[n][k] - zp[r]·Σk W'[n][k])·scale[r]·wScale[n])
// where row r of a was quantized with scale[r] and zero point zp[r].
func GemmHybrid(a []int8, lda, rows int, scale []float32, zp []int32, w *PackedQ, h *Hybrid, p0, p1 int, c []float32, ldc int) {
	var acc [gemmMR * gemmNR]int32
	k := w.K
	for p := p0; p < p1; p++ {
		b := w.panel(p)
		c0 := p * gemmNR
		nc := min(gemmNR, w.N-c0)
		for r := 0; r < rows; r++ {
			microQx1(a[r*lda:r*lda+k], b, &acc)
			dst := c[r*ldc+c0:][:nc]
			for j := range dst {
				v := float32(acc[j]-zp[r]*w.sum[c0+j])*(scale[r]*h.WScale[c0+j]) + h.Bias[c0+j]
				dst[j] = min(max(v, h.Lo), h.Hi)
			}
		}
	}
}

// microQx2 multiplies 2 rows of a (stride lda, k values each) by one panel.
// Two rows by eight channels keep the 16 accumulators, the row values and
// the pointers within arm64's general registers; three rows would spill a
// third of the accumulators on every step.
func microQx2[T Quant8](a []T, lda, k int, b []int16, acc *[gemmMR * gemmNR]int32) {
	a0 := a[:k]
	a1 := a[lda : lda+k]
	a1 = a1[:len(a0)]
	b = b[:len(a0)*gemmNR]
	var c00, c01, c02, c03, c04, c05, c06, c07 int32
	var c10, c11, c12, c13, c14, c15, c16, c17 int32
	for i, v := range a0 {
		x0, x1 := int32(v), int32(a1[i])
		bb := b[i*gemmNR : i*gemmNR+gemmNR : i*gemmNR+gemmNR]
		b0 := int32(bb[0])
		c00 += x0 * b0
		c10 += x1 * b0
		b1 := int32(bb[1])
		c01 += x0 * b1
		c11 += x1 * b1
		b2 := int32(bb[2])
		c02 += x0 * b2
		c12 += x1 * b2
		b3 := int32(bb[3])
		c03 += x0 * b3
		c13 += x1 * b3
		b4 := int32(bb[4])
		c04 += x0 * b4
		c14 += x1 * b4
		b5 := int32(bb[5])
		c05 += x0 * b5
		c15 += x1 * b5
		b6 := int32(bb[6])
		c06 += x0 * b6
		c16 += x1 * b6
		b7 := int32(bb[7])
		c07 += x0 * b7
		c17 += x1 * b7
	}
	acc[0], acc[1], acc[2], acc[3], acc[4], acc[5], acc[6], acc[7] = c00, c01, c02, c03, c04, c05, c06, c07
	acc[8], acc[9], acc[10], acc[11], acc[12], acc[13], acc[14], acc[15] = c10, c11, c12, c13, c14, c15, c16, c17
}

// microQx1 multiplies one row of k values by one panel.
func microQx1[T Quant8](a []T, b []int16, acc *[gemmMR * gemmNR]int32) {
	b = b[:len(a)*gemmNR]
	var c0, c1, c2, c3, c4, c5, c6, c7 int32
	for i, v := range a {
		x := int32(v)
		bb := b[i*gemmNR : i*gemmNR+gemmNR : i*gemmNR+gemmNR]
		c0 += x * int32(bb[0])
		c1 += x * int32(bb[1])
		c2 += x * int32(bb[2])
		c3 += x * int32(bb[3])
		c4 += x * int32(bb[4])
		c5 += x * int32(bb[5])
		c6 += x * int32(bb[6])
		c7 += x * int32(bb[7])
	}
	acc[0], acc[1], acc[2], acc[3], acc[4], acc[5], acc[6], acc[7] = c0, c1, c2, c3, c4, c5, c6, c7
}
