package metadata

import (
	"errors"
	"fmt"
	"os"

	"github.com/edgeinfer/edgeinfer/runtime/tflite/internal/flatbuf"
)

// Limits on what a model may declare. Real models stay far below them.
const (
	// MaxTensors caps the tensor entries of one subgraph's inputs or outputs.
	MaxTensors = 1024
	// MaxFiles caps associated files per entry and entries in the zip.
	MaxFiles = 256
	// MaxProcessUnits caps process units per tensor.
	MaxProcessUnits = 32
	// MaxFileBytes caps the uncompressed size of one associated file read.
	MaxFileBytes = 8 << 20
	// MaxLabels caps the labels of one file.
	MaxLabels = 1 << 18
)

// Name is the name of the model metadata entry that holds TFLite Metadata.
const Name = "TFLITE_METADATA"

// ErrInvalid is wrapped by every error about malformed metadata.
var ErrInvalid = errors.New("metadata: invalid")

// Metadata is what a model says about itself.
type Metadata struct {
	Name             string
	Description      string
	Version          string
	Author           string
	License          string
	MinParserVersion string
	// Inputs and Outputs describe the main subgraph's tensors, in the
	// order of the model's inputs and outputs (possibly fewer, never more).
	Inputs  []Tensor
	Outputs []Tensor
	// Files are the associated files of the model and its subgraph.
	Files []File
}

// Kind is what a tensor holds (ContentProperties in the schema).
type Kind string

// Tensor kinds.
const (
	KindUnknown     Kind = ""
	KindFeature     Kind = "feature"
	KindImage       Kind = "image"
	KindBoundingBox Kind = "bounding_box"
	KindAudio       Kind = "audio"
)

// Tensor is the metadata of one input or output tensor.
type Tensor struct {
	Name        string
	Description string
	Kind        Kind
	// Image is set for KindImage.
	Image *Image
	// Audio is set for KindAudio.
	Audio *Audio
	// Normalization is the (x - mean) / std the model expects of an input.
	Normalization *Normalization
	// ScoreCalibration is set when scores are to be calibrated.
	ScoreCalibration *ScoreCalibration
	// ScoreThreshold is the recommended global score threshold, or nil.
	ScoreThreshold *float32
	// Labels are the first label file of the tensor, or nil.
	Labels *Labels
	Files  []File
}

// Image describes an image tensor.
type Image struct {
	// ColorSpace is "RGB", "GRAYSCALE" or "UNKNOWN".
	ColorSpace string
	// Width and Height are the default size; 0 when unset.
	Width, Height uint32
}

// Audio describes an audio tensor.
type Audio struct {
	SampleRate uint32
	Channels   uint32
}

// Normalization holds per-channel mean and std; a single value applies to
// every channel. Every std is finite and non-zero, every mean finite.
type Normalization struct {
	Mean []float32
	Std  []float32
}

// ScoreCalibration is the sigmoid calibration of an output's scores:
// f(x) = scale / (1 + exp(-(slope*g(x) + offset))) when x > min score.
type ScoreCalibration struct {
	// Transformation g is "IDENTITY", "LOG" or "INVERSE_LOGISTIC".
	Transformation string
	DefaultScore   float32
	// File is the TENSOR_AXIS_SCORE_CALIBRATION file; Params has one entry
	// per line of it (nil when the file is missing).
	File   string
	Params []CalibrationParams
}

// CalibrationParams are one class's calibration parameters. A class with
// Set false uses the default score.
type CalibrationParams struct {
	Set                  bool
	Scale, Slope, Offset float32
	HasMinScore          bool
	MinScore             float32
}

// Labels is a label file of a tensor.
type Labels struct {
	// File is the associated file's name; Type is TENSOR_AXIS_LABELS (one
	// label per element along an axis: classification) or
	// TENSOR_VALUE_LABELS (the tensor's values index the labels: detection
	// classes, segmentation masks).
	File string
	Type FileType
	// Locale is the file's locale, if any.
	Locale string
	// List has one label per line of the file; nil when the file is
	// absent from the model's zip.
	List []string
}

// FileType is an associated file's type.
type FileType string

// Associated file types.
const (
	FileUnknown          FileType = "UNKNOWN"
	FileDescriptions     FileType = "DESCRIPTIONS"
	FileAxisLabels       FileType = "TENSOR_AXIS_LABELS"
	FileValueLabels      FileType = "TENSOR_VALUE_LABELS"
	FileScoreCalibration FileType = "TENSOR_AXIS_SCORE_CALIBRATION"
	FileVocabulary       FileType = "VOCABULARY"
	FileScannIndex       FileType = "SCANN_INDEX_FILE"
)

var fileTypes = []FileType{FileUnknown, FileDescriptions, FileAxisLabels, FileValueLabels, FileScoreCalibration, FileVocabulary, FileScannIndex}

// File is an associated file the metadata names.
type File struct {
	Name        string
	Description string
	Type        FileType
	Locale      string
	// Size is the uncompressed size in the model's zip, -1 when the zip
	// has no such file.
	Size int64
}

// ReadFile reads the metadata of the model file at path. It returns nil
// and no error when the model carries no metadata.
func ReadFile(path string) (*Metadata, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("metadata: %w", err)
	}
	md, err := Read(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return md, nil
}

// Read reads the metadata of a model held in memory (the whole .tflite
// file, with any appended zip). It returns nil and no error when the model
// carries no metadata.
func Read(model []byte) (*Metadata, error) {
	buf, inputs, outputs, err := findBuffer(model)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if buf == nil {
		return nil, nil
	}
	z, err := openZip(model)
	if err != nil {
		return nil, fmt.Errorf("%w: associated files: %w", ErrInvalid, err)
	}
	md, err := parse(buf, z)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if len(md.Inputs) > inputs || len(md.Outputs) > outputs {
		return nil, fmt.Errorf("%w: metadata describes %d inputs and %d outputs, the model has %d and %d", ErrInvalid, len(md.Inputs), len(md.Outputs), inputs, outputs)
	}
	return md, nil
}

// findBuffer returns the bytes of the model's TFLITE_METADATA buffer (nil
// when there is none) and the main subgraph's input and output counts.
func findBuffer(model []byte) ([]byte, int, int, error) {
	r := flatbuf.NewReader(model, "buffer", expansion)
	root := r.Root()
	var inputs, outputs int
	if sgs := root.Tables(2, 1<<16, "subgraphs"); len(sgs) > 0 {
		inputs, outputs = sgs[0].Len(1), sgs[0].Len(2)
	}
	var found []byte
	entries := root.Tables(6, 1<<16, "metadata entries")
	for i, e := range entries {
		if e.Str(0) != Name {
			continue
		}
		b := root.Elem(4, uint64(e.U32(1, 0)), "buffers")
		if r.Err() != nil {
			break
		}
		if off, size := b.U64(1, 0), b.U64(2, 0); off > 1 {
			if !r.Within(off, size) {
				break
			}
			found = model[off : off+size : off+size]
		} else {
			found = b.Bytes(0)
		}
		if len(found) == 0 {
			r.Fail("metadata entry %d: buffer %d is empty", i, e.U32(1, 0))
		}
		break
	}
	if r.Err() != nil {
		return nil, 0, 0, fmt.Errorf("model flatbuffer: %w", r.Err())
	}
	return found, inputs, outputs, nil
}
