package kernels

// BatchMatMulQ16Run computes output batches [b0, b1) of a 16x8 or 16x16
// batched matrix product as TFLite's reference kernel does: int16 lhs,
// int8 or int16 rhs, all with zero point 0, sums in 64 bits scaled by the
// 64-bit MultiplyByQuantizedMultiplier.
func BatchMatMulQ16Run[R int8 | int16](s *BatchMatMul, q *BatchMatMulQ8, lhs []int16, rhs []R, out []int16, b0, b1 int) {
	for i := b0; i < b1; i++ {
		a := lhs[s.Lhs[i]*s.M*s.K:][:s.M*s.K]
		b := rhs[s.Rhs[i]*s.K*s.N:][:s.K*s.N]
		o := out[i*s.M*s.N:][:s.M*s.N]
		for m := range s.M {
			for n := range s.N {
				var acc int64
				for k := range s.K {
					acc += int64(a[s.lhsIndex(m, k)]) * int64(b[s.rhsIndex(k, n)])
				}
				v := MultiplyByQuantizedMultiplier64(acc, q.mult, q.shift) + q.OutZP
				o[m*s.N+n] = int16(min(max(v, q.Lo), q.Hi))
			}
		}
	}
}
