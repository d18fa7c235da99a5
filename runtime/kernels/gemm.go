package kernels

import "unsafe"

// The matrix products behind convolution and fully connected layers compute
// C[M×N] = A[M×K] · Wᵀ where W[N×K] is a constant weight matrix (N output
// channels, K values per output). W is packed once at load into panels of
// gemmNR columns: panel p holds, for each k, the gemmNR weights of channels
// p·gemmNR … p·gemmNR+gemmNR-1 side by side (zero past N). The microkernel
// multiplies gemmMR rows of A by one panel with all gemmMR×gemmNR
// accumulators in registers, streaming the panel and the rows once.

const (
	// gemmMR is the number of rows of A the float32 microkernel handles
	// at once; gemmMRQ the same for the 8-bit one.
	gemmMR  = 3
	gemmMRQ = 2
	// gemmNR is the number of output channels in one packed panel.
	gemmNR = 8
	// gemmTileBytes bounds the bytes of A one worker gathers (im2col) per
	// tile, so that the tile stays in the L2 cache while every panel
	// passes over it: four workers' tiles fit in the 512 KB to 1 MB L2
	// that Raspberry Pi class boards share between their cores. Larger
	// tiles stream the weights from memory fewer times.
	gemmTileBytes = 96 << 10
)

// GemmRows is a multiple of the number of output rows every matrix product
// handles at once; splits of the rows across workers are best made in
// multiples of it.
const GemmRows = gemmMR * gemmMRQ

// panels returns the number of gemmNR-wide panels for n channels.
func panels(n int) int { return (n + gemmNR - 1) / gemmNR }

// PackedF32 is a float32 weight matrix [N×K] packed into panels, with its
// bias padded to whole panels.
type PackedF32 struct {
	N, K int
	data []float32
	bias []float32
	// simd is the SIMD variant chosen at pack time, nil for none.
	simd *f32Variant
}

// PackF32 packs w (N rows of K weights, row-major) and bias (N values, or
// nil for none).
func PackF32(w []float32, n, k int, bias []float32) *PackedF32 {
	np := panels(n)
	p := &PackedF32{N: n, K: k, data: make([]float32, np*gemmNR*k), bias: make([]float32, np*gemmNR)}
	for c := 0; c < n; c++ {
		panel := p.data[(c/gemmNR)*gemmNR*k:]
		j := c % gemmNR
		for i, v := range w[c*k : (c+1)*k] {
			panel[i*gemmNR+j] = v
		}
	}
	copy(p.bias, bias)
	if len(f32Variants) > 0 {
		p.simd = f32Variants[0]
	}
	return p
}

// panel returns the packed weights of panel i.
func (p *PackedF32) panel(i int) []float32 {
	sz := gemmNR * p.K
	return p.data[i*sz : (i+1)*sz : (i+1)*sz]
}

// GemmF32 computes rows×N outputs c[r·ldc+n] = clamp(bias[n] + Σk a[r·lda+k]·W[n][k], lo, hi)
// for output channels in panels [p0, p1).
func GemmF32(a []float32, lda, rows int, w *PackedF32, p0, p1 int, c []float32, ldc int, lo, hi float32) {
	if w.simd != nil && rows > 0 && w.K > 0 && p1 > p0 {
		gemmF32SIMD(a, lda, rows, w, p0, p1, c, ldc, lo, hi)
		return
	}
	var acc [gemmMR * gemmNR]float32
	k := w.K
	for p := p0; p < p1; p++ {
		b := w.panel(p)
		c0 := p * gemmNR
		nc := min(gemmNR, w.N-c0)
		bias := w.bias[c0 : c0+gemmNR : c0+gemmNR]
		r := 0
		for ; r+gemmMR <= rows; r += gemmMR {
			microF32x3(a[r*lda:], lda, k, b, &acc)
			for i := 0; i < gemmMR; i++ {
				storeF32(c[(r+i)*ldc+c0:][:nc], acc[i*gemmNR:(i+1)*gemmNR], bias, lo, hi)
			}
		}
		for ; r < rows; r++ {
			microF32x1(a[r*lda:r*lda+k], b, &acc)
			storeF32(c[r*ldc+c0:][:nc], acc[:gemmNR], bias, lo, hi)
		}
	}
}

func storeF32(dst, acc, bias []float32, lo, hi float32) {
	for j := range dst {
		dst[j] = min(max(acc[j]+bias[j], lo), hi)
	}
}

