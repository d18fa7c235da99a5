package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// benchRanger runs a kernel over parts of its output, one part per worker.
type benchRanger struct {
	parts int
	run   func(part int)
}

func (r *benchRanger) Range(lo, hi int) {
	for i := lo; i < hi; i++ {
		r.run(i)
	}
}

// benchParallel times run split into one part per thread and reports the
// multiply-accumulates per second.
func benchParallel(b *testing.B, macs int, run func(parts, part int)) {
	for _, threads := range []int{1, 2} {
		b.Run(fmt.Sprintf("threads=%d", threads), func(b *testing.B) {
			p := NewPool(threads)
			defer p.Close()
			r := &benchRanger{parts: threads, run: func(part int) { run(threads, part) }}
			for b.Loop() {
				p.Parallel(r.parts, 1, r)
			}
			b.ReportMetric(float64(macs)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GMAC/s")
		})
	}
}

// Typical MobileNet-sized layers.
var (
	bench1x1 = convCase{"1x1", 1, 28, 28, 128, 128, 1, 1, 1, 1, 1, 1, true}
	bench3x3 = convCase{"3x3", 1, 28, 28, 32, 64, 3, 3, 1, 1, 1, 1, true}
	benchDW  = convCase{"dw3x3", 1, 56, 56, 128, 128, 3, 3, 1, 1, 1, 1, true}
)

func benchConvF32(b *testing.B, tc convCase) {
	r := rand.New(rand.NewPCG(1, 1))
	s := tc.shape(tc.outC)
	in, out := randF32(r, s.Batches*s.InH*s.InW*s.InC), make([]float32, s.Pixels()*s.OutC)
	k := NewConvF32(s, randF32(r, s.OutC*s.K()), randF32(r, s.OutC), 0, 6)
	scratch := [][]float32{make([]float32, k.ScratchLen()), make([]float32, k.ScratchLen())}
	benchParallel(b, s.Pixels()*s.OutC*s.K(), func(parts, part int) {
		m0, m1 := Split(s.Pixels(), parts, part, GemmRows)
		k.Run(in, out, scratch[part], m0, m1, 0, k.Panels())
	})
}

func benchConvInt8(b *testing.B, tc convCase) {
	r := rand.New(rand.NewPCG(1, 1))
	s := tc.shape(tc.outC)
	in, out := randQ[int8](r, s.Batches*s.InH*s.InW*s.InC, -128, 127), make([]int8, s.Pixels()*s.OutC)
	w, wzp, bias, rq := quantSetup[int8](r, int8Quant[0], s.OutC, s.K(), ActRelu6, -128, 127)
	k := NewConvQ[int8](s, w, wzp, bias, -7, rq)
	scratch := [][]int8{make([]int8, k.ScratchLen()), make([]int8, k.ScratchLen())}
	benchParallel(b, s.Pixels()*s.OutC*s.K(), func(parts, part int) {
		m0, m1 := Split(s.Pixels(), parts, part, GemmRows)
		k.Run(in, out, scratch[part], m0, m1, 0, k.Panels())
	})
}

// benchF32Layers are float32 layers of the models whose profiles lead
// (mobilenet_v1, hand_landmark, face_detection, deeplabv3), one thread,
// and a lone 8-channel panel.
var benchF32Layers = []convCase{
	{"3x3s2-c3-n8-224", 1, 224, 224, 3, 8, 3, 3, 2, 2, 1, 1, true},
	{"3x3s2-c3-n24-224", 1, 224, 224, 3, 24, 3, 3, 2, 2, 1, 1, true},
	{"5x5s2-c3-n24-128", 1, 128, 128, 3, 24, 5, 5, 2, 2, 1, 1, true},
	{"1x1-c16-n64-112", 1, 112, 112, 16, 64, 1, 1, 1, 1, 1, 1, true},
	{"1x1-c112-n672-7", 1, 7, 7, 112, 672, 1, 1, 1, 1, 1, 1, true},
	{"1x1-c672-n112-7", 1, 7, 7, 672, 112, 1, 1, 1, 1, 1, 1, true},
	{"1x1-c512-n256-33", 1, 33, 33, 512, 256, 1, 1, 1, 1, 1, 1, true},
	{"1x1-c256-n1001-1", 1, 1, 1, 256, 1001, 1, 1, 1, 1, 1, 1, true},
	{"1x1-c27-n8-56", 1, 56, 56, 27, 8, 1, 1, 1, 1, 1, 1, true},
}

func BenchmarkConvF32Layers(b *testing.B) {
	for _, tc := range benchF32Layers {
		b.Run(tc.name, func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, 1))
			s := tc.shape(tc.outC)
			in, out := randF32(r, s.Batches*s.InH*s.InW*s.InC), make([]float32, s.Pixels()*s.OutC)
			k := NewConvF32(s, randF32(r, s.OutC*s.K()), randF32(r, s.OutC), 0, 6)
			scratch := make([]float32, k.ScratchLen())
			// The shortest call is the one no other process
			// interrupted: on a shared machine compare best-GMAC/s.
			best := time.Duration(math.MaxInt64)
			for b.Loop() {
				t0 := time.Now()
				k.Run(in, out, scratch, 0, s.Pixels(), 0, k.Panels())
				best = min(best, time.Since(t0))
			}
			macs := float64(s.Pixels() * s.OutC * s.K())
			b.ReportMetric(macs*float64(b.N)/b.Elapsed().Seconds()/1e9, "GMAC/s")
			b.ReportMetric(macs/float64(best.Nanoseconds()), "best-GMAC/s")
		})
	}
}

