package kernels

import (
	"math"
	"math/bits"
)

// Panels is the number of output-channel panels of p, the bound for the
// p0, p1 range of GemmF32.
func (p *PackedF32) Panels() int { return panels(p.N) }

// Multiplier is a real multiplier as QuantizeMultiplier splits it.
type Multiplier struct {
	Q     int32
	Shift int
}

// NewMultiplier quantizes m.
func NewMultiplier(m float64) Multiplier {
	q, s := QuantizeMultiplier(m)
	return Multiplier{q, s}
}

// Apply is MultiplyByQuantizedMultiplier(x, m).
func (m Multiplier) Apply(x int32) int32 { return MultiplyByQuantizedMultiplier(x, m.Q, m.Shift) }

// LSTMGateQ holds the constants of one gate of TFLite's integer LSTM
// (8-bit weights and activations, 16-bit gates and cell: lstm_eval's
// 8x8_16 path).
type LSTMGateQ struct {
	W, R         []int8  // input [cell×input] and recurrent [cell×output] weights
	WBias, RBias []int32 // bias plus zero-point corrections per cell
	WM, RM       Multiplier
	Peep         []int16 // nil without peephole
	PeepM        Multiplier
	LN           []int16 // layer norm coefficients, nil without
	LNBias       []int32
	LNM          Multiplier
	LNGuard      int32
}

// LSTMQ is one direction of TFLite's integer LSTM.
type LSTMQ struct {
	Gates            [4]*LSTMGateQ // input (nil with CIFG), forget, cell, output
	Input, Cell, Out int
	CellShift        int // log2 of the cell state's scale
	CellClip         int16
	ProjClip         int8
	Hidden           Multiplier
	HiddenZP         int32
	Proj             []int8 // [out×cell], nil without projection
	ProjBias         []int32
	ProjM            Multiplier
	OutZP            int32
}

// LSTMQScratch is one session's working memory for an LSTMQ.
type LSTMQScratch struct {
	gate   [4][]int16
	tanh   []int16
	hidden []int8
	// The activations as tables: logistic and tanh of the gates (3
	// integer bits), tanh of the cell state.
	sigmoid, tanhGate, tanhCell *[1 << 16]int16
}

// NewScratch allocates working memory for l.
func (l *LSTMQ) NewScratch() *LSTMQScratch {
	s := &LSTMQScratch{
		tanh: make([]int16, l.Cell), hidden: make([]int8, l.Cell),
		sigmoid: Act16Table(false, 3), tanhGate: Act16Table(true, 3), tanhCell: Act16Table(true, 15+l.CellShift),
	}
	for g := range s.gate {
		s.gate[g] = make([]int16, l.Cell)
	}
	return s
}

// matVecAcc16 adds m(bias + W·x) to each gate value, saturating to int16
// (MatrixBatchVectorMultiplyAccumulate with int16 output and zero point 0).
func matVecAcc16(w []int8, x []int8, bias []int32, m Multiplier, out []int16) {
	k := len(x)
	for r := range out {
		acc := bias[r]
		row := w[r*k : (r+1)*k]
		for i, v := range x {
			acc += int32(v) * int32(row[i])
		}
		out[r] = sat16(m.Apply(acc) + int32(out[r]))
	}
}

// gate computes one gate for the input x, output state h and cell state c
// (nil where the gate has no peephole), then applies its activation:
// logistic, or tanh for the cell gate.
func (l *LSTMQ) gate(g int, x, h []int8, c []int16, out []int16, s *LSTMQScratch) {
	p := l.Gates[g]
	clear(out)
	matVecAcc16(p.W, x, p.WBias, p.WM, out)
	matVecAcc16(p.R, h, p.RBias, p.RM, out)
	if p.Peep != nil && c != nil {
		for j := range out {
			out[j] = sat16(p.PeepM.Apply(int32(p.Peep[j])*int32(c[j])) + int32(out[j]))
		}
	}
	if p.LN != nil {
		layerNormQ16(out, p)
	}
	act := s.sigmoid
	if g == 2 {
		act = s.tanhGate
	}
	for j, v := range out {
		out[j] = act[uint16(v)]
	}
}

