package kernels

import (
	"math"
	"testing"
)

func TestFloat16ToFloat32(t *testing.T) {
	tests := []struct {
		name string
		h    uint16
		want uint32 // float32 bits
	}{
		{"+0", 0x0000, 0x00000000},
		{"-0", 0x8000, 0x80000000},
		{"smallest subnormal 2^-24", 0x0001, 0x33800000},
		{"-smallest subnormal", 0x8001, 0xb3800000},
		{"subnormal 2^-15", 0x0200, 0x38000000},
		{"largest subnormal", 0x03ff, 0x387fc000},
		{"smallest normal 2^-14", 0x0400, 0x38800000},
		{"1/3", 0x3555, 0x3eaaa000},
		{"1", 0x3c00, 0x3f800000},
		{"-1", 0xbc00, 0xbf800000},
		{"largest finite 65504", 0x7bff, 0x477fe000},
		{"+inf", 0x7c00, 0x7f800000},
		{"-inf", 0xfc00, 0xff800000},
		{"quiet NaN", 0x7e00, 0x7fc00000},
		{"signalling NaN keeps its payload", 0x7c01, 0x7f802000},
		{"negative NaN", 0xfe00, 0xffc00000},
	}
	for _, tc := range tests {
		if got := math.Float32bits(Float16ToFloat32(tc.h)); got != tc.want {
			t.Errorf("%s: Float16ToFloat32(%#04x) = %#08x, want %#08x", tc.name, tc.h, got, tc.want)
		}
	}
}

// TestFloat16ToFloat32All checks every half value against its definition:
// (-1)^s * 2^(e-15) * (1 + f/1024), or f * 2^-24 for subnormals.
func TestFloat16ToFloat32All(t *testing.T) {
	for i := range 1 << 16 {
		h := uint16(i)
		s, e, f := h>>15, int(h>>10&0x1f), float64(h&0x3ff)
		var want float64
		switch {
		case e == 0x1f && f != 0:
			want = math.NaN()
		case e == 0x1f:
			want = math.Inf(1)
		case e == 0:
			want = math.Ldexp(f, -24)
		default:
			want = math.Ldexp(1+f/1024, e-15)
		}
		if s == 1 {
			want = -want
		}
		got := Float16ToFloat32(h)
		if math.IsNaN(want) {
			if !math.IsNaN(float64(got)) {
				t.Fatalf("%#04x: got %v, want NaN", h, got)
			}
			continue
		}
		if float64(got) != want || math.Signbit(float64(got)) != (s == 1) {
			t.Fatalf("%#04x: got %v, want %v", h, got, want)
		}
	}
}
