package kernels

import (
	goruntime "runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
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

// TestPoolBegin checks that Begin gets a parked helper going again (it
// takes the token, spins, and parks anew after End) and leaves no stale
// token behind that would make it miss the next call's tiles; and that
// Begin and End are harmless on pools without helpers.
func TestPoolBegin(t *testing.T) {
	p := NewPool(2)
	defer p.Close()
	for range 3 {
		for !p.helpers[0].parked.Load() {
			goruntime.Gosched()
		}
		p.Begin()
		if p.helpers[0].parked.Load() {
			t.Fatal("helper still marked parked right after Begin")
		}
		p.End()
		for !p.helpers[0].parked.Load() {
			goruntime.Gosched()
		}
		if n := len(p.helpers[0].wake); n != 0 {
			t.Fatalf("%d wake tokens left after the helper parked again", n)
		}
		p.Parallel(8, 1, &handoff{ran: make(chan struct{})})
	}
	var none *Pool
	none.Begin()
	none.End()
	one := NewPool(1)
	one.Begin()
	one.End()
}

// stepClock is a clock a test moves by hand; reads counts the readings.
type stepClock struct{ ns, reads atomic.Int64 }

func (c *stepClock) now() time.Time {
	c.reads.Add(1)
	return time.Unix(0, c.ns.Load())
}

// TestPoolHelpersSpinThroughARun checks that between Begin and End a
// helper does not park however long it waits for the next call (a parked
// helper's wake-up outlasts most operators: with helpers parking 50 µs
// after their last tile, a 2-thread session ran hand_landmark as slowly as
// one thread, the caller running most tiles itself), and that it parks
// again once End has let spinFor pass.
func TestPoolHelpersSpinThroughARun(t *testing.T) {
	c := &stepClock{}
	p := newPool(2, c.now)
	defer p.Close()
	h := p.helpers[0]
	awaitPark := func() {
		for !h.parked.Load() {
			c.ns.Add(int64(spinFor))
			goruntime.Gosched()
		}
	}
	awaitPark()
	p.Begin()
	for round := range 3 {
		c.ns.Add(int64(10 * spinFor))
		seen := c.reads.Load()
		for c.reads.Load() < seen+10 && !h.parked.Load() {
			goruntime.Gosched()
		}
		if h.parked.Load() {
			t.Fatalf("round %d: the helper parked during a run", round)
		}
		p.Parallel(8, 1, &handoff{ran: make(chan struct{})})
	}
	p.End()
	awaitPark()
}

// TestPoolStats checks the counts of split calls and of their tiles, and
// that a tile only a helper can run is counted as a helper's.
func TestPoolStats(t *testing.T) {
	p := NewPool(2)
	defer p.Close()
	c := &countRanger{hits: make([]atomic.Int32, 1000)}
	p.Parallel(1, 1, c)      // one index: not split
	p.Parallel(1000, 999, c) // one tile: not split
	if s := p.Stats(); s != (PoolStats{}) {
		t.Fatalf("after calls that were not split: %+v, want zeros", s)
	}
	p.Parallel(8, 1, &handoff{ran: make(chan struct{})})
	p.Parallel(1000, 10, c)
	s := p.Stats()
	if s.Splits != 2 || s.Tiles != 16 || s.HelperTiles < 1 || s.HelperTiles > s.Tiles-1 {
		t.Fatalf("stats %+v: want 2 splits of 8 tiles each, at least one tile run by the helper and one by the caller", s)
	}
	var none *Pool
	if s := none.Stats(); s != (PoolStats{}) {
		t.Fatalf("nil pool: %+v", s)
	}
}

func TestPoolAllocatesNothing(t *testing.T) {
	p := NewPool(2)
	defer p.Close()
	c := &countRanger{hits: make([]atomic.Int32, 1000)}
	if a := testing.AllocsPerRun(100, func() { p.Begin(); p.Parallel(1000, 10, c); p.End() }); a != 0 {
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

// TestContended checks the test of a stalled helper: a wait of several
// tiles, and never one within the noise of a scheduler tick.
func TestContended(t *testing.T) {
	us := time.Microsecond
	for _, tc := range []struct {
		tile, wait time.Duration
		want       bool
	}{
		{100 * us, 150 * us, false}, // the helper's last tile ended half a tile after the caller's
		{100 * us, 201 * us, true},
		{5 * us, 90 * us, false}, // tiny tiles: within the 100 µs of noise
		{5 * us, 101 * us, true},
		{3 * time.Millisecond, 5 * time.Millisecond, false},
		{3 * time.Millisecond, 7 * time.Millisecond, true},
	} {
		if got := contended(tc.tile, tc.wait); got != tc.want {
			t.Errorf("contended(tile %v, wait %v) = %v, want %v", tc.tile, tc.wait, got, tc.want)
		}
	}
}

// TestPoolSettle checks that a pool calms down after calmStalls stalled
// calls within one window of calmWindow calls, not after stalls spread
// over windows, and that calm ends after calmCalls calls.
func TestPoolSettle(t *testing.T) {
	p := NewPool(2)
	defer p.Close()
	for range calmStalls - 1 {
		p.settle(true)
	}
	for range calmWindow {
		p.settle(false)
	}
	p.settle(true)
	if p.calm != 0 {
		t.Fatalf("calm after %d stalls split across two windows", calmStalls)
	}
	p.running.Store(true)
	for range calmStalls - 1 {
		p.settle(true)
	}
	if p.calm != calmCalls || p.running.Load() {
		t.Fatalf("after %d stalls in a window: calm %d, running %v; want %d calm calls, not running", calmStalls, p.calm, p.running.Load(), calmCalls)
	}
	for range calmCalls {
		p.settle(false)
	}
	if p.calm != 0 {
		t.Fatalf("calm %d after %d calls", p.calm, calmCalls)
	}
}

// TestPoolCalm checks that while a pool is calm (after a stalled helper)
// Begin does not keep helpers spinning, so they park spinFor after their
// last tile, that calls still cover every index, and that the pool spins
// through runs again once its calm calls are spent.
func TestPoolCalm(t *testing.T) {
	c := &stepClock{}
	p := newPool(2, c.now)
	defer p.Close()
	h := p.helpers[0]
	p.calm = 3
	for range 3 {
		p.Begin()
		if p.running.Load() {
			t.Fatal("a calm pool keeps its helpers spinning through a run")
		}
		for !h.parked.Load() {
			c.ns.Add(int64(spinFor))
			goruntime.Gosched()
		}
		r := &countRanger{hits: make([]atomic.Int32, 100)}
		p.Parallel(100, 1, r)
		for i := range r.hits {
			if r.hits[i].Load() != 1 {
				t.Fatalf("index %d ran %d times", i, r.hits[i].Load())
			}
		}
		p.End()
	}
	if p.calm != 0 {
		t.Fatalf("calm %d after 3 calls, want 0", p.calm)
	}
	p.Begin()
	if !p.running.Load() {
		t.Fatal("the pool stays calm after its calm calls")
	}
	p.End()
}

// goid returns the calling goroutine's id, from its stack header.
func goid() string {
	var b [64]byte
	f := strings.Fields(string(b[:goruntime.Stack(b[:], false)]))
	return f[1]
}

// ownerRanger records which goroutine ran each tile.
type ownerRanger struct{ owner []string }

func (o *ownerRanger) Range(lo, hi int) {
	id := goid()
	for i := lo; i < hi; i++ {
		o.owner[i] = id
	}
}

// TestPoolCallerTakesTheFront checks that with two workers the caller
// runs a first part of the range and the helper the rest, so that each
// keeps to its end of every split operator.
func TestPoolCallerTakesTheFront(t *testing.T) {
	p := NewPool(2)
	defer p.Close()
	p.Begin()
	defer p.End()
	me, helped := goid(), 0
	for rep := range 200 {
		o := &ownerRanger{owner: make([]string, 64)}
		p.Parallel(len(o.owner), 1, o)
		k := 0
		for k < len(o.owner) && o.owner[k] == me {
			k++
		}
		for i, id := range o.owner[k:] {
			if id == me {
				t.Fatalf("call %d: the caller ran index %d after the helper ran %d", rep, k+i, k)
			}
		}
		if k < len(o.owner) {
			helped++
		}
	}
	if helped == 0 {
		t.Skip("the helper never ran a tile (one CPU?)")
	}
}
