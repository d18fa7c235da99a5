package runtime

import "errors"

// Errors shared by every backend; backends wrap them with details.
var (
	// ErrInvalidModel means the model file is malformed or inconsistent.
	ErrInvalidModel = errors.New("runtime: invalid model")
	// ErrUnsupported means the model is well formed but uses an operator,
	// type or option this engine does not implement.
	ErrUnsupported = errors.New("runtime: unsupported")
	// ErrInput means a caller supplied an input of the wrong size or type.
	ErrInput = errors.New("runtime: bad input")
	// ErrClosed means the model or session was already closed.
	ErrClosed = errors.New("runtime: closed")
)
