//go:build !purego

#include "textflag.h"

// LUT8 looks up the bytes in Z0 (lanes in mask) and stores them at (DI):
// Z4 from entries 0-127 by the low 7 bits, Z5 from entries 128-255, and
// Z5's bytes where the index has its top bit set (K3).
#define LUT8(mask) \
	VMOVDQU8.Z (SI), mask, Z0; \
	VMOVDQA64 Z0, Z4; \
	VPERMI2B Z11, Z10, Z4; \
	VMOVDQA64 Z0, Z5; \
	VPERMI2B Z13, Z12, Z5; \
	VPMOVB2M Z0, K3; \
	VMOVDQU8 Z5, K3, Z4; \
	VMOVDQU8 Z4, mask, (DI)

// func lut8VBMI(t *LUT8, in, out *byte, n int)
TEXT ·lut8VBMI(SB), NOSPLIT, $0-32
	MOVQ t+0(FP), AX
	MOVQ in+8(FP), SI
	MOVQ out+16(FP), DI
	MOVQ n+24(FP), CX
	VMOVDQU64 (AX), Z10
	VMOVDQU64 64(AX), Z11
	VMOVDQU64 128(AX), Z12
	VMOVDQU64 192(AX), Z13
	KXNORQ K2, K2, K2

loop:
	CMPQ CX, $64
	JLT tail
	LUT8(K2)
	ADDQ $64, SI
	ADDQ $64, DI
	SUBQ $64, CX
	JMP loop

tail:
	TESTQ CX, CX
	JZ done
	MOVQ $1, AX
	SHLQ CX, AX
	DECQ AX
	KMOVQ AX, K1
	LUT8(K1)

done:
	VZEROUPPER
	RET

// DEQ8 stores float32(Z0 - zero) * scale (zero in Z14, scale in Z15) at
// (DI), the lanes in mask.
#define DEQ8(mask) \
	VPSUBD Z14, Z0, Z0; \
	VCVTDQ2PS Z0, Z0; \
	VMULPS Z15, Z0, Z0; \
	VMOVUPS Z0, mask, (DI)

// func dequant8AVX512(in *byte, out *float32, n int, zero int32, scale float32, signed int32)
TEXT ·dequant8AVX512(SB), NOSPLIT, $0-36
	MOVQ in+0(FP), SI
	MOVQ out+8(FP), DI
	MOVQ n+16(FP), CX
	MOVL zero+24(FP), AX
	VPBROADCASTD AX, Z14
	VBROADCASTSS scale+28(FP), Z15
	KXNORW K2, K2, K2
	MOVL signed+32(FP), AX
	TESTL AX, AX
	JZ u16
s16:
	CMPQ CX, $16
	JLT srest
	VPMOVSXBD (SI), Z0
	DEQ8(K2)
	ADDQ $16, SI
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
	VPMOVSXBD.Z (SI), K1, Z0
	DEQ8(K1)

sdone:
	VZEROUPPER
	RET

u16:
	CMPQ CX, $16
	JLT urest
	VPMOVZXBD (SI), Z0
	DEQ8(K2)
	ADDQ $16, SI
	ADDQ $64, DI
	SUBQ $16, CX
	JMP u16

urest:
	TESTQ CX, CX
	JZ udone
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K1
	VPMOVZXBD.Z (SI), K1, Z0
	DEQ8(K1)

udone:
	VZEROUPPER
	RET
