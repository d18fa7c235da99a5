package kernels

import (
	"bytes"
	"math"
	"math/rand/v2"
	"testing"
)

func TestQuantizeF32(t *testing.T) {
	in := []float32{1.25, 0.75, -1.25, 100, -100, 0}
	got8 := make([]int8, len(in))
	QuantizeF32(in, got8, QParams{0.5, -3})
	want8 := []int8{-1, -1, -5, 127, -128, -3} // 2.5 -> 2, 1.5 -> 2, -2.5 -> -2: ties to even
	for i := range want8 {
		if got8[i] != want8[i] {
			t.Errorf("int8 %v -> %d, want %d", in[i], got8[i], want8[i])
		}
	}
	gotU := make([]uint8, len(in))
	QuantizeF32(in, gotU, QParams{0.5, 10})
	wantU := []uint8{12, 12, 8, 210, 0, 10}
	for i := range wantU {
		if gotU[i] != wantU[i] {
			t.Errorf("uint8 %v -> %d, want %d", in[i], gotU[i], wantU[i])
		}
	}
}

func TestRequantizeLUT(t *testing.T) {
	tests := []struct {
		name      string
		inS, outS bool
		in, out   QParams
		x, want   []int32
	}{
		// XNNPACK: multiplier round(256 * 0.95349) = 244, 8 fractional bits.
		{"int8 xnnpack", true, true, QParams{0.00390625, -128}, QParams{0.004096854, -128}, []int32{127, -128, 0}, []int32{115, -128, -6}},
		// TFLite Requantize between types: same scale, zero point moved by 128.
		{"int8 to uint8", true, false, QParams{0.00390625, -128}, QParams{0.00390625, 0}, []int32{-128, 0, 127}, []int32{0, 128, 255}},
		{"uint8 to int8", false, true, QParams{0.007843138, 127}, QParams{0.007843138, -1}, []int32{0, 127, 255}, []int32{-128, -1, 127}},
		// Scale ratio 1/512 is outside XNNPACK's range: fixed point, rounding away from zero.
		{"int8 tflite", true, true, QParams{1, 0}, QParams{512, 0}, []int32{127, -128, 100}, []int32{0, 0, 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lut := NewRequantizeLUT(tc.inS, tc.in, tc.outS, tc.out)
			for i, x := range tc.x {
				got := byteValue(int(lut[uint8(x)]), tc.outS)
				if got != tc.want[i] {
					t.Errorf("%d -> %d, want %d", x, got, tc.want[i])
				}
			}
		})
	}
}

func TestReluLUT(t *testing.T) {
	lut := NewReluLUT(true, QParams{0.1, 0}, QParams{0.1, 0}, 0, 6)
	for x, want := range map[int8]int8{-5: 0, 0: 0, 30: 30, 70: 60, 127: 60} {
		if got := int8(lut[uint8(x)]); got != want {
			t.Errorf("relu6(%d) = %d, want %d", x, got, want)
		}
	}
	lut = NewReluLUT(false, QParams{0.05, 100}, QParams{0.1, 10}, 0, float32(math.Inf(1)))
	for x, want := range map[uint8]uint8{0: 10, 100: 10, 102: 11, 255: 88} {
		if got := lut[x]; got != want {
			t.Errorf("relu(%d) = %d, want %d", x, got, want)
		}
	}
}

func TestDequantizeLUT(t *testing.T) {
	lut := NewDequantizeLUT(true, QParams{0.5, -3})
	in := []byte{0x80, 5, 0xfd}
	got := make([]float32, 3)
	lut.Apply(in, got)
	want := []float32{-62.5, 4, 0}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("out[%d] = %v, want %v", i, got[i], want[i])
		}
	}
}

func TestSigmoidLUT(t *testing.T) {
	lut := NewLUT8Float(true, QParams{0.5, 0}, true, QParams{1.0 / 256, -128}, Sigmoid)
	// sigmoid(1) * 256 = 187.15, sigmoid(-1) * 256 = 68.85.
	for x, want := range map[int8]int8{0: 0, 2: 59, -2: -59, 127: 127, -128: -128} {
		if got := int8(lut[uint8(x)]); got != want {
			t.Errorf("sigmoid(%d) = %d, want %d", x, got, want)
		}
	}
}

func TestLeakyReluLUT(t *testing.T) {
	tests := []struct {
		name    string
		in, out QParams
		alpha   float32
		want    map[int8]int8
	}{
		// XNNPACK: slopes 256/256 and 64/256; -2.5 rounds up to -2.
		{"xnnpack", QParams{0.05, 0}, QParams{0.05, 0}, 0.25, map[int8]int8{-10: -2, -3: -1, 0: 0, 10: 10, 127: 127}},
		// An input/output ratio of 200 is beyond XNNPACK's range: TFLite.
		{"tflite", QParams{2, 0}, QParams{0.01, 0}, 0.01, map[int8]int8{-1: -2, -50: -100, -64: -128, -70: -128, 0: 0, 1: 127}},
	}
	for _, tc := range tests {
		lut := NewLeakyReluLUT(true, tc.in, tc.out, tc.alpha)
		for x, want := range tc.want {
			if got := int8(lut[uint8(x)]); got != want {
				t.Errorf("%s: leaky(%d) = %d, want %d", tc.name, x, got, want)
			}
		}
	}
}

