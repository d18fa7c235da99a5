package tflite

import "syscall"

// releaseMapped tells the kernel that the mapped model's pages may leave
// the process's resident set: the load has read every weight into the
// layouts the kernels use, so most pages are not read again, and those
// that are come back from the page cache on first touch (the mapping is
// private and read-only, so nothing is lost). It is advice: an error
// changes nothing but the resident size.
func releaseMapped(b []byte) {
	if len(b) > 0 {
		_ = syscall.Madvise(b, syscall.MADV_DONTNEED)
	}
}
