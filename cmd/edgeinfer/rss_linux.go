package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// procStatus is read for the peak resident set size; tests point it
// elsewhere.
var procStatus = "/proc/self/status"

// peakRSS returns the process's peak resident set size in bytes (VmHWM).
func peakRSS() (int64, error) { return statusBytes(procStatus, "VmHWM") }

// statusBytes returns the size a field of a /proc/PID/status file gives
// in kB ("VmHWM", "VmRSS"), in bytes.
func statusBytes(path, field string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), field+":")
		if !ok {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%s: %s: %w", path, field, err)
		}
		return kb * 1024, nil
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("%s has no %s line", path, field)
}