// microF32x3 multiplies 3 rows of a (stride lda, k values each) by one
// panel. Three rows by eight channels keep the 24 accumulators and the row
// values within (nearly) the 32 floating-point registers of arm64; four
// rows spill a third of the accumulators.
func microF32x3(a []float32, lda, k int, b []float32, acc *[gemmMR * gemmNR]float32) {
	a0 := a[:k]
	a1 := a[lda : lda+k]
	a2 := a[2*lda : 2*lda+k]
	a1, a2 = a1[:len(a0)], a2[:len(a0)]
	b = b[:len(a0)*gemmNR]
	var c00, c01, c02, c03, c04, c05, c06, c07 float32
	var c10, c11, c12, c13, c14, c15, c16, c17 float32
	var c20, c21, c22, c23, c24, c25, c26, c27 float32
	for i, x0 := range a0 {
		x1, x2 := a1[i], a2[i]
		bb := b[i*gemmNR : i*gemmNR+gemmNR : i*gemmNR+gemmNR]
		b0 := bb[0]
		c00 += x0 * b0
		c10 += x1 * b0
		c20 += x2 * b0
		b1 := bb[1]
		c01 += x0 * b1
		c11 += x1 * b1
		c21 += x2 * b1
		b2 := bb[2]
		c02 += x0 * b2
		c12 += x1 * b2
		c22 += x2 * b2
		b3 := bb[3]
		c03 += x0 * b3
		c13 += x1 * b3
		c23 += x2 * b3
		b4 := bb[4]
		c04 += x0 * b4
		c14 += x1 * b4
		c24 += x2 * b4
		b5 := bb[5]
		c05 += x0 * b5
		c15 += x1 * b5
		c25 += x2 * b5
		b6 := bb[6]
		c06 += x0 * b6
		c16 += x1 * b6
		c26 += x2 * b6
		b7 := bb[7]
		c07 += x0 * b7
		c17 += x1 * b7
		c27 += x2 * b7
	}
	*acc = [gemmMR * gemmNR]float32{
		c00, c01, c02, c03, c04, c05, c06, c07,
		c10, c11, c12, c13, c14, c15, c16, c17,
		c20, c21, c22, c23, c24, c25, c26, c27,
	}
}

// microF32x1 multiplies one row of k values by one panel.
func microF32x1(a []float32, b []float32, acc *[gemmMR * gemmNR]float32) {
	b = b[:len(a)*gemmNR]
	var c0, c1, c2, c3, c4, c5, c6, c7 float32
	for i, x := range a {
		bb := b[i*gemmNR : i*gemmNR+gemmNR : i*gemmNR+gemmNR]
		c0 += x * bb[0]
		c1 += x * bb[1]
		c2 += x * bb[2]
		c3 += x * bb[3]
		c4 += x * bb[4]
		c5 += x * bb[5]
		c6 += x * bb[6]
		c7 += x * bb[7]
	}
	acc[0], acc[1], acc[2], acc[3], acc[4], acc[5], acc[6], acc[7] = c0, c1, c2, c3, c4, c5, c6, c7
}

// gemmF32SIMD is GemmF32 with w.simd.
func gemmF32SIMD(a []float32, lda, rows int, w *PackedF32, p0, p1 int, c []float32, ldc int, lo, hi float32) {
	_ = a[(rows-1)*lda+w.K-1]
	_ = c[(rows-1)*ldc+min(p1*gemmNR, w.N)-1]
	ap, cp := unsafe.Pointer(unsafe.SliceData(a)), unsafe.Pointer(unsafe.SliceData(c))
	if seg := w.simd.seg; seg != nil {
		for p := p0; p < p1; p += 2 {
			c0 := p * gemmNR
			nc := min(gemmNR, w.N-c0)
			if p+1 < p1 {
				nc = min(2*gemmNR, w.N-c0)
			}
			seg((*float32)(ap), lda, rows, &w.data[p*gemmNR*w.K], gemmNR*w.K, w.K, 1, 0, &w.bias[c0], lo, hi,
				(*float32)(unsafe.Add(cp, 4*c0)), ldc, nc)
		}
		return
	}
	for p := p0; p < p1; p++ {
		c0 := p * gemmNR
		b := &w.data[p*gemmNR*w.K]
		nc := min(gemmNR, w.N-c0)
		for r := 0; r < rows; r += f32Rows {
			w.simd.run((*float32)(unsafe.Add(ap, 4*r*lda)), lda, min(f32Rows, rows-r), b, w.K, &w.bias[c0], lo, hi,
				(*float32)(unsafe.Add(cp, 4*(r*ldc+c0))), ldc, nc)
		}
	}
}
