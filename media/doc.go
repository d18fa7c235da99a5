// Package media turns what apps have into a model's input tensors, and a
// model's output tensors into what apps want: an encoded image (JPEG, PNG,
// BMP) becomes an image tensor, cropped or letterboxed, resized and
// normalized as the model's metadata or its configuration says; a
// classifier's scores become the top classes with their labels.
//
// It reads untrusted bytes (an image arrives in a request): sizes are
// checked from the header before pixels are decoded, and bad input gets an
// error wrapping ErrImage or ErrAudio, never a panic. It depends on
// runtime's tensor types, the TFLite metadata reader and the socket API's
// result types, so the agent, the command line and tools share it.
package media
