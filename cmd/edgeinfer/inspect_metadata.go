package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/edgeinfer/edgeinfer/runtime/tflite/metadata"
)

// labelsShown is how many labels inspect prints of each label file.
const labelsShown = 5

// metadataReport is the model's TFLite Metadata in inspect's JSON.
type metadataReport struct {
	Name             string                 `json:"name"`
	Description      string                 `json:"description,omitempty"`
	Version          string                 `json:"version,omitempty"`
	Author           string                 `json:"author,omitempty"`
	License          string                 `json:"license,omitempty"`
	MinParserVersion string                 `json:"min_parser_version,omitempty"`
	Inputs           []tensorMetadataReport `json:"inputs"`
	Outputs          []tensorMetadataReport `json:"outputs"`
	Files            []fileReport           `json:"files,omitempty"`
}

type tensorMetadataReport struct {
	Index            int                  `json:"index"`
	Name             string               `json:"name"`
	Description      string               `json:"description,omitempty"`
	Kind             string               `json:"kind"`
	Image            *imageReport         `json:"image,omitempty"`
	Audio            *audioReport         `json:"audio,omitempty"`
	Normalization    *normalizationReport `json:"normalization,omitempty"`
	Labels           *labelsReport        `json:"labels,omitempty"`
	ScoreCalibration *calibrationReport   `json:"score_calibration,omitempty"`
	ScoreThreshold   *float32             `json:"score_threshold,omitempty"`
	Files            []fileReport         `json:"files,omitempty"`
}

type imageReport struct {
	ColorSpace string `json:"color_space"`
	// Width and Height are the default size, 0 when the metadata leaves
	// it to the tensor's shape.
	Width  uint32 `json:"width"`
	Height uint32 `json:"height"`
}

type audioReport struct {
	SampleRate uint32 `json:"sample_rate"`
	Channels   uint32 `json:"channels"`
}

type normalizationReport struct {
	Mean []float32 `json:"mean"`
	Std  []float32 `json:"std"`
}

type labelsReport struct {
	File   string   `json:"file"`
	Type   string   `json:"type"`
	Locale string   `json:"locale,omitempty"`
	Count  int      `json:"count"`
	First  []string `json:"first"`
	// Missing is true when the model's zip lacks the file.
	Missing bool `json:"missing,omitempty"`
}

type calibrationReport struct {
	Transformation string  `json:"transformation"`
	DefaultScore   float32 `json:"default_score"`
	File           string  `json:"file,omitempty"`
	Classes        int     `json:"classes"`
}

type fileReport struct {
	Name   string `json:"name"`
	Type   string `json:"type"`
	Locale string `json:"locale,omitempty"`
	// Size is the uncompressed size, -1 when the model's zip lacks it.
	Size int64 `json:"size"`
}

func newMetadataReport(md *metadata.Metadata) *metadataReport {
	if md == nil {
		return nil
	}
	return &metadataReport{
		Name: md.Name, Description: md.Description, Version: md.Version, Author: md.Author, License: md.License,
		MinParserVersion: md.MinParserVersion,
		Inputs:           tensorMetadataReports(md.Inputs),
		Outputs:          tensorMetadataReports(md.Outputs),
		Files:            fileReports(md.Files),
	}
}

func tensorMetadataReports(ts []metadata.Tensor) []tensorMetadataReport {
	out := []tensorMetadataReport{}
	for i, t := range ts {
		r := tensorMetadataReport{
			Index: i, Name: t.Name, Description: t.Description, Kind: string(t.Kind),
			ScoreThreshold: t.ScoreThreshold, Files: fileReports(t.Files),
		}
		if im := t.Image; im != nil {
			r.Image = &imageReport{ColorSpace: im.ColorSpace, Width: im.Width, Height: im.Height}
		}
		if a := t.Audio; a != nil {
			r.Audio = &audioReport{SampleRate: a.SampleRate, Channels: a.Channels}
		}
		if n := t.Normalization; n != nil {
			r.Normalization = &normalizationReport{Mean: n.Mean, Std: n.Std}
		}
		if r.Kind == "" {
			r.Kind = "unknown"
		}
		if l := t.Labels; l != nil {
			r.Labels = &labelsReport{File: l.File, Type: string(l.Type), Locale: l.Locale, Count: len(l.List), First: l.List[:min(len(l.List), labelsShown)], Missing: l.List == nil}
		}
		if c := t.ScoreCalibration; c != nil {
			r.ScoreCalibration = &calibrationReport{Transformation: c.Transformation, DefaultScore: c.DefaultScore, File: c.File, Classes: len(c.Params)}
		}
		out = append(out, r)
	}
	return out
}

