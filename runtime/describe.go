package runtime

// Description is what a model says about itself in its backend's format
// (a TFLite model's metadata, for one), in plain fields: what it is, how
// to feed its inputs and how to read its outputs.
type Description struct {
	Name, Summary, Version, Author, License string
	// Inputs and Outputs follow the model's inputs and outputs by index;
	// they may be shorter (a model may describe only some).
	Inputs, Outputs []TensorDescription
}

// Content kinds of a described tensor.
const (
	ContentImage       = "image"
	ContentAudio       = "audio"
	ContentBoundingBox = "bounding_box"
	ContentFeature     = "feature"
)

// TensorDescription is what a model says about one tensor.
type TensorDescription struct {
	Name string
	// Content is one of the Content kinds, or "" when unsaid.
	Content string
	// Mean and Std normalize an input, (x - mean) / std: one value for all
	// channels or one per channel; nil when unsaid.
	Mean, Std []float32
	// ColorSpace of an image ("RGB", "GRAYSCALE"), or "".
	ColorSpace string
	// SampleRate and Channels of audio, or 0.
	SampleRate, Channels int
	// Labels name the classes: the elements along the last axis (a
	// classifier's scores), or with ValueLabels the tensor's values (a
	// detector's classes, a segmentation's pixels).
	Labels      []string
	ValueLabels bool
}

// Describer is implemented by models that can describe themselves.
// Describe returns nil and no error for a model without a description.
type Describer interface {
	Describe() (*Description, error)
}
