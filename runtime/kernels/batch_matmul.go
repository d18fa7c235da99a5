package kernels

// BatchMatMul is the geometry of a batched matrix product out = lhs·rhs
// over broadcast batch dimensions: each output batch i multiplies lhs
// matrix Lhs[i] ([M×K], or [K×M] stored when AdjX) by rhs matrix Rhs[i]
// ([K×N], or [N×K] stored when AdjY) into an [M×N] matrix.
type BatchMatMul struct {
	M, K, N    int
	AdjX, AdjY bool
	// Lhs and Rhs give, per output batch, the operands' batch indices.
	Lhs, Rhs []int
}

// lhsIndex and rhsIndex locate element (m, k) of an lhs matrix and (k, n)
// of an rhs matrix.
func (s *BatchMatMul) lhsIndex(m, k int) int {
	if s.AdjX {
		return k*s.M + m
	}
	return m*s.K + k
}

func (s *BatchMatMul) rhsIndex(k, n int) int {
	if s.AdjY {
		return n*s.K + k
	}
	return k*s.N + n
}

// RowsLHS copies lhs matrix i into dst as M rows of K values (transposing
// it when AdjX).
func (s *BatchMatMul) RowsLHS(lhs []float32, i int, dst []float32) []float32 {
	a := lhs[s.Lhs[i]*s.M*s.K:][:s.M*s.K]
	if !s.AdjX {
		return a
	}
	for m := range s.M {
		for k := range s.K {
			dst[m*s.K+k] = a[k*s.M+m]
		}
	}
	return dst[:s.M*s.K]
}

// WeightsRHS returns rhs matrix j as N rows of K values (the layout of
// packed weights).
func WeightsRHS[T any](s *BatchMatMul, rhs []T, j int) []T {
	b := rhs[j*s.K*s.N:][:s.K*s.N]
	w := make([]T, s.N*s.K)
	for n := range s.N {
		for k := range s.K {
			w[n*s.K+k] = b[s.rhsIndex(k, n)]
		}
	}
	return w
}

// BatchMatMulF32 computes output batches [b0, b1) of float32 operands.
func BatchMatMulF32(s *BatchMatMul, lhs, rhs, out []float32, b0, b1 int) {
	for i := b0; i < b1; i++ {
		a := lhs[s.Lhs[i]*s.M*s.K:][:s.M*s.K]
		b := rhs[s.Rhs[i]*s.K*s.N:][:s.K*s.N]
		o := out[i*s.M*s.N:][:s.M*s.N]
		for m := range s.M {
			row := o[m*s.N : (m+1)*s.N]
			if s.AdjY {
				for n := range row {
					var acc float32
					br := b[n*s.K : (n+1)*s.K]
					for k, v := range br {
						acc += a[s.lhsIndex(m, k)] * v
					}
					row[n] = acc
				}
				continue
			}
			clear(row)
			for k := range s.K {
				x := a[s.lhsIndex(m, k)]
				for n, v := range b[k*s.N : (k+1)*s.N] {
					row[n] += x * v
				}
			}
		}
	}
}

// BatchMatMulQ8 is the requantization of an 8-bit batched matrix product
// as TFLite's reference kernel does it: Σ (lhs - lhsZP)·(rhs - rhsZP)
// scaled by the fixed-point multiplier of lhsScale·rhsScale/outScale.
type BatchMatMulQ8 struct {
	LhsZP, RhsZP, OutZP int32
	mult                int32
	shift               int
	Lo, Hi              int32
}

// NewBatchMatMulQ8 prepares the requantization.
func NewBatchMatMulQ8(lhs, rhs, out QParams, lo, hi int32) *BatchMatMulQ8 {
	q := &BatchMatMulQ8{LhsZP: lhs.Zero, RhsZP: rhs.Zero, OutZP: out.Zero, Lo: lo, Hi: hi}
	q.mult, q.shift = QuantizeMultiplier(float64(lhs.Scale) * float64(rhs.Scale) / float64(out.Scale))
	return q
}

// BatchMatMulQ8Run computes output batches [b0, b1) of 8-bit operands.
func BatchMatMulQ8Run[T Q8](s *BatchMatMul, q *BatchMatMulQ8, lhs, rhs, out []T, b0, b1 int) {
	for i := b0; i < b1; i++ {
		a := lhs[s.Lhs[i]*s.M*s.K:][:s.M*s.K]
		b := rhs[s.Rhs[i]*s.K*s.N:][:s.K*s.N]
		o := out[i*s.M*s.N:][:s.M*s.N]
		for m := range s.M {
			for n := range s.N {
				var acc int32
				for k := range s.K {
					acc += (int32(a[s.lhsIndex(m, k)]) - q.LhsZP) * (int32(b[s.rhsIndex(k, n)]) - q.RhsZP)
				}
				v := MultiplyByQuantizedMultiplier(acc, q.mult, q.shift) + q.OutZP
				o[m*s.N+n] = T(min(max(v, q.Lo), q.Hi))
			}
		}
	}
}