func fileReports(fs []metadata.File) []fileReport {
	var out []fileReport
	for _, f := range fs {
		out = append(out, fileReport{Name: f.Name, Type: string(f.Type), Locale: f.Locale, Size: f.Size})
	}
	return out
}

// writeMetadata prints the metadata section of inspect's text output.
func (r *inspectReport) writeMetadata(w io.Writer) {
	md := r.Metadata
	switch {
	case r.MetadataError != "":
		fmt.Fprintln(w, r.MetadataError) // "metadata: invalid: ..."
		return
	case md == nil:
		fmt.Fprintf(w, "metadata: none\n")
		return
	}
	fmt.Fprintf(w, "metadata:\n  name: %s\n", printable(md.Name))
	for _, kv := range [][2]string{{"description", md.Description}, {"version", md.Version}, {"author", md.Author}, {"license", md.License}} {
		if kv[1] != "" {
			fmt.Fprintf(w, "  %s: %s\n", kv[0], printable(kv[1]))
		}
	}
	for _, dir := range []struct {
		name string
		ts   []tensorMetadataReport
	}{{"input", md.Inputs}, {"output", md.Outputs}} {
		for _, t := range dir.ts {
			fmt.Fprintf(w, "  %s %d %q: %s\n", dir.name, t.Index, t.Name, tensorMetadataLine(t))
			if l := t.Labels; l != nil {
				fmt.Fprintf(w, "    labels: %s\n", labelsLine(l))
			}
			if c := t.ScoreCalibration; c != nil {
				fmt.Fprintf(w, "    score calibration: %s, default score %g", c.Transformation, c.DefaultScore)
				if c.File != "" {
					fmt.Fprintf(w, ", %d classes in %s", c.Classes, c.File)
				}
				fmt.Fprintln(w)
			}
			if t.ScoreThreshold != nil {
				fmt.Fprintf(w, "    score threshold: %g\n", *t.ScoreThreshold)
			}
		}
	}
	for _, f := range md.Files {
		fmt.Fprintf(w, "  file: %s\n", fileLine(f))
	}
}

func tensorMetadataLine(t tensorMetadataReport) string {
	parts := []string{t.Kind}
	if im := t.Image; im != nil {
		parts = append(parts, im.ColorSpace)
		if im.Width > 0 || im.Height > 0 {
			parts = append(parts, fmt.Sprintf("%dx%d", im.Width, im.Height))
		}
	}
	if a := t.Audio; a != nil {
		parts = append(parts, fmt.Sprintf("%d Hz", a.SampleRate), fmt.Sprintf("%d channels", a.Channels))
	}
	if n := t.Normalization; n != nil {
		parts = append(parts, fmt.Sprintf("normalization (x - mean) / std, mean %v std %v", n.Mean, n.Std))
	}
	return strings.Join(parts, ", ")
}

func labelsLine(l *labelsReport) string {
	if l.Missing {
		return fmt.Sprintf("%q (%s): missing from the model's files", l.File, l.Type)
	}
	quoted := make([]string, len(l.First))
	for i, s := range l.First {
		quoted[i] = fmt.Sprintf("%q", s)
	}
	more := ""
	if l.Count > len(l.First) {
		more = ", ..."
	}
	return fmt.Sprintf("%d in %q (%s): %s%s", l.Count, l.File, l.Type, strings.Join(quoted, ", "), more)
}

func fileLine(f fileReport) string {
	if f.Size < 0 {
		return fmt.Sprintf("%q (%s), missing from the model's files", f.Name, f.Type)
	}
	return fmt.Sprintf("%q (%s), %d bytes", f.Name, f.Type, f.Size)
}
