//go:build !purego

#include "textflag.h"

// ADDQ8 computes 16 (or, masked by K1, fewer) outputs of the XNNPACK
// scheme of AddQ8 from the 8-bit values at (SI) and (DI), widened with
// ext, into (DX): clamp((bias + x·ma + y·mb) >> shift + zero, lo, hi).
#define ADDQ8(ext, mask) \
	ext (SI), mask, Z0; \
	ext (DI), mask, Z1; \
	VPMULLD Z10, Z0, Z0; \
	VPMULLD Z11, Z1, Z1; \
	VPADDD Z12, Z0, Z0; \
	VPADDD Z1, Z0, Z0; \
	VPSRAD X13, Z0, Z0; \
	VPADDD Z14, Z0, Z0; \
	VPMAXSD Z15, Z0, Z0; \
	VPMINSD Z16, Z0, Z0; \
	VPMOVDB Z0, mask, (DX)

// func addQ8AVX512(x, y, z *byte, n int, ma, mb, bias, shift, zero, lo, hi, signed int32)
TEXT ·addQ8AVX512(SB), NOSPLIT, $0-64
	MOVQ x+0(FP), SI
	MOVQ y+8(FP), DI
	MOVQ z+16(FP), DX
	MOVQ n+24(FP), CX
	MOVL ma+32(FP), AX
	VPBROADCASTD AX, Z10
	MOVL mb+36(FP), AX
	VPBROADCASTD AX, Z11
	MOVL bias+40(FP), AX
	VPBROADCASTD AX, Z12
	MOVL shift+44(FP), AX
	VMOVD AX, X13
	MOVL zero+48(FP), AX
	VPBROADCASTD AX, Z14
	MOVL lo+52(FP), AX
	VPBROADCASTD AX, Z15
	MOVL hi+56(FP), AX
	VPBROADCASTD AX, Z16
	MOVL $0xffff, AX
	KMOVW AX, K2
	MOVL signed+60(FP), AX
	TESTL AX, AX
	JZ uloop

sloop:
	CMPQ CX, $16
	JLT stail
	ADDQ8(VPMOVSXBD.Z, K2)
	ADDQ $16, SI
	ADDQ $16, DI
	ADDQ $16, DX
	SUBQ $16, CX
	JMP sloop

stail:
	TESTQ CX, CX
	JZ done
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K1
	ADDQ8(VPMOVSXBD.Z, K1)
	JMP done

uloop:
	CMPQ CX, $16
	JLT utail
	ADDQ8(VPMOVZXBD.Z, K2)
	ADDQ $16, SI
	ADDQ $16, DI
	ADDQ $16, DX
	SUBQ $16, CX
	JMP uloop

utail:
	TESTQ CX, CX
	JZ done
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K1
	ADDQ8(VPMOVZXBD.Z, K1)

done:
	VZEROUPPER
	RET

// func clampF32AVX512(in, out *float32, n int, lo, hi float32)
//
// out = min(max(in, lo), hi), 64 values a step, then 16, then a masked
// rest. A NaN input stays NaN (it is the operand MAXPS and MINPS return
// when one is a NaN).
TEXT ·clampF32AVX512(SB), NOSPLIT, $0-32
	MOVQ in+0(FP), SI
	MOVQ out+8(FP), DI
	MOVQ n+16(FP), CX
	VBROADCASTSS lo+24(FP), Z14
	VBROADCASTSS hi+28(FP), Z15

c64:
	CMPQ CX, $64
	JLT c16
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z1
	VMOVUPS 128(SI), Z2
	VMOVUPS 192(SI), Z3
	VMAXPS Z0, Z14, Z0
	VMAXPS Z1, Z14, Z1
	VMAXPS Z2, Z14, Z2
	VMAXPS Z3, Z14, Z3
	VMINPS Z0, Z15, Z0
	VMINPS Z1, Z15, Z1
	VMINPS Z2, Z15, Z2
	VMINPS Z3, Z15, Z3
	VMOVUPS Z0, (DI)
	VMOVUPS Z1, 64(DI)
	VMOVUPS Z2, 128(DI)
	VMOVUPS Z3, 192(DI)
	ADDQ $256, SI
	ADDQ $256, DI
	SUBQ $64, CX
	JMP c64

c16:
	CMPQ CX, $16
	JLT crest
	VMOVUPS (SI), Z0
	VMAXPS Z0, Z14, Z0
	VMINPS Z0, Z15, Z0
	VMOVUPS Z0, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	SUBQ $16, CX
	JMP c16

crest:
	TESTQ CX, CX
	JZ cdone
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K1
	VMOVUPS.Z (SI), K1, Z0
	VMAXPS Z0, Z14, Z0
	VMINPS Z0, Z15, Z0
	VMOVUPS Z0, K1, (DI)

