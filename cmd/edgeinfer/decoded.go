package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/edgeinfer/edgeinfer/api"
)

// printDecoded prints what a model's outputs said of an image or a WAV
// file, for run --image and infer --image alike: the head line, then the
// classes, detections (with their keypoints), segments or landmarks, in
// the original image's pixels; asJSON prints d as JSON instead. mask, when
// not "", is the file the mask was written to.
func printDecoded(w io.Writer, d *api.Decoded, asJSON bool, mask, head string) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(d)
	}
	fmt.Fprintln(w, head)
	for _, c := range d.Classes {
		fmt.Fprintf(w, "  %6.3f  %s\n", c.Score, classLabel(c.Label, c.Index))
	}
	for _, det := range d.Detections {
		fmt.Fprintf(w, "  %6.3f  %s at (%.0f, %.0f)-(%.0f, %.0f)", det.Score, classLabel(det.Label, det.Class), det.XMin, det.YMin, det.XMax, det.YMax)
		if len(det.Keypoints) > 0 {
			pts := make([]string, len(det.Keypoints))
			for i, p := range det.Keypoints {
				pts[i] = fmt.Sprintf("(%.0f, %.0f)", p.X, p.Y)
			}
			fmt.Fprintf(w, ", keypoints %s", strings.Join(pts, " "))
		}
		fmt.Fprintln(w)
	}
	for _, sh := range d.Segments {
		fmt.Fprintf(w, "  %5.1f%%  %s\n", 100*sh.Share, classLabel(sh.Label, sh.Class))
	}
	for i, pt := range d.Landmarks {
		fmt.Fprintf(w, "  %2d  (%.0f, %.0f)\n", i, pt.X, pt.Y)
	}
	if mask != "" {
		fmt.Fprintf(w, "mask: %s (%dx%d)\n", mask, d.Width, d.Height)
	}
	return nil
}

func classLabel(label string, index int) string {
	if label == "" {
		return fmt.Sprintf("class %d", index)
	}
	return label
}
