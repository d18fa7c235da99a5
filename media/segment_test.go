package media_test

import (
	"bytes"
	"image/png"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/media"
	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/tflite"
	"github.com/edgeinfer/edgeinfer/runtime/tflite/metadata"
)

// TestSegmentationOfAPhoto: DeepLab's real TFLite output on the Task
// Library's segmentation photo, read with the labels of the model's own
// metadata, is background, a person and a horse; the mask PNG colours them
// in the PASCAL VOC colours.
func TestSegmentationOfAPhoto(t *testing.T) {
	dir := shared(t, "conformance", "tfls_deeplabv3_float")
	model := filepath.Join(dir, "model.tflite")
	md, err := metadata.ReadFile(model)
	if err != nil {
		t.Fatal(err)
	}
	if len(md.Outputs) == 0 || md.Outputs[0].Labels == nil {
		t.Fatal("DeepLab's metadata has no labels")
	}
	m, err := tflite.Open(model)
	if err != nil {
		t.Fatal(err)
	}
	seg, err := media.Segment(m.Outputs()[0], readFile(t, filepath.Join(dir, "case_1", "out_0.bin")))
	if err != nil {
		t.Fatal(err)
	}
	shares := seg.Shares(md.Outputs[0].Labels.List)
	var got []string
	var total float64
	for _, s := range shares {
		got = append(got, s.Label)
		total += s.Share
	}
	if strings.Join(got, ",") != "background,person,horse" || math.Abs(total-1) > 1e-9 || math.Abs(shares[0].Share-25044.0/66049) > 1e-9 {
		t.Errorf("shares %+v, want background (25044 of 66049 pixels), person, horse", shares)
	}
	var buf bytes.Buffer
	if err := seg.WritePNG(&buf, media.Frame{W: 514, H: 514}, 514, 514); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	colours := map[[3]uint32]int{}
	for y := 0; y < 514; y++ {
		for x := 0; x < 514; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			colours[[3]uint32{r >> 8, g >> 8, b >> 8}]++
		}
	}
	person, horse := colours[[3]uint32{192, 128, 128}], colours[[3]uint32{192, 0, 128}]
	if len(colours) != 3 || math.Abs(float64(person)/(514*514)-shares[1].Share) > 0.01 || horse == 0 {
		t.Errorf("mask colours %v: want black, person (192,128,128) on about %.3f of the pixels and horse (192,0,128)", colours, shares[1].Share)
	}
}

func TestSegmentClassIndices(t *testing.T) {
	info := runtime.TensorInfo{Name: "m", DType: runtime.UInt8, Shape: []int{1, 2, 2}}
	seg, err := media.Segment(info, []byte{0, 1, 1, 7})
	if err != nil {
		t.Fatal(err)
	}
	if sh := seg.Shares([]string{"bg", "cat"}); len(sh) != 3 || sh[0] != (media.ClassShare{Class: 1, Label: "cat", Share: 0.5}) || sh[2].Label != "" {
		t.Errorf("shares %+v", sh)
	}
	for _, tc := range []struct {
		name string
		info runtime.TensorInfo
		data []byte
	}{
		{"short", info, []byte{0}},
		{"not a segmentation", runtime.TensorInfo{Name: "v", DType: runtime.Float32, Shape: []int{1, 4}}, make([]byte, 16)},
		{"negative class", runtime.TensorInfo{Name: "m", DType: runtime.Int32, Shape: []int{1, 1, 1}}, []byte{0xff, 0xff, 0xff, 0xff}},
	} {
		if _, err := media.Segment(tc.info, tc.data); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
	if err := seg.WritePNG(&bytes.Buffer{}, media.Frame{}, 2, 2); err == nil {
		t.Error("a mask through an empty frame was written")
	}
}
