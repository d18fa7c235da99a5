package tflite

import (
	"context"
	"fmt"
	"time"
	"unsafe"

	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/kernels"
)

// Session runs a Model with its own arena. It implements runtime.Session.
type Session struct {
	m      *Model
	arena  []byte
	bufs   [][]byte // per tensor: arena slice, constant data, or nil
	steps  []step
	pool   *kernels.Pool
	closed bool
}

var _ runtime.Session = (*Session)(nil)

func newSession(m *Model, opts runtime.Options) (*Session, error) {
	switch opts.Backend {
	case "", "auto", "generic":
	default:
		return nil, fmt.Errorf("%w: backend %q (want auto or generic)", runtime.ErrUnsupported, opts.Backend)
	}
	s := &Session{m: m, bufs: make([][]byte, len(m.tensors))}
	// Over-allocate to align the arena start to arenaAlign.
	raw := make([]byte, m.plan.size+arenaAlign)
	pad := int(-uintptr(unsafe.Pointer(&raw[0])) & (arenaAlign - 1))
	s.arena = raw[pad : pad+m.plan.size : pad+m.plan.size]
	for i, t := range m.tensors {
		switch off := m.plan.offsets[i]; {
		case off >= 0:
			s.bufs[i] = s.arena[off : off+t.byteSize() : off+t.byteSize()]
			// A constant graph output, a variable or an input stored
			// with a value gets a writable copy of it (at most one of
			// data and init is set).
			copy(s.bufs[i], t.data)
			copy(s.bufs[i], t.init)
		case t.isConst():
			s.bufs[i] = t.data
		}
	}
	if opts.Threads > 1 {
		s.pool = kernels.NewPool(opts.Threads)
	}
	s.steps = make([]step, len(m.nodes))
	for k, n := range m.nodes {
		b := &binding{ins: make([][]byte, len(n.inputs)), outs: make([][]byte, len(n.outputs)), pool: s.pool, generic: opts.Backend == "generic"}
		for j, t := range n.inputs {
			if t >= 0 {
				b.ins[j] = s.bufs[t]
			}
		}
		for j, t := range n.outputs {
			b.outs[j] = s.bufs[t]
		}
		s.steps[k] = n.kernel.bind(b)
	}
	return s, nil
}

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

// Close stops the session's worker goroutines and releases the model.
func (s *Session) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	s.pool.Close()
	s.m.release()
	return nil
}
