package main

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/internal/sharedtest"
)

func near(a, b float32) bool { return math.Abs(float64(a-b)) < 1e-5 }

func TestAnchors(t *testing.T) {
	a := ssdAnchors()
	if len(a) != numAnchors {
		t.Fatalf("%d anchors, want %d", len(a), numAnchors)
	}
	for _, tc := range []struct {
		i    int
		x, y float32
	}{
		{0, 0.5 / 16, 0.5 / 16},
		{1, 0.5 / 16, 0.5 / 16}, // two anchors per cell of the stride-8 grid
		{2, 1.5 / 16, 0.5 / 16},
		{32, 0.5 / 16, 1.5 / 16},
		{511, 15.5 / 16, 15.5 / 16},
		{512, 0.5 / 8, 0.5 / 8},
		{517, 0.5 / 8, 0.5 / 8}, // six per cell of the merged stride-16 grid
		{518, 1.5 / 8, 0.5 / 8},
		{895, 7.5 / 8, 7.5 / 8},
	} {
		if !near(a[tc.i].x, tc.x) || !near(a[tc.i].y, tc.y) {
			t.Errorf("anchor %d = %v, want (%v, %v)", tc.i, a[tc.i], tc.x, tc.y)
		}
	}
}

// outputs returns model outputs where every anchor scores logit -20
// except those set by the caller.
func outputs() (reg, logits []float32) {
	reg = make([]float32, numAnchors*numCoords)
	logits = make([]float32, numAnchors)
	for i := range logits {
		logits[i] = -20
	}
	return reg, logits
}

// put sets anchor i's logit and its box (centre offset and size, in input
// pixels) and keypoints (all at the box centre offset by k pixels in x).
func put(reg, logits []float32, i int, logit, dx, dy, w, h float32) {
	logits[i] = logit
	r := reg[i*numCoords:]
	r[0], r[1], r[2], r[3] = dx, dy, w, h
	for k := range numKeypoints {
		r[4+2*k], r[5+2*k] = dx+float32(k), dy
	}
}

func TestDecodeOneFace(t *testing.T) {
	reg, logits := outputs()
	put(reg, logits, 600, 2, 12.8, -6.4, 32, 64)
	faces, err := decodeFaces(reg, logits, ssdAnchors(), 0.5)
	if err != nil {
		t.Fatal(err)
	}
	if len(faces) != 1 {
		t.Fatalf("%d faces, want 1: %+v", len(faces), faces)
	}
	a := ssdAnchors()[600]
	cx, cy := a.x+0.1, a.y-0.05
	f := faces[0]
	want := face{XMin: cx - 0.125, XMax: cx + 0.125, YMin: cy - 0.25, YMax: cy + 0.25, Score: float32(1 / (1 + math.Exp(-2)))}
	if !near(f.XMin, want.XMin) || !near(f.XMax, want.XMax) || !near(f.YMin, want.YMin) || !near(f.YMax, want.YMax) || !near(f.Score, want.Score) {
		t.Errorf("face %+v, want box and score of %+v", f, want)
	}
	for k, p := range f.Keypoints {
		if !near(p.X, cx+float32(k)/inputSize) || !near(p.Y, cy) {
			t.Errorf("keypoint %d at %v, want (%v, %v)", k, p, cx+float32(k)/inputSize, cy)
		}
	}
}

func TestDecodeThresholdAndClip(t *testing.T) {
	for _, tc := range []struct {
		name      string
		logit     float32
		threshold float32
		faces     int
		score     float32
	}{
		{"below", -0.1, 0.5, 0, 0},
		{"at threshold", 0, 0.5, 1, 0.5},
		{"huge logit is clipped", 1e30, 0.5, 1, 1},
		{"lower threshold", -1, 0.2, 1, float32(1 / (1 + math.E))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reg, logits := outputs()
			put(reg, logits, 100, tc.logit, 0, 0, 16, 16)
			faces, err := decodeFaces(reg, logits, ssdAnchors(), tc.threshold)
			if err != nil {
				t.Fatal(err)
			}
			if len(faces) != tc.faces || (tc.faces == 1 && !near(faces[0].Score, tc.score)) {
				t.Errorf("faces %+v, want %d with score %v", faces, tc.faces, tc.score)
			}
		})
	}
}

func TestWeightedNMS(t *testing.T) {
	reg, logits := outputs()
	// Anchors 0 and 1 share a centre: boxes of 32 px, shifted by 2 px,
	// overlap far above the 0.3 IoU threshold and merge.
	put(reg, logits, 0, 3, 0, 0, 32, 32)
	put(reg, logits, 1, 1, 2, 0, 32, 32)
	// Anchor 895 is at the far corner: a face of its own.
	put(reg, logits, 895, 0.5, 0, 0, 16, 16)
	faces, err := decodeFaces(reg, logits, ssdAnchors(), 0.5)
	if err != nil {
		t.Fatal(err)
	}
	if len(faces) != 2 {
		t.Fatalf("%d faces, want 2: %+v", len(faces), faces)
	}
	s0, s1 := float32(1/(1+math.Exp(-3))), float32(1/(1+math.Exp(-1)))
	shift := float32(2) / inputSize * s1 / (s0 + s1)
	a := ssdAnchors()[0]
	if f := faces[0]; !near(f.Score, s0) || !near(f.XMin, a.x-0.125+shift) || !near(f.XMax, a.x+0.125+shift) {
		t.Errorf("merged face %+v: want score %v and x %v..%v", f, s0, a.x-0.125+shift, a.x+0.125+shift)
	}
	if f := faces[1]; f.XMin < 0.8 || f.YMin < 0.8 {
		t.Errorf("second face %+v should be in the bottom right corner", f)
	}
}

