package kernels

import (
	"math"
	"math/rand"
	"testing"
)

// naivePool is an obviously-correct pooling over one NHWC tensor of ints:
// it returns, per output element, the list of in-bounds window values.
func naivePool(g *PoolGeom, in []int32) [][]int32 {
	var out [][]int32
	for b := 0; b < g.Batches; b++ {
		for oy := 0; oy < g.OutH; oy++ {
			for ox := 0; ox < g.OutW; ox++ {
				for c := 0; c < g.Channels; c++ {
					var vals []int32
					for fy := 0; fy < g.FilterH; fy++ {
						for fx := 0; fx < g.FilterW; fx++ {
							y, x := oy*g.StrideH-g.PadTop+fy, ox*g.StrideW-g.PadLeft+fx
							if y < 0 || x < 0 || y >= g.InH || x >= g.InW {
								continue
							}
							vals = append(vals, in[((b*g.InH+y)*g.InW+x)*g.Channels+c])
						}
					}
					out = append(out, vals)
				}
			}
		}
	}
	return out
}

func TestPoolVariants(t *testing.T) {
	geoms := []struct {
		name string
		g    PoolGeom
	}{
		{"valid 2x2 s2", PoolGeom{1, 4, 4, 3, 2, 2, 2, 2, 2, 2, 0, 0}},
		{"same 3x3 s1", PoolGeom{1, 5, 4, 2, 5, 4, 3, 3, 1, 1, 1, 1}},
		{"same 3x3 s2 odd", PoolGeom{2, 5, 5, 70, 3, 3, 3, 3, 2, 2, 1, 1}},
		{"global 3x5", PoolGeom{1, 3, 5, 130, 1, 1, 3, 5, 3, 5, 0, 0}},
		{"same 2x2 s2 pad0", PoolGeom{1, 3, 3, 1, 2, 2, 2, 2, 2, 2, 0, 0}},
	}
	rng := rand.New(rand.NewSource(1))
	for _, tc := range geoms {
		t.Run(tc.name, func(t *testing.T) {
			g := &tc.g
			n := g.Batches * g.InH * g.InW * g.Channels
			raw := make([]int32, n)
			fin := make([]float32, n)
			qin := make([]int8, n)
			uin := make([]uint8, n)
			for i := range raw {
				raw[i] = int32(rng.Intn(256) - 128)
				fin[i], qin[i], uin[i] = float32(raw[i]), int8(raw[i]), uint8(raw[i]+128)
			}
			want := naivePool(g, raw)
			m := len(want)
			fmax, favg := make([]float32, m), make([]float32, m)
			qmax, qavg := make([]int8, m), make([]int8, m)
			uavg := make([]uint8, m)
			MaxPool(g, fin, fmax, -math.MaxFloat32, math.MaxFloat32, 0, g.Rows())
			AvgPoolF32(g, fin, favg, -math.MaxFloat32, math.MaxFloat32, 0, g.Rows()/2)
			AvgPoolF32(g, fin, favg, -math.MaxFloat32, math.MaxFloat32, g.Rows()/2, g.Rows())
			MaxPool(g, qin, qmax, -128, 127, 0, g.Rows())
			AvgPoolQ(g, qin, qavg, -128, 127, 0, g.Rows())
			AvgPoolQ(g, uin, uavg, 0, 255, 0, g.Rows())
			for i, vals := range want {
				mx, sum := int32(math.MinInt32), int32(0)
				for _, v := range vals {
					mx, sum = max(mx, v), sum+v
				}
				nv := float64(len(vals))
				avg := float64(sum) / nv
				rq := int32(math.Round(avg)) // half away from zero
				ru := int32(math.Round(float64(sum+128*int32(len(vals))) / nv))
				if fmax[i] != float32(mx) || qmax[i] != int8(mx) {
					t.Fatalf("max %d: got %v/%v want %v", i, fmax[i], qmax[i], mx)
				}
				if math.Abs(float64(favg[i])-avg) > 1e-4 {
					t.Fatalf("float avg %d: got %v want %v", i, favg[i], avg)
				}
				if int32(qavg[i]) != rq || int32(uavg[i]) != ru {
					t.Fatalf("quantized avg %d of %v: got %d/%d want %d/%d", i, vals, qavg[i], uavg[i], rq, ru)
				}
			}
		})
	}
}

