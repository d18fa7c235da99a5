//go:build !noota

package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// progress shows a transfer's progress: a bar redrawn in place on a
// terminal, or a plain line every 10% otherwise.
type progress struct {
	w     io.Writer
	label string
	total int64
	tty   bool

	mu    sync.Mutex
	done  int64
	last  int // percent last printed (plain) or drawn; -10 before the first
	start time.Time
	drawn time.Time
}

func newProgress(w io.Writer, label string, total int64) *progress {
	return &progress{w: w, label: label, total: total, tty: isTerminal(w), last: -10, start: time.Now()}
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// add counts n more bytes done.
func (p *progress) add(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done += int64(n)
	pct := 100
	if p.total > 0 {
		pct = int(min(p.done, p.total) * 100 / p.total)
	}
	switch {
	case p.tty && (pct != p.last || time.Since(p.drawn) > 200*time.Millisecond):
		const width = 30
		fill := pct * width / 100
		bar := make([]byte, width)
		for i := range bar {
			bar[i] = ' '
			if i < fill {
				bar[i] = '='
			}
		}
		fmt.Fprintf(p.w, "\r%s [%s] %3d%% %s/%s %s/s ", p.label, bar, pct, size(p.done), size(p.total), size(p.rate()))
		p.drawn = time.Now()
	case !p.tty && pct/10 != p.last/10:
		fmt.Fprintf(p.w, "%s %d%% (%s of %s)\n", p.label, pct, size(p.done), size(p.total))
	}
	p.last = pct
}

func (p *progress) rate() int64 {
	s := time.Since(p.start).Seconds()
	if s <= 0 {
		return 0
	}
	return int64(float64(p.done) / s)
}

// finish ends the bar's line on a terminal.
func (p *progress) finish() {
	if p.tty {
		fmt.Fprintln(p.w)
	}
}

// size renders a byte count: 812 B, 3.9 MB.
func size(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f kB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
