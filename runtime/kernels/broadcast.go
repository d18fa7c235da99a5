package kernels

import "fmt"

// MaxBroadcastRank is the largest output rank a Broadcast plans.
const MaxBroadcastRank = 8

// Broadcast maps each element of a binary operator's output onto the
// elements of its two operands under NumPy broadcasting rules. Dimensions of
// size 1 are dropped and neighbouring dimensions that broadcast alike are
// merged, so same-shape operands become one run over the whole tensor and a
// scalar operand becomes a stride of zero.
type Broadcast struct {
	rank   int
	n      int
	dims   [MaxBroadcastRank]int // collapsed output dimensions, outermost first
	sa, sb [MaxBroadcastRank]int // operand strides per dimension; 0 where broadcast
}

// NewBroadcast plans out = a op b for the given shapes. out must be the
// broadcast shape of a and b.
func NewBroadcast(a, b, out []int) (Broadcast, error) {
	var p Broadcast
	r := len(out)
	if r > MaxBroadcastRank || len(a) > r || len(b) > r {
		return p, fmt.Errorf("shapes %v and %v do not broadcast to %v (rank limit %d)", a, b, out, MaxBroadcastRank)
	}
	dim := func(s []int, i int) int { // i counts from the innermost dimension
		if i < len(s) {
			return s[len(s)-1-i]
		}
		return 1
	}
	// Collapse from the outermost dimension inwards.
	var ba, bb [MaxBroadcastRank]bool
	p.n = 1
	for i := r - 1; i >= 0; i-- {
		da, db, do := dim(a, i), dim(b, i), dim(out, i)
		want := da
		switch {
		case da == db:
		case da == 1:
			want = db
		case db == 1:
		default:
			return p, fmt.Errorf("shapes %v and %v do not broadcast", a, b)
		}
		if do != want {
			return p, fmt.Errorf("output shape %v is not the broadcast of %v and %v", out, a, b)
		}
		p.n *= do
		if do == 1 {
			continue
		}
		xa, xb := da == 1, db == 1
		if k := p.rank - 1; k >= 0 && ba[k] == xa && bb[k] == xb {
			p.dims[k] *= do
			continue
		}
		p.dims[p.rank], ba[p.rank], bb[p.rank] = do, xa, xb
		p.rank++
	}
	if p.rank == 0 {
		p.rank, p.dims[0] = 1, 1
	}
	ea, eb := 1, 1
	for k := p.rank - 1; k >= 0; k-- {
		if !ba[k] {
			p.sa[k] = ea
			ea *= p.dims[k]
		}
		if !bb[k] {
			p.sb[k] = eb
			eb *= p.dims[k]
		}
	}
	if p.n == 1 {
		p.sa[0], p.sb[0] = 1, 1
	}
	return p, nil
}

// Len is the number of output elements.
func (p *Broadcast) Len() int { return p.n }

// innerSteps returns the strides (0 or 1) of a and b along the innermost run.
func (p *Broadcast) innerSteps() (sa, sb int) {
	return p.sa[p.rank-1], p.sb[p.rank-1]
}

// periodic reports whether the output is two collapsed dimensions along
// which a runs contiguously while b repeats its innermost period elements
// (an operand like [1,1,1,C] against [1,H,W,C]), with period below
// maxPeriod.
func (p *Broadcast) periodic(maxPeriod int) (period int, ok bool) {
	if p.rank != 2 || p.dims[1] >= maxPeriod {
		return 0, false
	}
	d := p.dims[1]
	return d, p.sa[0] == d && p.sa[1] == 1 && p.sb[0] == 0 && p.sb[1] == 1
}

// runs walks the output range [lo, hi) as contiguous runs along the
// innermost dimension.
type runs struct {
	p      *Broadcast
	idx    [MaxBroadcastRank]int
	o, hi  int
	ao, bo int
}

func (p *Broadcast) runs(lo, hi int) runs {
	it := runs{p: p, o: lo, hi: hi}
	rem := lo
	for k := p.rank - 1; k >= 0 && rem > 0; k-- {
		d := p.dims[k]
		it.idx[k] = rem % d
		rem /= d
		it.ao += it.idx[k] * p.sa[k]
		it.bo += it.idx[k] * p.sb[k]
	}
	return it
}

// next returns the next run: n output elements from offset o, reading a
// from offset ao and b from offset bo. n is 0 when the range is done.
func (it *runs) next() (o, ao, bo, n int) {
	if it.o >= it.hi {
		return 0, 0, 0, 0
	}
	p := it.p
	last := p.rank - 1
	n = min(p.dims[last]-it.idx[last], it.hi-it.o)
	o, ao, bo = it.o, it.ao, it.bo
	it.o += n
	it.idx[last] += n
	it.ao += n * p.sa[last]
	it.bo += n * p.sb[last]
	for k := last; k > 0 && it.idx[k] == p.dims[k]; k-- {
		it.ao += p.sa[k-1] - p.dims[k]*p.sa[k]
		it.bo += p.sb[k-1] - p.dims[k]*p.sb[k]
		it.idx[k] = 0
		it.idx[k-1]++
	}
	return o, ao, bo, n
}

// span returns the part of s a run of n elements with the given step reads.
func span[T any](s []T, off, n, step int) []T {
	if step == 0 {
		return s[off : off+1]
	}
	return s[off : off+n]
}
