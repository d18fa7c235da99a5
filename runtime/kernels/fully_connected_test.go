package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func TestQuantizeRows(t *testing.T) {
	tests := []struct {
		name       string
		in         []float32
		asymmetric bool
		want       []int8
		scale      float32
		zp         int32
	}{
		{"symmetric", []float32{-2, 1, 0.5, 0}, false, []int8{-127, 64, 32, 0}, 2.0 / 127, 0},
		{"symmetric-zero", []float32{0, 0}, false, []int8{0, 0}, 1, 0},
		{"asymmetric", []float32{0, 2, 1.2, 0.4}, true, []int8{-128, 127, 25, -77}, 2.0 / 255, -128},
		{"asymmetric-negative", []float32{-1, -0.3, 0}, true, []int8{-128, 51, 127}, 1.0 / 255, 127},
		{"asymmetric-zero", []float32{0, 0}, true, []int8{0, 0}, 1, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := &FullyConnectedHybrid{W: &PackedQ{K: len(tc.in)}, Asymmetric: tc.asymmetric}
			q, scale, zp := make([]int8, len(tc.in)), make([]float32, 1), make([]int32, 1)
			f.Quantize(tc.in, q, scale, zp, 0, 1)
			if fmt.Sprint(q) != fmt.Sprint(tc.want) || math.Abs(float64(scale[0]-tc.scale)) > 1e-7 || zp[0] != tc.zp {
				t.Errorf("got %v scale %v zp %d, want %v scale %v zp %d", q, scale[0], zp[0], tc.want, tc.scale, tc.zp)
			}
		})
	}
}

func TestFullyConnectedHybrid(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, tc := range []struct{ batches, units, depth int }{{1, 1, 1}, {1, 17, 33}, {2, 8, 640}, {5, 30, 7}} {
		for _, asym := range []bool{false, true} {
			for _, perChannel := range []bool{false, true} {
				for _, act := range acts {
					in := randF32(r, tc.batches*tc.depth)
					w := randQ[int8](r, tc.units*tc.depth, -127, 127)
					ws := []float32{0.02}
					if perChannel {
						ws = randF32(r, tc.units)
						for i := range ws {
							ws[i] = 0.01 + 0.01*ws[i]
						}
					}
					bias := randF32(r, tc.units)
					lo, hi := act.FloatRange()
					f := NewFullyConnectedHybrid(w, tc.units, tc.depth, ws, bias, asym, lo, hi)
					q, scale, zp := make([]int8, len(in)), make([]float32, tc.batches), make([]int32, tc.batches)
					f.Quantize(in, q, scale, zp, 0, tc.batches)
					want := make([]float32, tc.batches*tc.units)
					exact := make([]float32, tc.batches*tc.units)
					for b := 0; b < tc.batches; b++ {
						for u := 0; u < tc.units; u++ {
							var acc int64
							var fl float64
							wsc := ws[min(u, len(ws)-1)]
							for d := 0; d < tc.depth; d++ {
								acc += (int64(q[b*tc.depth+d]) - int64(zp[b])) * int64(w[u*tc.depth+d])
								fl += float64(in[b*tc.depth+d]) * float64(w[u*tc.depth+d]) * float64(wsc)
							}
							v := float32(acc)*scale[b]*wsc + bias[u]
							want[b*tc.units+u] = min(max(v, lo), hi)
							exact[b*tc.units+u] = min(max(float32(fl)+bias[u], lo), hi)
						}
					}
					name := fmt.Sprintf("%dx%dx%d/asym=%v/perChannel=%v/act%d", tc.batches, tc.units, tc.depth, asym, perChannel, act)
					splits(t, tc.batches, f.Panels(), func(split string, run func(func(m0, m1, p0, p1 int))) {
						got := make([]float32, len(want))
						run(func(m0, m1, p0, p1 int) { f.Run(q, scale, zp, got, m0, m1, p0, p1) })
						t.Run(name+"/"+split, func(t *testing.T) {
							checkF32(t, got, want, 1e-5)
							// The int8 input costs at most half a step per
							// value: a loose bound against the float result.
							checkF32(t, got, exact, 0.02*math.Sqrt(float64(tc.depth)))
						})
					})
				}
			}
		}
	}
}
