package kernels

import (
	"math"
	"sync"
)

// 16-bit fixed-point arithmetic as gemmlowp's fixedpoint.h defines it for
// int16 raw values: a value with b integer bits is raw·2^(b-15). TFLite's
// integer LSTM computes its gate activations with these (gemmlowp::logistic
// and gemmlowp::tanh on FixedPoint<int16_t, N>), so the functions below
// follow that code operation for operation, including its wrapping int16
// additions.

// srdhm16 is SaturatingRoundingDoublingHighMul on int16.
func srdhm16(a, b int16) int16 {
	if a == b && a == math.MinInt16 {
		return math.MaxInt16
	}
	ab := int32(a) * int32(b)
	nudge := int32(1 << 14)
	if ab < 0 {
		nudge = 1 - (1 << 14)
	}
	return int16((ab + nudge) / (1 << 15))
}

// rdbpot16 is RoundingDivideByPOT on int16.
func rdbpot16(x int16, e int) int16 {
	mask := int16(1<<e - 1)
	remainder := x & mask
	threshold := mask >> 1
	if x < 0 {
		threshold++
	}
	r := x >> e
	if remainder > threshold {
		r++
	}
	return r
}

// srmpot16 is SaturatingRoundingMultiplyByPOT: a saturating left shift for
// e > 0, a rounding right shift for e < 0.
func srmpot16(x int16, e int) int16 {
	switch {
	case e > 0:
		threshold := int16(1<<(15-e) - 1)
		if x > threshold {
			return math.MaxInt16
		}
		if x < -threshold {
			return math.MinInt16
		}
		return x << e
	case e < 0:
		return rdbpot16(x, -e)
	}
	return x
}

// const16 is gemmlowp's 16-bit constant from a 32-bit raw value.
func const16(v int32) int16 { return int16(RoundingDivideByPOT(v, 16)) }

// addSat16 adds with saturation (AddSaturatingIf16Bit).
func addSat16(a, b int16) int16 {
	return int16(min(max(int32(a)+int32(b), math.MinInt16), math.MaxInt16))
}

// roundingHalfSum16 is (a+b)/2 rounded away from zero.
func roundingHalfSum16(a, b int16) int16 {
	s := int32(a) + int32(b)
	sign := int32(1)
	if s < 0 {
		sign = -1
	}
	return int16((s + sign) / 2)
}

// expQuarter16 returns exp(a) for a in [-1/4, 0), a with 0 integer bits.
func expQuarter16(a int16) int16 {
	constantTerm := const16(1895147668) // exp(-1/8)
	oneThird := const16(715827883)
	x := a + 1<<12 // a + 1/8
	x2 := srdhm16(x, x)
	x3 := srdhm16(x2, x)
	x4 := srdhm16(x2, x2)
	x4over4 := srmpot16(x4, -2)
	poly := srmpot16(srdhm16(x4over4+x3, oneThird)+x2, -1)
	return addSat16(constantTerm, srdhm16(constantTerm, x+poly))
}

// expBarrel holds exp(-2^e) as 32-bit raw values with 0 integer bits, for
// e = -2 … 4.
var expBarrel = [...]int32{1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242}

// expNeg16 returns exp(a) (0 integer bits) for a <= 0 with intBits integer
// bits (exp_on_negative_values).
func expNeg16(a int16, intBits int) int16 {
	frac := 15 - intBits
	quarter := int16(1) << (frac - 2)
	mask := quarter - 1
	aMod := (a & mask) - quarter
	result := expQuarter16(srmpot16(aMod, intBits))
	remainder := aMod - a
	for i, m := range expBarrel {
		e := i - 2
		if intBits > e && remainder&(int16(1)<<(frac+e)) != 0 {
			result = srdhm16(result, const16(m))
		}
	}
	if intBits > 5 {
		if a < const16(-(1 << (36 - intBits))) {
			result = 0
		}
	}
	if a == 0 {
		result = math.MaxInt16
	}
	return result
}

// newtonRecip16 runs gemmlowp's three Newton-Raphson steps for 1/(1+a)
// with a in (0, 1) (0 integer bits) and returns x ≈ 2/(1+a) with 2 integer
// bits.
func newtonRecip16(a int16) int16 {
	const one2 = int16(1 << 13) // 1.0 with 2 integer bits
	half := roundingHalfSum16(a, math.MaxInt16)
	x := const16(1515870810) + srdhm16(half, const16(-1010580540)) // 48/17 - 32/17·half
	for range 3 {
		hx := srdhm16(half, x)
		x += srmpot16(srdhm16(x, one2-hx), 2)
	}
	return x
}

// Logistic16 returns 1/(1+exp(-x)) with 0 integer bits (so 32767 ≈ 1) for
// x with intBits integer bits, as gemmlowp::logistic computes it.
func Logistic16(x int16, intBits int) int16 {
	if x == 0 {
		return const16(1 << 30)
	}
	abs := x
	if x < 0 {
		abs = -x
	}
	pos := srmpot16(newtonRecip16(expNeg16(-abs, intBits)), 1)
	if x > 0 {
		return pos
	}
	return math.MaxInt16 - pos
}

// Tanh16 returns tanh(x) with 0 integer bits for x with intBits integer
// bits, as gemmlowp::tanh computes it.
func Tanh16(x int16, intBits int) int16 {
	if x == 0 {
		return 0
	}
	n := -x
	if x < 0 {
		n = x
	}
	const one2 = int16(1 << 13)
	t := srmpot16(newtonRecip16(expNeg16(n, intBits+1))-one2, 2)
	if x < 0 {
		return -t
	}
	return t
}

// act16Tables caches Act16Table's tables.
var act16Tables sync.Map

// Act16Table returns the table of Tanh16 (tanh true) or Logistic16 for
// every int16 input with intBits integer bits, indexed by uint16(x). The
// tables are built on first use and shared (128 KB each).
func Act16Table(tanh bool, intBits int) *[1 << 16]int16 {
	key := intBits
	if tanh {
		key += 64
	}
	if t, ok := act16Tables.Load(key); ok {
		return t.(*[1 << 16]int16)
	}
	t := new([1 << 16]int16)
	for v := math.MinInt16; v <= math.MaxInt16; v++ {
		if tanh {
			t[uint16(v)] = Tanh16(int16(v), intBits)
		} else {
			t[uint16(v)] = Logistic16(int16(v), intBits)
		}
	}
	actual, _ := act16Tables.LoadOrStore(key, t)
	return actual.(*[1 << 16]int16)
}
