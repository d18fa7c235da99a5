package kernels

import (
	"fmt"
	"math"
	"math/rand"
	"testing"
)

// naiveBilinear is TFLite's reference float bilinear resize, written from
// its definition: source y = (oy+0.5)*scale-0.5 with half-pixel centers,
// else oy*scale; y0 = max(floor(y), 0), y1 = min(ceil(y), in-1), weights
// from y - floor(y).
func naiveBilinear(in []float32, b, h, w, c, oh, ow int, align, half bool) []float32 {
	scale := func(i, o int) float64 {
		if align && o > 1 {
			return float64(i-1) / float64(o-1)
		}
		return float64(i) / float64(o)
	}
	sy, sx := scale(h, oh), scale(w, ow)
	src := func(o int, s float64) float64 {
		if half {
			return (float64(o)+0.5)*s - 0.5
		}
		return float64(o) * s
	}
	at := func(n, y, x, ch int) float64 { return float64(in[((n*h+y)*w+x)*c+ch]) }
	var out []float32
	for n := 0; n < b; n++ {
		for oy := 0; oy < oh; oy++ {
			y := src(oy, sy)
			y0 := max(int(math.Floor(y)), 0)
			y1 := min(int(math.Ceil(y)), h-1)
			dy := y - math.Floor(y)
			if y < 0 {
				dy, y0 = 0, 0
			}
			for ox := 0; ox < ow; ox++ {
				x := src(ox, sx)
				x0 := max(int(math.Floor(x)), 0)
				x1 := min(int(math.Ceil(x)), w-1)
				dx := x - math.Floor(x)
				if x < 0 {
					dx, x0 = 0, 0
				}
				for ch := 0; ch < c; ch++ {
					v := at(n, y0, x0, ch)*(1-dy)*(1-dx) + at(n, y1, x0, ch)*dy*(1-dx) +
						at(n, y0, x1, ch)*(1-dy)*dx + at(n, y1, x1, ch)*dy*dx
					out = append(out, float32(v))
				}
			}
		}
	}
	return out
}

func TestResizeBilinear(t *testing.T) {
	tests := []struct {
		name               string
		b, h, w, c, oh, ow int
		align, half        bool
	}{
		{"legacy up 2x", 1, 3, 4, 2, 6, 8, false, false},
		{"align corners", 2, 3, 3, 3, 7, 5, true, false},
		{"half pixel", 1, 6, 6, 5, 12, 12, false, true},
		{"half pixel down", 1, 7, 5, 1, 3, 2, false, true},
		{"align 1x1 in", 1, 1, 1, 4, 5, 5, true, false},
	}
	rng := rand.New(rand.NewSource(2))
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := tc.b * tc.h * tc.w * tc.c
			in := make([]float32, n)
			qin := make([]int8, n)
			for i := range in {
				qin[i] = int8(rng.Intn(256) - 128)
				in[i] = float32(qin[i])
			}
			g := NewBilinearGeom(tc.b, tc.h, tc.w, tc.c, tc.oh, tc.ow, tc.align, tc.half)
			want := naiveBilinear(in, tc.b, tc.h, tc.w, tc.c, tc.oh, tc.ow, tc.align, tc.half)
			got := make([]float32, len(want))
			ResizeBilinearF32(g, in, got, 0, g.Rows())
			qgot := make([]int8, len(want))
			ResizeBilinearQ(g, qin, qgot, 0, 1)
			ResizeBilinearQ(g, qin, qgot, 1, g.Rows())
			for i := range want {
				if math.Abs(float64(got[i]-want[i])) > 1e-3 {
					t.Fatalf("float %d: got %v want %v", i, got[i], want[i])
				}
				if d := math.Abs(float64(qgot[i]) - float64(want[i])); d > 1 {
					t.Fatalf("int8 %d: got %v want %v", i, qgot[i], want[i])
				}
			}
		})
	}
}

func TestResizeBilinearQ11(t *testing.T) {
	// Half-pixel 2 -> 4: x = -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped
	// to 1); Q11 weights 0, 512, 1536, 0. (t<<11 + 2^21) >> 22 floors
	// +-0.25 + 0.5 and +-0.75 + 0.5.
	g := NewBilinearGeom(1, 1, 2, 1, 1, 4, false, true)
	if want := []int32{0, 512, 1536, 0}; !equalInts(g.QAlphaX, want) {
		t.Fatalf("weights %v, want %v", g.QAlphaX, want)
	}
	for _, tc := range []struct{ in, want []int8 }{
		{[]int8{0, 100}, []int8{0, 25, 75, 100}},
		{[]int8{0, 1}, []int8{0, 0, 1, 1}},
		{[]int8{0, -1}, []int8{0, 0, -1, -1}},
	} {
		got := make([]int8, 4)
		ResizeBilinearQ(g, tc.in, got, 0, 1)
		if !equalInts(got, tc.want) {
			t.Errorf("%v: got %v want %v", tc.in, got, tc.want)
		}
	}
}

