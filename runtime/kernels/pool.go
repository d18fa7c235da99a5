package kernels

import (
	goruntime "runtime"
	"sync/atomic"
	"time"
)

// Ranger is a piece of work over the index range [lo, hi). Kernels that can
// be split implement it so a Pool can hand slices of the range to workers.
type Ranger interface {
	Range(lo, hi int)
}

// Pool runs Rangers on a fixed set of goroutines. A nil or one-worker Pool
// runs everything on the calling goroutine. A Pool serves one caller at a
// time (one Session); it allocates nothing per call.
//
// Parallel cuts the range into tiles that the caller and the helpers claim
// one at a time from a shared counter, so a helper that wakes late only
// takes fewer tiles, never delays the call. Between Begin and End (a
// Session's run) idle helpers spin watching for the next call, so that
// every operator's hand-off costs a few loads instead of a parked
// goroutine's wake-up (tens of microseconds: a futex wake of an idle
// thread, then the goroutine taken from the caller's run queue), which
// outlasts many operators' tiles. Outside a run they spin for spinFor,
// then park on a channel until woken.
type Pool struct {
	workers int
	helpers []*helper

	// The current call: r, n and tileSize are written by Parallel before
	// it publishes claims and read by a worker only after it claimed a
	// tile, so they cannot change under it (the call waits for the tile).
	r           Ranger
	n, tileSize int
	// claims holds the tiles of the call not yet claimed, [next, end):
	// end in its top 32 bits, next in its low 32 bits; next == end
	// between calls. The caller claims from the front and helpers from
	// the back, so that each worker keeps to its end of the range from
	// one operator to the next and mostly reads the rows it wrote itself
	// (see work).
	claims atomic.Uint64
	left   atomic.Int64  // tiles not yet finished
	gen    atomic.Uint64 // bumped by each call that wants helpers
	quit   atomic.Bool
	// running is set between Begin and End: helpers do not park.
	running atomic.Bool
	// now is the clock of the spin deadline (time.Now; tests step it).
	now func() time.Time
	// calm, owned by the caller like stalls and window, is the number of
	// Parallel calls left before Begin keeps helpers spinning again. It is
	// set when calmStalls calls of one window of calmWindow calls waited
	// far longer for a helper's tile than tiles take (other processes had
	// taken the helper's core); meanwhile Begin leaves parked helpers
	// parked and helpers park spinFor after their last tile, as they did
	// before Begin kept them spinning.
	calm, stalls, window int
	// tiles counts the tiles of calls split across workers, helperTiles
	// those of them that helpers ran, splits the calls split.
	splits, tiles, helperTiles atomic.Uint64
	// panicked keeps the first panic of a tile during a Parallel call,
	// which raises it again on the caller's goroutine once every tile has
	// ended (where the caller can recover it; a helper's panic would end
	// the process).
	panicked atomic.Pointer[any]
}

// helper is one helper goroutine's parking state.
type helper struct {
	parked atomic.Bool
	wake   chan struct{} // one token wakes a parked helper
	_      [64]byte      // keep helpers' flags on separate cache lines
}

// spinFor is how long an idle helper watches for the next call before it
// parks.
const spinFor = 50 * time.Microsecond

// tilesPerWorker is how many tiles Parallel aims to give each worker, so
// that one slow or late worker leaves little for the others to wait on.
const tilesPerWorker = 4

// NewPool starts workers-1 helper goroutines; the caller is the last worker.
func NewPool(workers int) *Pool { return newPool(workers, time.Now) }

func newPool(workers int, now func() time.Time) *Pool {
	p := &Pool{workers: max(workers, 1), now: now}
	for range p.workers - 1 {
		h := &helper{wake: make(chan struct{}, 1)}
		p.helpers = append(p.helpers, h)
		go p.loop(h, p.gen.Load())
	}
	return p
}

// loop serves calls until Close; seen is the generation when the pool was
// made, so a helper that starts after the first call still joins it.
func (p *Pool) loop(h *helper, seen uint64) {
	for {
		g := p.await(h, seen)
		if p.quit.Load() {
			return
		}
		seen = g
		p.work(true)
	}
}

// await returns the generation of the first call after seen, spinning
// while the pool is running and for spinFor after, then parking; a helper
// woken by Begin spins again.
func (p *Pool) await(h *helper, seen uint64) uint64 {
	for {
		deadline := p.now().Add(spinFor)
		for i := 0; ; i++ {
			if g := p.gen.Load(); g != seen {
				return g
			}
			if i&63 == 63 {
				if p.running.Load() {
					deadline = p.now().Add(spinFor)
				} else if p.now().After(deadline) {
					break
				}
				goruntime.Gosched()
			}
		}
		h.parked.Store(true)
		if g := p.gen.Load(); g != seen {
			if !h.parked.CompareAndSwap(true, false) {
				<-h.wake // Parallel or Wake saw us parked and sent a token: take it
			}
			return g
		}
		<-h.wake
	}
}

// Begin sets parked helpers spinning and keeps them from parking until
// End, so that each Parallel call in between finds them awake. A Session
// calls it as a run starts, before the operators that come ahead of the
// first parallel one, and End when the run ends.
func (p *Pool) Begin() {
	if p == nil || p.calm > 0 {
		return
	}
	p.running.Store(true)
	p.unpark()
}

// End lets idle helpers park again, spinFor after their last call.
func (p *Pool) End() {
	if p == nil {
		return
	}
	p.running.Store(false)
}

