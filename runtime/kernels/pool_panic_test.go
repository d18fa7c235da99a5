package kernels

import (
	"sync/atomic"
	"testing"
)

// panicRanger panics on the tile that holds index bad; the goroutine that
// runs the tile holding index 0 waits until that one has run, so the panic
// happens on another goroutine than that one (a helper when it is the
// caller, as it nearly always is). done counts the indices run.
type panicRanger struct {
	bad    int
	badRan chan struct{}
	done   atomic.Int32
}

func (r *panicRanger) Range(lo, hi int) {
	if lo <= r.bad && r.bad < hi {
		close(r.badRan)
		panic("bad index")
	}
	if lo == 0 && r.bad >= 0 {
		<-r.badRan
	}
	r.done.Add(int32(hi - lo))
}

// TestPoolHelperPanicReachesTheCaller: a panic on a helper goroutine is
// raised again on the goroutine that called Parallel, after every tile
// ended, so the caller can recover it (a helper's panic would end the
// process), and the pool keeps working afterwards.
func TestPoolHelperPanicReachesTheCaller(t *testing.T) {
	p := NewPool(4)
	defer p.Close()
	for _, bad := range []int{399, 0, 200} {
		r := &panicRanger{bad: bad, badRan: make(chan struct{})}
		got := func() (v any) {
			defer func() { v = recover() }()
			p.Parallel(400, 1, r)
			return nil
		}()
		if got != "bad index" {
			t.Fatalf("bad index %d: recovered %v, want the tile's panic", bad, got)
		}
		if n := r.done.Load(); n != 400-25 {
			t.Fatalf("bad index %d: %d indices ran, want all but the bad tile's 25", bad, n)
		}
		ok := &panicRanger{bad: -1}
		p.Parallel(400, 1, ok)
		if ok.done.Load() != 400 {
			t.Fatalf("after the panic, %d indices ran, want 400", ok.done.Load())
		}
	}
}