func TestPoolActivationClamp(t *testing.T) {
	g := &PoolGeom{1, 2, 2, 1, 1, 1, 2, 2, 2, 2, 0, 0}
	fout := []float32{0}
	MaxPool(g, []float32{-3, -2, -5, -1}, fout, 0, 6, 0, 1)
	if fout[0] != 0 {
		t.Errorf("relu max pool = %v, want 0", fout[0])
	}
	AvgPoolF32(g, []float32{10, 20, 30, 40}, fout, 0, 6, 0, 1)
	if fout[0] != 6 {
		t.Errorf("relu6 avg pool = %v, want 6", fout[0])
	}
	qout := []int8{0}
	// (-1 -2 -2 -2) / 4 = -1.75 -> -2, clamped to -1.
	AvgPoolQ(g, []int8{-1, -2, -2, -2}, qout, -1, 127, 0, 1)
	if qout[0] != -1 {
		t.Errorf("quantized avg pool = %v, want -1", qout[0])
	}
	// (1+2+2+0)/4 = 1.25 -> 1; (1+2+2+1)/4 = 1.5 -> 2 (half away from zero).
	AvgPoolQ(g, []int8{1, 2, 2, 0}, qout, -128, 127, 0, 1)
	if qout[0] != 1 {
		t.Errorf("avg 1.25 = %v, want 1", qout[0])
	}
	AvgPoolQ(g, []int8{-1, -2, -2, -1}, qout, -128, 127, 0, 1)
	if qout[0] != -2 {
		t.Errorf("avg -1.5 = %v, want -2", qout[0])
	}
}

func BenchmarkAvgPoolQ(b *testing.B) {
	g := &PoolGeom{1, 56, 56, 64, 28, 28, 3, 3, 2, 2, 0, 0}
	in := make([]int8, 56*56*64)
	out := make([]int8, 28*28*64)
	for b.Loop() {
		AvgPoolQ(g, in, out, -128, 127, 0, g.Rows())
	}
}

func BenchmarkMaxPoolF32(b *testing.B) {
	g := &PoolGeom{1, 112, 112, 16, 56, 56, 2, 2, 2, 2, 0, 0}
	in := make([]float32, 112*112*16)
	out := make([]float32, 56*56*16)
	for b.Loop() {
		MaxPool(g, in, out, -math.MaxFloat32, math.MaxFloat32, 0, g.Rows())
	}
}

// TestMaxPoolSIMD checks the SIMD float max pooling against the generic
// one, bit for bit, on random geometries (windows wholly inside, clipped
// at every edge, or wholly in the padding; channel counts across 16-lane
// groups and tails), random inputs with ties and signed zeros, with and
// without a clamp, and that nothing is written past the output.
func TestMaxPoolSIMD(t *testing.T) {
	if maxPoolF32SIMD == nil {
		t.Skip("no SIMD max pooling on this CPU or build")
	}
	simd := maxPoolF32SIMD
	r := rand.New(rand.NewSource(21))
	values := []float32{0, float32(math.Copysign(0, -1)), 1, -1, 2.5}
	for i := range 400 {
		g, ok := randPoolGeom(r, 1+i%40, 4)
		if !ok {
			continue
		}
		in := make([]float32, g.Batches*g.InH*g.InW*g.Channels)
		for j := range in {
			if r.Intn(3) == 0 {
				in[j] = values[r.Intn(len(values))]
			} else {
				in[j] = r.Float32()*8 - 4
			}
		}
		lo, hi := float32(math.Inf(-1)), float32(math.Inf(1))
		if i%2 == 1 {
			lo, hi = -1, 2
		}
		on := g.Rows() * g.OutW * g.Channels
		want, got := make([]float32, on+1), make([]float32, on+1)
		want[on], got[on] = 77, 77
		maxPoolF32SIMD = nil
		MaxPool(g, in, want[:on], lo, hi, 0, g.Rows())
		maxPoolF32SIMD = simd
		MaxPool(g, in, got[:on], lo, hi, 0, g.Rows())
		for j := range want {
			if math.Float32bits(want[j]) != math.Float32bits(got[j]) {
				t.Fatalf("%+v clamp [%v, %v]: out[%d] = %v, want %v", *g, lo, hi, j, got[j], want[j])
			}
		}
	}
}

