package media

import (
	"fmt"
	"math"
	"sort"

	"github.com/edgeinfer/edgeinfer/api"
)

// Point is a position in the original image's pixels (the socket API's
// type).
type Point = api.Point

// Detection is one object found in an image, its box in the original
// image's pixels (the socket API's type).
type Detection = api.Detection

// PostProcessed reads the four outputs of TFLite_Detection_PostProcess
// (boxes [N][4] as ymin, xmin, ymax, xmax relative to the input; class
// indices; scores; the count of valid rows) into detections scoring at
// least minScore, in the original image's pixels through frame. A class
// index k is labelled labels[k+labelOffset] (TFLite's COCO label maps
// start with a "???" background line: offset 1).
func PostProcessed(boxes, classes, scores []float32, count float32, labels []string, labelOffset int, frame Frame, minScore float32) ([]Detection, error) {
	n := len(scores)
	if len(boxes) != 4*n || len(classes) != n {
		return nil, fmt.Errorf("media: detection outputs of %d box values, %d classes and %d scores do not agree (want 4 box values per score)", len(boxes), len(classes), n)
	}
	if math.IsNaN(float64(count)) || count < 0 || count > float32(n) {
		return nil, fmt.Errorf("media: detection count %v is outside 0..%d", count, n)
	}
	var out []Detection
	for i := 0; i < int(count); i++ {
		if scores[i] < minScore || math.IsNaN(float64(scores[i])) {
			continue
		}
		b := boxes[4*i : 4*i+4]
		x0, y0 := frame.Point(float64(b[1]), float64(b[0]))
		x1, y1 := frame.Point(float64(b[3]), float64(b[2]))
		d := Detection{XMin: x0, YMin: y0, XMax: x1, YMax: y1, Score: scores[i], Class: int(classes[i])}
		if k := d.Class + labelOffset; k >= 0 && k < len(labels) && !math.IsNaN(float64(classes[i])) {
			d.Label = labels[k]
		}
		out = append(out, d)
	}
	return out, nil
}

// SSDAnchors are the options of MediaPipe's SsdAnchorsCalculator: a grid
// of anchors per stride over the input, several per cell.
type SSDAnchors struct {
	InputWidth, InputHeight int
	// Strides has one entry per layer; consecutive layers of the same
	// stride share one grid.
	Strides            []int
	MinScale, MaxScale float32
	// AnchorOffsetX and AnchorOffsetY place anchors in their cells (0.5:
	// the centre).
	AnchorOffsetX, AnchorOffsetY float32
	// AspectRatios of each layer's anchors (default [1]).
	AspectRatios []float32
	// InterpolatedScaleAspectRatio, when over 0, adds one anchor per layer
	// at the geometric mean of this layer's and the next one's scale.
	InterpolatedScaleAspectRatio float32
	// FixedAnchorSize gives every anchor width and height 1.
	FixedAnchorSize bool
	// ReduceBoxesInLowestLayer gives the first layer three anchors (aspect
	// ratios 1, 2, 0.5 at scales 0.1, s, s).
	ReduceBoxesInLowestLayer bool
}

// Anchor is an anchor box relative to the input: centre and size.
type Anchor struct{ X, Y, W, H float32 }

func anchorScale(minScale, maxScale float32, i, n int) float32 {
	if n == 1 {
		return (minScale + maxScale) / 2
	}
	return minScale + (maxScale-minScale)*float32(i)/float32(n-1)
}

// Anchors generates the anchors, in the order the model's outputs list
// them.
func (o SSDAnchors) Anchors() ([]Anchor, error) {
	if o.InputWidth < 1 || o.InputHeight < 1 || len(o.Strides) == 0 {
		return nil, fmt.Errorf("media: SSD anchors need the input size and at least one stride")
	}
	ratios := o.AspectRatios
	if len(ratios) == 0 {
		ratios = []float32{1}
	}
	var out []Anchor
	n := len(o.Strides)
	for layer := 0; layer < n; {
		var ars, scales []float32
		last := layer
		for last < n && o.Strides[last] == o.Strides[layer] {
			scale := anchorScale(o.MinScale, o.MaxScale, last, n)
			if last == 0 && o.ReduceBoxesInLowestLayer {
				ars = append(ars, 1, 2, 0.5)
				scales = append(scales, 0.1, scale, scale)
			} else {
				for _, r := range ratios {
					ars = append(ars, r)
					scales = append(scales, scale)
				}
				if o.InterpolatedScaleAspectRatio > 0 {
					next := float32(1)
					if last != n-1 {
						next = anchorScale(o.MinScale, o.MaxScale, last+1, n)
					}
					scales = append(scales, float32(math.Sqrt(float64(scale*next))))
					ars = append(ars, o.InterpolatedScaleAspectRatio)
				}
			}
			last++
		}
		stride := o.Strides[layer]
		if stride < 1 || stride > 1<<14 || o.InputWidth > 1<<14 || o.InputHeight > 1<<14 {
			return nil, fmt.Errorf("media: SSD anchors of stride %d over %dx%d (want 1..16384 each)", stride, o.InputWidth, o.InputHeight)
		}
		gw, gh := (o.InputWidth+stride-1)/stride, (o.InputHeight+stride-1)/stride
		for y := 0; y < gh; y++ {
			for x := 0; x < gw; x++ {
				for k := range ars {
					a := Anchor{X: (float32(x) + o.AnchorOffsetX) / float32(gw), Y: (float32(y) + o.AnchorOffsetY) / float32(gh), W: 1, H: 1}
					if !o.FixedAnchorSize {
						r := float32(math.Sqrt(float64(ars[k])))
						a.W, a.H = scales[k]*r, scales[k]/r
					}
					out = append(out, a)
				}
			}
		}
		layer = last
	}
	return out, nil
}

