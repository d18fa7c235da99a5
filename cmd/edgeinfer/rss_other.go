//go:build !unix

package main

import (
	"errors"
	goruntime "runtime"
)

// peakRSS is not measured on systems without getrusage.
func peakRSS() (int64, error) {
	return 0, errors.New("peak RSS is not measured on " + goruntime.GOOS)
}
