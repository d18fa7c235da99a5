package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/tflite"
)

func cmdInspect(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("inspect", "inspect MODEL.tflite [--json]", `
Inspect describes a model without running it: its inputs and outputs
(name, dtype, shape, quantization scale and zero point), how many operators
of each kind it has, the activation arena a session allocates, its
signatures, and whether this engine supports every operator. When the
model carries TFLite Metadata, inspect shows it too: the model's name,
description, version, author and license, each input's kind (image color
space and normalization, audio sample rate and channels) and each output's
kind, labels (count and first few) and score calibration. Unsupported
operators are listed with their indexes; inspect works on such models even
though run and bench refuse them.`, `
edgeinfer inspect model.tflite
edgeinfer inspect --json model.tflite | jq .unsupported`)
	asJSON := f.Bool("json", false, "print one JSON object instead of text")
	pos, err := f.parse(args, stdout, 1, 1)
	if err != nil {
		return helpDone(err)
	}
	path := pos[0]
	d, err := tflite.Describe(path)
	if err != nil {
		return err
	}
	r := newInspectReport(path, d)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	r.writeText(stdout)
	return nil
}

// inspectReport is the output of inspect, in the shape of its JSON.
type inspectReport struct {
	Model         string         `json:"model"`
	Bytes         int            `json:"bytes"`
	SchemaVersion uint32         `json:"schema_version"`
	Description   string         `json:"description"`
	Inputs        []tensorReport `json:"inputs"`
	Outputs       []tensorReport `json:"outputs"`
	Operators     int            `json:"operators"`
	OpCounts      map[string]int `json:"op_counts"`
	ArenaBytes    int            `json:"arena_bytes"`
	Signatures    []sigReport    `json:"signatures"`
	Supported     bool           `json:"supported"`
	Unsupported   []opReport     `json:"unsupported"`
	LoadError     string         `json:"load_error,omitempty"`
	// Metadata is the model's TFLite Metadata, null when it has none.
	Metadata      *metadataReport `json:"metadata"`
	MetadataError string          `json:"metadata_error,omitempty"`
}

type tensorReport struct {
	Index     int       `json:"index"`
	Name      string    `json:"name"`
	DType     string    `json:"dtype"`
	Shape     []int     `json:"shape"`
	Bytes     int       `json:"bytes"`
	Scale     []float32 `json:"scale,omitempty"`
	ZeroPoint []int64   `json:"zero_point,omitempty"`
	QuantAxis *int      `json:"quantized_dimension,omitempty"`
}

type sigReport struct {
	Key     string         `json:"key"`
	Inputs  map[string]int `json:"inputs"`
	Outputs map[string]int `json:"outputs"`
}

type opReport struct {
	Index   int    `json:"index"`
	Name    string `json:"name"`
	Version int    `json:"version"`
	Error   string `json:"error"`
}

func newInspectReport(path string, d *tflite.Description) *inspectReport {
	r := &inspectReport{
		Model:         path,
		Bytes:         d.Bytes,
		SchemaVersion: d.SchemaVersion,
		Description:   d.Description,
		Inputs:        tensorReports(d.Inputs),
		Outputs:       tensorReports(d.Outputs),
		Operators:     opTotal(d.OpCounts),
		OpCounts:      d.OpCounts,
		ArenaBytes:    d.ArenaBytes,
		Signatures:    []sigReport{},
		Supported:     d.Supported(),
		Unsupported:   []opReport{},
	}
	for _, s := range d.Signatures {
		r.Signatures = append(r.Signatures, sigReport{Key: s.Key, Inputs: s.Inputs, Outputs: s.Outputs})
	}
	for _, o := range d.Unsupported() {
		r.Unsupported = append(r.Unsupported, opReport{Index: o.Index, Name: o.Name, Version: o.Version, Error: o.Err.Error()})
	}
	if err := d.LoadError(); err != nil {
		r.LoadError = err.Error()
	}
	r.Metadata = newMetadataReport(d.Metadata)
	if d.MetadataError != nil {
		r.MetadataError = d.MetadataError.Error()
	}
	return r
}