func TestDecodeSizes(t *testing.T) {
	reg, logits := outputs()
	if _, err := decodeFaces(reg[:10], logits, ssdAnchors(), 0.5); err == nil {
		t.Error("short regressors accepted")
	}
	if _, err := decodeFaces(reg, logits[:10], ssdAnchors(), 0.5); err == nil {
		t.Error("short scores accepted")
	}
}

func TestIoU(t *testing.T) {
	a := face{XMin: 0, YMin: 0, XMax: 2, YMax: 2}
	for _, tc := range []struct {
		b    face
		want float32
	}{
		{a, 1},
		{face{XMin: 1, YMin: 0, XMax: 3, YMax: 2}, 2.0 / 6},
		{face{XMin: 2, YMin: 2, XMax: 3, YMax: 3}, 0},
		{face{}, 0},
	} {
		if got := iou(a, tc.b); !near(got, tc.want) {
			t.Errorf("iou(%v, %v) = %v, want %v", a, tc.b, got, tc.want)
		}
	}
}

// TestReferenceOutputs decodes the real TFLite outputs of the conformance
// case made from a photo of Grace Hopper: one face, in the centre, eyes
// above the nose above the mouth.
func TestReferenceOutputs(t *testing.T) {
	dir := filepath.Join(sharedtest.Dir(t), "conformance", "mp_face_detection_short_range", "case_2")
	faces, err := decodeDir(dir, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	if len(faces) != 1 {
		t.Fatalf("%d faces, want 1: %+v", len(faces), faces)
	}
	f := faces[0]
	eyeR, eyeL, nose, mouth := f.Keypoints[0], f.Keypoints[1], f.Keypoints[2], f.Keypoints[3]
	if f.Score < 0.8 || where((f.XMin+f.XMax)/2, (f.YMin+f.YMax)/2) != "in the centre" ||
		eyeR.X >= eyeL.X || max(eyeR.Y, eyeL.Y) >= nose.Y || nose.Y >= mouth.Y {
		t.Errorf("implausible face %+v", f)
	}
	var out bytes.Buffer
	describe(&out, faces, frame{w: 517, h: 606, x0: 0, y0: 0, side: 512})
	if !strings.HasPrefix(out.String(), "found 1 face\nface 1: 88% sure, in the centre of the picture") {
		t.Errorf("description:\n%s", out.String())
	}
}

func TestInputTensor(t *testing.T) {
	// A 4x4 image whose red channel is 16*x: the 2x2 bilinear resize
	// samples at 0.5 and 2.5, between pixels.
	m := newRGB(6, 4)
	for y := 0; y < 4; y++ {
		for x := 0; x < 6; x++ {
			m.set(x, y, uint8(16*x), 255, 0)
		}
	}
	if fr := frameOf(m); fr != (frame{w: 6, h: 4, x0: 1, y0: 0, side: 4}) || fr.x(0.5) != 3 || fr.y(1) != 4 {
		t.Errorf("frame of a 6x4 image: %+v", fr)
	}
	sq := centerSquare(m)
	if sq.w != 4 || sq.h != 4 || sq.at(0, 0, 0) != 16 {
		t.Fatalf("centre square %dx%d starts with red %d, want 4x4 from x=1", sq.w, sq.h, sq.at(0, 0, 0))
	}
	r := resizeBilinear(sq, 2)
	if got := []uint8{r.at(0, 0, 0), r.at(1, 0, 0), r.at(0, 1, 1)}; got[0] != 24 || got[1] != 56 || got[2] != 255 {
		t.Errorf("resized pixels %v, want [24 56 255]", got)
	}
	in := r.tensor()
	if len(in) != 12 || in[2] != -1 || in[1] != 1 {
		t.Errorf("tensor %v: want 12 values, 255 -> 1 and 0 -> -1", in)
	}
}

func TestRunInputAndDecode(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in_0.bin")
	var out bytes.Buffer
	if err := run([]string{"input", "-synthetic", "-o", in}, &out); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(in)
	if err != nil || len(b) != 4*inputSize*inputSize*3 {
		t.Fatalf("input tensor: %d bytes, %v", len(b), err)
	}
	reg, logits := outputs()
	put(reg, logits, 600, 2, 0, 0, 32, 32)
	if err := os.WriteFile(filepath.Join(dir, "out_0.bin"), f32Bytes(reg), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "out_1.bin"), f32Bytes(logits), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run([]string{"decode", dir}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "found 1 face\nface 1: 88% sure") {
		t.Errorf("decode printed:\n%s", out.String())
	}
	for _, args := range [][]string{nil, {"input"}, {"input", "-o", in}, {"decode"}, {"decode", t.TempDir()}, {"frob"}} {
		if err := run(args, &out); err == nil {
			t.Errorf("run %v succeeded", args)
		}
	}
}
