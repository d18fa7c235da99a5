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
// takes fewer tiles, never delays the call. Between calls a helper spins
// for spinFor watching for the next one (the operators of a model follow
// each other within microseconds), then parks on a channel until woken.
type Pool struct {
	workers int
	helpers []*helper

	// The current call: r, n and tileSize are written by Parallel before
	// it publishes claims and read by a worker only after it claimed a
	// tile, so they cannot change under it (the call waits for the tile).
	r           Ranger
	n, tileSize int
	// claims is the number of tiles of the call in its top 32 bits and the
	// next tile to claim in its low 32 bits; next == tiles between calls.
	claims atomic.Uint64
	left   atomic.Int64  // tiles not yet finished
	gen    atomic.Uint64 // bumped by each call that wants helpers
	quit   atomic.Bool
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
func NewPool(workers int) *Pool {
	p := &Pool{workers: max(workers, 1)}
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
		p.work()
	}
}

// await returns the generation of the first call after seen, spinning for
// spinFor and then parking; a helper woken by Wake spins again.
func (p *Pool) await(h *helper, seen uint64) uint64 {
	for {
		deadline := time.Now().Add(spinFor)
		for i := 0; ; i++ {
			if g := p.gen.Load(); g != seen {
				return g
			}
			if i&63 == 63 {
				if time.Now().After(deadline) {
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

// Wake sets parked helpers spinning, so that a Parallel call soon after
// finds them awake instead of paying for a parked goroutine's wake-up,
// which can outlast a small operator. A Session calls it as a run starts,
// before the operators that come ahead of the first parallel one.
func (p *Pool) Wake() {
	if p == nil {
		return
	}
	p.unpark()
}

// unpark sends a token to each parked helper.
func (p *Pool) unpark() {
	for _, h := range p.helpers {
		if h.parked.CompareAndSwap(true, false) {
			h.wake <- struct{}{}
		}
	}
}

// work claims and runs tiles of the current call until none is left.
func (p *Pool) work() {
	for {
		c := p.claims.Load()
		t, tiles := c&0xffffffff, c>>32
		if t >= tiles {
			return
		}
		if p.claims.CompareAndSwap(c, c+1) {
			p.runTile(int(t))
		}
	}
}

// runTile runs tile t and counts it done, even when it panics.
func (p *Pool) runTile(t int) {
	defer func() {
		if v := recover(); v != nil {
			p.keepPanic(v)
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
	p.gen.Add(1)
	p.unpark()
	p.work()
	for i := 0; p.left.Load() != 0; i++ {
		if i&63 == 63 {
			goruntime.Gosched()
		}
	}
	p.r = nil
	if v := p.panicked.Swap(nil); v != nil {
		panic(*v)
	}
}

// Close stops the pool's goroutines. The pool must be idle.
func (p *Pool) Close() {
	if p == nil || p.quit.Swap(true) {
		return
	}
	p.gen.Add(1)
	p.unpark()
}
