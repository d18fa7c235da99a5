package kernels

import "math"

// The int16 fixed-point logistic and tanh of gemmlowp, which TFLite's
// optimized kernels use for int16 LOGISTIC and TANH at power-of-two input
// scales (an input in Q3.12, 2^-12; TANH also at 2^-11, doubled first). A
// value with k integer bits is an int16 raw r meaning r·2^(k-15). Sums
// wrap as int16 arithmetic does in C after promotion; products are the
// saturating rounding doubling high multiply (ARM's VQRDMULH).

// fpMul is gemmlowp's SaturatingRoundingDoublingHighMul for int16.
func fpMul(a, b int16) int16 {
	if a == b && a == math.MinInt16 {
		return math.MaxInt16
	}
	ab := int32(a) * int32(b)
	nudge := int32(1 << 14)
	if ab < 0 {
		nudge = 1 - 1<<14
	}
	return int16((ab + nudge) / (1 << 15))
}

// fpDivPOT divides by 2^e rounding to nearest, ties away from zero.
func fpDivPOT(x int16, e uint) int16 {
	mask := int16(1)<<e - 1
	threshold := mask >> 1
	if x < 0 {
		threshold++
	}
	r := x >> e
	if x&mask > threshold {
		r++
	}
	return r
}

// fpMulPOT multiplies by 2^e (e > 0), saturating.
func fpMulPOT(x int16, e uint) int16 {
	threshold := int16(1)<<(15-e) - 1
	switch {
	case x > threshold:
		return math.MaxInt16
	case x < -threshold:
		return math.MinInt16
	}
	return x << e
}

// fpConst is a gemmlowp constant given in 32-bit raw form, rounded to 16
// bits.
func fpConst(v int32) int16 {
	mask := int32(1)<<16 - 1
	threshold := mask >> 1
	if v < 0 {
		threshold++
	}
	r := v >> 16
	if v&mask > threshold {
		r++
	}
	return int16(r)
}

var (
	fpExpMinus1Over8 = fpConst(1895147668)
	fpOneThird       = fpConst(715827883)
	fp48Over17       = fpConst(1515870810)  // Q2.13
	fpMinus32Over17  = fpConst(-1010580540) // Q2.13
	// fpExpBarrel are exp(-2^e) for e = -2 … 4.
	fpExpBarrel = [...]int16{fpConst(1672461947), fpConst(1302514674), fpConst(790015084), fpConst(290630308), fpConst(39332535), fpConst(720401), fpConst(242)}
)

// fpExpSmall is exp(a) for a in [-1/4, 0), Q0.15 in and out.
func fpExpSmall(a int16) int16 {
	x := a + 1<<12
	x2 := fpMul(x, x)
	x3 := fpMul(x2, x)
	x4 := fpMul(x2, x2)
	t := fpDivPOT(fpMul(fpDivPOT(x4, 2)+x3, fpOneThird)+x2, 1)
	s := int32(fpExpMinus1Over8) + int32(fpMul(fpExpMinus1Over8, x+t))
	return int16(min(max(s, math.MinInt16), math.MaxInt16))
}

// fpExpNeg is exp(a) for a ≤ 0 with k integer bits (k ≤ 5), in Q0.15.
func fpExpNeg(a int16, k uint) int16 {
	frac := 15 - k
	quarter := int16(1) << (frac - 2)
	amq := a&(quarter-1) - quarter
	arg := amq
	if k > 0 {
		arg = fpMulPOT(amq, k)
	}
	r := fpExpSmall(arg)
	rem := amq - a
	for i, m := range fpExpBarrel {
		e := i - 2
		if int(k) > e && rem&(int16(1)<<(int(frac)+e)) != 0 {
			r = fpMul(r, m)
		}
	}
	if a == 0 {
		return math.MaxInt16
	}
	return r
}

// fpRecip runs gemmlowp's Newton-Raphson division for a in (0, 1), Q0.15:
// it returns about 1/((1+a)/2) in Q2.13.
func fpRecip(a int16) int16 {
	sum := int32(a) + math.MaxInt16
	sign := int32(1)
	if sum < 0 {
		sign = -1
	}
	half := int16((sum + sign) / 2)
	x := fp48Over17 + fpMul(half, fpMinus32Over17)
	for range 3 {
		x += fpMulPOT(fpMul(x, 1<<13-fpMul(half, x)), 2)
	}
	return x
}

// LogisticFixed16 is gemmlowp's logistic of a Q3.12 value, in Q0.15.
func LogisticFixed16(a int16) int16 {
	if a == 0 {
		return 1 << 14
	}
	abs := a
	if a <= 0 {
		abs = -a
	}
	pos := fpMulPOT(fpRecip(fpExpNeg(-abs, 3)), 1)
	if a > 0 {
		return pos
	}
	return math.MaxInt16 - pos
}

// TanhFixed16 is gemmlowp's tanh of a Q3.12 value, in Q0.15.
func TanhFixed16(a int16) int16 {
	if a == 0 {
		return 0
	}
	n := a
	if a >= 0 {
		n = -a
	}
	t := fpMulPOT(fpRecip(fpExpNeg(n, 4))-1<<13, 2)
	if a < 0 {
		return -t
	}
	return t
}