func tensorReports(infos []runtime.TensorInfo) []tensorReport {
	out := []tensorReport{}
	for i, t := range infos {
		tr := tensorReport{Index: i, Name: t.Name, DType: t.DType.String(), Shape: t.Shape, Bytes: t.ByteSize()}
		if q := t.Quant; q != nil {
			tr.Scale, tr.ZeroPoint = q.Scale, q.ZeroPoint
			if len(q.Scale) > 1 {
				tr.QuantAxis = &q.Axis
			}
		}
		out = append(out, tr)
	}
	return out
}

func (r *inspectReport) writeText(w io.Writer) {
	fmt.Fprintf(w, "model: %s (%d bytes, schema %d)\n", r.Model, r.Bytes, r.SchemaVersion)
	if r.Description != "" {
		fmt.Fprintf(w, "description: %s\n", r.Description)
	}
	// Each section is a table of its own, aligned by a tabwriter.
	section := func(title string, rows []string) {
		fmt.Fprintf(w, "%s:\n", title)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, row := range rows {
			fmt.Fprintf(tw, "  %s\n", row)
		}
		tw.Flush()
	}
	tensorRows := func(ts []tensorReport) []string {
		var rows []string
		for _, t := range ts {
			rows = append(rows, fmt.Sprintf("%d\t%s\t%s%s\t%d bytes%s", t.Index, t.Name, t.DType, shapeString(t.Shape), t.Bytes, quantString(t)))
		}
		return rows
	}
	section("inputs", tensorRows(r.Inputs))
	section("outputs", tensorRows(r.Outputs))
	var ops []string
	for _, name := range slices.Sorted(maps.Keys(r.OpCounts)) {
		ops = append(ops, fmt.Sprintf("%s\t%d", name, r.OpCounts[name]))
	}
	section(fmt.Sprintf("operators (%d)", r.Operators), ops)
	if r.ArenaBytes > 0 {
		fmt.Fprintf(w, "arena: %d bytes\n", r.ArenaBytes)
	}
	if len(r.Signatures) > 0 {
		var sigs []string
		for _, s := range r.Signatures {
			sigs = append(sigs, fmt.Sprintf("%s\tinputs %s\toutputs %s", s.Key, aliasString(s.Inputs), aliasString(s.Outputs)))
		}
		section("signatures", sigs)
	}
	r.writeMetadata(w)
	switch {
	case r.Supported:
		fmt.Fprintf(w, "supported: yes, this engine can run every operator\n")
	case len(r.Unsupported) == 0:
		fmt.Fprintf(w, "supported: no: %s\n", r.LoadError)
	default:
		fmt.Fprintf(w, "supported: no, %d of %d operators cannot run:\n", len(r.Unsupported), r.Operators)
		for _, g := range groupOps(r.Unsupported) {
			fmt.Fprintf(w, "  %s\n", g)
		}
	}
}

// groupOps renders unsupported operators, one line per distinct reason:
// "CONV_2D v1 (operators 0, 3, 5): runtime: unsupported: ...".
func groupOps(ops []opReport) []string {
	var keys []string
	idx := map[string][]string{}
	for _, o := range ops {
		k := fmt.Sprintf("%s v%d\x00%s", o.Name, o.Version, o.Error)
		if _, ok := idx[k]; !ok {
			keys = append(keys, k)
		}
		idx[k] = append(idx[k], fmt.Sprint(o.Index))
	}
	var lines []string
	for _, k := range keys {
		name, reason, _ := strings.Cut(k, "\x00")
		word := "operator"
		if len(idx[k]) > 1 {
			word = "operators"
		}
		lines = append(lines, fmt.Sprintf("%s (%s %s): %s", name, word, strings.Join(idx[k], ", "), reason))
	}
	return lines
}

func shapeString(shape []int) string {
	dims := make([]string, len(shape))
	for i, d := range shape {
		dims[i] = fmt.Sprint(d)
	}
	return "[" + strings.Join(dims, ",") + "]"
}

func quantString(t tensorReport) string {
	switch {
	case len(t.Scale) == 1:
		return fmt.Sprintf("\tscale %g zero point %d", t.Scale[0], t.ZeroPoint[0])
	case len(t.Scale) > 1:
		return fmt.Sprintf("\t%d scales along dimension %d", len(t.Scale), *t.QuantAxis)
	}
	return ""
}

func aliasString(m map[string]int) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s=%d", k, m[k]))
	}
	return strings.Join(parts, " ")
}
