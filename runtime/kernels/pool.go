package kernels

import (
	"sync"
	"sync/atomic"
)

// Ranger is a piece of work over the index range [lo, hi). Kernels that can
// be split implement it so a Pool can hand slices of the range to workers.
type Ranger interface {
	Range(lo, hi int)
}

// Pool runs Rangers on a fixed set of goroutines. A nil or one-worker Pool
// runs everything on the calling goroutine. A Pool serves one caller at a
// time (one Session); it allocates nothing per call.
type Pool struct {
	workers int
	jobs    chan job
	wg      sync.WaitGroup
	// panicked keeps the first panic of a helper goroutine during a
	// Parallel call, which raises it again on the caller's goroutine (where
	// the caller can recover it; a helper's panic would end the process).
	panicked atomic.Pointer[any]
}

type job struct {
	r      Ranger
	lo, hi int
}

// NewPool starts workers-1 helper goroutines; the caller is the last worker.
func NewPool(workers int) *Pool {
	if workers < 1 {
		workers = 1
	}
	p := &Pool{workers: workers}
	if workers > 1 {
		p.jobs = make(chan job, workers)
		for i := 1; i < workers; i++ {
			go p.loop(p.jobs)
		}
	}
	return p
}

// loop serves jobs; it takes the channel as an argument because Close
// clears the field.
func (p *Pool) loop(jobs <-chan job) {
	for j := range jobs {
		p.runJob(j)
	}
}

func (p *Pool) runJob(j job) {
	defer p.wg.Done()
	defer func() {
		if v := recover(); v != nil {
			p.keepPanic(v)
		}
	}()
	j.r.Range(j.lo, j.hi)
}

// keepPanic records the first panic of a Parallel call (apart from
// runJob, so that only a panic allocates).
func (p *Pool) keepPanic(v any) { p.panicked.CompareAndSwap(nil, &v) }

// Workers is the number of goroutines work is split across.
func (p *Pool) Workers() int {
	if p == nil {
		return 1
	}
	return p.workers
}

// Parallel runs r over [0, n) split into at most Workers chunks of at least
// minChunk indices each, and returns when all chunks are done.
func (p *Pool) Parallel(n, minChunk int, r Ranger) {
	if n <= 0 {
		return
	}
	chunks := p.Workers()
	if minChunk < 1 {
		minChunk = 1
	}
	if c := n / minChunk; c < chunks {
		chunks = c
	}
	if chunks <= 1 {
		r.Range(0, n)
		return
	}
	step := (n + chunks - 1) / chunks
	p.wg.Add(chunks - 1)
	lo := step
	for i := 1; i < chunks; i++ {
		hi := min(lo+step, n)
		p.jobs <- job{r: r, lo: lo, hi: hi}
		lo = hi
	}
	defer func() {
		p.wg.Wait()
		if v := p.panicked.Swap(nil); v != nil {
			panic(*v)
		}
	}()
	r.Range(0, step)
}

// Close stops the pool's goroutines. The pool must be idle.
func (p *Pool) Close() {
	if p != nil && p.jobs != nil {
		close(p.jobs)
		p.jobs = nil
	}
}
