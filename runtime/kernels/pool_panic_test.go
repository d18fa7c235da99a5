package kernels

import (
	"sync/atomic"
	"testing"
)

// panicRanger panics on the chunk that holds index bad.
type panicRanger struct {
	bad  int
	done atomic.Int32
}

func (r *panicRanger) Range(lo, hi int) {
	if lo <= r.bad && r.bad < hi {
		panic("bad index")
	}
	r.done.Add(1)
}

// TestPoolHelperPanicReachesTheCaller: a panic on a helper goroutine is
// raised again on the goroutine that called Parallel, after every chunk
// ended, so the caller can recover it (a helper's panic would end the
// process), and the pool keeps working afterwards.
func TestPoolHelperPanicReachesTheCaller(t *testing.T) {
	p := NewPool(4)
	defer p.Close()
	got := func() (v any) {
		defer func() { v = recover() }()
		p.Parallel(400, 1, &panicRanger{bad: 399}) // the last chunk runs on a helper
		return nil
	}()
	if got != "bad index" {
		t.Fatalf("recovered %v, want the helper's panic", got)
	}
	r := &panicRanger{bad: -1}
	p.Parallel(400, 1, r)
	if r.done.Load() != 4 {
		t.Fatalf("after the panic, %d chunks ran, want 4", r.done.Load())
	}
}
