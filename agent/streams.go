package agent

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/edgeinfer/edgeinfer/runtime"
)

// streams serves a stateful model: a request with a sequence id runs on
// the session pinned to its stream, so the state its earlier requests left
// carries over; a request without one runs on an unpinned session with its
// state reset. There are at most as many open streams as sessions; a
// stream ends with its sequence_end request or after the idle timeout.
type streams struct {
	in *instance
	// free holds the unpinned sessions not running a request; whoever
	// takes one from it owns it until it puts it back or pins it.
	free chan *slot

	mu      sync.Mutex
	byID    map[string]*slot
	pending int // streams being opened, waiting for a free session
	total   int
}

// slot is one session and the stream pinned to it.
type slot struct {
	s runtime.Session
	// hold is taken (a value sent) by the request running on a pinned
	// session, so one stream's requests run one after another.
	hold chan struct{}
	id   string    // the pinned stream, under streams.mu
	last time.Time // end of the stream's last request, under streams.mu
}

func newStreams(in *instance, sessions []runtime.Session) *streams {
	st := &streams{in: in, free: make(chan *slot, len(sessions)), byID: map[string]*slot{}, total: len(sessions)}
	for _, s := range sessions {
		st.free <- &slot{s: s, hold: make(chan struct{}, 1)}
	}
	return st
}

// open is the number of streams open now.
func (st *streams) open() int {
	st.mu.Lock()
	defer st.mu.Unlock()
	return len(st.byID)
}

// run runs j for the stream seq (nil: no stream) and answers j.
func (st *streams) run(seq *Sequence, j *job) error {
	if seq == nil {
		return st.runFresh(j)
	}
	sl, err := st.pinned(j.ctx, seq)
	if err != nil {
		return err
	}
	if seq.Start {
		resetState(sl.s)
	}
	j.queue = time.Since(j.enq)
	err = st.in.runOn(sl.s, j)
	st.mu.Lock()
	sl.last = time.Now()
	end := seq.End
	if end {
		delete(st.byID, sl.id)
		sl.id = ""
	}
	st.mu.Unlock()
	<-sl.hold
	if end {
		st.free <- sl
		st.in.log.Debug("stream ended", "sequence_id", seq.ID)
	}
	return err
}

// runFresh runs j on an unpinned session with its state reset.
func (st *streams) runFresh(j *job) error {
	sl, err := st.take(j.ctx)
	if err != nil {
		return err
	}
	defer func() { st.free <- sl }()
	resetState(sl.s)
	j.queue = time.Since(j.enq)
	return st.in.runOn(sl.s, j)
}

// take waits for an unpinned session; with every session pinned it is
// ErrConflict at once.
func (st *streams) take(ctx context.Context) (*slot, error) {
	st.mu.Lock()
	busy := len(st.byID) + st.pending
	st.mu.Unlock()
	if busy >= st.total {
		return nil, st.conflict()
	}
	select {
	case sl := <-st.free:
		return sl, nil
	case <-ctx.Done():
		return nil, ctxErr(ctx, st.in.name)
	}
}

func (st *streams) conflict() error {
	return fmt.Errorf("%w: model %s: all %d sessions are pinned to open streams; end one (sequence_end) or wait for an idle one to time out", ErrConflict, st.in.name, st.total)
}

// pinned returns the session of stream seq, held for this request: the
// open stream's, or for sequence_start of a stream not open, a free
// session pinned to it now.
func (st *streams) pinned(ctx context.Context, seq *Sequence) (*slot, error) {
	for {
		st.mu.Lock()
		sl := st.byID[seq.ID]
		if sl == nil {
			if !seq.Start {
				st.mu.Unlock()
				return nil, fmt.Errorf("%w: model %s: sequence %q is not open (never started, ended, or idle past the timeout); start it with sequence_start", ErrBadRequest, st.in.name, seq.ID)
			}
			if len(st.byID)+st.pending >= st.total {
				st.mu.Unlock()
				return nil, st.conflict()
			}
			st.pending++
			st.mu.Unlock()
			var err error
			select {
			case sl = <-st.free:
			case <-ctx.Done():
				err = ctxErr(ctx, st.in.name)
			}
			st.mu.Lock()
			st.pending--
			if err != nil {
				st.mu.Unlock()
				return nil, err
			}
			if st.byID[seq.ID] != nil {
				// The same stream was opened meanwhile: use that one.
				st.mu.Unlock()
				st.free <- sl
				continue
			}
			sl.id, sl.last = seq.ID, time.Now()
			st.byID[seq.ID] = sl
			sl.hold <- struct{}{}
			st.mu.Unlock()
			st.in.log.Debug("stream started", "sequence_id", seq.ID)
			return sl, nil
		}
		st.mu.Unlock()
		select {
		case sl.hold <- struct{}{}:
		case <-ctx.Done():
			return nil, ctxErr(ctx, st.in.name)
		}
		st.mu.Lock()
		still := sl.id == seq.ID
		st.mu.Unlock()
		if still {
			return sl, nil
		}
		<-sl.hold // the stream ended while this request waited
	}
}

// reap ends the streams idle for longer than idle until the instance
// stops; their sessions return to the pool.
func (st *streams) reap(idle time.Duration) {
	defer st.in.workers.Done()
	tick := time.NewTicker(max(idle/4, time.Millisecond))
	defer tick.Stop()
	for {
		select {
		case <-st.in.stop:
			return
		case now := <-tick.C:
			st.endIdle(now, idle)
		}
	}
}

func (st *streams) endIdle(now time.Time, idle time.Duration) {
	st.mu.Lock()
	defer st.mu.Unlock()
	for id, sl := range st.byID {
		if now.Sub(sl.last) < idle {
			continue
		}
		select {
		case sl.hold <- struct{}{}:
		default:
			continue // a request is running on it
		}
		delete(st.byID, id)
		sl.id = ""
		<-sl.hold
		st.free <- sl
		st.in.log.Info("stream ended: idle past the timeout", "sequence_id", id, "timeout", idle)
	}
}
