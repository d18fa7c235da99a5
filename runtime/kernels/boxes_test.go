package kernels

import (
	"math"
	"testing"
)

func TestDecodeCenterSizeBoxes(t *testing.T) {
	ln2 := float32(math.Ln2)
	tests := []struct {
		name    string
		enc     []float32
		stride  int
		anchors []float32
		scales  BoxScales
		want    []float32
	}{
		{
			name: "zero encoding is the anchor", stride: 4,
			enc: []float32{0, 0, 0, 0}, anchors: []float32{0.5, 0.5, 0.2, 0.4},
			scales: BoxScales{10, 10, 5, 5}, want: []float32{0.4, 0.3, 0.6, 0.7},
		},
		{
			// ycenter 1/10*0.2+0.5 = 0.52, xcenter -2/10*0.4+0.5 = 0.42,
			// half_h exp(ln2)*0.2/2 = 0.2, half_w 0.4/2 = 0.2.
			name: "shift and scale", stride: 4,
			enc: []float32{1, -2, 5 * ln2, 0}, anchors: []float32{0.5, 0.5, 0.2, 0.4},
			scales: BoxScales{10, 10, 5, 5}, want: []float32{0.32, 0.22, 0.72, 0.62},
		},
		{
			// Two boxes with keypoints after the box coordinates (stride 6);
			// the keypoints are ignored. Second: half sizes exp(-ln2)*1/2 = 0.25.
			name: "stride skips keypoints", stride: 6,
			enc:     []float32{0, 0, 0, 0, 9, 9, 0.5, 0.5, -ln2, -ln2, 9, 9},
			anchors: []float32{0.5, 0.5, 0.2, 0.4, 2, 3, 1, 1},
			scales:  BoxScales{1, 1, 1, 1}, want: []float32{0.4, 0.3, 0.6, 0.7, 2.25, 3.25, 2.75, 3.75},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := make([]float32, len(tc.want))
			DecodeCenterSizeBoxes(tc.enc, tc.stride, tc.anchors, tc.scales, out)
			for i := range out {
				if math.Abs(float64(out[i]-tc.want[i])) > 1e-6 {
					t.Fatalf("got %v, want %v", out, tc.want)
				}
			}
		})
	}
}

func TestBoxIoU(t *testing.T) {
	unit := []float32{0, 0, 1, 1}
	tests := []struct {
		name string
		a, b []float32
		want float32
	}{
		{"same", unit, unit, 1},
		{"disjoint", unit, []float32{0, 2, 1, 3}, 0},
		{"touching", unit, []float32{0, 1, 1, 2}, 0},
		{"half shifted", unit, []float32{0, 0.5, 1, 1.5}, float32(0.5) / float32(1.5)},
		{"contained", []float32{0, 0, 2, 2}, unit, 0.25},
		{"empty box", unit, []float32{0.5, 0.5, 0.5, 0.9}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := BoxIoU(tc.a, tc.b); got != tc.want {
				t.Errorf("IoU = %v, want %v", got, tc.want)
			}
			if got := BoxIoU(tc.b, tc.a); got != tc.want {
				t.Errorf("IoU swapped = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestDetectionDequantize(t *testing.T) {
	out := make([]float32, 3)
	DetectionDequantize([]uint8{128, 130, 0}, 128, 0.5, out)
	if want := []float32{0, 1, -64}; out[0] != want[0] || out[1] != want[1] || out[2] != want[2] {
		t.Errorf("uint8: got %v, want %v", out, want)
	}
	DetectionDequantize([]int8{0, 2, -128}, 0, 0.5, out)
	if want := []float32{0, 1, -64}; out[0] != want[0] || out[1] != want[1] || out[2] != want[2] {
		t.Errorf("int8: got %v, want %v", out, want)
	}
}

func TestCheckBoxes(t *testing.T) {
	if err := CheckBoxes([]float32{0, 0, 1, 1, 0.5, 0.5, 0.5, 0.5}); err != nil {
		t.Errorf("valid and empty boxes: %v", err)
	}
	if err := CheckBoxes([]float32{0, 0, 1, 1, 0, 1, 1, 0.5}); err == nil {
		t.Error("box with xmin > xmax passed")
	}
}