// TestAvgPoolQSIMD checks the 8-bit average pooling with SIMD window sums
// against the generic sums, int8 and uint8, bit for bit, on random
// geometries (windows inside, clipped, or wholly in the padding; channel
// counts of whole 16-lane groups, tails, and more than one block of
// avgBlock), with values at both ends of the range, and that nothing is
// written past the output.
func TestAvgPoolQSIMD(t *testing.T) {
	if sumWindowQ8SIMD == nil {
		t.Skip("no SIMD window sums on this CPU or build")
	}
	simd := sumWindowQ8SIMD
	defer func() { sumWindowQ8SIMD = simd }()
	r := rand.New(rand.NewSource(22))
	for i := range 300 {
		g, ok := randPoolGeom(r, []int{16, 32, 48, 64, 80, 128, 7, 40}[i%8], 5)
		if !ok {
			continue
		}
		n := g.Batches * g.InH * g.InW * g.Channels
		qin, uin := make([]int8, n), make([]uint8, n)
		for j := range qin {
			switch r.Intn(4) {
			case 0:
				qin[j], uin[j] = -128, 255
			case 1:
				qin[j], uin[j] = 127, 0
			default:
				qin[j], uin[j] = int8(r.Intn(256)-128), uint8(r.Intn(256))
			}
		}
		on := g.Rows() * g.OutW * g.Channels
		qwant, qgot := make([]int8, on+1), make([]int8, on+1)
		uwant, ugot := make([]uint8, on+1), make([]uint8, on+1)
		qwant[on], qgot[on], uwant[on], ugot[on] = 77, 77, 77, 77
		sumWindowQ8SIMD = nil
		AvgPoolQ(g, qin, qwant[:on], -100, 120, 0, g.Rows())
		AvgPoolQ(g, uin, uwant[:on], 0, 255, 0, g.Rows())
		sumWindowQ8SIMD = simd
		AvgPoolQ(g, qin, qgot[:on], -100, 120, 0, g.Rows())
		AvgPoolQ(g, uin, ugot[:on], 0, 255, 0, g.Rows())
		for j := range qwant {
			if qgot[j] != qwant[j] || ugot[j] != uwant[j] {
				t.Fatalf("%+v: out[%d] = %d, %d, want %d, %d (int8, uint8)", *g, j, qgot[j], ugot[j], qwant[j], uwant[j])
			}
		}
	}
}

// randPoolGeom draws a pooling geometry over channels with windows of up
// to maxFilter rows and columns, padding up to a whole window (so some
// windows lie wholly in it); ok is false when it leaves no output.
func randPoolGeom(r *rand.Rand, channels, maxFilter int) (g *PoolGeom, ok bool) {
	g = &PoolGeom{
		Batches: 1 + r.Intn(2), InH: 1 + r.Intn(9), InW: 1 + r.Intn(12), Channels: channels,
		FilterH: 1 + r.Intn(maxFilter), FilterW: 1 + r.Intn(maxFilter), StrideH: 1 + r.Intn(3), StrideW: 1 + r.Intn(3),
	}
	g.PadTop, g.PadLeft = r.Intn(g.FilterH+1), r.Intn(g.FilterW+1)
	g.OutH = (g.InH+2*g.PadTop-g.FilterH)/g.StrideH + 1
	g.OutW = (g.InW+2*g.PadLeft-g.FilterW)/g.StrideW + 1
	return g, g.OutH >= 1 && g.OutW >= 1
}
