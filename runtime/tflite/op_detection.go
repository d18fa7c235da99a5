package tflite

import (
	"fmt"
	"math"

	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/kernels"
)

// detectionOpName is the custom operator that ends SSD detection models:
// box decoding followed by multi-class non-max suppression.
const detectionOpName = "CUSTOM:TFLite_Detection_PostProcess"

func init() { register(detectionOpName, prepareDetection) }

// maxDetectionRows caps max_detections × max_classes_per_detection.
const maxDetectionRows = 1 << 20

// detectionOptions are the operator's attributes, read from its FlexBuffers
// custom options.
type detectionOptions struct {
	maxDetections, maxClassesPerDetection, detectionsPerClass int
	useRegularNMS                                             bool
	scoreThreshold, iouThreshold                              float32
	numClasses                                                int
	scales                                                    [4]float32 // y, x, h, w
}

// parseDetectionOptions reads the custom options map. As in TFLite, an
// absent key reads as zero, except detections_per_class (default 100) and
// use_regular_nms (default false).
func parseDetectionOptions(b []byte) (detectionOptions, error) {
	o := detectionOptions{detectionsPerClass: 100}
	root, err := flexRoot(b)
	if err != nil {
		return o, err
	}
	m, err := root.asMap()
	if err != nil {
		return o, err
	}
	ints := []struct {
		key string
		dst *int
	}{
		{"max_detections", &o.maxDetections},
		{"max_classes_per_detection", &o.maxClassesPerDetection},
		{"detections_per_class", &o.detectionsPerClass},
		{"num_classes", &o.numClasses},
	}
	for _, f := range ints {
		v, err := m.get(f.key)
		if err != nil {
			return o, fmt.Errorf("%s: %w", f.key, err)
		}
		if v.isNull() {
			continue
		}
		i, err := v.asInt()
		if err != nil {
			return o, fmt.Errorf("%s: %w", f.key, err)
		}
		if i < math.MinInt32 || i > math.MaxInt32 {
			return o, fmt.Errorf("%s: %d does not fit in 32 bits", f.key, i)
		}
		*f.dst = int(i)
	}
	floats := []struct {
		key string
		dst *float32
	}{
		{"nms_score_threshold", &o.scoreThreshold},
		{"nms_iou_threshold", &o.iouThreshold},
		{"y_scale", &o.scales[0]},
		{"x_scale", &o.scales[1]},
		{"h_scale", &o.scales[2]},
		{"w_scale", &o.scales[3]},
	}
	for _, f := range floats {
		v, err := m.get(f.key)
		if err != nil {
			return o, fmt.Errorf("%s: %w", f.key, err)
		}
		if v.isNull() {
			continue
		}
		x, err := v.asFloat()
		if err != nil {
			return o, fmt.Errorf("%s: %w", f.key, err)
		}
		*f.dst = float32(x)
	}
	v, err := m.get("use_regular_nms")
	if err == nil && !v.isNull() {
		o.useRegularNMS, err = v.asBool()
	}
	if err != nil {
		return o, fmt.Errorf("use_regular_nms: %w", err)
	}
	return o, nil
}

// detectionInput is one input of the operator: float32, or uint8/int8 with
// a per-tensor scale and zero point.
type detectionInput struct {
	dtype runtime.DType
	scale float32
	zero  int32
}

func (c *opCtx) detectionInput(i int, what string) (detectionInput, error) {
	t := c.input(i)
	in := detectionInput{dtype: t.dtype}
	switch t.dtype {
	case runtime.Float32:
		return in, nil
	case runtime.UInt8, runtime.Int8:
		if t.quant == nil || len(t.quant.Scale) != 1 {
			return in, c.unsupported("%s %s needs one per-tensor scale", what, t)
		}
		in.scale, in.zero = t.scale(), t.zeroPoint()
		return in, nil
	}
	return in, c.unsupported("%s %s: type %s", what, t, t.dtype)
}

// floats returns the float32 values of the input's bytes: the bytes
// themselves for float32, else their dequantization into scratch.
func (in detectionInput) floats(b []byte, scratch []float32) []float32 {
	switch in.dtype {
	case runtime.UInt8:
		kernels.DetectionDequantize(b, in.zero, in.scale, scratch)
		return scratch
	case runtime.Int8:
		kernels.DetectionDequantize(i8(b), in.zero, in.scale, scratch)
		return scratch
	}
	return f32(b)
}

func (in detectionInput) quantized() bool { return in.dtype != runtime.Float32 }

