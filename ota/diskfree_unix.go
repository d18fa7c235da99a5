//go:build linux || darwin || freebsd

package ota

import "golang.org/x/sys/unix"

// freeBytes is the space an unprivileged writer may still use on dir's
// file system, or -1 when it cannot be known.
func freeBytes(dir string) int64 {
	var s unix.Statfs_t
	if err := unix.Statfs(dir, &s); err != nil {
		return -1
	}
	return int64(s.Bavail) * int64(s.Bsize)
}
