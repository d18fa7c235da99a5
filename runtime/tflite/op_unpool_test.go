package tflite

import (
	"context"
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/runtime"
)

// MediaPipe's custom operators cannot run in LiteRT: these tests check
// them against hand-computed outputs and, for the transposed convolution,
// a direct implementation of MediaPipe's reference loops.

// int32s packs custom options of raw int32 fields.
func int32s(v ...int32) []byte {
	b := make([]byte, 0, 4*len(v))
	for _, x := range v {
		b = binary.LittleEndian.AppendUint32(b, uint32(x))
	}
	return b
}

// customModel is one custom operator on float32 tensors; tensors lists
// every tensor, inputs its run-time inputs, and the operator reads ins
// and writes outs.
func customModel(code string, opts []byte, tensors []testTensor, inputs, ins, outs []int32) []byte {
	tm := testModel{tensors: tensors, inputs: inputs, outputs: outs,
		ops: []testOp{{builtin: 32, custom: code, ins: ins, outs: outs}}}
	r := tm.root()
	r[2].([]fbt)[0][3].([]fbt)[0][5] = opts
	return buildFB("TFL3", r)
}

func runModel(t *testing.T, model []byte, inputs ...[]byte) [][]byte {
	t.Helper()
	m, err := Load(model)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	outs, err := m.Run(context.Background(), runtime.Options{}, inputs)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return outs
}

func floats(b []byte) []float32 { return append([]float32(nil), f32(b)...) }

func sameFloats(got, want []float32, tol float64) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if math.Abs(float64(got[i]-want[i])) > tol*(1+math.Abs(float64(want[i]))) {
			return false
		}
	}
	return true
}

func TestTransposeConvBias(t *testing.T) {
	// A 2×2 input, weights 1..9, bias 0.5, SAME, stride 2: MediaPipe's
	// output is 4×4 (2·(2-1) + 3 - 1) with no padding before.
	w := make([]float32, 9)
	for i := range w {
		w[i] = float32(i + 1)
	}
	model := customModel("Convolution2DTransposeBias", int32s(1, 2, 2), []testTensor{
		{name: "x", typ: tensorFloat32, shape: []int32{1, 2, 2, 1}},
		{name: "w", typ: tensorFloat32, shape: []int32{1, 3, 3, 1}, data: f32bytes(w...)},
		{name: "b", typ: tensorFloat32, shape: []int32{1}, data: f32bytes(0.5)},
		{name: "y", typ: tensorFloat32, shape: []int32{1, 4, 4, 1}},
	}, []int32{0}, []int32{0, 1, 2}, []int32{3})
	got := floats(runModel(t, model, f32bytes(1, 2, 3, 4))[0])
	want := []float32{1.5, 2.5, 5.5, 4.5, 4.5, 5.5, 14.5, 10.5, 10.5, 14.5, 36.5, 24.5, 12.5, 15.5, 34.5, 20.5}
	if !sameFloats(got, want, 0) {
		t.Errorf("got %v\nwant %v", got, want)
	}
}

// transposeConvBiasRef is MediaPipe's reference loop: bias, then every
// input value times every weight of its window added where it lands.
func transposeConvBiasRef(in []float32, n, h, w, ic int, wt []float32, oc, kh, kw int, bias []float32, oh, ow, sh, sw, padT, padL int) []float32 {
	out := make([]float32, n*oh*ow*oc)
	for i := range out {
		out[i] = bias[i%oc]
	}
	for b := range n {
		for iy := range h {
			for ix := range w {
				for c := range ic {
					x := in[((b*h+iy)*w+ix)*ic+c]
					for ky := range kh {
						for kx := range kw {
							oy, ox := iy*sh-padT+ky, ix*sw-padL+kx
							if oy < 0 || oy >= oh || ox < 0 || ox >= ow {
								continue
							}
							for o := range oc {
								out[((b*oh+oy)*ow+ox)*oc+o] += x * wt[((o*kh+ky)*kw+kx)*ic+c]
							}
						}
					}
				}
			}
		}
	}
	return out
}

