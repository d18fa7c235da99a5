package main

import (
	"fmt"
	"math"
	"sort"
)

// The MediaPipe face_detection_short_range graph: a 128x128 input, 896 SSD
// anchors, 16 regressor values per anchor (box centre, size and six
// keypoints, in input pixels relative to the anchor) and one logit.
const (
	inputSize    = 128
	numAnchors   = 896
	numCoords    = 16
	numKeypoints = 6
	// scoreClip bounds the logits before the sigmoid (score_clipping_thresh).
	scoreClip = 100
	// suppressIoU is min_suppression_threshold of the graph's weighted NMS.
	suppressIoU = 0.3
)

// keypointNames are the six face keypoints in output order.
var keypointNames = [numKeypoints]string{"right eye", "left eye", "nose tip", "mouth", "right ear", "left ear"}

// anchor is an SSD anchor centre in normalized [0, 1] image coordinates;
// the short-range graph uses fixed anchor size, so width and height are 1.
type anchor struct{ x, y float32 }

// ssdAnchors generates anchors as MediaPipe's SsdAnchorsCalculator does with
// the short-range options: 4 layers with strides 8, 16, 16, 16, anchor
// offset 0.5, one aspect ratio plus the interpolated scale, fixed anchor
// size. Consecutive layers with the same stride share one grid, so each
// cell of the 16x16 grid gets 2 anchors and each cell of the 8x8 grid 6:
// 512 + 384 = 896.
func ssdAnchors() []anchor {
	strides := []int{8, 16, 16, 16}
	var out []anchor
	for layer := 0; layer < len(strides); {
		perCell := 0
		last := layer
		for last < len(strides) && strides[last] == strides[layer] {
			perCell += 2 // aspect ratio 1.0, and the interpolated scale
			last++
		}
		grid := (inputSize + strides[layer] - 1) / strides[layer]
		for y := 0; y < grid; y++ {
			for x := 0; x < grid; x++ {
				a := anchor{x: (float32(x) + 0.5) / float32(grid), y: (float32(y) + 0.5) / float32(grid)}
				for range perCell {
					out = append(out, a)
				}
			}
		}
		layer = last
	}
	return out
}

// point is a position in normalized image coordinates (0..1 across the
// model's input).
type point struct{ X, Y float32 }

// face is one detection: a box in normalized coordinates, its score and
// the six keypoints.
type face struct {
	XMin, YMin, XMax, YMax float32
	Score                  float32
	Keypoints              [numKeypoints]point
}

// decodeFaces turns the model's outputs into faces scoring at least
// threshold, merged by weighted non-maximum suppression, best first.
// regressors holds numAnchors x numCoords values, logits numAnchors.
func decodeFaces(regressors, logits []float32, anchors []anchor, threshold float32) ([]face, error) {
	if len(anchors) != numAnchors || len(regressors) != numAnchors*numCoords || len(logits) != numAnchors {
		return nil, fmt.Errorf("want %d anchors, %d regressor values and %d scores; got %d, %d and %d",
			numAnchors, numAnchors*numCoords, numAnchors, len(anchors), len(regressors), len(logits))
	}
	var cands []face
	for i, a := range anchors {
		l := min(max(logits[i], -scoreClip), scoreClip)
		score := float32(1 / (1 + math.Exp(-float64(l))))
		if score < threshold {
			continue
		}
		r := regressors[i*numCoords : (i+1)*numCoords]
		// reverse_output_order: x, y, w, h; scaled by the input size.
		cx, cy := r[0]/inputSize+a.x, r[1]/inputSize+a.y
		w, h := r[2]/inputSize, r[3]/inputSize
		f := face{XMin: cx - w/2, YMin: cy - h/2, XMax: cx + w/2, YMax: cy + h/2, Score: score}
		for k := range f.Keypoints {
			f.Keypoints[k] = point{r[4+2*k]/inputSize + a.x, r[5+2*k]/inputSize + a.y}
		}
		cands = append(cands, f)
	}
	return weightedNMS(cands, suppressIoU), nil
}

// weightedNMS repeatedly takes the best remaining detection, gathers every
// remaining one overlapping it by more than iouThresh (itself included),
// and replaces them with their score-weighted average, keeping the best
// score (MediaPipe's WEIGHTED non-max suppression).
func weightedNMS(cands []face, iouThresh float32) []face {
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].Score > cands[j].Score })
	var out []face
	for len(cands) > 0 {
		top := cands[0]
		var merged face
		var total float32
		rest := cands[:0:0]
		for _, c := range cands {
			if iou(top, c) <= iouThresh && total > 0 {
				rest = append(rest, c)
				continue
			}
			w := c.Score
			total += w
			merged.XMin += w * c.XMin
			merged.YMin += w * c.YMin
			merged.XMax += w * c.XMax
			merged.YMax += w * c.YMax
			for k, p := range c.Keypoints {
				merged.Keypoints[k].X += w * p.X
				merged.Keypoints[k].Y += w * p.Y
			}
		}
		merged.XMin /= total
		merged.YMin /= total
		merged.XMax /= total
		merged.YMax /= total
		for k := range merged.Keypoints {
			merged.Keypoints[k].X /= total
			merged.Keypoints[k].Y /= total
		}
		merged.Score = top.Score
		out = append(out, merged)
		cands = rest
	}
	return out
}

// iou is the intersection over union of two boxes (0 when either is empty).
func iou(a, b face) float32 {
	ix := min(a.XMax, b.XMax) - max(a.XMin, b.XMin)
	iy := min(a.YMax, b.YMax) - max(a.YMin, b.YMin)
	if ix <= 0 || iy <= 0 {
		return 0
	}
	inter := ix * iy
	union := (a.XMax-a.XMin)*(a.YMax-a.YMin) + (b.XMax-b.XMin)*(b.YMax-b.YMin) - inter
	if union <= 0 {
		return 0
	}
	return inter / union
}
