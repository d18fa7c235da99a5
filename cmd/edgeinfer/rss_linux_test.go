package main

import (
	"path/filepath"
	"testing"
)

func TestPeakRSS(t *testing.T) {
	for _, tc := range []struct {
		file string
		want int64
		ok   bool
	}{
		{"status", 5316 * 1024, true},
		{"status_no_hwm", 0, false},
		{"missing", 0, false},
	} {
		t.Run(tc.file, func(t *testing.T) {
			old := procStatus
			procStatus = filepath.Join("testdata", "proc", tc.file)
			defer func() { procStatus = old }()
			got, err := peakRSS()
			if (err == nil) != tc.ok || got != tc.want {
				t.Errorf("peakRSS() = %d, %v; want %d, ok=%v", got, err, tc.want, tc.ok)
			}
		})
	}
	if got, err := peakRSS(); err != nil || got <= 0 {
		t.Errorf("peakRSS() of this process = %d, %v", got, err)
	}
}
