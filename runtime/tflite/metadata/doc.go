// Package metadata reads the TFLite Metadata a model may carry: the
// flatbuffer named "TFLITE_METADATA" in the model's metadata list
// (tflite_support's metadata_schema.fbs, file identifier "M001") and the
// associated files packed as a zip archive appended to the model file.
//
// It gives the model's name, description, version, author and license; per
// input tensor its kind (image: size and color space; audio: sample rate
// and channels) and normalization (mean and std); per output tensor its
// kind, its labels (the associated file of type TENSOR_AXIS_LABELS or
// TENSOR_VALUE_LABELS) and its score calibration.
//
// Both the flatbuffer and the zip are untrusted input: every offset is
// checked before use, counts and sizes are capped (see the Max constants),
// and a malformed model gives an error naming the field, never a panic.
// A model without metadata is not an error: Read returns nil.
package metadata
