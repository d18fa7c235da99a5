//go:build unix

package tflite

import (
	"fmt"
	"os"
	"syscall"
)

// mapFile maps path read-only. The returned func unmaps it.
func mapFile(path string) ([]byte, func() error, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	size := st.Size()
	if !st.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("%s: not a regular file", path)
	}
	if size == 0 {
		return nil, func() error { return nil }, nil
	}
	if size != int64(int(size)) || size > maxModelBytes {
		return nil, nil, fmt.Errorf("%s: %d bytes is larger than the %d this engine maps", path, size, int64(maxModelBytes))
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_PRIVATE)
	if err != nil {
		return nil, nil, fmt.Errorf("mmap %s: %w", path, err)
	}
	return b, func() error { return syscall.Munmap(b) }, nil
}
