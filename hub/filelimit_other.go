//go:build !unix

package hub

// fileLimit is unknown outside Unix.
func fileLimit() uint64 { return 0 }
