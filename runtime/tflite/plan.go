package tflite

import (
	"fmt"
	"slices"
	"sort"

	"github.com/edgeinfer/edgeinfer/runtime"
)

// arenaAlign is the alignment of every tensor in the arena (a cache line,
// and enough for any SIMD load).
const arenaAlign = 64

// maxArenaBytes caps the arena of one session.
const maxArenaBytes = 1 << 30

// arenaPlan places every tensor computed at run time in one arena.
type arenaPlan struct {
	size    int
	offsets []int // per tensor; -1 for tensors without arena memory
}

// planArena assigns offsets greedily by size: larger tensors first, each at
// the lowest offset that does not overlap a placed tensor alive at the same
// time (the strategy of TFLite's ArenaPlanner).
func planArena(m *Model) (arenaPlan, error) {
	nt := len(m.tensors)
	first := make([]int, nt)
	last := make([]int, nt)
	used := make([]bool, nt)
	for i := range first {
		first[i], last[i] = -1, -1
	}
	end := len(m.nodes)
	touch := func(t, at int) {
		if !used[t] {
			used[t], first[t], last[t] = true, at, at
			return
		}
		first[t], last[t] = min(first[t], at), max(last[t], at)
	}
	for _, t := range m.inputs {
		touch(t, -1)
		touch(t, end) // inputs stay intact for the whole run
	}
	for k, n := range m.nodes {
		for _, t := range n.inputs {
			if t >= 0 {
				touch(t, k)
			}
		}
		for _, t := range n.outputs {
			touch(t, k)
		}
	}
	for _, t := range m.outputs {
		touch(t, end)
	}
	type item struct{ t, size int }
	var items []item
	for t, u := range used {
		tt := m.tensors[t]
		if !u || (tt.isConst() && !m.isGraphOutput(t)) {
			continue
		}
		if tt.resource {
			continue
		}
		if tt.variable {
			first[t], last[t] = -1, end
		}
		if tt.dtype.Size() == 0 {
			return arenaPlan{}, fmt.Errorf("%w: %s: type %s has no fixed size", runtime.ErrUnsupported, tt, tt.dtype)
		}
		items = append(items, item{t, (tt.byteSize() + arenaAlign - 1) &^ (arenaAlign - 1)})
	}
	sort.SliceStable(items, func(a, b int) bool { return items[a].size > items[b].size })

	p := arenaPlan{offsets: make([]int, nt)}
	for i := range p.offsets {
		p.offsets[i] = -1
	}
	// placed is sorted by offset, so one pass over it finds the lowest gap
	// between the tensors alive at the same time: O(tensors²) in all, with
	// no allocation per tensor.
	type span struct{ off, end, first, last int }
	var placed []span
	for _, it := range items {
		f, l := first[it.t], last[it.t]
		off := 0
		for _, s := range placed {
			if s.first > l || f > s.last {
				continue
			}
			if it.size <= s.off-off { // off+it.size <= s.off, without overflow
				break
			}
			off = max(off, s.end)
		}
		if it.size > maxArenaBytes-off {
			return arenaPlan{}, fmt.Errorf("%w: activations need more than %d bytes", runtime.ErrUnsupported, maxArenaBytes)
		}
		p.offsets[it.t] = off
		p.size = max(p.size, off+it.size)
		at := sort.Search(len(placed), func(k int) bool { return placed[k].off > off })
		placed = slices.Insert(placed, at, span{off, off + it.size, f, l})
	}
	return p, nil
}
