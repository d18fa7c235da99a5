// Package memtrim gives the kernel back memory the process holds but no
// longer touches: the Go heap's free pages, and the pages of the
// executable that starting up and loading models ran through (flag and
// config parsing, every package's initialisation, the model loader).
// Release does it once; Idle does it each time the process goes quiet
// after a burst of work.
//
// The executable's pages stay in the page cache: what leaves is their
// mapping into this process (its resident set), and the kernel may then
// reclaim them first when memory runs short. Code that runs again maps its
// pages back from the page cache on first touch (minor faults, no disk
// read while they stay cached).
package memtrim

import (
	"context"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// Release returns the Go heap's free pages to the kernel (after a garbage
// collection) and, on Linux, advises the kernel that the executable's
// read-only pages may leave the resident set. It returns the size of the
// executable's mappings so advised. An error says why the executable's
// pages could not be advised; the heap is released either way.
func Release() (int64, error) {
	debug.FreeOSMemory()
	return releaseExecutable()
}

// Thresholds of Idle, in bytes allocated on the Go heap.
const (
	// busyBytes allocated since the last release make a release worth
	// its garbage collection: a few requests or a model load.
	busyBytes = 4 << 20
	// quietBytes or less allocated over one period is quiet: timers and
	// background uploads, no requests.
	quietBytes = 256 << 10
)

// Idle calls release each time the process has allocated busyBytes or
// more on the Go heap since the last call and then at most quietBytes
// over one whole period: once after each burst of work, never while the
// process stays busy or stays idle. It returns when ctx ends.
func Idle(ctx context.Context, every time.Duration, release func()) {
	t := time.NewTicker(every)
	defer t.Stop()
	idle(ctx, t.C, heapAllocs, release)
}

// idle is Idle with its clock and allocation counter given.
func idle(ctx context.Context, ticks <-chan time.Time, allocs func() uint64, release func()) {
	last := allocs()
	released := last
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticks:
		}
		now := allocs()
		if now-last <= quietBytes && now-released >= busyBytes {
			release()
			now = allocs()
			released = now
		}
		last = now
	}
}

// heapAllocs is the number of bytes allocated on the Go heap since the
// process started.
func heapAllocs() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}