cdone:
	VZEROUPPER
	RET

// MULQ8 computes 16 (or, masked by K1, fewer) outputs of MulQ8's XNNPACK
// scheme into (DX): x at (SI) widened with ext less za (Z10) times Z1
// (y less zb), as float32 times the scale (Z12), clamped to [Z13, Z14],
// rounded to nearest even, plus the output zero point (Z15). yload loads
// Z1 (nothing when y is one value for all).
#define MULQ8(ext, mask, yload) \
	ext (SI), mask, Z0; \
	yload; \
	VPSUBD Z10, Z0, Z0; \
	VPMULLD Z1, Z0, Z0; \
	VCVTDQ2PS Z0, Z0; \
	VMULPS Z12, Z0, Z0; \
	VMAXPS Z13, Z0, Z0; \
	VMINPS Z14, Z0, Z0; \
	VCVTPS2DQ Z0, Z0; \
	VPADDD Z15, Z0, Z0; \
	VPMOVDB Z0, mask, (DX)

#define YS16 VPMOVSXBD.Z (DI), K2, Z1; VPSUBD Z11, Z1, Z1
#define YS1 VPMOVSXBD.Z (DI), K1, Z1; VPSUBD Z11, Z1, Z1
#define YU16 VPMOVZXBD.Z (DI), K2, Z1; VPSUBD Z11, Z1, Z1
#define YU1 VPMOVZXBD.Z (DI), K1, Z1; VPSUBD Z11, Z1, Z1
#define YNONE MOVQ SI, SI

// MULLOOP is the loop of mulQ8AVX512 for one kind of operands: whole
// blocks of 16, then a masked rest.
#define MULLOOP(ext, y16, y1, l16, lrest) \
l16: \
	CMPQ CX, $16; \
	JLT lrest; \
	MULQ8(ext, K2, y16); \
	ADDQ $16, SI; \
	ADDQ BX, DI; \
	ADDQ $16, DX; \
	SUBQ $16, CX; \
	JMP l16; \
lrest: \
	TESTQ CX, CX; \
	JZ mdone; \
	MOVL $1, AX; \
	SHLL CX, AX; \
	DECL AX; \
	KMOVW AX, K1; \
	MULQ8(ext, K1, y1); \
	JMP mdone

// func mulQ8AVX512(x, y, z *byte, n, ystep int, za, zb, yv int32, scale, lo, hi float32, zero, signed int32)
//
// MulQ8's XNNPACK scheme on n elements of x (int8 when signed is 1, else
// uint8) and of y when ystep is 1; when it is 0, every y less zb is yv.
TEXT ·mulQ8AVX512(SB), NOSPLIT, $0-72
	MOVQ x+0(FP), SI
	MOVQ y+8(FP), DI
	MOVQ z+16(FP), DX
	MOVQ n+24(FP), CX
	MOVQ ystep+32(FP), BX
	SHLQ $4, BX
	MOVL za+40(FP), AX
	VPBROADCASTD AX, Z10
	MOVL zb+44(FP), AX
	VPBROADCASTD AX, Z11
	MOVL yv+48(FP), AX
	VPBROADCASTD AX, Z1
	VBROADCASTSS scale+52(FP), Z12
	VBROADCASTSS lo+56(FP), Z13
	VBROADCASTSS hi+60(FP), Z14
	MOVL zero+64(FP), AX
	VPBROADCASTD AX, Z15
	MOVL $0xffff, AX
	KMOVW AX, K2
	MOVL signed+68(FP), AX
	TESTQ BX, BX
	JZ mscalar
	TESTL AX, AX
	JZ mu
	MULLOOP(VPMOVSXBD.Z, YS16, YS1, ms16, msrest)

mu:
	MULLOOP(VPMOVZXBD.Z, YU16, YU1, mu16, murest)

mscalar:
	TESTL AX, AX
	JZ mcu
	MULLOOP(VPMOVSXBD.Z, YNONE, YNONE, mcs16, mcsrest)

mcu:
	MULLOOP(VPMOVZXBD.Z, YNONE, YNONE, mcu16, mcurest)

mdone:
	VZEROUPPER
	RET

// BINF32 computes 16 (or, masked by mask, fewer) outputs of binF32AVX512
// into (DX): a from (SI), or Z20 when it is one value (R8 = 0); b likewise
// from (DI) or Z21 (R9 = 0); the operation by R10 (0 add, 1 sub, 2 mul,
// 3 div); then the clamp to [Z14, Z15].
#define BINF32(mask, la, lb, lsub, lmul, ldiv, lst) \
	VMOVAPS Z20, Z0; \
	TESTQ R8, R8; \
	JZ la; \
	VMOVUPS.Z (SI), mask, Z0; \
