//go:build !linux

package tflite

// releaseMapped does nothing where the pages of a mapping cannot be
// released without unmapping them portably.
func releaseMapped([]byte) {}
