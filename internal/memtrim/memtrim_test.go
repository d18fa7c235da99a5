package memtrim

import (
	"context"
	"testing"
	"time"
)

// TestIdle feeds Idle's loop a clock and an allocation counter: it
// releases once after each burst of work, when a period allocated little,
// and never while the process stays busy or stays idle.
func TestIdle(t *testing.T) {
	const mib = 1 << 20
	steps := []struct {
		allocs uint64 // the counter at the tick
		want   int    // releases so far
	}{
		{1 * mib, 0},             // busy
		{5 * mib, 0},             // busy
		{5*mib + 100<<10, 1},     // quiet after 5 MiB of work: release
		{5*mib + 200<<10, 1},     // quiet, nothing new since the release
		{5*mib + 300<<10, 1},     // still quiet
		{6 * mib, 1},             // busy
		{6*mib + 100<<10, 1},     // quiet after only 1 MiB since the release
		{12 * mib, 1},            // busy
		{20 * mib, 1},            // busy
		{20*mib + quietBytes, 2}, // quiet (at the threshold) after more than busyBytes: release
		{30 * mib, 2},            // busy
		{30 * mib, 3},            // quiet
	}
	// allocs and release hand over to the test, so that it knows what
	// the loop did with each tick: after a tick's counter either release
	// is called (and the counter read again) or the loop takes the next
	// tick.
	vals := make(chan uint64)
	rel := make(chan struct{})
	ticks := make(chan time.Time)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		idle(ctx, ticks, func() uint64 { return <-vals }, func() { rel <- struct{}{} })
		close(done)
	}()
	vals <- 0
	releases := 0
	settle := func(last uint64) {
		select {
		case <-rel:
			releases++
			vals <- last
			ticks <- time.Time{}
		case ticks <- time.Time{}:
		}
	}
	var last uint64
	for i, s := range steps {
		if i == 0 {
			ticks <- time.Time{}
		} else {
			settle(last)
			if prev := steps[i-1]; releases != prev.want {
				t.Fatalf("step %d (%d bytes allocated): %d releases, want %d", i-1, prev.allocs, releases, prev.want)
			}
		}
		vals <- s.allocs
		last = s.allocs
	}
	// Without a next tick, the loop ends with ctx once it is back to
	// waiting for one.
	cancel()
	select {
	case <-rel:
		releases++
		vals <- last
		<-done
	case <-done:
	}
	if s := steps[len(steps)-1]; releases != s.want {
		t.Fatalf("last step (%d bytes allocated): %d releases, want %d", s.allocs, releases, s.want)
	}
}
