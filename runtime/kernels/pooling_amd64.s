//go:build !purego

#include "textflag.h"

// func maxPoolF32AVX512(src *float32, rows, rowStride, fw, colStride, pixStride int, out *float32, n, c int, lo, hi float32)
//
// For each of the n output pixels and each group of 16 channels (the last
// c%16 under the mask K1), the maximum runs over the rows x fw taps of the
// window: Z0 = tap > Z0 ? tap : Z0 (VMAXPS with the tap first), then the
// clamp lo > v ? lo : v and hi < v ? hi : v.
//
// Registers: SI the pixel's first tap, DX its output, AX the channel byte
// offset, R8 rows, R9 rowStride, R10 the bytes of one window row's taps,
// R11 colStride (also the bytes of one output pixel), R12 pixStride, R13
// pixels left, R14 the bytes of whole 16-channel groups, DI the tap row,
// CX the tap, R15 the end of the tap row, BX rows left.
TEXT ·maxPoolF32AVX512(SB), NOSPLIT, $0-80
	MOVQ src+0(FP), SI
	MOVQ rows+8(FP), R8
	MOVQ rowStride+16(FP), R9
	MOVQ fw+24(FP), R10
	MOVQ colStride+32(FP), R11
	IMULQ R11, R10
	MOVQ pixStride+40(FP), R12
	MOVQ out+48(FP), DX
	MOVQ n+56(FP), R13
	VBROADCASTSS lo+72(FP), Z14
	VBROADCASTSS hi+76(FP), Z15
	MOVQ c+64(FP), CX
	ANDQ $15, CX
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K1
	MOVQ c+64(FP), R14
	ANDQ $-16, R14
	SHLQ $2, R14
	KXNORW K2, K2, K2

pixel:
	XORQ AX, AX

group:
	CMPQ AX, R14
	JEQ tail

	LEAQ (SI)(AX*1), DI
	VMOVUPS.Z (DI), K2, Z0
	MOVQ R8, BX

grow:
	MOVQ DI, CX
	LEAQ (DI)(R10*1), R15

gcol:
	VMOVUPS.Z (CX), K2, Z1
	VMAXPS Z0, Z1, Z0
	ADDQ R11, CX
	CMPQ CX, R15
	JNE gcol
	ADDQ R9, DI
	DECQ BX
	JNZ grow
	VMAXPS Z0, Z14, Z0
	VMINPS Z0, Z15, Z0
	VMOVUPS Z0, K2, (DX)(AX*1)
	ADDQ $64, AX
	JMP group

tail:
	KORTESTW K1, K1
	JZ next

	LEAQ (SI)(AX*1), DI
	VMOVUPS.Z (DI), K1, Z0
	MOVQ R8, BX

trow:
	MOVQ DI, CX
	LEAQ (DI)(R10*1), R15

tcol:
	VMOVUPS.Z (CX), K1, Z1
	VMAXPS Z0, Z1, Z0
	ADDQ R11, CX
	CMPQ CX, R15
	JNE tcol
	ADDQ R9, DI
	DECQ BX
	JNZ trow
	VMAXPS Z0, Z14, Z0
	VMINPS Z0, Z15, Z0
	VMOVUPS Z0, K1, (DX)(AX*1)

next:
	ADDQ R12, SI
	ADDQ R11, DX
	DECQ R13
	JNZ pixel
	VZEROUPPER
	RET

// func sumWindowQ8AVX512(src *byte, rows, rowStride, cols, colStride, c int, signed int32, acc uintptr)
//
// acc[j] = Σ over the rows x cols taps of the window at src (rowStride
// and colStride bytes from one row and column to the next) of channel j,
// for j < c, a multiple of 16: the bytes sign-extended when signed is 1,
// else zero-extended, 16 channels to a register.
//
// Registers: SI the group's first tap, R8 rows, R9 rowStride, R10 cols,
// R11 colStride, R12 groups left, DI acc, BX the tap row, CX rows left,
// DX the tap, R13 columns left, AX signed.
TEXT ·sumWindowQ8AVX512(SB), NOSPLIT, $0-64
	MOVQ src+0(FP), SI
	MOVQ rows+8(FP), R8
	MOVQ rowStride+16(FP), R9
	MOVQ cols+24(FP), R10
	MOVQ colStride+32(FP), R11
	MOVQ c+40(FP), R12
	SHRQ $4, R12
	MOVL signed+48(FP), AX
	MOVQ acc+56(FP), DI
	TESTQ R12, R12
	JZ sdone

sgroup:
	VPXORD Z0, Z0, Z0
	MOVQ SI, BX
	MOVQ R8, CX
	TESTQ CX, CX
	JZ sstore

srow:
	MOVQ BX, DX
	MOVQ R10, R13
	TESTQ R13, R13
	JZ snextrow
	CMPL AX, $1
	JNE szx

ssx:
	VPMOVSXBD (DX), Z1
	VPADDD Z1, Z0, Z0
	ADDQ R11, DX
	DECQ R13
	JNZ ssx
	JMP snextrow

szx:
	VPMOVZXBD (DX), Z1
	VPADDD Z1, Z0, Z0
	ADDQ R11, DX
	DECQ R13
	JNZ szx

snextrow:
	ADDQ R9, BX
	DECQ CX
	JNZ srow

sstore:
	VMOVDQU32 Z0, (DI)
	ADDQ $16, SI
	ADDQ $64, DI
	DECQ R12
	JNZ sgroup

sdone:
	VZEROUPPER
	RET
