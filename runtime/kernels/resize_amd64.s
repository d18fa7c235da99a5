//go:build !purego

#include "textflag.h"

// Both kernels walk the outW output pixels of one row. For pixel ox, the
// source pixels start at left[ox]*c and right[ox]*c elements into the top
// (SI) and bottom (DI) rows; the channels go 16 at a time, the last
// c%16 under the mask K1.
//
// Registers: SI top, DI bot, DX out, R8 left, R9 right, R10 ax, R11 pixels
// left, CX bytes of one pixel, R12 bytes of its whole 16-channel groups,
// R13 and R14 the left and right source offsets, AX the channel offset.

// LERPF32 computes 16 float outputs (or, masked by mask, fewer) at
// channel byte offset AX: t = tl + (tr-tl)*ax, u = bl + (br-bl)*ax,
// out = t + (u-t)*ay, each product rounded on its own; Z15 is ax, Z14 ay.
#define LERPF32(mask) \
	LEAQ (SI)(R13*1), BX; \
	VMOVUPS.Z (BX)(AX*1), mask, Z0; \
	LEAQ (SI)(R14*1), BX; \
	VMOVUPS.Z (BX)(AX*1), mask, Z1; \
	LEAQ (DI)(R13*1), BX; \
	VMOVUPS.Z (BX)(AX*1), mask, Z2; \
	LEAQ (DI)(R14*1), BX; \
	VMOVUPS.Z (BX)(AX*1), mask, Z3; \
	VSUBPS Z0, Z1, Z1; \
	VMULPS Z15, Z1, Z1; \
	VADDPS Z1, Z0, Z0; \
	VSUBPS Z2, Z3, Z3; \
	VMULPS Z15, Z3, Z3; \
	VADDPS Z3, Z2, Z2; \
	VSUBPS Z0, Z2, Z2; \
	VMULPS Z14, Z2, Z2; \
	VADDPS Z2, Z0, Z0; \
	VMOVUPS Z0, mask, (DX)(AX*1)

// func resizeRowF32AVX512(top, bot, out *float32, left, right *int, ax *float32, outW, c int, ay float32)
TEXT ·resizeRowF32AVX512(SB), NOSPLIT, $0-68
	MOVQ top+0(FP), SI
	MOVQ bot+8(FP), DI
	MOVQ out+16(FP), DX
	MOVQ left+24(FP), R8
	MOVQ right+32(FP), R9
	MOVQ ax+40(FP), R10
	MOVQ outW+48(FP), R11
	MOVQ c+56(FP), CX
	VBROADCASTSS ay+64(FP), Z14
	ANDQ $15, CX
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K1
	MOVQ c+56(FP), CX
	MOVQ CX, R12
	ANDQ $-16, R12
	SHLQ $2, R12
	SHLQ $2, CX

fpixel:
	MOVQ (R8), R13
	MOVQ (R9), R14
	IMULQ CX, R13
	IMULQ CX, R14
	VBROADCASTSS (R10), Z15
	XORQ AX, AX

fgroup:
	CMPQ AX, R12
	JEQ ftail
	KXNORW K2, K2, K2
	LERPF32(K2)
	ADDQ $64, AX
	JMP fgroup

ftail:
	KORTESTW K1, K1
	JZ fnext
	LERPF32(K1)

fnext:
	ADDQ CX, DX
	ADDQ $8, R8
	ADDQ $8, R9
	ADDQ $4, R10
	DECQ R11
	JNZ fpixel
	VZEROUPPER
	RET

// LERPQ8 computes 16 8-bit outputs (or, masked by mask, fewer) at channel
// offset AX in XNNPACK's Q11 arithmetic: t = tl<<11 + (tr-tl)*ax,
// u = bl<<11 + (br-bl)*ax, out = (t<<11 + (u-t)*ay + 2^21) >> 22, stored
// truncated to 8 bits; ext widens int8 or uint8, Z15 is ax, Z14 ay, Z13
// 2^21.
#define LERPQ8(ext, mask) \
	LEAQ (SI)(R13*1), BX; \
	ext (BX)(AX*1), mask, Z0; \
	LEAQ (SI)(R14*1), BX; \
	ext (BX)(AX*1), mask, Z1; \
	LEAQ (DI)(R13*1), BX; \
	ext (BX)(AX*1), mask, Z2; \
	LEAQ (DI)(R14*1), BX; \
	ext (BX)(AX*1), mask, Z3; \
	VPSUBD Z0, Z1, Z1; \
	VPMULLD Z15, Z1, Z1; \
	VPSLLD $11, Z0, Z0; \
	VPADDD Z1, Z0, Z0; \
	VPSUBD Z2, Z3, Z3; \
	VPMULLD Z15, Z3, Z3; \
	VPSLLD $11, Z2, Z2; \
	VPADDD Z3, Z2, Z2; \
	VPSUBD Z0, Z2, Z2; \
	VPMULLD Z14, Z2, Z2; \
	VPSLLD $11, Z0, Z0; \
	VPADDD Z2, Z0, Z0; \
	VPADDD Z13, Z0, Z0; \
	VPSRAD $22, Z0, Z0; \
	VPMOVDB Z0, mask, (DX)(AX*1)

// func resizeRowQ8AVX512(top, bot, out *byte, left, right *int, ax *int32, outW, c int, ay, signed int32)
TEXT ·resizeRowQ8AVX512(SB), NOSPLIT, $0-72
	MOVQ top+0(FP), SI
	MOVQ bot+8(FP), DI
	MOVQ out+16(FP), DX
	MOVQ left+24(FP), R8
	MOVQ right+32(FP), R9
	MOVQ ax+40(FP), R10
	MOVQ outW+48(FP), R11
	MOVQ c+56(FP), CX
	MOVL ay+64(FP), AX
	VPBROADCASTD AX, Z14
	MOVL $0x200000, AX
	VPBROADCASTD AX, Z13
	ANDQ $15, CX
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K1
	MOVQ c+56(FP), CX
	MOVQ CX, R12
	ANDQ $-16, R12
	MOVL signed+68(FP), AX
	TESTL AX, AX
	JZ u8pixel
s8pixel:
	MOVQ (R8), R13
	MOVQ (R9), R14
	IMULQ CX, R13
	IMULQ CX, R14
	VPBROADCASTD (R10), Z15
	XORQ AX, AX

s8group:
	CMPQ AX, R12
	JEQ s8tail
	KXNORW K2, K2, K2
	LERPQ8(VPMOVSXBD.Z, K2)
	ADDQ $16, AX
	JMP s8group

s8tail:
	KORTESTW K1, K1
	JZ s8next
	LERPQ8(VPMOVSXBD.Z, K1)

s8next:
	ADDQ CX, DX
	ADDQ $8, R8
	ADDQ $8, R9
	ADDQ $4, R10
	DECQ R11
	JNZ s8pixel
	VZEROUPPER
	RET

u8pixel:
	MOVQ (R8), R13
	MOVQ (R9), R14
	IMULQ CX, R13
	IMULQ CX, R14
	VPBROADCASTD (R10), Z15
	XORQ AX, AX

u8group:
	CMPQ AX, R12
	JEQ u8tail
	KXNORW K2, K2, K2
	LERPQ8(VPMOVZXBD.Z, K2)
	ADDQ $16, AX
	JMP u8group

u8tail:
	KORTESTW K1, K1
	JZ u8next
	LERPQ8(VPMOVZXBD.Z, K1)

u8next:
	ADDQ CX, DX
	ADDQ $8, R8
	ADDQ $8, R9
	ADDQ $4, R10
	DECQ R11
	JNZ u8pixel
	VZEROUPPER
	RET