func TestTransposeConvBiasMatchesReference(t *testing.T) {
	for _, c := range []struct {
		name                    string
		pad, sh, sw             int32
		n, h, w, ic, oc, kh, kw int
	}{
		{"same_s2_k4", 1, 2, 2, 1, 5, 6, 8, 12, 4, 4},
		{"same_s2_k3_odd", 1, 2, 2, 2, 5, 4, 3, 5, 3, 3},
		{"valid_s2_k3", 2, 2, 2, 1, 4, 5, 6, 9, 3, 3},
		{"same_s1_k3", 1, 1, 1, 1, 6, 6, 4, 16, 3, 3},
		{"same_s3x2_k2", 1, 3, 2, 1, 4, 5, 3, 4, 2, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(len(c.name)), 7))
			rnd := func(n int) []float32 {
				v := make([]float32, n)
				for i := range v {
					v[i] = float32(r.Float64()*2 - 1)
				}
				return v
			}
			in, wt, bias := rnd(c.n*c.h*c.w*c.ic), rnd(c.oc*c.kh*c.kw*c.ic), rnd(c.oc)
			ph, pw := 0, 0
			if c.pad == 1 {
				ph, pw = max(0, c.kh-(c.h-1)%int(c.sh)-1), max(0, c.kw-(c.w-1)%int(c.sw)-1)
			}
			oh, ow := int(c.sh)*(c.h-1)+c.kh-ph, int(c.sw)*(c.w-1)+c.kw-pw
			model := customModel("Convolution2DTransposeBias", int32s(c.pad, c.sw, c.sh), []testTensor{
				{name: "x", typ: tensorFloat32, shape: []int32{int32(c.n), int32(c.h), int32(c.w), int32(c.ic)}},
				{name: "w", typ: tensorFloat32, shape: []int32{int32(c.oc), int32(c.kh), int32(c.kw), int32(c.ic)}, data: f32bytes(wt...)},
				{name: "b", typ: tensorFloat32, shape: []int32{int32(c.oc)}, data: f32bytes(bias...)},
				// The converter's stored shape is a placeholder the operator replaces.
				{name: "y", typ: tensorFloat32, shape: []int32{}},
			}, []int32{0}, []int32{0, 1, 2}, []int32{3})
			m, err := Load(model)
			if err != nil {
				t.Fatalf("load: %v", err)
			}
			if got := m.Outputs()[0].Shape; !sameShape(got, []int{c.n, oh, ow, c.oc}) {
				t.Fatalf("output shape %v, want %v", got, []int{c.n, oh, ow, c.oc})
			}
			want := transposeConvBiasRef(in, c.n, c.h, c.w, c.ic, wt, c.oc, c.kh, c.kw, bias, oh, ow, int(c.sh), int(c.sw), ph/2, pw/2)
			for _, backend := range []string{"", "generic"} {
				for _, threads := range []int{1, 3} {
					outs, err := m.Run(context.Background(), runtime.Options{Threads: threads, Backend: backend}, [][]byte{f32bytes(in...)})
					if err != nil {
						t.Fatalf("run: %v", err)
					}
					if got := floats(outs[0]); !sameFloats(got, want, 1e-5) {
						t.Errorf("backend %q, %d threads: differs from MediaPipe's reference loop", backend, threads)
					}
				}
			}
		})
	}
}

func TestMaxPoolArgmaxAndUnpool(t *testing.T) {
	// A 4×4 image, 2×2 windows, stride 2, VALID.
	x := []float32{
		1, 5, 2, 0,
		3, 4, 8, 8,
		-1, -2, 7, 6,
		-4, -3, 9, 6,
	}
	pool := customModel("MaxPoolingWithArgmax2D", int32s(2, 2, 2, 2, 2, 0), []testTensor{
		{name: "x", typ: tensorFloat32, shape: []int32{1, 4, 4, 1}},
		{name: "y", typ: tensorFloat32, shape: []int32{1, 2, 2, 1}},
		{name: "idx", typ: tensorFloat32, shape: []int32{1, 2, 2, 1}},
	}, []int32{0}, []int32{0}, []int32{1, 2})
	outs := runModel(t, pool, f32bytes(x...))
	// Window maxima 5 (0,1), 8 (1,0: the first of two), -1 (0,0), 9 (1,0).
	if got, want := floats(outs[0]), []float32{5, 8, -1, 9}; !sameFloats(got, want, 0) {
		t.Errorf("pooled %v, want %v", got, want)
	}
	if got, want := floats(outs[1]), []float32{1.1, 2.1, 0.1, 2.1}; !sameFloats(got, want, 1e-7) {
		t.Errorf("indices %v, want %v", got, want)
	}

	// Unpooling puts each value back where the indices say.
	unpool := customModel("MaxUnpooling2D", int32s(2, 2, 2, 2, 2, 0), []testTensor{
		{name: "y", typ: tensorFloat32, shape: []int32{1, 2, 2, 1}},
		{name: "idx", typ: tensorFloat32, shape: []int32{1, 2, 2, 1}},
		{name: "z", typ: tensorFloat32, shape: []int32{1, 4, 4, 1}},
	}, []int32{0, 1}, []int32{0, 1}, []int32{2})
	got := floats(runModel(t, unpool, outs[0], outs[1])[0])
	want := []float32{
		0, 5, 0, 0,
		0, 0, 8, 0,
		-1, 0, 0, 0,
		0, 0, 9, 0,
	}
	if !sameFloats(got, want, 0) {
		t.Errorf("unpooled %v, want %v", got, want)
	}

	// SAME, with the window clipped at the edge, and RELU fused.
	same := customModel("MaxPoolingWithArgmax2D", int32s(1, 2, 2, 2, 2, 1), []testTensor{
		{name: "x", typ: tensorFloat32, shape: []int32{1, 3, 3, 1}},
		{name: "y", typ: tensorFloat32, shape: []int32{}},
		{name: "idx", typ: tensorFloat32, shape: []int32{}},
	}, []int32{0}, []int32{0}, []int32{1, 2})
	outs = runModel(t, same, f32bytes(-1, -2, -3, -4, -5, -6, -7, -8, -9))
	if got, want := floats(outs[0]), []float32{0, 0, 0, 0}; !sameFloats(got, want, 0) {
		t.Errorf("SAME pooled %v, want %v", got, want)
	}
	if got, want := floats(outs[1]), []float32{0.1, 0.1, 0.1, 0.1}; !sameFloats(got, want, 1e-7) {
		t.Errorf("SAME indices %v, want %v", got, want)
	}
}

