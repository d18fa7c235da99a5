//go:build !linux

package platforms

// detectOS has nothing to read outside Linux; Detect falls back to the Go
// runtime's view.
func detectOS(*Profile) {}
