//go:build !purego

#include "textflag.h"

// Row pointers SI, R8, R9, R10 of the 8-bit kernels: rows past the count
// in CX repeat the previous row (they are computed but not stored).
#define QROWS \
	MOVQ a+0(FP), SI; \
	MOVQ lda+8(FP), BX; \
	MOVQ rows+16(FP), CX; \
	LEAQ (SI)(BX*1), R8; \
	CMPQ CX, $2; \
	CMOVQLT SI, R8; \
	LEAQ (R8)(BX*1), R9; \
	CMPQ CX, $3; \
	CMOVQLT R8, R9; \
	LEAQ (R9)(BX*1), R10; \
	CMPQ CX, $4; \
	CMOVQLT R9, R10

// Y14 = 0x80 in every byte when the activations are int8 (signed 1: XOR
// turns them into uint8 a+128), else 0 (signed 0, or 3 for int8
// activations the caller turned already).
#define QSIGN \
	MOVL signed+76(FP), AX; \
	XORL $1, AX; \
	SUBL $1, AX; \
	ANDL $0x80808080, AX; \
	VMOVD AX, X14; \
	VPBROADCASTD X14, Y14

// QINIT sets the accumulators Y0-Y3 to zero, or, when offs is not nil, to
// -offs[n]·rsum[r] for rows 0 to 3 (rsum has entries past the rows).
#define QINIT(offs, rsum, plain, start) \
	MOVQ offs, AX; \
	TESTQ AX, AX; \
	JZ plain; \
	VMOVDQU (AX), Y9; \
	VPXOR Y10, Y10, Y10; \
	VPSUBD Y9, Y10, Y9; \
	MOVQ rsum, AX; \
	VPBROADCASTD (AX), Y0; \
	VPMULLD Y9, Y0, Y0; \
	VPBROADCASTD 4(AX), Y1; \
	VPMULLD Y9, Y1, Y1; \
	VPBROADCASTD 8(AX), Y2; \
	VPMULLD Y9, Y2, Y2; \
	VPBROADCASTD 12(AX), Y3; \
	VPMULLD Y9, Y3, Y3; \
	JMP start; \
plain: \
	VPXOR Y0, Y0, Y0; \
	VPXOR Y1, Y1, Y1; \
	VPXOR Y2, Y2, Y2; \
	VPXOR Y3, Y3, Y3; \
start:

// Requantization constants: Y8 bias (minus 128·sum when signed: Y15 is
// then all ones), Y9
// scale, Y10 lo, Y11 hi, Y12 output zero point, Y13 0x00ff words.
#define QEPI \
	MOVQ bias+40(FP), AX; \
	VMOVDQU (AX), Y8; \
	MOVQ sum+48(FP), AX; \
	VMOVDQU (AX), Y9; \
	VPSLLD $7, Y9, Y9; \
	MOVL signed+76(FP), AX; \
	ANDL $1, AX; \
	NEGL AX; \
	VMOVD AX, X15; \
	VPBROADCASTD X15, Y15; \
	VPAND Y15, Y9, Y9; \
	VPSUBD Y9, Y8, Y8; \
	MOVQ scale+56(FP), AX; \
	VMOVUPS (AX), Y9; \
	VBROADCASTSS lo+64(FP), Y10; \
	VBROADCASTSS hi+68(FP), Y11; \
	MOVL zp+72(FP), AX; \
	VMOVD AX, X12; \
	VPBROADCASTD X12, Y12; \
	MOVL $0x00ff00ff, AX; \
	VMOVD AX, X13; \
	VPBROADCASTD X13, Y13; \
	MOVQ c+80(FP), DI; \
	MOVQ ldc+88(FP), BX

// QREQ requantizes the 8 accumulators in acc (X view accx) and stores
// their low bytes at (DI): float32(acc+bias)·scale, clamped, rounded to
// nearest even (MXCSR default), plus the zero point.
#define QREQ(acc, accx) \
	VPADDD Y8, acc, acc; \
	VCVTDQ2PS acc, acc; \
	VMULPS Y9, acc, acc; \
	VMAXPS Y10, acc, acc; \
	VMINPS Y11, acc, acc; \
	VCVTPS2DQ acc, acc; \
	VPADDD Y12, acc, acc; \
	VEXTRACTI128 $1, acc, X5; \
	VPACKSSDW X5, accx, accx; \
	VPAND X13, accx, accx; \
	VPACKUSWB accx, accx, accx; \
	VMOVQ accx, (DI)