// Step runs one time step of one batch row: x is the input, h the output
// state (updated), c the cell state (updated); out receives h.
func (l *LSTMQ) Step(x, h []int8, c []int16, out []int8, s *LSTMQScratch) {
	in, f, cg, o := s.gate[0], s.gate[1], s.gate[2], s.gate[3]
	if l.Gates[0] != nil {
		l.gate(0, x, h, c, in, s)
	}
	l.gate(1, x, h, c, f, s)
	l.gate(2, x, h, nil, cg, s)
	// The cell update: c = f·c + i·g, with i = 1 - f under CIFG.
	shift := 30 + l.CellShift
	for j := range c {
		c1 := int16(RoundingDivideByPOT(int32(f[j])*int32(c[j]), 15))
		i := in[j]
		if l.Gates[0] == nil {
			i = math.MaxInt16 - f[j]
		}
		c2 := int16(RoundingDivideByPOT(int32(i)*int32(cg[j]), shift))
		v := sat16(int32(c1) + int32(c2))
		if l.CellClip > 0 {
			v = min(max(v, -l.CellClip), l.CellClip)
		}
		c[j] = v
	}
	l.gate(3, x, h, c, o, s)
	for j, v := range c {
		s.tanh[j] = s.tanhCell[uint16(v)]
	}
	if l.Proj == nil {
		for j := range h {
			h[j] = int8(min(max(l.Hidden.Apply(int32(o[j])*int32(s.tanh[j]))+l.HiddenZP, -128), 127))
		}
	} else {
		for j := range s.hidden {
			s.hidden[j] = int8(min(max(l.Hidden.Apply(int32(o[j])*int32(s.tanh[j]))-l.HiddenZP, -128), 127))
		}
		for r := range h {
			acc := l.ProjBias[r]
			row := l.Proj[r*l.Cell : (r+1)*l.Cell]
			for i, v := range s.hidden {
				acc += int32(v) * int32(row[i])
			}
			v := min(max(l.ProjM.Apply(acc)+l.OutZP, -128), 127)
			if l.ProjClip > 0 {
				v = min(max(v, -int32(l.ProjClip)), int32(l.ProjClip))
			}
			h[r] = int8(v)
		}
	}
	copy(out, h)
}

// layerNormQ16 normalizes one gate in place (TFLite's ApplyLayerNorm).
func layerNormQ16(v []int16, p *LSTMGateQ) {
	n := int64(len(v))
	var sum, sumSq int64
	for _, x := range v {
		sum += int64(x)
		sumSq += int64(x) * int64(x)
	}
	mean := int32(sum * 1024 / n)
	temp := int64(int32((1 << 20) / n))
	variance := sumSq*temp - int64(mean)*int64(mean)
	v2 := int32(variance / (1 << 20))
	if v2 < 1 {
		v2 = p.LNGuard
	}
	invQ, invShift := invSqrtMultiplier(v2, -1)
	for j, x := range v {
		shifted := 1024*int32(x) - mean
		rescaled := MultiplyByQuantizedMultiplier(shifted, invQ, invShift)
		// The product and sum are int32 in TFLite (they wrap there too).
		val3 := int64(rescaled*int32(p.LN[j]) + p.LNBias[j])
		if val3 > 0 {
			val3 += 512
		} else {
			val3 -= 512
		}
		val4 := int32(val3 / 1024)
		v[j] = sat16(MultiplyByQuantizedMultiplier(val4, p.LNM.Q, p.LNM.Shift+12))
	}
}

// shl32 is gemmlowp's saturating left shift of an int32 by e > 0.
func shl32(x int32, e int) int32 {
	threshold := int32(1)<<(31-e) - 1
	if x > threshold {
		return math.MaxInt32
	}
	if x < -threshold {
		return math.MinInt32
	}
	return x << e
}

// invSqrtMultiplier is TFLite's GetInvSqrtQuantizedMultiplierExp: a
// multiplier and shift for 1/sqrt(x), the shift multiplied by reverse.
func invSqrtMultiplier(x int32, reverse int) (int32, int) {
	if x <= 1 {
		return math.MaxInt32, 0
	}
	shift := 11
	for x >= 1<<29 {
		x /= 4
		shift++
	}
	pairs := (bits.LeadingZeros32(uint32(x))-1)/2 - 1
	shift -= pairs
	x <<= 2 * pairs
	// Newton-Raphson for 1/sqrt in fixed point with 3 integer bits.
	in := x >> 1
	halfIn := RoundingDivideByPOT(in, 1)
	const halfThree = 1<<28 + 1<<27
	r := int32(1 << 28)
	for range 5 {
		r3 := shl32(SaturatingRoundingDoublingHighMul(SaturatingRoundingDoublingHighMul(r, r), r), 6)
		r = shl32(SaturatingRoundingDoublingHighMul(halfThree, r)-SaturatingRoundingDoublingHighMul(halfIn, r3), 3)
	}
	r = SaturatingRoundingDoublingHighMul(r, 1518500250) // sqrt(2)/2
	if shift < 0 {
		r <<= -shift
		shift = 0
	}
	return r, shift * reverse
}