// unpark sends a token to each parked helper.
func (p *Pool) unpark() {
	for _, h := range p.helpers {
		if h.parked.CompareAndSwap(true, false) {
			h.wake <- struct{}{}
		}
	}
}

// work claims and runs tiles of the current call until none is left;
// helper says whether a helper (not the caller) runs them. It returns the
// number of tiles it ran. The caller takes the first tile left and
// helpers the last: with two workers each runs one end of every split
// operator, so consecutive operators split by rows leave most of a
// worker's input in its own core's cache, where tiles claimed in one
// order went to either worker by turns. On the 2-vCPU VM of
// docs/benchmarks.md, in a spell when a second thread bought mobilenet_v2
// nothing (1.47 ms median at 2 threads, 1.41 at 1), this took it to 1.06
// ms (4 alternating rounds); in a good spell 0.85 to 0.835.
func (p *Pool) work(helper bool) int {
	k := 0
	for {
		c := p.claims.Load()
		next, end := c&0xffffffff, c>>32
		if next >= end {
			return k
		}
		t, claimed := next, c+1
		if helper {
			t, claimed = end-1, c-1<<32
		}
		if p.claims.CompareAndSwap(c, claimed) {
			p.runTile(int(t), helper)
			k++
		}
	}
}

// runTile runs tile t and counts it done, even when it panics.
func (p *Pool) runTile(t int, helper bool) {
	defer func() {
		if v := recover(); v != nil {
			p.keepPanic(v)
		}
		if helper {
			p.helperTiles.Add(1)
		}
		p.left.Add(-1)
	}()
	lo := t * p.tileSize
	p.r.Range(lo, min(lo+p.tileSize, p.n))
}

// keepPanic records the first panic of a Parallel call (apart from
// runTile, so that only a panic allocates).
func (p *Pool) keepPanic(v any) { p.panicked.CompareAndSwap(nil, &v) }

// Workers is the number of goroutines work is split across.
func (p *Pool) Workers() int {
	if p == nil {
		return 1
	}
	return p.workers
}

// Parallel runs r over [0, n) in tiles of at least minChunk indices, on
// the caller and the pool's helpers, and returns when all are done. A
// panic in a tile is raised again here once every tile has ended.
func (p *Pool) Parallel(n, minChunk int, r Ranger) {
	if n <= 0 {
		return
	}
	tiles := min(n/max(minChunk, 1), p.Workers()*tilesPerWorker)
	if p.Workers() == 1 || tiles <= 1 {
		r.Range(0, n)
		return
	}
	p.tileSize = (n + tiles - 1) / tiles
	p.r, p.n = r, n
	tiles = (n + p.tileSize - 1) / p.tileSize
	p.left.Store(int64(tiles))
	p.claims.Store(uint64(tiles) << 32)
	p.splits.Add(1)
	p.tiles.Add(uint64(tiles))
	p.gen.Add(1)
	p.unpark()
	t0 := p.now()
	own := p.work(false)
	t1 := p.now()
	for i := 0; p.left.Load() != 0; i++ {
		if i&63 == 63 {
			goruntime.Gosched()
		}
	}
	p.settle(own > 0 && contended(t1.Sub(t0)/time.Duration(own), p.now().Sub(t1)))
	p.r = nil
	if v := p.panicked.Swap(nil); v != nil {
		panic(*v)
	}
}

// A Pool calms down for calmCalls Parallel calls (some dozens of runs of
// a model) after calmStalls stalled calls within calmWindow calls: on a
// busy machine stalls come every few calls, on a quiet one a stray stall
// (a page fault, the hypervisor) does not cost the runs after it their
// second thread.
const (
	calmCalls  = 4096
	calmStalls = 2
	calmWindow = 256
)

// settle counts a split call, stalled or not, towards calming the pool.
func (p *Pool) settle(stalled bool) {
	if p.calm > 0 {
		p.calm--
	}
	if p.window++; p.window == calmWindow {
		p.window, p.stalls = 0, 0
	}
	if !stalled {
		return
	}
	if p.stalls++; p.stalls == calmStalls {
		p.calm, p.stalls = calmCalls, 0
		p.running.Store(false)
	}
}

// contended says whether a call's caller, whose own tiles took tile each,
// waited too long for the tiles the helpers had claimed: a running helper
// ends its last tile at most about one tile after the caller, so a wait of
// more than two tiles (and more than 100 µs, above a scheduler tick's
// noise) means the helper was descheduled in the middle of one.
func contended(tile, wait time.Duration) bool {
	return wait > 2*max(tile, 50*time.Microsecond)
}

// PoolStats counts a Pool's work since it was made.
type PoolStats struct {
	// Splits is the number of Parallel calls cut into more than one tile;
	// Tiles the tiles of those calls, HelperTiles the ones helpers ran
	// (the caller ran the rest). A helper that was parked or descheduled
	// when a call came runs few of its tiles or none.
	Splits, Tiles, HelperTiles uint64
}

// Stats returns the pool's counts; the zero PoolStats for a nil pool.
// Between Parallel calls they are exact.
func (p *Pool) Stats() PoolStats {
	if p == nil {
		return PoolStats{}
	}
	return PoolStats{Splits: p.splits.Load(), Tiles: p.tiles.Load(), HelperTiles: p.helperTiles.Load()}
}

// Close stops the pool's goroutines. The pool must be idle.
func (p *Pool) Close() {
	if p == nil || p.quit.Swap(true) {
		return
	}
	p.gen.Add(1)
	p.unpark()
}
