package kernels

import (
	"bufio"
	"flag"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// The variant benchmarks time each matrix product and depthwise variant
// available on this CPU, and the generic kernels, at one thread on a
// MobileNet-sized layer, and report GMAC/s and the fraction of the core's
// peak that is: clock × multiply-accumulates per cycle of the widest units
// the CPU has (the variant may use narrower ones):
//
//   - 8-bit, AVX-512 VNNI: two VPDPBUSD zmm per cycle × 64 int8 MACs = 128
//     (Zen 4/5 and Ice Lake and later server cores issue two per cycle);
//     AVX2 only: two VPMADDWD ymm per cycle × 16 int16 MACs = 32.
//   - float32, AVX-512F: two FMA zmm per cycle × 16 = 32; AVX2+FMA: 2 × 8 = 16.
//   - otherwise (and for the generic kernels' reference): 1 MAC per cycle.
//
// The clock is -peak-ghz (go test -bench . -args -peak-ghz 3.7), else the
// "cpu MHz" of /proc/cpuinfo: the nominal clock a VM reports, below the
// boost clock the core really runs at, so fractions against it are upper
// bounds (they can pass 100%). Without either no fraction is reported.

var peakGHz = flag.Float64("peak-ghz", 0, "core clock in GHz for the %peak of the variant benchmarks (default: cpu MHz of /proc/cpuinfo)")

// benchMACsPerCycle returns the assumed peak MACs per cycle for 8-bit
// (quant) or float32 arithmetic.
func benchMACsPerCycle(quant bool) float64 {
	switch {
	case quant && cpuHas("avx512_vnni"):
		return 128
	case quant && cpuHas("avx2"):
		return 32
	case !quant && cpuHas("avx512f"):
		return 32
	case !quant && cpuHas("fma"):
		return 16
	}
	return 1
}

var cpuInfo = sync.OnceValues(func() (flags map[string]bool, mhz float64) {
	flags = map[string]bool{}
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return flags, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "cpu MHz":
			if mhz == 0 {
				mhz, _ = strconv.ParseFloat(strings.TrimSpace(v), 64)
			}
		case "flags", "Features":
			for _, fl := range strings.Fields(v) {
				flags[fl] = true
			}
		}
	}
	return flags, mhz
})

func cpuHas(flag string) bool {
	flags, _ := cpuInfo()
	return flags[flag]
}

// reportMACs reports GMAC/s and, when the clock is known, the percentage
// of the peak of benchMACsPerCycle.
func reportMACs(b *testing.B, macs int, quant bool) {
	g := float64(macs) * float64(b.N) / b.Elapsed().Seconds() / 1e9
	b.ReportMetric(g, "GMAC/s")
	ghz := *peakGHz
	if _, mhz := cpuInfo(); ghz == 0 {
		ghz = mhz / 1e3
	}
	if ghz > 0 {
		b.ReportMetric(100*g/(ghz*benchMACsPerCycle(quant)), "%peak")
	}
}

// A 1×1 convolution of MobileNet V2's middle (28×28 pixels, 144 → 32
// channels would be too narrow to show the kernels; 96 → 576 is typical).
const benchM, benchN, benchK = 28 * 28, 576, 96

func BenchmarkGemmQ(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	a := randQ[int8](r, benchM*benchK, -128, 127)
	w := randQ[int8](r, benchN*benchK, -127, 127)
	c := make([]int8, benchM*benchN)
	rq := NewRequant(benchN, 0.02, []float32{0.01}, 0.5, 3, -128, 127)
	for _, v := range append([]*qVariant{nil}, qVariants...) {
		name := "generic"
		if v != nil {
			name = v.name
		}
		p := PackQ(w, benchN, benchK, []int32{0})
		p.FoldBias(rq, nil, -5)
		p.useQVariant(v)
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				GemmQ(a, benchK, benchM, p, rq, 0, panels(benchN), c, benchN)
			}
			reportMACs(b, benchM*benchN*benchK, true)
		})
	}
}

func BenchmarkGemmF32(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	a, w := randF32(r, benchM*benchK), randF32(r, benchN*benchK)
	c := make([]float32, benchM*benchN)
	for _, v := range append([]*f32Variant{nil}, f32Variants...) {
		name := "generic"
		if v != nil {
			name = v.name
		}
		p := PackF32(w, benchN, benchK, nil)
		p.simd = v
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				GemmF32(a, benchK, benchM, p, 0, panels(benchN), c, benchN, 0, 6)
			}
			reportMACs(b, benchM*benchN*benchK, false)
		})
	}
}

// benchDWShape is a MobileNet V2 depthwise layer: 56×56 pixels, 144
// channels, 3×3.
var benchDWShape = convCase{"dw", 1, 56, 56, 144, 144, 3, 3, 1, 1, 1, 1, true}

func BenchmarkDepthwiseVariants(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	s := benchDWShape.shape(benchDWShape.outC)
	macs := s.Pixels() * s.OutC * s.KH * s.KW
	inF, outF := randF32(r, s.Batches*s.InH*s.InW*s.InC), make([]float32, s.Pixels()*s.OutC)
	inQ, outQ := randQ[int8](r, len(inF), -128, 127), make([]int8, len(outF))
	w, wzp, bias, rq := quantSetup[int8](r, int8Quant[0], s.OutC, s.KH*s.KW, ActRelu6, -128, 127)
	for _, v := range append([]*dwVariant{nil}, dwVariants...) {
		name := "generic"
		if v != nil {
			name = v.name
		}
		df := NewDepthwiseF32(s, 1, randF32(r, s.KH*s.KW*s.OutC), randF32(r, s.OutC), 0, 6)
		df.useDW(v)
		dq := NewDepthwiseQ[int8](s, 1, w, wzp, bias, -7, rq)
		dq.useDW(v)
		acc := make([]int32, dq.ScratchLen())
		b.Run(name+"/float32", func(b *testing.B) {
			for b.Loop() {
				df.Run(inF, outF, 0, df.Rows())
			}
			reportMACs(b, macs, false)
		})
		b.Run(name+"/int8", func(b *testing.B) {
			for b.Loop() {
				dq.Run(inQ, outQ, acc, 0, dq.Rows())
			}
			reportMACs(b, macs, true)
		})
	}
}