// SSDDecoder turns the raw outputs of an SSD detector without its own
// post-processing (MediaPipe's face and palm detectors) into detections,
// as MediaPipe's TensorsToDetectionsCalculator and weighted non-maximum
// suppression do.
type SSDDecoder struct {
	Anchors []Anchor
	// NumCoords is the number of regressor values per anchor: 4 box values
	// then NumKeypoints x 2 keypoint values.
	NumCoords, NumKeypoints int
	// XScale, YScale, WScale and HScale divide the raw values (usually the
	// input's size).
	XScale, YScale, WScale, HScale float32
	// ReverseOutputOrder says boxes are x, y, w, h (else y, x, h, w).
	ReverseOutputOrder bool
	// ScoreClip bounds logits before the sigmoid (0: no bound).
	ScoreClip float32
	// MinScore drops detections scoring less.
	MinScore float32
	// IoU is the overlap over which detections merge (weighted NMS).
	IoU float32
}

// box is a detection in coordinates relative to the input.
type box struct {
	x0, y0, x1, y1 float32
	score          float32
	kp             []float32
}

// Decode reads regressors (anchors x NumCoords) and logits (one per
// anchor) into detections, best first, in the original image's pixels
// through frame.
func (d SSDDecoder) Decode(regressors, logits []float32, frame Frame) ([]Detection, error) {
	na := len(d.Anchors)
	if d.NumCoords < 4+2*d.NumKeypoints || len(regressors) != na*d.NumCoords || len(logits) != na {
		return nil, fmt.Errorf("media: SSD outputs of %d regressor values and %d scores for %d anchors of %d values each", len(regressors), len(logits), na, d.NumCoords)
	}
	if d.XScale == 0 || d.YScale == 0 || d.WScale == 0 || d.HScale == 0 {
		return nil, fmt.Errorf("media: SSD decoding needs non-zero x, y, w and h scales")
	}
	var cands []box
	for i, a := range d.Anchors {
		l := logits[i]
		if d.ScoreClip > 0 {
			l = min(max(l, -d.ScoreClip), d.ScoreClip)
		}
		score := float32(1 / (1 + math.Exp(-float64(l))))
		if !(score >= d.MinScore) {
			continue
		}
		r := regressors[i*d.NumCoords : (i+1)*d.NumCoords]
		xc, yc, w, h := r[1], r[0], r[3], r[2]
		if d.ReverseOutputOrder {
			xc, yc, w, h = r[0], r[1], r[2], r[3]
		}
		xc = xc/d.XScale*a.W + a.X
		yc = yc/d.YScale*a.H + a.Y
		w = w / d.WScale * a.W
		h = h / d.HScale * a.H
		b := box{x0: xc - w/2, y0: yc - h/2, x1: xc + w/2, y1: yc + h/2, score: score, kp: make([]float32, 2*d.NumKeypoints)}
		for k := 0; k < d.NumKeypoints; k++ {
			kx, ky := r[4+2*k+1], r[4+2*k]
			if d.ReverseOutputOrder {
				kx, ky = r[4+2*k], r[4+2*k+1]
			}
			b.kp[2*k] = kx/d.XScale*a.W + a.X
			b.kp[2*k+1] = ky/d.YScale*a.H + a.Y
		}
		cands = append(cands, b)
	}
	merged := weightedNMS(cands, d.IoU)
	out := make([]Detection, len(merged))
	for i, b := range merged {
		x0, y0 := frame.Point(float64(b.x0), float64(b.y0))
		x1, y1 := frame.Point(float64(b.x1), float64(b.y1))
		out[i] = Detection{XMin: x0, YMin: y0, XMax: x1, YMax: y1, Score: b.score}
		for k := 0; k < d.NumKeypoints; k++ {
			x, y := frame.Point(float64(b.kp[2*k]), float64(b.kp[2*k+1]))
			out[i].Keypoints = append(out[i].Keypoints, Point{X: x, Y: y})
		}
	}
	return out, nil
}

// weightedNMS repeatedly takes the best remaining detection, gathers every
// remaining one overlapping it by more than iouThresh (itself included)
// and replaces them with their score-weighted average, keeping the best
// score: MediaPipe's WEIGHTED non-maximum suppression.
func weightedNMS(cands []box, iouThresh float32) []box {
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].score > cands[j].score })
	var out []box
	for len(cands) > 0 {
		top := cands[0]
		m := box{kp: make([]float32, len(top.kp))}
		var total float32
		rest := cands[:0:0]
		for i, c := range cands {
			if i > 0 && iou(top, c) <= iouThresh {
				rest = append(rest, c)
				continue
			}
			w := c.score
			total += w
			m.x0 += w * c.x0
			m.y0 += w * c.y0
			m.x1 += w * c.x1
			m.y1 += w * c.y1
			for k, v := range c.kp {
				m.kp[k] += w * v
			}
		}
		if total > 0 {
			m.x0, m.y0, m.x1, m.y1 = m.x0/total, m.y0/total, m.x1/total, m.y1/total
			for k := range m.kp {
				m.kp[k] /= total
			}
			m.score = top.score
		} else {
			m = top
		}
		out = append(out, m)
		cands = rest
	}
	return out
}

// iou is the intersection over union of two boxes (0 when either is
// empty).
func iou(a, b box) float32 {
	ix := min(a.x1, b.x1) - max(a.x0, b.x0)
	iy := min(a.y1, b.y1) - max(a.y0, b.y0)
	if ix <= 0 || iy <= 0 {
		return 0
	}
	inter := ix * iy
	union := (a.x1-a.x0)*(a.y1-a.y0) + (b.x1-b.x0)*(b.y1-b.y0) - inter
	if union <= 0 {
		return 0
	}
	return inter / union
}