// QSTORE requantizes and stores the rows 0 to CX-1.
#define QSTORE \
	QREQ(Y0, X0); \
	CMPQ CX, $2; \
	JLT done; \
	ADDQ BX, DI; \
	QREQ(Y1, X1); \
	CMPQ CX, $3; \
	JLT done; \
	ADDQ BX, DI; \
	QREQ(Y2, X2); \
	CMPQ CX, $4; \
	JLT done; \
	ADDQ BX, DI; \
	QREQ(Y3, X3)

// func gemmQVNNI(a *byte, lda, rows int, w *byte, kg int, bias, sum *int32, scale *float32, lo, hi float32, zp, signed int32, c *byte, ldc int, offs, rsum *int32)
TEXT ·gemmQVNNI(SB), NOSPLIT, $0-112
	QROWS
	QSIGN
	QINIT(offs+96(FP), rsum+104(FP), zero, start)
	MOVQ w+24(FP), DI
	MOVQ kg+32(FP), DX
	TESTQ DX, DX
	JZ epi

loop:
	VMOVDQU (DI), Y4
	VPBROADCASTD (SI), Y5
	VPBROADCASTD (R8), Y6
	VPBROADCASTD (R9), Y7
	VPBROADCASTD (R10), Y8
	VPXOR Y14, Y5, Y5
	VPXOR Y14, Y6, Y6
	VPXOR Y14, Y7, Y7
	VPXOR Y14, Y8, Y8
	VPDPBUSD Y4, Y5, Y0
	VPDPBUSD Y4, Y6, Y1
	VPDPBUSD Y4, Y7, Y2
	VPDPBUSD Y4, Y8, Y3
	ADDQ $4, SI
	ADDQ $4, R8
	ADDQ $4, R9
	ADDQ $4, R10
	ADDQ $32, DI
	DECQ DX
	JNZ loop

epi:
	QEPI
	QSTORE

done:
	VZEROUPPER
	RET

// QREQMASK is QREQ storing only the bytes selected by K1.
#define QREQMASK(acc, accx) \
	VPADDD Y8, acc, acc; \
	VCVTDQ2PS acc, acc; \
	VMULPS Y9, acc, acc; \
	VMAXPS Y10, acc, acc; \
	VMINPS Y11, acc, acc; \
	VCVTPS2DQ acc, acc; \
	VPADDD Y12, acc, acc; \
	VPMOVDB acc, K1, (DI)

// QSTOREMASK is QSTORE with QREQMASK.
#define QSTOREMASK \
	QREQMASK(Y0, X0); \
	CMPQ CX, $2; \
	JLT tdone; \
	ADDQ BX, DI; \
	QREQMASK(Y1, X1); \
	CMPQ CX, $3; \
	JLT tdone; \
	ADDQ BX, DI; \
	QREQMASK(Y2, X2); \
	CMPQ CX, $4; \
	JLT tdone; \
	ADDQ BX, DI; \
	QREQMASK(Y3, X3)

// func gemmQVNNITail(a *byte, lda, rows int, w *byte, kg int, bias, sum *int32, scale *float32, lo, hi float32, zp, signed int32, c *byte, ldc, nc int, offs, rsum *int32)
//
// gemmQVNNI storing only the first nc (1 to 7) channels of each row.
TEXT ·gemmQVNNITail(SB), NOSPLIT, $0-120
	QROWS
	QSIGN
	QINIT(offs+104(FP), rsum+112(FP), tzero, tstart)
	MOVQ w+24(FP), DI
	MOVQ kg+32(FP), DX
	TESTQ DX, DX
	JZ tepi

tloop:
	VMOVDQU (DI), Y4
	VPBROADCASTD (SI), Y5
	VPBROADCASTD (R8), Y6
	VPBROADCASTD (R9), Y7
	VPBROADCASTD (R10), Y8
	VPXOR Y14, Y5, Y5
	VPXOR Y14, Y6, Y6
	VPXOR Y14, Y7, Y7
	VPXOR Y14, Y8, Y8
	VPDPBUSD Y4, Y5, Y0
	VPDPBUSD Y4, Y6, Y1
	VPDPBUSD Y4, Y7, Y2
	VPDPBUSD Y4, Y8, Y3
	ADDQ $4, SI
	ADDQ $4, R8
	ADDQ $4, R9
	ADDQ $4, R10
	ADDQ $32, DI
	DECQ DX
	JNZ tloop

