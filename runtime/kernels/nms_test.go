package kernels

import (
	"slices"
	"testing"
)

// The anchors of the suppression tests, as corner boxes:
//
//	0 (0,0)-(1,1)                 the best box
//	1 (0,0.1)-(1,1.1)             IoU 0.9/1.1 = 0.82 with 0
//	2 (0,2)-(1,3)                 far from 0 and 1
//	3 (0,2.5)-(1,3.5)             IoU 0.5/1.5 = 1/3 with 2
//	4 (5,5)-(6,6)                 alone, scores under the threshold
//	5 (0,2)-(1,3.05)              IoU 1/1.05 = 0.95 with 2, 0.55/1.45 with 3
var nmsBoxes = []float32{
	0, 0, 1, 1,
	0, 0.1, 1, 1.1,
	0, 2, 1, 3,
	0, 2.5, 1, 3.5,
	5, 5, 6, 6,
	0, 2, 1, 3.05,
}

// nmsScores has a background column and two classes per anchor.
var nmsScores = []float32{
	0.9, 0.8, 0.1,
	0, 0.2, 0.7,
	0, 0.6, 0.6, // a tie between classes: class 0 wins
	0, 0.3, 0.6, // ties anchor 2's best score: anchor 2 goes first
	0, 0.05, 0.01,
	0, 0.6, 0, // ties anchor 2 and overlaps it: suppressed by the lower anchor
}

// detection is one expected output row.
type detection struct {
	anchor int // -1 for a zero row
	class  float32
	score  float32
}