func BenchmarkConv2DF32_1x1(b *testing.B)  { benchConvF32(b, bench1x1) }
func BenchmarkConv2DF32_3x3(b *testing.B)  { benchConvF32(b, bench3x3) }
func BenchmarkConv2DInt8_1x1(b *testing.B) { benchConvInt8(b, bench1x1) }
func BenchmarkConv2DInt8_3x3(b *testing.B) { benchConvInt8(b, bench3x3) }

// BenchmarkConv2DInt8_3x3c16 is the 3x3 over 16 channels to 16 of
// tiny_resnet8_int8: 48-byte window rows and a single 16-channel product.
func BenchmarkConv2DInt8_3x3c16(b *testing.B) {
	benchConvInt8(b, convCase{"3x3-c16", 1, 32, 32, 16, 16, 3, 3, 1, 1, 1, 1, true})
}

func BenchmarkDepthwiseF32_3x3(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	s := benchDW.shape(benchDW.outC)
	in, out := randF32(r, s.Batches*s.InH*s.InW*s.InC), make([]float32, s.Pixels()*s.OutC)
	d := NewDepthwiseF32(s, 1, randF32(r, 9*s.OutC), randF32(r, s.OutC), 0, 6)
	benchParallel(b, s.Pixels()*s.OutC*9, func(parts, part int) {
		r0, r1 := Split(d.Rows(), parts, part, 1)
		d.Run(in, out, r0, r1)
	})
}

func BenchmarkDepthwiseInt8_3x3(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	s := benchDW.shape(benchDW.outC)
	in, out := randQ[int8](r, s.Batches*s.InH*s.InW*s.InC, -128, 127), make([]int8, s.Pixels()*s.OutC)
	w, wzp, bias, rq := quantSetup[int8](r, int8Quant[0], s.OutC, 9, ActRelu6, -128, 127)
	d := NewDepthwiseQ[int8](s, 1, w, wzp, bias, -7, rq)
	acc := [][]int32{make([]int32, d.ScratchLen()), make([]int32, d.ScratchLen())}
	benchParallel(b, s.Pixels()*s.OutC*9, func(parts, part int) {
		r0, r1 := Split(d.Rows(), parts, part, 1)
		d.Run(in, out, acc[part], r0, r1)
	})
}

func BenchmarkFullyConnectedF32(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	const units, depth = 1000, 1024
	s := FullyConnectedShape(1, units, depth)
	in, out := randF32(r, depth), make([]float32, units)
	k := NewConvF32(s, randF32(r, units*depth), nil, -1e30, 1e30)
	benchParallel(b, units*depth, func(parts, part int) {
		p0, p1 := Split(k.Panels(), parts, part, 1)
		k.Run(in, out, nil, 0, 1, p0, p1)
	})
}

func BenchmarkFullyConnectedHybrid(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	const units, depth = 1000, 1024
	in, out := randF32(r, depth), make([]float32, units)
	f := NewFullyConnectedHybrid(randQ[int8](r, units*depth, -127, 127), units, depth, []float32{0.01}, nil, false, -1e30, 1e30)
	q, scale, zp := make([]int8, depth), make([]float32, 1), make([]int32, 1)
	f.Quantize(in, q, scale, zp, 0, 1)
	benchParallel(b, units*depth, func(parts, part int) {
		p0, p1 := Split(f.Panels(), parts, part, 1)
		f.Run(q, scale, zp, out, 0, 1, p0, p1)
	})
}
