//go:build !linux

package platforms

// detectOS has nothing to read outside Linux; Detect falls back to the Go
// runtime's view.
func detectOS(*Profile) {}

// nativeRoots is always true outside Linux: there are no trees to read.
func nativeRoots() bool { return true }

// hottestZone has no thermal zones to read outside Linux.
func hottestZone() (float64, bool) { return 0, false }
