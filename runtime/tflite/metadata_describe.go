package tflite

import (
	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/tflite/metadata"
)

// Describe reads the model's TFLite metadata (and the label files packed
// with it) into a runtime.Description; nil when the model has none.
func (m *Model) Describe() (*runtime.Description, error) {
	md, err := metadata.Read(m.file)
	if err != nil || md == nil {
		return nil, err
	}
	d := &runtime.Description{Name: md.Name, Summary: md.Description, Version: md.Version, Author: md.Author, License: md.License}
	for _, t := range md.Inputs {
		d.Inputs = append(d.Inputs, describeTensor(t))
	}
	for _, t := range md.Outputs {
		d.Outputs = append(d.Outputs, describeTensor(t))
	}
	return d, nil
}

func describeTensor(t metadata.Tensor) runtime.TensorDescription {
	td := runtime.TensorDescription{Name: t.Name, Content: string(t.Kind)}
	if n := t.Normalization; n != nil {
		td.Mean, td.Std = n.Mean, n.Std
	}
	if t.Image != nil {
		td.ColorSpace = t.Image.ColorSpace
	}
	if t.Audio != nil {
		td.SampleRate, td.Channels = int(t.Audio.SampleRate), int(t.Audio.Channels)
	}
	if l := t.Labels; l != nil {
		td.Labels, td.ValueLabels = l.List, l.Type == metadata.FileValueLabels
	}
	return td
}
