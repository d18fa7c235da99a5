package kernels

import (
	"fmt"
	"math"
)

// BoxScales are the divisors of the center-size box coder used by SSD
// detectors (the y_scale, x_scale, h_scale and w_scale options).
type BoxScales struct {
	Y, X, H, W float32
}

// DecodeCenterSizeBoxes decodes len(out)/4 boxes. Box i reads its encoding
// (ty, tx, th, tw) from the first four of the stride values at enc[i*stride]
// and its anchor (ycenter, xcenter, h, w) from anchors[4*i], and writes the
// corners (ymin, xmin, ymax, xmax) to out[4*i]:
//
//	ycenter = ty/Y*h + ycenter_a    half_h = exp(th/H)*h/2
//	xcenter = tx/X*w + xcenter_a    half_w = exp(tw/W)*w/2
//
// As in TFLite, the center and half sizes are computed in float64 and
// rounded to float32 once; the corners are float32 sums. Explicit
// conversions keep the compiler from fusing multiply-adds, so every
// architecture rounds alike.
func DecodeCenterSizeBoxes(enc []float32, stride int, anchors []float32, s BoxScales, out []float32) {
	sy, sx, sh, sw := float64(s.Y), float64(s.X), float64(s.H), float64(s.W)
	n := len(out) / 4
	for i := 0; i < n; i++ {
		e := enc[i*stride : i*stride+4 : i*stride+4]
		a := anchors[4*i : 4*i+4 : 4*i+4]
		ay, ax, ah, aw := float64(a[0]), float64(a[1]), float64(a[2]), float64(a[3])
		yc := float32(float64(float64(e[0])/sy*ah) + ay)
		xc := float32(float64(float64(e[1])/sx*aw) + ax)
		hh := float32(0.5 * math.Exp(float64(e[2])/sh) * ah)
		hw := float32(0.5 * math.Exp(float64(e[3])/sw) * aw)
		o := out[4*i : 4*i+4 : 4*i+4]
		o[0], o[1], o[2], o[3] = yc-hh, xc-hw, yc+hh, xc+hw
	}
}

// DetectionDequantize converts affine-quantized 8-bit values to float32:
// out[i] = (in[i] - zeroPoint) * scale, rounded once, which is what TFLite's
// detection post-processing computes for box encodings, anchors and class
// scores.
func DetectionDequantize[T uint8 | int8](in []T, zeroPoint int32, scale float32, out []float32) {
	out = out[:len(in)]
	for i, q := range in {
		out[i] = float32(int32(q)-zeroPoint) * scale
	}
}

// CheckBoxes reports the first of len(boxes)/4 corner boxes whose minimum
// exceeds its maximum; TFLite refuses to run non-max suppression on those.
// Empty boxes (min == max) are allowed.
func CheckBoxes(boxes []float32) error {
	for i := 0; i+4 <= len(boxes); i += 4 {
		if boxes[i] > boxes[i+2] || boxes[i+1] > boxes[i+3] {
			return fmt.Errorf("kernels: decoded box %d %v has a minimum above its maximum", i/4, boxes[i:i+4])
		}
	}
	return nil
}

// BoxIoU is the intersection over union of two corner boxes (ymin, xmin,
// ymax, xmax), 0 when either has no area. It follows TFLite's float32
// arithmetic, including how its max and min treat NaN.
func BoxIoU(a, b []float32) float32 {
	a, b = a[:4:4], b[:4:4]
	areaA := float32((a[2] - a[0]) * (a[3] - a[1]))
	areaB := float32((b[2] - b[0]) * (b[3] - b[1]))
	if areaA <= 0 || areaB <= 0 {
		return 0
	}
	ih := maxC(minC(a[2], b[2])-maxC(a[0], b[0]), 0)
	iw := maxC(minC(a[3], b[3])-maxC(a[1], b[1]), 0)
	inter := float32(ih * iw)
	return inter / (areaA + areaB - inter)
}

// maxC and minC are C++'s std::max and std::min: the first argument wins
// unless the comparison says otherwise, so NaN handling matches TFLite.
func maxC(a, b float32) float32 {
	if a < b {
		return b
	}
	return a
}

func minC(a, b float32) float32 {
	if b < a {
		return b
	}
	return a
}
