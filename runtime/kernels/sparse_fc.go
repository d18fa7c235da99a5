package kernels

// SparseFC is a fully connected layer whose weights [units×depth] are
// mostly zero: each unit keeps only its blocks of Block consecutive
// weights that hold a non-zero value (TFLite's sparse FULLY_CONNECTED:
// random sparsity is Block 1, the converter's block formats 1×4 and 1×16).
// The work is proportional to the weights kept.
type SparseFC[W float32 | int8] struct {
	Units, Depth, Block int
	// rows[u]..rows[u+1] are the blocks of unit u: block i starts at
	// column cols[i] and holds vals[i·Block:(i+1)·Block].
	rows []int32
	cols []int32
	vals []W
}

// NewSparseFC keeps the non-zero blocks of the dense weights w, which
// must have depth divisible by block.
func NewSparseFC[W float32 | int8](w []W, units, depth, block int) *SparseFC[W] {
	s := &SparseFC[W]{Units: units, Depth: depth, Block: block, rows: make([]int32, 1, units+1)}
	for u := range units {
		for c := 0; c < depth; c += block {
			blk := w[u*depth+c : u*depth+c+block]
			for _, v := range blk {
				if v != 0 {
					s.cols = append(s.cols, int32(c))
					s.vals = append(s.vals, blk...)
					break
				}
			}
		}
		s.rows = append(s.rows, int32(len(s.cols)))
	}
	return s
}

// Kept is the number of weights kept.
func (s *SparseFC[W]) Kept() int { return len(s.vals) }

// SparseFCF32 computes the float32 outputs [o0, o1) (index batch·Units+unit):
// clamp(bias[unit] + Σ w·x, lo, hi); bias may be nil.
func SparseFCF32(s *SparseFC[float32], in, bias, out []float32, lo, hi float32, o0, o1 int) {
	b := s.Block
	for o := o0; o < o1; o++ {
		u := o % s.Units
		x := in[(o/s.Units)*s.Depth:][:s.Depth]
		var acc float32
		for i := s.rows[u]; i < s.rows[u+1]; i++ {
			xs := x[s.cols[i]:][:b]
			for j, w := range s.vals[int(i)*b:][:b] {
				acc += w * xs[j]
			}
		}
		if bias != nil {
			acc += bias[u]
		}
		out[o] = min(max(acc, lo), hi)
	}
}

// SparseFCQ computes the 8-bit outputs [o0, o1) of int8 weights: the sums
// Σ w·(x - inZP) requantized by rq, whose bias holds the layer's bias.
func SparseFCQ[T Quant8](s *SparseFC[int8], in []T, inZP int32, rq *Requant, out []T, o0, o1 int) {
	b := s.Block
	var acc [1]int32
	for o := o0; o < o1; o++ {
		u := o % s.Units
		x := in[(o/s.Units)*s.Depth:][:s.Depth]
		var sum int32
		for i := s.rows[u]; i < s.rows[u+1]; i++ {
			xs := x[s.cols[i]:][:b]
			for j, w := range s.vals[int(i)*b:][:b] {
				sum += int32(w) * (int32(xs[j]) - inZP)
			}
		}
		acc[0] = sum
		requantRow(rq, out[o:o+1], acc[:], u)
	}
}
