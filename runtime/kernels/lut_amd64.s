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