// prepareDetection checks TFLite_Detection_PostProcess. Inputs: box
// encodings [1, anchors, ≥4], class scores [1, anchors, classes(+1
// background)], anchors [anchors, 4] (ycenter, xcenter, h, w). Outputs,
// all float32 and sized here as TFLite's Prepare does (models store them
// with an empty shape): boxes [1, rows, 4], classes [1, rows], scores
// [1, rows], count [1], where rows = max_detections × max_classes_per_detection.
func prepareDetection(c *opCtx) (kernel, error) {
	if err := c.arity(3, 3, 4); err != nil {
		return nil, err
	}
	o, err := parseDetectionOptions(c.n.custom)
	if err != nil {
		return nil, c.invalid("custom options: %v", err)
	}
	enc, cls, anc := c.input(0), c.input(1), c.input(2)
	if len(enc.shape) != 3 || enc.shape[0] != 1 || enc.shape[2] < 4 {
		return nil, c.invalid("box encodings %s must be [1, anchors, 4 or more]", enc)
	}
	numBoxes, encDepth := enc.shape[1], enc.shape[2]
	if len(cls.shape) != 3 || cls.shape[0] != 1 || cls.shape[1] != numBoxes {
		return nil, c.invalid("class scores %s must be [1, %d, classes]", cls, numBoxes)
	}
	if len(anc.shape) != 2 || anc.shape[0] != numBoxes || anc.shape[1] != 4 {
		return nil, c.invalid("anchors %s must be [%d, 4]", anc, numBoxes)
	}
	withBackground := cls.shape[2]
	// Quantized inputs are dequantized into float32 scratch: keep that
	// within the size of a tensor.
	for _, t := range []*tensor{enc, cls, anc} {
		if int64(t.numElements())*4 > maxTensorBytes {
			return nil, c.unsupported("%s needs more than %d bytes as float32", t, maxTensorBytes)
		}
	}
	if o.numClasses < 1 || withBackground < o.numClasses || withBackground > o.numClasses+1 {
		return nil, c.invalid("num_classes %d does not fit class scores %s (classes, optionally plus background)", o.numClasses, cls)
	}
	if o.maxDetections < 0 || o.maxClassesPerDetection < 1 {
		return nil, c.invalid("max_detections %d and max_classes_per_detection %d must be >= 0 and >= 1", o.maxDetections, o.maxClassesPerDetection)
	}
	if o.useRegularNMS && o.detectionsPerClass < 1 {
		return nil, c.invalid("detections_per_class %d must be positive", o.detectionsPerClass)
	}
	if !(o.iouThreshold > 0 && o.iouThreshold <= 1) {
		return nil, c.invalid("nms_iou_threshold %v must be in (0, 1]", o.iouThreshold)
	}
	rows := int64(o.maxDetections) * int64(o.maxClassesPerDetection)
	if rows > maxDetectionRows {
		return nil, c.unsupported("%d output rows (max_detections × max_classes_per_detection) exceed %d", rows, maxDetectionRows)
	}
	for i, shape := range [][]int{{1, int(rows), 4}, {1, int(rows)}, {1, int(rows)}, {1}} {
		out := c.output(i)
		if out.dtype != runtime.Float32 {
			return nil, c.unsupported("output %d %s must be float32", i, out)
		}
		out.shape = shape
	}
	k := &detectionKernel{
		p: kernels.DetectionParams{
			MaxDetections:          o.maxDetections,
			MaxClassesPerDetection: o.maxClassesPerDetection,
			DetectionsPerClass:     o.detectionsPerClass,
			ScoreThreshold:         o.scoreThreshold,
			IoUThreshold:           o.iouThreshold,
			NumClasses:             o.numClasses,
			LabelOffset:            withBackground - o.numClasses,
			Regular:                o.useRegularNMS,
		},
		scales:   kernels.BoxScales{Y: o.scales[0], X: o.scales[1], H: o.scales[2], W: o.scales[3]},
		numBoxes: numBoxes,
		encDepth: encDepth,
	}
	if k.enc, err = c.detectionInput(0, "box encodings"); err != nil {
		return nil, err
	}
	if k.cls, err = c.detectionInput(1, "class scores"); err != nil {
		return nil, err
	}
	if k.anc, err = c.detectionInput(2, "anchors"); err != nil {
		return nil, err
	}
	if anc.isConst() {
		k.anchors = k.anc.floats(anc.data, make([]float32, 4*numBoxes))
		for i := 0; i < numBoxes; i++ {
			if h, w := k.anchors[4*i+2], k.anchors[4*i+3]; h < 0 || w < 0 {
				return nil, c.invalid("anchor %d has negative size %v x %v", i, h, w)
			}
		}
	}
	return k, nil
}

// detectionKernel is a prepared TFLite_Detection_PostProcess.
type detectionKernel struct {
	p                  kernels.DetectionParams
	scales             kernels.BoxScales
	numBoxes, encDepth int
	enc, cls, anc      detectionInput
	// anchors holds the float32 anchors when they are constant.
	anchors []float32
}

func (k *detectionKernel) bind(b *binding) step {
	var encBuf, clsBuf, ancBuf []float32
	if k.enc.quantized() {
		encBuf = make([]float32, k.numBoxes*k.encDepth)
	}
	if k.cls.quantized() {
		clsBuf = make([]float32, k.numBoxes*(k.p.NumClasses+k.p.LabelOffset))
	}
	if k.anchors == nil && k.anc.quantized() {
		ancBuf = make([]float32, 4*k.numBoxes)
	}
	decoded := make([]float32, 4*k.numBoxes)
	det := kernels.NewDetector(k.p, k.numBoxes)
	boxes, classes, scores, count := f32(b.outs[0]), f32(b.outs[1]), f32(b.outs[2]), f32(b.outs[3])
	return func() error {
		anchors := k.anchors
		if anchors == nil {
			anchors = k.anc.floats(b.ins[2], ancBuf)
		}
		enc := k.enc.floats(b.ins[0], encBuf)
		kernels.DecodeCenterSizeBoxes(enc, k.encDepth, anchors, k.scales, decoded)
		n, err := det.Detect(decoded, k.cls.floats(b.ins[1], clsBuf), boxes, classes, scores)
		if err != nil {
			return err
		}
		count[0] = float32(n)
		return nil
	}
}
