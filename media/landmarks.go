package media

import "fmt"

// Landmarks reads a landmark model's output: dims values per point (x, y
// and, with 3, a depth the caller may ignore) in the input's pixels of
// width w and height h, returned in the original image's pixels through
// frame.
func Landmarks(values []float32, dims, w, h int, frame Frame) ([]Point, error) {
	if dims < 2 || len(values)%dims != 0 || w < 1 || h < 1 {
		return nil, fmt.Errorf("media: %d landmark values of %d per point over a %dx%d input", len(values), dims, w, h)
	}
	out := make([]Point, len(values)/dims)
	for i := range out {
		x, y := frame.Point(float64(values[dims*i])/float64(w), float64(values[dims*i+1])/float64(h))
		out[i] = Point{X: x, Y: y}
	}
	return out, nil
}
