package agent

import "errors"

// Errors of the agent; the socket API maps each to an HTTP status. They are
// wrapped with details (which model, which tensor, what was wrong).
var (
	// ErrNoModel: no model of that name (or version) is registered. 404.
	ErrNoModel = errors.New("agent: no such model")
	// ErrNotReady: the model exists but has no working version yet. 503.
	ErrNotReady = errors.New("agent: model not ready")
	// ErrBadRequest: a tensor's name, dtype, shape or size is wrong, or an
	// unknown output was asked for. 400.
	ErrBadRequest = errors.New("agent: bad request")
	// ErrQueueFull: the model's queue is at its bound; retry later. 503.
	ErrQueueFull = errors.New("agent: queue full")
	// ErrConflict: every session of a stateful model is pinned to a
	// stream, so a new stream (or a request without one) cannot run. 409.
	ErrConflict = errors.New("agent: all sessions pinned")
	// ErrDeadline: the request's deadline passed before it could run. 504.
	ErrDeadline = errors.New("agent: deadline exceeded")
	// ErrShuttingDown: the agent is draining and takes no new work. 503.
	ErrShuttingDown = errors.New("agent: shutting down")
	// ErrInvalidModel: a model to install failed to load or validate; the
	// working version, if any, keeps serving. 422.
	ErrInvalidModel = errors.New("agent: invalid model")
	// ErrTooLarge: a model file to install is over the size cap. 413.
	ErrTooLarge = errors.New("agent: too large")
	// ErrNoPrevious: a rollback found the version it was to replace no
	// longer active, or no previous version to go back to.
	ErrNoPrevious = errors.New("agent: no previous version to roll back to")
)
