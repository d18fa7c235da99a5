//go:build !amd64 && !arm64

package platforms

// cpuFeatures has no table for this architecture: the features come from
// /proc/cpuinfo only.
func cpuFeatures() []feature { return nil }
