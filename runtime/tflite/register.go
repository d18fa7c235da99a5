package tflite

import (
	"fmt"

	"github.com/edgeinfer/edgeinfer/runtime"
)

// BackendName is the name this package registers as a runtime backend.
const BackendName = "tflite"

func init() { runtime.Register(BackendName, backend{}) }

// backend opens TFLite flatbuffers for runtime.Open and runtime.Load.
type backend struct{}

// Identify takes a file whose flatbuffer identifier is "TFL3".
func (backend) Identify(header []byte) error {
	if len(header) < 8 || string(header[4:8]) != "TFL3" {
		return fmt.Errorf("no TFLite file identifier (\"TFL3\" at byte 4)")
	}
	return nil
}

func (backend) Open(path string, o runtime.OpenOptions) (runtime.Model, error) {
	open := Open
	if o.Batch > 1 {
		open = func(path string) (*Model, error) { return OpenBatch(path, o.Batch) }
	}
	m, err := open(path)
	if err != nil {
		return nil, err
	}
	return m, nil
}

func (backend) Load(b []byte, o runtime.OpenOptions) (runtime.Model, error) {
	if o.Batch > 1 {
		if o.Batch > maxBatch {
			return nil, fmt.Errorf("tflite: batch size %d is outside 1..%d", o.Batch, maxBatch)
		}
		m, err := load(b, o.Batch)
		if err != nil {
			return nil, fmt.Errorf("tflite: batch %d: %w", o.Batch, err)
		}
		return m, nil
	}
	m, err := Load(b)
	if err != nil {
		return nil, err
	}
	return m, nil
}
