package tflite

import (
	"context"
	"fmt"
	"time"

	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/kernels"
)

// Session runs a Model with its own arena. It implements runtime.Session.
type Session struct {
	m     *Model
	arena []byte
	bufs  [][]byte // per tensor: arena slice, constant data, or nil
	steps []step
	pool  *kernels.Pool
	state *sessionState
	// generic is Options.Backend "generic", kept to rebind after
	// ResizeInputs.
	generic bool
	closed  bool
}

var _ runtime.Session = (*Session)(nil)

func newSession(m *Model, opts runtime.Options) (*Session, error) {
	switch opts.Backend {
	case "", "auto", "generic":
	default:
		return nil, fmt.Errorf("%w: backend %q (want auto or generic)", runtime.ErrUnsupported, opts.Backend)
	}
	s := &Session{m: m, state: &sessionState{vars: map[string]*resourceVar{}, once: map[int]bool{}}, generic: opts.Backend == "generic"}
	if opts.Threads > 1 {
		s.pool = kernels.NewPool(opts.Threads)
	}
	g := bindGraph(m, s.pool, s.generic, s.state)
	s.arena, s.bufs, s.steps = g.arena, g.bufs, g.steps
	return s, nil
}

// ResetState returns the session to the state a new session starts from:
// every variable tensor (the recurrent state of LSTM, RNN and SVDF layers)
// to its initial value, resource variables (VAR_HANDLE) to unassigned, and
// CALL_ONCE initializers to not yet run. Between calls to ResetState, each Run continues from the
// state the previous Run left: one session carries one stream.
func (s *Session) ResetState() { s.state.reset() }

// Input returns the bytes of input i.
func (s *Session) Input(i int) []byte { return s.bufs[s.m.inputs[i]] }

// Output returns the bytes of output i.
func (s *Session) Output(i int) []byte { return s.bufs[s.m.outputs[i]] }

// Run executes every operator in order, checking ctx between operators.
func (s *Session) Run(ctx context.Context) error { return s.run(ctx, nil) }

// run is Run, timing each operator into times when it is not nil.
func (s *Session) run(ctx context.Context, times []time.Duration) error {
	if s.closed {
		return runtime.ErrClosed
	}
	s.state.ctx = ctx
	s.pool.Begin()
	defer s.pool.End()
	var t0 time.Time
	for k, st := range s.steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		if times != nil {
			t0 = time.Now()
		}
		err := st()
		if times != nil {
			times[k] += time.Since(t0)
		}
		if err != nil {
			n := s.m.nodes[k]
			return fmt.Errorf("tflite: operator %d (%s): %w", n.index, n.name, err)
		}
	}
	return nil
}

// PoolStats counts the work the session's operators split across its
// goroutines since it was made (zeros with one thread): how many operator
// calls were split, into how many tiles, and how many of those the helper
// goroutines ran. Call it between runs.
func (s *Session) PoolStats() kernels.PoolStats { return s.pool.Stats() }

// Close stops the session's worker goroutines and releases the model.
func (s *Session) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	s.pool.Close()
	s.m.owner().release()
	return nil
}
