package kernels

// SVDFQ is an integer SVDF layer (TFLite's EvalIntegerSVDF, and TFLite
// Micro's with 8-bit state): int8 input and feature weights, time weights
// and state of type T (int16, or int8 with a zero point), int32 bias, int8
// output.
type SVDFQ struct {
	Rank, Input, Filters, Memory int
	WF                           []int8 // feature weights [filters×input]
	Bias                         []int32
	InZP, StateZP, OutZP         int32
	M1, M2                       Multiplier // input·feature → state, state·time → output
}

// SVDFQRun runs one step for batch rows of input x: the state (batch ×
// filters × memory) shifts left by one, the newest column receives the
// feature products, and out (batch × filters/rank) the time products.
// scratch holds filters values, acc filters/rank.
func SVDFQRun[T int8 | int16](s *SVDFQ, wt []T, x []int8, state []T, out []int8, scratch, acc []int32, batch int) {
	lo, hi := int32(-1<<15), int32(1<<15-1)
	var zero T
	if any(zero) == any(int8(0)) {
		lo, hi = -128, 127
	}
	copy(state, state[1:])
	units := s.Filters / s.Rank
	for b := range batch {
		xb := x[b*s.Input : (b+1)*s.Input]
		st := state[b*s.Filters*s.Memory : (b+1)*s.Filters*s.Memory]
		for r := range s.Filters {
			var dot int32
			for i, w := range s.WF[r*s.Input : (r+1)*s.Input] {
				dot += int32(w) * (int32(xb[i]) - s.InZP)
			}
			v := s.M1.Apply(dot) + s.StateZP
			st[r*s.Memory+s.Memory-1] = T(min(max(v, lo), hi))
		}
		for r := range s.Filters {
			var dot int32
			row := st[r*s.Memory : (r+1)*s.Memory]
			for m, w := range wt[r*s.Memory : (r+1)*s.Memory] {
				dot += int32(w) * (int32(row[m]) - s.StateZP)
			}
			scratch[r] = dot
		}
		for u := range units {
			var sum int32
			if s.Bias != nil {
				sum = s.Bias[u]
			}
			for k := range s.Rank {
				sum += scratch[u*s.Rank+k]
			}
			acc[u] = sum
		}
		ob := out[b*units : (b+1)*units]
		for u, v := range acc[:units] {
			ob[u] = int8(min(max(s.M2.Apply(v)+s.OutZP, -128), 127))
		}
	}
}