tepi:
	QEPI
	MOVQ CX, R11
	MOVQ nc+96(FP), CX
	MOVL $1, DX
	SHLL CX, DX
	DECL DX
	KMOVW DX, K1
	MOVQ R11, CX
	QSTOREMASK

tdone:
	VZEROUPPER
	RET

// func gemmQAVX2(a *byte, lda, rows int, w *byte, kg int, bias, sum *int32, scale *float32, lo, hi float32, zp, signed int32, c *byte, ldc int, offs, rsum *int32)
//
// Its layout holds every w', so offs is always nil.
TEXT ·gemmQAVX2(SB), NOSPLIT, $0-112
	QROWS
	QSIGN
	MOVQ w+24(FP), DI
	MOVQ kg+32(FP), DX
	// Y10, Y11: VPSHUFB controls widening bytes 0,1 and 2,3 of each
	// dword to an int16 pair.
	MOVL $0x80018000, AX
	VMOVD AX, X10
	VPBROADCASTD X10, Y10
	MOVL $0x80038002, AX
	VMOVD AX, X11
	VPBROADCASTD X11, Y11
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3
	TESTQ DX, DX
	JZ epi

loop:
	VMOVDQU (DI), Y4
	VMOVDQU 32(DI), Y5

	VPBROADCASTD (SI), Y6
	VPXOR Y14, Y6, Y6
	VPSHUFB Y10, Y6, Y7
	VPSHUFB Y11, Y6, Y6
	VPMADDWD Y4, Y7, Y7
	VPMADDWD Y5, Y6, Y6
	VPADDD Y7, Y0, Y0
	VPADDD Y6, Y0, Y0

	VPBROADCASTD (R8), Y8
	VPXOR Y14, Y8, Y8
	VPSHUFB Y10, Y8, Y9
	VPSHUFB Y11, Y8, Y8
	VPMADDWD Y4, Y9, Y9
	VPMADDWD Y5, Y8, Y8
	VPADDD Y9, Y1, Y1
	VPADDD Y8, Y1, Y1

	VPBROADCASTD (R9), Y6
	VPXOR Y14, Y6, Y6
	VPSHUFB Y10, Y6, Y7
	VPSHUFB Y11, Y6, Y6
	VPMADDWD Y4, Y7, Y7
	VPMADDWD Y5, Y6, Y6
	VPADDD Y7, Y2, Y2
	VPADDD Y6, Y2, Y2

	VPBROADCASTD (R10), Y8
	VPXOR Y14, Y8, Y8
	VPSHUFB Y10, Y8, Y9
	VPSHUFB Y11, Y8, Y8
	VPMADDWD Y4, Y9, Y9
	VPMADDWD Y5, Y8, Y8
	VPADDD Y9, Y3, Y3
	VPADDD Y8, Y3, Y3

	ADDQ $4, SI
	ADDQ $4, R8
	ADDQ $4, R9
	ADDQ $4, R10
	ADDQ $64, DI
	DECQ DX
	JNZ loop

epi:
	QEPI
	QSTORE

done:
	VZEROUPPER
	RET

// ZREQ requantizes the 16 accumulators in acc and stores their low bytes
// at (DI), like QREQ.
#define ZREQ(acc) \
	VPADDD Z8, acc, acc; \
	VCVTDQ2PS acc, acc; \
	VMULPS Z9, acc, acc; \
	VMAXPS Z10, acc, acc; \
	VMINPS Z11, acc, acc; \
	VCVTPS2DQ acc, acc; \
	VPADDD Z12, acc, acc; \
	VPMOVDB acc, (DI)

