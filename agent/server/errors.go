package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/edgeinfer/edgeinfer/agent"
	"github.com/edgeinfer/edgeinfer/api"
)

// statusError is an error the API itself detects (bad JSON, bad tensor,
// refused caller) with the status to answer.
type statusError struct {
	status int
	err    error
}

func (e *statusError) Error() string { return e.err.Error() }
func (e *statusError) Unwrap() error { return e.err }

// errorf makes a statusError.
func errorf(status int, format string, args ...any) error {
	return &statusError{status, fmt.Errorf(format, args...)}
}

// badRequest makes a 400 statusError.
func badRequest(format string, args ...any) error {
	return errorf(http.StatusBadRequest, format, args...)
}

// statusClientClosed is the status logged when the caller went away before
// the answer (nginx's convention; the caller never sees it).
const statusClientClosed = 499

// errorStatus maps an error to the HTTP status of its answer.
func errorStatus(err error) int {
	var se *statusError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &se):
		return se.status
	case errors.As(err, &mbe):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, agent.ErrNoModel):
		return http.StatusNotFound
	case errors.Is(err, agent.ErrBadRequest):
		return http.StatusBadRequest
	case errors.Is(err, agent.ErrConflict):
		return http.StatusConflict
	case errors.Is(err, agent.ErrTooLarge):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, agent.ErrInvalidModel):
		return http.StatusUnprocessableEntity
	case errors.Is(err, agent.ErrQueueFull), errors.Is(err, agent.ErrNotReady), errors.Is(err, agent.ErrShuttingDown):
		return http.StatusServiceUnavailable
	case errors.Is(err, agent.ErrDeadline), errors.Is(err, context.DeadlineExceeded):
		return http.StatusGatewayTimeout
	case errors.Is(err, context.Canceled):
		return statusClientClosed
	}
	return http.StatusInternalServerError
}

// writeError renders err as {"error": "..."} with its status.
func writeError(w http.ResponseWriter, err error) {
	status := errorStatus(err)
	if errors.Is(err, agent.ErrQueueFull) || errors.Is(err, errBusy) {
		w.Header().Set("Retry-After", "1")
	}
	if rec, ok := w.(*recorder); ok {
		rec.err = err
	}
	writeJSON(w, status, api.ErrorBody{Error: err.Error()})
}
