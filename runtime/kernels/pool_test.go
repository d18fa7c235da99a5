package kernels

import (
	goruntime "runtime"
	"sync/atomic"
	"testing"
)

// countRanger counts how often each index is run.
type countRanger struct{ hits []atomic.Int32 }

func (c *countRanger) Range(lo, hi int) {
	for i := lo; i < hi; i++ {
		c.hits[i].Add(1)
	}
}

func TestPoolCoversEachIndexOnce(t *testing.T) {
	for _, workers := range []int{0, 1, 2, 3, 8} {
		p := NewPool(workers)
		for _, tc := range []struct{ n, minChunk int }{{0, 1}, {1, 1}, {2, 1}, {7, 1}, {100, 3}, {1000, 0}, {1000, 999}, {4097, 64}} {
			for rep := range 50 { // many calls, so helpers are caught spinning and parked
				c := &countRanger{hits: make([]atomic.Int32, tc.n)}
				p.Parallel(tc.n, tc.minChunk, c)
				for i := range c.hits {
					if h := c.hits[i].Load(); h != 1 {
						t.Fatalf("workers %d, n %d, minChunk %d, call %d: index %d ran %d times", workers, tc.n, tc.minChunk, rep, i, h)
					}
				}
			}
		}
		p.Close()
		p.Close()
	}
}

// handoff's tile 0 waits until another tile has run, which only another
// goroutine can do while the caller is inside tile 0.
type handoff struct {
	ran  chan struct{}
	once atomic.Bool
}

func (h *handoff) Range(lo, hi int) {
	if lo == 0 {
		<-h.ran
		return
	}
	if h.once.CompareAndSwap(false, true) {
		close(h.ran)
	}
}

// TestPoolWakesParkedHelper checks that a helper parked between calls is
// woken and takes tiles.
func TestPoolWakesParkedHelper(t *testing.T) {
	p := NewPool(2)
	defer p.Close()
	for range 3 {
		for !p.helpers[0].parked.Load() {
			goruntime.Gosched()
		}
		p.Parallel(8, 1, &handoff{ran: make(chan struct{})})
	}
}

// TestPoolWake checks that Wake gets a parked helper going again (it takes
// the token, spins, and parks anew) and leaves no stale token behind that
// would make it miss the next call's tiles; and that Wake is harmless on
// pools without helpers.
func TestPoolWake(t *testing.T) {
	p := NewPool(2)
	defer p.Close()
	for range 3 {
		for !p.helpers[0].parked.Load() {
			goruntime.Gosched()
		}
		p.Wake()
		if p.helpers[0].parked.Load() {
			t.Fatal("helper still marked parked right after Wake")
		}
		for !p.helpers[0].parked.Load() {
			goruntime.Gosched()
		}
		if n := len(p.helpers[0].wake); n != 0 {
			t.Fatalf("%d wake tokens left after the helper parked again", n)
		}
		p.Parallel(8, 1, &handoff{ran: make(chan struct{})})
	}
	var none *Pool
	none.Wake()
	NewPool(1).Wake()
}

func TestPoolAllocatesNothing(t *testing.T) {
	p := NewPool(2)
	defer p.Close()
	c := &countRanger{hits: make([]atomic.Int32, 1000)}
	if a := testing.AllocsPerRun(100, func() { p.Wake(); p.Parallel(1000, 10, c) }); a != 0 {
		t.Errorf("Parallel allocates %v times per call", a)
	}
}

func TestNilPoolRunsOnCaller(t *testing.T) {
	var p *Pool
	c := &countRanger{hits: make([]atomic.Int32, 10)}
	p.Parallel(10, 1, c)
	p.Close()
	if p.Workers() != 1 || c.hits[9].Load() != 1 {
		t.Errorf("nil pool: workers %d, last index ran %d times", p.Workers(), c.hits[9].Load())
	}
}