// func gemmQVNNI512(a *byte, lda, rows int, w *byte, psz, kg int, bias, sum *int32, scale *float32, lo, hi float32, zp, signed int32, c *byte, ldc int, offs *int32, rsum uintptr, segs, segSkip int)
//
// rows (at least 1) rows of a times two consecutive panels (w and w+psz)
// on 512-bit registers, 8 rows at a time: accumulator Zr holds the 16
// channels of row r of the block, the low 8 from the first panel. Rows
// past the count repeat the previous row (computed, not stored). The
// activations are XORed with 0x80 when int8 (signed 1), as in gemmQVNNI;
// uint8 ones and int8 ones already turned (signed 3) skip it. The
// requantization constants stay in Z8-Z12 across blocks, and -offs in Z13
// when offs is not nil. A row's K is segs segments of kg groups, each
// segment segSkip bytes past the end of the one before (segs 1 for a
// plain matrix); AX counts the segments left.
TEXT ·gemmQVNNI512(SB), NOSPLIT, $32-136
	MOVQ offs+104(FP), AX
	TESTQ AX, AX
	JZ znooffs
	VMOVDQU32 (AX), Z13
	VPXORD Z15, Z15, Z15
	VPSUBD Z13, Z15, Z13
	MOVQ rsum+112(FP), AX
	MOVQ AX, rblk-32(SP)

znooffs:
	MOVQ bias+48(FP), AX
	VMOVDQU32 (AX), Z8
	MOVQ sum+56(FP), AX
	VMOVDQU32 (AX), Z9
	VPSLLD $7, Z9, Z9
	MOVL signed+84(FP), AX
	ANDL $1, AX
	NEGL AX
	VPBROADCASTD AX, Z15
	VPANDD Z15, Z9, Z9
	VPSUBD Z9, Z8, Z8
	MOVQ scale+64(FP), AX
	VMOVUPS (AX), Z9
	VBROADCASTSS lo+72(FP), Z10
	VBROADCASTSS hi+76(FP), Z11
	MOVL zp+80(FP), AX
	VPBROADCASTD AX, Z12
	MOVL $0x80808080, AX
	VPBROADCASTD AX, Z14
	MOVQ a+0(FP), AX
	MOVQ AX, ablk-8(SP)
	MOVQ c+88(FP), AX
	MOVQ AX, cblk-16(SP)
	MOVQ rows+16(FP), AX
	MOVQ AX, left-24(SP)

zblock:
	MOVQ ablk-8(SP), SI
	MOVQ lda+8(FP), AX
	MOVQ left-24(SP), CX
	LEAQ (SI)(AX*1), R8
	CMPQ CX, $2
	CMOVQLT SI, R8
	LEAQ (R8)(AX*1), R9
	CMPQ CX, $3
	CMOVQLT R8, R9
	LEAQ (R9)(AX*1), R10
	CMPQ CX, $4
	CMOVQLT R9, R10
	LEAQ (R10)(AX*1), R11
	CMPQ CX, $5
	CMOVQLT R10, R11
	LEAQ (R11)(AX*1), R12
	CMPQ CX, $6
	CMOVQLT R11, R12
	LEAQ (R12)(AX*1), R13
	CMPQ CX, $7
	CMOVQLT R12, R13
	LEAQ (R13)(AX*1), R15
	CMPQ CX, $8
	CMOVQLT R13, R15
	MOVQ offs+104(FP), AX
	TESTQ AX, AX
	JZ zzero
	MOVQ rblk-32(SP), AX
	VPBROADCASTD (AX), Z0
	VPMULLD Z13, Z0, Z0
	VPBROADCASTD 4(AX), Z1
	VPMULLD Z13, Z1, Z1
	VPBROADCASTD 8(AX), Z2
	VPMULLD Z13, Z2, Z2
	VPBROADCASTD 12(AX), Z3
	VPMULLD Z13, Z3, Z3
	VPBROADCASTD 16(AX), Z4
	VPMULLD Z13, Z4, Z4
	VPBROADCASTD 20(AX), Z5
	VPMULLD Z13, Z5, Z5
	VPBROADCASTD 24(AX), Z6
	VPMULLD Z13, Z6, Z6
	VPBROADCASTD 28(AX), Z7
	VPMULLD Z13, Z7, Z7
	JMP zstart

zzero:
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7

zstart:
	MOVQ w+24(FP), DI
	MOVQ psz+32(FP), BX
	MOVQ kg+40(FP), CX
	XORQ DX, DX
	TESTQ CX, CX
	JZ zepi
	MOVL signed+84(FP), AX
	CMPL AX, $1
	MOVQ segs+120(FP), AX
	JEQ zloopx
