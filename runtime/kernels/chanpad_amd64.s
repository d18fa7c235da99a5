//go:build !purego

#include "textflag.h"

// CHANPAD computes 16 (or, masked by mask, fewer) outputs into (DX): the
// floats at (SI) plus Z1, clamped to [Z14, Z15] as binF32AVX512 clamps.
#define CHANPAD(mask) \
	VMOVUPS.Z (SI), mask, Z0; \
	VADDPS Z1, Z0, Z0; \
	VMAXPS Z0, Z14, Z0; \
	VMINPS Z0, Z15, Z0; \
	VMOVUPS Z0, mask, (DX)

// func addChanPadAVX512(a, b, out *float32, pixels, c, cb int, lo, hi float32)
//
// For each of pixels pixels: out[0:cb] = clamp(a[0:cb] + b[0:cb]) and
// out[cb:c] = clamp(a[cb:c] + 0); a and out advance by c, b by cb.
TEXT ·addChanPadAVX512(SB), NOSPLIT, $0-56
	MOVQ a+0(FP), SI
	MOVQ b+8(FP), DI
	MOVQ out+16(FP), DX
	MOVQ c+32(FP), R8
	MOVQ cb+40(FP), R9
	VBROADCASTSS lo+48(FP), Z14
	VBROADCASTSS hi+52(FP), Z15
	VXORPS Z20, Z20, Z20
	MOVL $0xffff, AX
	KMOVW AX, K2
	// K3 masks the last cb%16 values of b, K4 the last (c-cb)%16 zeros.
	MOVQ R9, CX
	ANDL $15, CX
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K3
	MOVQ R8, R12
	SUBQ R9, R12
	MOVQ R12, CX
	ANDL $15, CX
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K4
	MOVQ pixels+24(FP), CX

pixel:
	TESTQ CX, CX
	JZ done
	MOVQ R9, R10

prefix:
	CMPQ R10, $16
	JLT prefixrest
	VMOVUPS (DI), Z1
	CHANPAD(K2)
	ADDQ $64, SI
	ADDQ $64, DI
	ADDQ $64, DX
	SUBQ $16, R10
	JMP prefix

prefixrest:
	TESTQ R10, R10
	JZ zeros
	VMOVUPS.Z (DI), K3, Z1
	CHANPAD(K3)
	SHLQ $2, R10
	ADDQ R10, SI
	ADDQ R10, DI
	ADDQ R10, DX

zeros:
	VMOVAPS Z20, Z1
	MOVQ R12, R11

zblock:
	CMPQ R11, $16
	JLT zrest
	CHANPAD(K2)
	ADDQ $64, SI
	ADDQ $64, DX
	SUBQ $16, R11
	JMP zblock

zrest:
	TESTQ R11, R11
	JZ next
	CHANPAD(K4)
	SHLQ $2, R11
	ADDQ R11, SI
	ADDQ R11, DX

next:
	DECQ CX
	JMP pixel

done:
	VZEROUPPER
	RET
