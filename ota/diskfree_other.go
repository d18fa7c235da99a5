//go:build !linux && !darwin && !freebsd

package ota

// freeBytes cannot ask this system for free space; -1 skips the check.
func freeBytes(string) int64 { return -1 }
