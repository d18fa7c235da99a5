package kernels

import (
	"cmp"
	"slices"
)

// DetectionParams configures the multi-class non-max suppression of SSD
// detectors (TFLite_Detection_PostProcess).
type DetectionParams struct {
	// MaxDetections is the number of anchors kept (fast path) or of boxes
	// kept over all classes (regular path).
	MaxDetections int
	// MaxClassesPerDetection is the number of output rows per kept anchor
	// on the fast path; it must be at least 1.
	MaxClassesPerDetection int
	// DetectionsPerClass caps the boxes kept per class on the regular path.
	DetectionsPerClass int
	// ScoreThreshold: scores below it are dropped (a score equal to it
	// stays). IoUThreshold: a box overlapping a kept one by more than it is
	// suppressed.
	ScoreThreshold, IoUThreshold float32
	// NumClasses is the number of real classes; LabelOffset is 1 when each
	// row of scores starts with a background column, else 0.
	NumClasses, LabelOffset int
	// Regular selects per-class suppression; otherwise each anchor competes
	// with its best class score only (the fast, class-agnostic path).
	Regular bool
}

// Rows is the number of output rows: MaxDetections × MaxClassesPerDetection.
func (p DetectionParams) Rows() int { return p.MaxDetections * p.MaxClassesPerDetection }

// Detector runs the non-max suppression of one session on scratch memory
// allocated up front, so Detect allocates nothing.
type Detector struct {
	p        DetectionParams
	numBoxes int

	best     []float32 // fast: best class score per anchor
	classCol []float32 // regular: one class's scores per anchor
	keep     []int32   // anchors at or above the score threshold
	active   []bool    // per kept anchor: not yet suppressed
	selected []int32   // anchors chosen by one suppression pass
	top      []int32   // fast: the best classes of one anchor

	// regular: the detections kept so far (sorted by score) and the merge
	// buffer for adding one class's detections to them.
	anchor, class, mAnchor, mClass []int32
	score, mScore                  []float32
}

// NewDetector allocates the scratch memory for numBoxes anchors.
func NewDetector(p DetectionParams, numBoxes int) *Detector {
	d := &Detector{
		p: p, numBoxes: numBoxes,
		keep:     make([]int32, 0, numBoxes),
		active:   make([]bool, numBoxes),
		selected: make([]int32, 0, numBoxes),
	}
	if p.Regular {
		d.classCol = make([]float32, numBoxes)
		n := p.MaxDetections
		d.anchor, d.class, d.score = make([]int32, n), make([]int32, n), make([]float32, n)
		d.mAnchor, d.mClass, d.mScore = make([]int32, n), make([]int32, n), make([]float32, n)
	} else {
		d.best = make([]float32, numBoxes)
		d.top = make([]int32, 0, min(p.MaxClassesPerDetection, p.NumClasses))
	}
	return d
}

// Detect selects detections from numBoxes corner boxes (ymin, xmin, ymax,
// xmax; 4 per anchor) and their class scores (NumClasses+LabelOffset per
// anchor). It writes Rows() rows of boxes (4 values), class ids (0-based,
// without background, as float) and scores, zeroing the rows it does not
// use, and returns the number of detections: kept anchors on the fast path,
// kept boxes on the regular path.
//
// Order follows TFLite: by descending score, ties in ascending anchor order
// (TFLite's stable sort); per-anchor classes and the regular path's merge
// of classes also break ties by the earlier anchor or class.
func (d *Detector) Detect(boxes, scores, outBoxes, outClasses, outScores []float32) (int, error) {
	clear(outBoxes)
	clear(outClasses)
	clear(outScores)
	if err := CheckBoxes(boxes[:4*d.numBoxes]); err != nil {
		return 0, err
	}
	if d.p.Regular {
		return d.regular(boxes, scores, outBoxes, outClasses, outScores), nil
	}
	return d.fast(boxes, scores, outBoxes, outClasses, outScores), nil
}

