package kernels

// PReluF32 computes out = x >= 0 ? x : x·alpha for the output elements
// [from, to) of the broadcast p of x and alpha.
func PReluF32(x, alpha, out []float32, p *Broadcast, from, to int) {
	sa, sb := p.innerSteps()
	it := p.runs(from, to)
	for {
		o, ao, bo, n := it.next()
		if n == 0 {
			return
		}
		xs, as, z := span(x, ao, n, sa), span(alpha, bo, n, sb), out[o:o+n]
		for i := range z {
			v := xs[i*sa]
			if v < 0 {
				v *= as[i*sb]
			}
			z[i] = v
		}
	}
}

// PReluQ8 is an 8-bit PRELU as TFLite's reference kernel computes it:
// non-negative inputs are rescaled by in/out, negative ones multiplied by
// alpha and rescaled by in·alpha/out, both with TFLite's fixed-point
// multipliers.
type PReluQ8 struct {
	inZP, alphaZP, outZP int32
	pos, neg             int32
	posShift, negShift   int
	lo, hi               int32
}

// NewPReluQ8 prepares an 8-bit PRELU whose output type spans [lo, hi].
func NewPReluQ8(in, alpha, out QParams, lo, hi int32) PReluQ8 {
	q := PReluQ8{inZP: in.Zero, alphaZP: alpha.Zero, outZP: out.Zero, lo: lo, hi: hi}
	q.pos, q.posShift = QuantizeMultiplier(float64(in.Scale) / float64(out.Scale))
	q.neg, q.negShift = QuantizeMultiplier(float64(in.Scale) * float64(alpha.Scale) / float64(out.Scale))
	return q
}

// PReluQ8Run computes the output elements [from, to) of the broadcast p
// of x and alpha.
func PReluQ8Run[T Q8](q *PReluQ8, x, alpha, out []T, p *Broadcast, from, to int) {
	sa, sb := p.innerSteps()
	it := p.runs(from, to)
	for {
		o, ao, bo, n := it.next()
		if n == 0 {
			return
		}
		xs, as, z := span(x, ao, n, sa), span(alpha, bo, n, sb), out[o:o+n]
		for i := range z {
			v := int32(xs[i*sa]) - q.inZP
			if v >= 0 {
				v = MultiplyByQuantizedMultiplier(v, q.pos, q.posShift)
			} else {
				v = MultiplyByQuantizedMultiplier(v*(int32(as[i*sb])-q.alphaZP), q.neg, q.negShift)
			}
			z[i] = T(min(max(v+q.outZP, q.lo), q.hi))
		}
	}
}
