package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// depthwiseSplits runs f over rows of output as one part and as three.
func depthwiseSplits(rows int, f func(name string, parts [][2]int)) {
	f("serial", [][2]int{{0, rows}})
	var three [][2]int
	for i := 0; i < 3; i++ {
		r0, r1 := Split(rows, 3, i, 1)
		three = append(three, [2]int{r0, r1})
	}
	f("3-parts", three)
}

func TestDepthwiseF32(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, tc := range convCases {
		for _, mult := range []int{1, 2} {
			for _, act := range acts {
				s := tc.shape(tc.inC * mult)
				in := randF32(r, s.Batches*s.InH*s.InW*s.InC)
				w := randF32(r, s.KH*s.KW*s.OutC)
				bias := randF32(r, s.OutC)
				if act == ActRelu6 {
					bias = nil
				}
				lo, hi := act.FloatRange()
				want := make([]float32, s.Pixels()*s.OutC)
				for m := 0; m < s.Pixels(); m++ {
					for o := 0; o < s.OutC; o++ {
						v := convRefAcc[float32, float32](s, in, 0, w, true, m, o)
						if bias != nil {
							v += bias[o]
						}
						want[m*s.OutC+o] = min(max(v, lo), hi)
					}
				}
				d := NewDepthwiseF32(s, mult, w, bias, lo, hi)
				depthwiseSplits(d.Rows(), func(name string, parts [][2]int) {
					got := make([]float32, len(want))
					for _, p := range parts {
						d.Run(in, got, p[0], p[1])
					}
					t.Run(fmt.Sprintf("%s/mult%d/act%d/%s", tc.name, mult, act, name), func(t *testing.T) {
						checkF32(t, got, want, 1e-5)
					})
				})
			}
		}
	}
}

func TestDepthwiseQ(t *testing.T) {
	testDepthwiseQ[int8](t, int8Quant, -128, 127)
	testDepthwiseQ[uint8](t, uint8Quant, 0, 255)
}

func testDepthwiseQ[T Quant8](t *testing.T, quants []quantCase, qmin, qmax int32) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, q := range quants {
		for _, tc := range convCases {
			for _, mult := range []int{1, 3} {
				for _, act := range acts {
					s := tc.shape(tc.inC * mult)
					in := randQ[T](r, s.Batches*s.InH*s.InW*s.InC, qmin, qmax)
					// The weights are drawn as one row of KH·KW·OutC values
					// and read as [KH·KW][OutC].
					w, wzp, bias, rq := quantSetup[T](r, q, s.OutC, s.KH*s.KW, act, qmin, qmax)
					w64 := make([]int64, len(w))
					for i, v := range w {
						w64[i] = int64(v) - int64(wzp[min(i%s.OutC, len(wzp)-1)])
					}
					qlo, qhi := int32(rq.lo)+rq.ZeroPoint, int32(rq.hi)+rq.ZeroPoint
					want := make([]T, s.Pixels()*s.OutC)
					in64 := widen(in)
					for m := 0; m < s.Pixels(); m++ {
						for o := 0; o < s.OutC; o++ {
							acc := convRefAcc[int64, int64](s, in64, int64(q.inZP), w64, true, m, o) + int64(bias[o])
							want[m*s.OutC+o] = T(refRequant(acc, rq.Scale[o], rq.ZeroPoint, qlo, qhi))
						}
					}
					d := NewDepthwiseQ[T](s, mult, w, wzp, bias, q.inZP, rq)
					depthwiseSplits(d.Rows(), func(name string, parts [][2]int) {
						got := make([]T, len(want))
						acc := make([]int32, d.ScratchLen())
						for _, p := range parts {
							d.Run(in, got, acc, p[0], p[1])
						}
						t.Run(fmt.Sprintf("%s/%s/mult%d/act%d/%s", q.name, tc.name, mult, act, name), func(t *testing.T) {
							checkQ(t, got, want)
						})
					})
				}
			}
		}
	}
}

// TestInsideCols checks insideCols against a search over every column.
func TestInsideCols(t *testing.T) {
	for inW := 1; inW < 12; inW++ {
		for kw := 1; kw < 6; kw++ {
			for stride := 1; stride < 4; stride++ {
				for dil := 1; dil < 3; dil++ {
					for _, same := range []bool{true, false} {
						outW := OutSize(inW, kw, stride, dil, same)
						if outW < 1 {
							continue
						}
						s := ConvShape{InW: inW, OutW: outW, KW: kw, StrideW: stride, DilW: dil, PadLeft: Pad(inW, outW, kw, stride, dil)}
						oa, ob := s.insideCols()
						for ox := 0; ox < outW; ox++ {
							ix0 := ox*stride - s.PadLeft
							inside := ix0 >= 0 && ix0+(kw-1)*dil < inW
							if inside != (ox >= oa && ox < ob) {
								t.Fatalf("%+v: insideCols = [%d, %d), column %d inside %v", s, oa, ob, ox, inside)
							}
						}
					}
				}
			}
		}
	}
}
