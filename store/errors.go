package store

import "errors"

// Errors Open and the accessors wrap.
var (
	// ErrForeign means the file is not an edgeinfer store.
	ErrForeign = errors.New("store: not an edgeinfer state file")
	// ErrCorrupt means the file failed a consistency check.
	ErrCorrupt = errors.New("store: state file is corrupted")
	// ErrNewerSchema means a newer edgeinfer wrote the file.
	ErrNewerSchema = errors.New("store: state file has a newer schema")
	// ErrLocked means another process holds the file open.
	ErrLocked = errors.New("store: state file is in use by another process")
)
