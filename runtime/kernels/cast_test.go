package kernels

import (
	"math"
	"testing"
)

func TestFloatToInt(t *testing.T) {
	nan := float32(math.NaN())
	in := []float32{1.9, -1.9, 300, -300, nan}
	i8 := make([]int8, len(in))
	FloatToInt(in, i8)
	for i, want := range []int8{1, -1, 127, -128, 127} {
		if i8[i] != want {
			t.Errorf("int8(%v) = %d, want %d", in[i], i8[i], want)
		}
	}
	u8 := make([]uint8, len(in))
	FloatToInt(in, u8)
	for i, want := range []uint8{1, 0, 255, 0, 255} {
		if u8[i] != want {
			t.Errorf("uint8(%v) = %d, want %d", in[i], u8[i], want)
		}
	}
	i32 := make([]int32, 2)
	FloatToInt([]float32{3e9, -3e9}, i32)
	if i32[0] != math.MaxInt32 || i32[1] != math.MinInt32 {
		t.Errorf("int32 saturation: %v", i32)
	}
}

func TestConvertAndToBool(t *testing.T) {
	in := []int32{300, -1, 0}
	i8 := make([]int8, 3)
	Convert(in, i8)
	if i8[0] != 44 || i8[1] != -1 || i8[2] != 0 {
		t.Errorf("int32 -> int8 = %v, want wrap-around [44 -1 0]", i8)
	}
	f := make([]float32, 3)
	Convert(in, f)
	if f[0] != 300 || f[1] != -1 {
		t.Errorf("int32 -> float32 = %v", f)
	}
	b := make([]uint8, 3)
	ToBool(in, b)
	if b[0] != 1 || b[1] != 1 || b[2] != 0 {
		t.Errorf("int32 -> bool = %v", b)
	}
}