func TestResizeNearest(t *testing.T) {
	in := []byte{1, 2, 3}
	for _, tc := range []struct {
		name        string
		ow          int
		align, half bool
		want        []byte
	}{
		{"plain 3->5", 5, false, false, []byte{1, 1, 2, 2, 3}},     // floor(i*0.6)
		{"align 3->5", 5, true, false, []byte{1, 2, 2, 3, 3}},      // round(i*0.5), half away
		{"half pixel 3->5", 5, false, true, []byte{1, 1, 2, 3, 3}}, // floor((i+0.5)*0.6)
		{"half pixel 3->2", 2, false, true, []byte{1, 3}},          // floor(0.75), floor(2.25)
	} {
		g := NewNearestGeom(1, 1, 3, 1, 1, tc.ow, tc.align, tc.half)
		got := make([]byte, tc.ow)
		ResizeNearest(g, in, got, 1, 0, 1)
		if string(got) != string(tc.want) {
			t.Errorf("%s: got %v want %v", tc.name, got, tc.want)
		}
	}
}

func equalInts[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func BenchmarkResizeBilinearF32(b *testing.B) {
	g := NewBilinearGeom(1, 33, 33, 21, 257, 257, true, false)
	in := make([]float32, 33*33*21)
	out := make([]float32, 257*257*21)
	for b.Loop() {
		ResizeBilinearF32(g, in, out, 0, g.Rows())
	}
}

// TestResizeBilinearSIMD checks the SIMD row kernels against the generic
// ones, bit for bit, on random geometries (channel counts across the
// 16-lane groups and tails, up and down sampling, all three sampling
// modes) and random inputs, and that they write nothing past the output.
func TestResizeBilinearSIMD(t *testing.T) {
	if resizeRowF32SIMD == nil || resizeRowQ8SIMD == nil {
		t.Skip("no SIMD bilinear resize on this CPU or build")
	}
	f32SIMD, q8SIMD := resizeRowF32SIMD, resizeRowQ8SIMD
	generic := func(run func()) {
		resizeRowF32SIMD, resizeRowQ8SIMD = nil, nil
		defer func() { resizeRowF32SIMD, resizeRowQ8SIMD = f32SIMD, q8SIMD }()
		run()
	}
	r := rand.New(rand.NewSource(12))
	for i := range 300 {
		c := 1 + i%40
		b, h, w := 1+r.Intn(2), 1+r.Intn(9), 1+r.Intn(9)
		oh, ow := 1+r.Intn(20), 1+r.Intn(20)
		align, half := i%3 == 1, i%3 == 2
		g := NewBilinearGeom(b, h, w, c, oh, ow, align, half)
		n, on := b*h*w*c, b*oh*ow*c
		name := func() string {
			return fmt.Sprintf("[%d %d %d %d] to %dx%d align %v half %v", b, h, w, c, oh, ow, align, half)
		}

		fin := make([]float32, n)
		for j := range fin {
			fin[j] = r.Float32()*20 - 10
		}
		want, got := make([]float32, on+1), make([]float32, on+1)
		want[on], got[on] = 77, 77
		generic(func() { ResizeBilinearF32(g, fin, want, 0, g.Rows()) })
		ResizeBilinearF32(g, fin, got, 0, g.Rows())
		for j := range want {
			if math.Float32bits(want[j]) != math.Float32bits(got[j]) {
				t.Fatalf("float %s: out[%d] = %v, want %v", name(), j, got[j], want[j])
			}
		}

		qin := make([]uint8, n)
		for j := range qin {
			qin[j] = uint8(r.Intn(256))
		}
		for _, signed := range []bool{false, true} {
			want, got := make([]uint8, on+1), make([]uint8, on+1)
			want[on], got[on] = 0x5a, 0x5a
			run := func(out []uint8) {
				if signed {
					ResizeBilinearQ(g, i8s(qin), i8s(out), 0, g.Rows())
				} else {
					ResizeBilinearQ(g, qin, out, 0, g.Rows())
				}
			}
			generic(func() { run(want) })
			run(got)
			for j := range want {
				if want[j] != got[j] {
					t.Fatalf("8-bit (signed %v) %s: out[%d] = %d, want %d", signed, name(), j, got[j], want[j])
				}
			}
		}
	}
}