func TestMaxUnpoolFlatIndices(t *testing.T) {
	// TensorFlow Lite's MaxUnpooling2D (LiteRtMaxUnpooling2D): int32
	// indices flat over an output image; SAME output = input × stride.
	tensors := []testTensor{
		{name: "y", typ: tensorFloat32, shape: []int32{2, 1, 2, 1}},
		{name: "idx", typ: tensorInt32, shape: []int32{2, 1, 2, 1}},
		{name: "z", typ: tensorFloat32, shape: []int32{2, 1, 2, 1}}, // placeholder, resized
	}
	model := customModel("LiteRtMaxUnpooling2D", int32s(1, 2, 2, 2, 2, 0), tensors, []int32{0, 1}, []int32{0, 1}, []int32{2})
	got := floats(runModel(t, model, f32bytes(1, 2, 3, 4), i32bytes(0, 7, 5, 2))[0])
	want := []float32{1, 0, 0, 0, 0, 0, 0, 2, 0, 0, 4, 0, 0, 3, 0, 0}
	if !sameFloats(got, want, 0) {
		t.Errorf("unpooled %v, want %v", got, want)
	}
	m, err := Load(model)
	if err != nil {
		t.Fatal(err)
	}
	_, err = m.Run(context.Background(), runtime.Options{}, [][]byte{f32bytes(1, 2, 3, 4), i32bytes(0, 8, 5, 2)})
	if err == nil || !strings.Contains(err.Error(), "index 1 of batch 0 is 8, outside the 8 values") {
		t.Errorf("out-of-range index: %v", err)
	}
}

func TestUpsamplingCustomOptionsRefused(t *testing.T) {
	tensors := []testTensor{
		{name: "x", typ: tensorFloat32, shape: []int32{1, 2, 2, 1}},
		{name: "w", typ: tensorFloat32, shape: []int32{1, 3, 3, 1}, data: make([]byte, 36)},
		{name: "b", typ: tensorFloat32, shape: []int32{1}, data: make([]byte, 4)},
		{name: "y", typ: tensorFloat32, shape: []int32{1, 4, 4, 1}},
	}
	for _, c := range []struct {
		name, code string
		opts       []byte
		is         error
		want       string
	}{
		{"short transpose options", "Convolution2DTransposeBias", int32s(1, 2), runtime.ErrInvalidModel, "custom options hold 8 bytes, want at least 12"},
		{"transpose padding", "Convolution2DTransposeBias", int32s(0, 2, 2), runtime.ErrUnsupported, "padding 0"},
		{"transpose stride", "Convolution2DTransposeBias", int32s(1, 0, 2), runtime.ErrInvalidModel, "strides 2x0"},
		{"short pool options", "MaxUnpooling2D", int32s(1, 2, 2), runtime.ErrInvalidModel, "custom options hold 12 bytes, want the 24"},
		{"pool filter", "MaxUnpooling2D", int32s(2, 2, 2, 0, 2, 0), runtime.ErrInvalidModel, "filter 2x0"},
		{"pool activation", "MaxUnpooling2D", int32s(2, 2, 2, 2, 2, 9), runtime.ErrUnsupported, "fused activation 9"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ins := []int32{0, 1, 2}
			if c.code == "MaxUnpooling2D" {
				ins = []int32{0, 0}
			}
			_, err := Load(customModel(c.code, c.opts, tensors, []int32{0}, ins, []int32{3}))
			if !errors.Is(err, c.is) || !strings.Contains(err.Error(), "CUSTOM:"+c.code) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("load error %v; want one wrapping %v naming the operator and containing %q", err, c.is, c.want)
			}
		})
	}
}

// TestMaxUnpoolHugeOutputRefused: an output size past what a tensor can
// hold is refused at load (on 32-bit targets it would wrap around).
func TestMaxUnpoolHugeOutputRefused(t *testing.T) {
	model := customModel("LiteRtMaxUnpooling2D", int32s(1, 1, 65536, 1, 1, 0), []testTensor{
		{name: "y", typ: tensorFloat32, shape: []int32{1, 40000, 1, 1}},
		{name: "idx", typ: tensorInt32, shape: []int32{1, 40000, 1, 1}},
		{name: "z", typ: tensorFloat32, shape: []int32{1, 1, 1, 1}},
	}, []int32{0, 1}, []int32{0, 1}, []int32{2})
	_, err := Load(model)
	if !errors.Is(err, runtime.ErrInvalidModel) || !strings.Contains(err.Error(), "output shape [1 -1 1 1]") {
		t.Fatalf("load error %v", err)
	}
}
