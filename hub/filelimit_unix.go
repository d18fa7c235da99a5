//go:build unix

package hub

import "syscall"

// fileLimit is the process's soft limit of open files (0: unknown).
func fileLimit() uint64 {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		return 0
	}
	return r.Cur
}