// TestQuantizeF32SIMD runs the SIMD QUANTIZE of this CPU (if any) against
// the generic loop, bit for bit, on lengths around the 16-value blocks with
// exact ties, out-of-range values and infinities among the inputs.
func TestQuantizeF32SIMD(t *testing.T) {
	if quantF32SIMD == nil {
		t.Skip("no SIMD QUANTIZE on this CPU or build; the generic loop runs alone")
	}
	r := rand.New(rand.NewPCG(13, 13))
	for n := 1; n < 70; n++ {
		in := make([]float32, n)
		for i := range in {
			in[i] = (r.Float32() - 0.5) * 200
			switch r.IntN(6) {
			case 0:
				in[i] = float32(r.IntN(100)-50) + 0.5 // a tie once scaled by 1
			case 1:
				in[i] = float32(math.Inf(2*r.IntN(2) - 1))
			}
		}
		q := QParams{[]float32{1, 0.37, 2}[n%3], int32(r.IntN(50)) - 25}
		for _, signed := range []bool{true, false} {
			want, got := make([]uint8, n+1), make([]uint8, n+1)
			want[n], got[n] = 0x5a, 0x5a // must stay untouched
			simd := quantF32SIMD
			quantF32SIMD = nil
			if signed {
				QuantizeF32(in, i8s(want[:n]), q)
				quantF32SIMD = simd
				QuantizeF32(in, i8s(got[:n]), q)
			} else {
				QuantizeF32(in, want[:n], QParams{q.Scale, q.Zero + 128})
				quantF32SIMD = simd
				QuantizeF32(in, got[:n], QParams{q.Scale, q.Zero + 128})
			}
			for i := range want {
				if want[i] != got[i] {
					t.Fatalf("n %d, signed %v, %+v: %g -> %d, generic %d", n, signed, q, in[min(i, n-1)], got[i], want[i])
				}
			}
		}
	}
}

// TestLUT8SIMD checks the SIMD byte table lookup against the generic loop
// on random tables and inputs of every length up to a few 64-byte steps
// and tails, and that nothing is written past the output.
func TestLUT8SIMD(t *testing.T) {
	if lut8SIMD == nil {
		t.Skip("no SIMD table lookup on this CPU or build")
	}
	simd := lut8SIMD
	defer func() { lut8SIMD = simd }()
	r := rand.New(rand.NewPCG(8, 8))
	for n := 0; n < 300; n++ {
		var tab LUT8
		for i := range tab {
			tab[i] = uint8(r.IntN(256))
		}
		in := make([]byte, n)
		for i := range in {
			in[i] = uint8(r.IntN(256))
		}
		want, got := make([]byte, n+1), make([]byte, n+1)
		want[n], got[n] = 0x5a, 0x5a
		lut8SIMD = nil
		tab.Apply(in, want[:n])
		lut8SIMD = simd
		tab.Apply(in, got[:n])
		if !bytes.Equal(want, got) {
			t.Fatalf("n %d: got %v, want %v", n, got, want)
		}
	}
}

// TestDequantizerSIMD checks the SIMD dequantization against the table,
// bit for bit, for both signednesses, random quantizations (and the plain
// conversion of CAST) at every length across a few 16-value blocks, and
// that nothing is written past the output.
func TestDequantizerSIMD(t *testing.T) {
	if dequant8SIMD == nil {
		t.Skip("no SIMD dequantization on this CPU or build")
	}
	simd := dequant8SIMD
	defer func() { dequant8SIMD = simd }()
	r := rand.New(rand.NewPCG(14, 14))
	for n := 0; n < 70; n++ {
		signed := n%2 == 0
		lo, hi := TypeRange(signed)
		q := QParams{Scale: 1e-3 + r.Float32(), Zero: lo + r.Int32N(hi-lo+1)}
		if n%5 == 0 {
			q = QParams{Scale: 1}
		}
		d := NewDequantizer(signed, q)
		in := make([]byte, n)
		for i := range in {
			in[i] = uint8(r.IntN(256))
		}
		want, got := make([]float32, n+1), make([]float32, n+1)
		want[n], got[n] = 42, 42
		dequant8SIMD = nil
		d.Apply(in, want[:n])
		dequant8SIMD = simd
		d.Apply(in, got[:n])
		for i := range want {
			if math.Float32bits(want[i]) != math.Float32bits(got[i]) {
				t.Fatalf("n %d signed %v %+v: out[%d] = %g, want %g", n, signed, q, i, got[i], want[i])
			}
		}
	}
}