la: \
	VMOVAPS Z21, Z1; \
	TESTQ R9, R9; \
	JZ lb; \
	VMOVUPS.Z (DI), mask, Z1; \
lb: \
	CMPQ R10, $1; \
	JEQ lsub; \
	JGT lmul; \
	VADDPS Z1, Z0, Z0; \
	JMP lst; \
lsub: \
	VSUBPS Z1, Z0, Z0; \
	JMP lst; \
lmul: \
	CMPQ R10, $3; \
	JEQ ldiv; \
	VMULPS Z1, Z0, Z0; \
	JMP lst; \
ldiv: \
	VDIVPS Z1, Z0, Z0; \
lst: \
	VMAXPS Z0, Z14, Z0; \
	VMINPS Z0, Z15, Z0; \
	VMOVUPS Z0, mask, (DX)

// func binF32AVX512(op int, a, b, out *float32, n, astep, bstep int, lo, hi float32)
//
// out = clamp(a op b, lo, hi) on n values; a (b) is one value for all
// when astep (bstep) is 0 and n values when it is 1.
TEXT ·binF32AVX512(SB), NOSPLIT, $0-64
	MOVQ op+0(FP), R10
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	MOVQ out+24(FP), DX
	MOVQ n+32(FP), CX
	MOVQ astep+40(FP), R8
	MOVQ bstep+48(FP), R9
	VBROADCASTSS lo+56(FP), Z14
	VBROADCASTSS hi+60(FP), Z15
	VBROADCASTSS (SI), Z20
	VBROADCASTSS (DI), Z21
	SHLQ $6, R8
	SHLQ $6, R9
	MOVL $0xffff, AX
	KMOVW AX, K2

fblock:
	CMPQ CX, $16
	JLT frest
	BINF32(K2, fa16, fb16, fsub16, fmul16, fdiv16, fst16)
	ADDQ R8, SI
	ADDQ R9, DI
	ADDQ $64, DX
	SUBQ $16, CX
	JMP fblock

frest:
	TESTQ CX, CX
	JZ fdone
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K1
	BINF32(K1, far, fbr, fsubr, fmulr, fdivr, fstr)

fdone:
	VZEROUPPER
	RET

// QUANTF32 quantizes 16 (or, masked by mask, fewer) floats at (SI) into
// bytes at (DI): x·inv (Z10) clamped to [Z11, Z12], rounded to nearest
// even (MXCSR default), plus the zero point (Z13).
#define QUANTF32(mask) \
	VMOVUPS.Z (SI), mask, Z0; \
	VMULPS Z10, Z0, Z0; \
	VMAXPS Z0, Z11, Z0; \
	VMINPS Z0, Z12, Z0; \
	VCVTPS2DQ Z0, Z0; \
	VPADDD Z13, Z0, Z0; \
	VPMOVDB Z0, mask, (DI)

// func quantF32AVX512(in *float32, out *byte, n int, inv, flo, fhi float32, zero int32)
TEXT ·quantF32AVX512(SB), NOSPLIT, $0-40
	MOVQ in+0(FP), SI
	MOVQ out+8(FP), DI
	MOVQ n+16(FP), CX
	VBROADCASTSS inv+24(FP), Z10
	VBROADCASTSS flo+28(FP), Z11
	VBROADCASTSS fhi+32(FP), Z12
	MOVL zero+36(FP), AX
	VPBROADCASTD AX, Z13
	MOVL $0xffff, AX
	KMOVW AX, K2

qblock:
	CMPQ CX, $16
	JLT qrest
	QUANTF32(K2)
	ADDQ $64, SI
	ADDQ $16, DI
	SUBQ $16, CX
	JMP qblock

qrest:
	TESTQ CX, CX
	JZ qfdone
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K1
	QUANTF32(K1)

qfdone:
	VZEROUPPER
	RET

// func sqrtF32AVX512(in, out *float32, n int)
TEXT ·sqrtF32AVX512(SB), NOSPLIT, $0-24
	MOVQ in+0(FP), SI
	MOVQ out+8(FP), DI
	MOVQ n+16(FP), CX

s16:
	CMPQ CX, $16
	JLT srest
	VSQRTPS (SI), Z0
	VMOVUPS Z0, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	SUBQ $16, CX
	JMP s16

srest:
	TESTQ CX, CX
	JZ sdone
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K1
	VMOVUPS.Z (SI), K1, Z0
	VSQRTPS Z0, Z0
	VMOVUPS Z0, K1, (DI)

sdone:
	VZEROUPPER
	RET
