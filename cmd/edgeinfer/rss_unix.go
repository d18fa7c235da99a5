//go:build unix && !linux

package main

import (
	"fmt"
	goruntime "runtime"
	"syscall"
)

// peakRSS returns the process's peak resident set size in bytes, from
// getrusage (ru_maxrss is in bytes on Darwin and in kilobytes elsewhere).
func peakRSS() (int64, error) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, fmt.Errorf("getrusage: %w", err)
	}
	if goruntime.GOOS == "darwin" || goruntime.GOOS == "ios" {
		return int64(ru.Maxrss), nil
	}
	return int64(ru.Maxrss) * 1024, nil
}