func (d *Detector) fast(boxes, scores, outBoxes, outClasses, outScores []float32) int {
	p := d.p
	stride := p.NumClasses + p.LabelOffset
	for a := range d.best {
		row := scores[a*stride+p.LabelOffset : (a+1)*stride]
		m := row[0]
		for _, s := range row[1:] {
			if s > m {
				m = s
			}
		}
		d.best[a] = m
	}
	sel := d.suppress(boxes, d.best, p.MaxDetections)
	for k, a := range sel {
		row := scores[int(a)*stride+p.LabelOffset : (int(a)+1)*stride]
		for col, c := range d.topClasses(row) {
			r := k*p.MaxClassesPerDetection + col
			copy(outBoxes[4*r:4*r+4], boxes[4*a:4*a+4])
			outClasses[r] = float32(c)
			outScores[r] = row[c]
		}
	}
	return len(sel)
}

// topClasses returns the indices of the min(MaxClassesPerDetection,
// NumClasses) best scores of row, best first, the lower class first among
// equal scores (with one class, TFLite's arg max: the first maximum).
func (d *Detector) topClasses(row []float32) []int32 {
	k := cap(d.top)
	top := d.top[:0]
	for c, s := range row {
		if len(top) == k && !(s > row[top[k-1]]) {
			continue
		}
		pos := len(top)
		for pos > 0 && s > row[top[pos-1]] {
			pos--
		}
		if len(top) < k {
			top = append(top, 0)
		}
		copy(top[pos+1:], top[pos:len(top)-1])
		top[pos] = int32(c)
	}
	return top
}

// regular runs suppression per class and keeps the MaxDetections best
// boxes over all classes.
func (d *Detector) regular(boxes, scores, outBoxes, outClasses, outScores []float32) int {
	p := d.p
	stride := p.NumClasses + p.LabelOffset
	kept := 0
	for c := 0; c < p.NumClasses; c++ {
		for a := range d.classCol {
			d.classCol[a] = scores[a*stride+p.LabelOffset+c]
		}
		sel := d.suppress(boxes, d.classCol, p.DetectionsPerClass)
		// Both lists are sorted by descending score; merging them keeps
		// the earlier classes first among equal scores, as a stable sort of
		// the kept detections followed by this class's would.
		i, j, n := 0, 0, 0
		for n < p.MaxDetections && (i < kept || j < len(sel)) {
			if j == len(sel) || (i < kept && !(d.classCol[sel[j]] > d.score[i])) {
				d.mAnchor[n], d.mClass[n], d.mScore[n] = d.anchor[i], d.class[i], d.score[i]
				i++
			} else {
				d.mAnchor[n], d.mClass[n], d.mScore[n] = sel[j], int32(c), d.classCol[sel[j]]
				j++
			}
			n++
		}
		copy(d.anchor, d.mAnchor[:n])
		copy(d.class, d.mClass[:n])
		copy(d.score, d.mScore[:n])
		kept = n
	}
	for r := 0; r < kept; r++ {
		a := d.anchor[r]
		copy(outBoxes[4*r:4*r+4], boxes[4*a:4*a+4])
		outClasses[r] = float32(d.class[r])
		outScores[r] = d.score[r]
	}
	return kept
}

// suppress is greedy non-max suppression of one score per anchor: anchors
// scoring at least the threshold are visited by descending score (ties:
// lower anchor first); each one not yet suppressed is selected and
// suppresses the later ones whose IoU with it exceeds the IoU threshold.
// It returns up to maxDet anchors in selection order.
func (d *Detector) suppress(boxes, scores []float32, maxDet int) []int32 {
	keep := d.keep[:0]
	for a, s := range scores {
		if s >= d.p.ScoreThreshold {
			keep = append(keep, int32(a))
		}
	}
	// NaN never passes the threshold, so this order is total and any sort
	// gives the result of TFLite's stable sort.
	slices.SortFunc(keep, func(x, y int32) int {
		if sx, sy := scores[x], scores[y]; sx != sy {
			if sx > sy {
				return -1
			}
			return 1
		}
		return cmp.Compare(x, y)
	})
	active := d.active[:len(keep)]
	for i := range active {
		active[i] = true
	}
	sel := d.selected[:0]
	limit := min(len(keep), maxDet)
	left := len(keep)
	for i, a := range keep {
		if left == 0 || len(sel) >= limit {
			break
		}
		if !active[i] {
			continue
		}
		sel = append(sel, a)
		active[i] = false
		left--
		box := boxes[4*a : 4*a+4]
		for j := i + 1; j < len(keep); j++ {
			if active[j] && BoxIoU(box, boxes[4*keep[j]:4*keep[j]+4]) > d.p.IoUThreshold {
				active[j] = false
				left--
			}
		}
	}
	return sel
}
