//go:build !unix

package tflite

import (
	"fmt"
	"os"
)

// mapFile reads path into memory where mmap is not available.
func mapFile(path string) ([]byte, func() error, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, nil, err
	}
	if st.Size() > maxModelBytes {
		return nil, nil, fmt.Errorf("%s: %d bytes is larger than the %d this engine loads", path, st.Size(), int64(maxModelBytes))
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	return b, func() error { return nil }, nil
}