zloopu:
	VMOVDQU32 (DI), Y16
	VINSERTI64X4 $1, (DI)(BX*1), Z16, Z16
	VPBROADCASTD (SI)(DX*1), Z17
	VPBROADCASTD (R8)(DX*1), Z18
	VPBROADCASTD (R9)(DX*1), Z19
	VPBROADCASTD (R10)(DX*1), Z20
	VPBROADCASTD (R11)(DX*1), Z21
	VPBROADCASTD (R12)(DX*1), Z22
	VPBROADCASTD (R13)(DX*1), Z23
	VPBROADCASTD (R15)(DX*1), Z24
	VPDPBUSD Z16, Z17, Z0
	VPDPBUSD Z16, Z18, Z1
	VPDPBUSD Z16, Z19, Z2
	VPDPBUSD Z16, Z20, Z3
	VPDPBUSD Z16, Z21, Z4
	VPDPBUSD Z16, Z22, Z5
	VPDPBUSD Z16, Z23, Z6
	VPDPBUSD Z16, Z24, Z7
	ADDQ $4, DX
	ADDQ $32, DI
	DECQ CX
	JNZ zloopu
	DECQ AX
	JZ zepi
	ADDQ segSkip+128(FP), DX
	MOVQ kg+40(FP), CX
	JMP zloopu

zloopx:
	VMOVDQU32 (DI), Y16
	VINSERTI64X4 $1, (DI)(BX*1), Z16, Z16
	VPBROADCASTD (SI)(DX*1), Z17
	VPBROADCASTD (R8)(DX*1), Z18
	VPBROADCASTD (R9)(DX*1), Z19
	VPBROADCASTD (R10)(DX*1), Z20
	VPBROADCASTD (R11)(DX*1), Z21
	VPBROADCASTD (R12)(DX*1), Z22
	VPBROADCASTD (R13)(DX*1), Z23
	VPBROADCASTD (R15)(DX*1), Z24
	VPXORD Z14, Z17, Z17
	VPXORD Z14, Z18, Z18
	VPXORD Z14, Z19, Z19
	VPXORD Z14, Z20, Z20
	VPXORD Z14, Z21, Z21
	VPXORD Z14, Z22, Z22
	VPXORD Z14, Z23, Z23
	VPXORD Z14, Z24, Z24
	VPDPBUSD Z16, Z17, Z0
	VPDPBUSD Z16, Z18, Z1
	VPDPBUSD Z16, Z19, Z2
	VPDPBUSD Z16, Z20, Z3
	VPDPBUSD Z16, Z21, Z4
	VPDPBUSD Z16, Z22, Z5
	VPDPBUSD Z16, Z23, Z6
	VPDPBUSD Z16, Z24, Z7
	ADDQ $4, DX
	ADDQ $32, DI
	DECQ CX
	JNZ zloopx
	DECQ AX
	JZ zepi
	ADDQ segSkip+128(FP), DX
	MOVQ kg+40(FP), CX
	JMP zloopx

zepi:
	MOVQ cblk-16(SP), DI
	MOVQ ldc+96(FP), BX
	MOVQ left-24(SP), CX
	ZREQ(Z0)
	CMPQ CX, $2
	JLT znext
	ADDQ BX, DI
	ZREQ(Z1)
	CMPQ CX, $3
	JLT znext
	ADDQ BX, DI
	ZREQ(Z2)
	CMPQ CX, $4
	JLT znext
	ADDQ BX, DI
	ZREQ(Z3)
	CMPQ CX, $5
	JLT znext
	ADDQ BX, DI
	ZREQ(Z4)
	CMPQ CX, $6
	JLT znext
	ADDQ BX, DI
	ZREQ(Z5)
	CMPQ CX, $7
	JLT znext
	ADDQ BX, DI
	ZREQ(Z6)
	CMPQ CX, $8
	JLT znext
	ADDQ BX, DI
	ZREQ(Z7)

znext:
	MOVQ left-24(SP), CX
	SUBQ $8, CX
	JLE zdone
	MOVQ CX, left-24(SP)
	MOVQ lda+8(FP), AX
	SHLQ $3, AX
	ADDQ AX, ablk-8(SP)
	MOVQ ldc+96(FP), AX
	SHLQ $3, AX
	ADDQ AX, cblk-16(SP)
	ADDQ $32, rblk-32(SP)
	JMP zblock

zdone:
	VZEROUPPER
	RET