func TestDetector(t *testing.T) {
	fast := DetectionParams{MaxDetections: 3, MaxClassesPerDetection: 1, DetectionsPerClass: 100,
		ScoreThreshold: 0.1, IoUThreshold: 0.5, NumClasses: 2, LabelOffset: 1}
	with := func(f func(p *DetectionParams)) DetectionParams {
		p := fast
		f(&p)
		return p
	}
	noBackground := make([]float32, 0, len(nmsScores))
	for i := 0; i < len(nmsScores); i += 3 {
		noBackground = append(noBackground, nmsScores[i+1:i+3]...)
	}
	tests := []struct {
		name   string
		p      DetectionParams
		scores []float32
		count  int
		want   []detection
	}{
		{
			name: "fast: overlap suppressed, ties by anchor and class", p: fast, count: 3,
			want: []detection{{0, 0, 0.8}, {2, 0, 0.6}, {3, 1, 0.6}},
		},
		{
			name: "fast: fewer candidates than max_detections", count: 3,
			p:    with(func(p *DetectionParams) { p.MaxDetections = 5 }),
			want: []detection{{0, 0, 0.8}, {2, 0, 0.6}, {3, 1, 0.6}, {-1, 0, 0}, {-1, 0, 0}},
		},
		{
			name: "fast: max_detections cuts", count: 2,
			p:    with(func(p *DetectionParams) { p.MaxDetections = 2 }),
			want: []detection{{0, 0, 0.8}, {2, 0, 0.6}},
		},
		{
			name: "fast: a score equal to the threshold stays", count: 3,
			p:    with(func(p *DetectionParams) { p.ScoreThreshold = 0.6 }),
			want: []detection{{0, 0, 0.8}, {2, 0, 0.6}, {3, 1, 0.6}},
		},
		{
			name: "fast: scores under the threshold go", count: 1,
			p:    with(func(p *DetectionParams) { p.ScoreThreshold = 0.61 }),
			want: []detection{{0, 0, 0.8}, {-1, 0, 0}, {-1, 0, 0}},
		},
		{
			name: "fast: an IoU equal to the threshold is not suppressed", count: 3,
			p:    with(func(p *DetectionParams) { p.IoUThreshold = float32(0.5) / float32(1.5) }),
			want: []detection{{0, 0, 0.8}, {2, 0, 0.6}, {3, 1, 0.6}},
		},
		{
			name: "fast: an IoU over the threshold is", count: 2,
			p:    with(func(p *DetectionParams) { p.IoUThreshold = 0.33 }),
			want: []detection{{0, 0, 0.8}, {2, 0, 0.6}, {-1, 0, 0}},
		},
		{
			name: "fast: IoU threshold 1 suppresses nothing", count: 3,
			p:    with(func(p *DetectionParams) { p.IoUThreshold = 1 }),
			want: []detection{{0, 0, 0.8}, {1, 1, 0.7}, {2, 0, 0.6}},
		},
		{
			name: "fast: two classes per detection", count: 2,
			p:    with(func(p *DetectionParams) { p.MaxDetections, p.MaxClassesPerDetection = 2, 2 }),
			want: []detection{{0, 0, 0.8}, {0, 1, 0.1}, {2, 0, 0.6}, {2, 1, 0.6}},
		},
		{
			name: "fast: more classes per detection than classes", count: 1,
			p:    with(func(p *DetectionParams) { p.MaxDetections, p.MaxClassesPerDetection = 1, 3 }),
			want: []detection{{0, 0, 0.8}, {0, 1, 0.1}, {-1, 0, 0}},
		},
		{
			name: "fast: no background column", count: 3, scores: noBackground,
			p:    with(func(p *DetectionParams) { p.LabelOffset = 0 }),
			want: []detection{{0, 0, 0.8}, {2, 0, 0.6}, {3, 1, 0.6}},
		},
		{
			name: "fast: zero max_detections", count: 0,
			p: with(func(p *DetectionParams) { p.MaxDetections = 0 }),
		},
		{
			// class 0 keeps 0 (.8), 2 (.6), 3 (.3); class 1 keeps 1 (.7),
			// 2 (.6), 3 (.6). Merged: the tie at .6 puts class 0 first.
			name: "regular: per-class suppression, merged by score", count: 4,
			p:    with(func(p *DetectionParams) { p.Regular, p.MaxDetections = true, 4 }),
			want: []detection{{0, 0, 0.8}, {1, 1, 0.7}, {2, 0, 0.6}, {2, 1, 0.6}},
		},
		{
			name: "regular: detections_per_class", count: 2,
			p: with(func(p *DetectionParams) {
				p.Regular, p.MaxDetections, p.DetectionsPerClass = true, 4, 1
			}),
			want: []detection{{0, 0, 0.8}, {1, 1, 0.7}, {-1, 0, 0}, {-1, 0, 0}},
		},
		{
			name: "regular: every kept box", count: 6,
			p:    with(func(p *DetectionParams) { p.Regular, p.MaxDetections = true, 8 }),
			want: []detection{{0, 0, 0.8}, {1, 1, 0.7}, {2, 0, 0.6}, {2, 1, 0.6}, {3, 1, 0.6}, {3, 0, 0.3}, {-1, 0, 0}, {-1, 0, 0}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			scores := tc.scores
			if scores == nil {
				scores = nmsScores
			}
			rows := tc.p.Rows()
			if len(tc.want) != rows {
				t.Fatalf("test wants %d rows, params give %d", len(tc.want), rows)
			}
			d := NewDetector(tc.p, len(nmsBoxes)/4)
			boxes, classes, outScores := make([]float32, 4*rows), make([]float32, rows), make([]float32, rows)
			// Stale values from an earlier run must be cleared.
			for i := range boxes {
				boxes[i] = 7
			}
			n, err := d.Detect(nmsBoxes, scores, boxes, classes, outScores)
			if err != nil {
				t.Fatal(err)
			}
			if n != tc.count {
				t.Errorf("count %d, want %d", n, tc.count)
			}
			for r, w := range tc.want {
				wantBox := []float32{0, 0, 0, 0}
				if w.anchor >= 0 {
					wantBox = nmsBoxes[4*w.anchor : 4*w.anchor+4]
				}
				if !slices.Equal(boxes[4*r:4*r+4], wantBox) || classes[r] != w.class || outScores[r] != w.score {
					t.Errorf("row %d: box %v class %v score %v; want box %v class %v score %v",
						r, boxes[4*r:4*r+4], classes[r], outScores[r], wantBox, w.class, w.score)
				}
			}
		})
	}
}

func TestDetectorRejectsInvertedBoxes(t *testing.T) {
	p := DetectionParams{MaxDetections: 1, MaxClassesPerDetection: 1, IoUThreshold: 0.5, NumClasses: 1}
	d := NewDetector(p, 1)
	out := make([]float32, 4)
	if _, err := d.Detect([]float32{1, 0, 0, 1}, []float32{1}, out, out[:1], out[:1]); err == nil {
		t.Error("box with ymin > ymax was accepted")
	}
}

func TestDetectorAllocatesNothing(t *testing.T) {
	for _, regular := range []bool{false, true} {
		p := DetectionParams{MaxDetections: 4, MaxClassesPerDetection: 2, DetectionsPerClass: 3,
			ScoreThreshold: 0.1, IoUThreshold: 0.5, NumClasses: 2, LabelOffset: 1, Regular: regular}
		d := NewDetector(p, len(nmsBoxes)/4)
		rows := p.Rows()
		boxes, classes, scores := make([]float32, 4*rows), make([]float32, rows), make([]float32, rows)
		allocs := testing.AllocsPerRun(20, func() {
			if _, err := d.Detect(nmsBoxes, nmsScores, boxes, classes, scores); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("regular=%v: %v allocations per Detect", regular, allocs)
		}
	}
}
