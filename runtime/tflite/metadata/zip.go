package metadata

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// zipFiles are the associated files appended to a model; a nil *zipFiles
// is a model without any.
type zipFiles struct {
	byName map[string]*zip.File
}

// openZip opens the zip archive appended to the model, if there is one.
func openZip(model []byte) (*zipFiles, error) {
	zr, err := zip.NewReader(io.NewSectionReader(bytes.NewReader(model), 0, int64(len(model))), int64(len(model)))
	switch {
	case errors.Is(err, zip.ErrFormat):
		return nil, nil
	case errors.Is(err, zip.ErrInsecurePath):
		// Names such as "../x" are harmless here: nothing is written to disk.
	case err != nil:
		return nil, err
	}
	if len(zr.File) > MaxFiles {
		return nil, fmt.Errorf("%d files in the zip, more than the %d allowed", len(zr.File), MaxFiles)
	}
	z := &zipFiles{byName: make(map[string]*zip.File, len(zr.File))}
	for _, f := range zr.File {
		if _, dup := z.byName[f.Name]; !dup {
			z.byName[f.Name] = f
		}
	}
	return z, nil
}

// size returns the uncompressed size of the named file, -1 when absent.
func (z *zipFiles) size(name string) int64 {
	if z == nil || z.byName[name] == nil {
		return -1
	}
	return int64(min(z.byName[name].UncompressedSize64, 1<<62))
}

// read returns the named file's contents, or nil when the zip has no such
// file. It reads at most MaxFileBytes whatever the header claims.
func (z *zipFiles) read(name string) ([]byte, error) {
	if z == nil || z.byName[name] == nil {
		return nil, nil
	}
	f := z.byName[name]
	if f.UncompressedSize64 > MaxFileBytes {
		return nil, fmt.Errorf("associated file %s: %d bytes, more than the %d allowed", name, f.UncompressedSize64, MaxFileBytes)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("associated file %s: %w", name, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("associated file %s: %w", name, err)
	}
	if len(b) > MaxFileBytes {
		return nil, fmt.Errorf("associated file %s: more than the %d bytes allowed", name, MaxFileBytes)
	}
	return b, nil
}

// lines splits a text file into lines without their "\r\n" or "\n"; a
// final newline does not start another line.
func lines(b []byte) []string {
	s := strings.TrimSuffix(string(b), "\n")
	if s == "" {
		return nil
	}
	ls := strings.Split(s, "\n")
	for i, l := range ls {
		ls[i] = strings.TrimSuffix(l, "\r")
	}
	return ls
}

func parseLabels(b []byte) ([]string, error) {
	if !utf8.Valid(b) {
		return nil, errors.New("not UTF-8 text")
	}
	if n := bytes.Count(b, []byte("\n")); n > MaxLabels {
		return nil, fmt.Errorf("%d lines, more than the %d allowed", n, MaxLabels)
	}
	return lines(b), nil
}

// parseCalibration reads one line per class: empty, or scale,slope,offset
// with an optional min_score.
func parseCalibration(b []byte) ([]CalibrationParams, error) {
	if n := bytes.Count(b, []byte("\n")); n > MaxLabels {
		return nil, fmt.Errorf("%d lines, more than the %d allowed", n, MaxLabels)
	}
	ls := lines(b)
	out := make([]CalibrationParams, len(ls))
	for i, l := range ls {
		if strings.TrimSpace(l) == "" {
			continue
		}
		fields := strings.Split(l, ",")
		if len(fields) != 3 && len(fields) != 4 {
			return nil, fmt.Errorf("line %d: %d values, want 3 or 4", i+1, len(fields))
		}
		var v [4]float32
		for j, f := range fields {
			x, err := strconv.ParseFloat(strings.TrimSpace(f), 32)
			if err != nil {
				return nil, fmt.Errorf("line %d: value %d: %w", i+1, j+1, err)
			}
			v[j] = float32(x)
		}
		out[i] = CalibrationParams{Set: true, Scale: v[0], Slope: v[1], Offset: v[2], HasMinScore: len(fields) == 4, MinScore: v[3]}
	}
	return out, nil
}
