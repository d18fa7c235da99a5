//go:build !purego

#include "textflag.h"

// The segmented float32 product of gemmF32Seg512 (see f32Variant.conv).
// Rows are lda apart, so one pointer (SI) walks the values of row 0 and
// the other rows are read at fixed byte offsets from it: R8, R9, R10, R11,
// R12, R13 and R15 hold the offsets of rows 1 to 7 of a block of 8; in the
// last block, rows past the count repeat the previous row (computed, not
// stored). DX is the byte distance from the first panel to the second,
// R14 the step from the end of one segment to the start of the next, Z17
// the bias (Y17 for one panel), Z18 lo, Z19 hi, K1 the channels stored.

// SEGOFFS sets the row offsets for a block of CX rows (AX is clobbered).
#define SEGOFFS \
	MOVQ lda+8(FP), AX; \
	SHLQ $2, AX; \
	XORQ R8, R8; \
	CMPQ CX, $2; \
	CMOVQGE AX, R8; \
	LEAQ (R8)(AX*1), R9; \
	CMPQ CX, $3; \
	CMOVQLT R8, R9; \
	LEAQ (R9)(AX*1), R10; \
	CMPQ CX, $4; \
	CMOVQLT R9, R10; \
	LEAQ (R10)(AX*1), R11; \
	CMPQ CX, $5; \
	CMOVQLT R10, R11; \
	LEAQ (R11)(AX*1), R12; \
	CMPQ CX, $6; \
	CMOVQLT R11, R12; \
	LEAQ (R12)(AX*1), R13; \
	CMPQ CX, $7; \
	CMOVQLT R12, R13; \
	LEAQ (R13)(AX*1), R15; \
	CMPQ CX, $8; \
	CMOVQLT R13, R15

// SEGFMA multiplies the weights in w by the value at SI of each of the 8
// rows of the block and adds the products to accumulators a0 to a7.
#define SEGFMA(w, a0, a1, a2, a3, a4, a5, a6, a7) \
	VFMADD231PS.BCST (SI), w, a0; \
	VFMADD231PS.BCST (SI)(R8*1), w, a1; \
	VFMADD231PS.BCST (SI)(R9*1), w, a2; \
	VFMADD231PS.BCST (SI)(R10*1), w, a3; \
	VFMADD231PS.BCST (SI)(R11*1), w, a4; \
	VFMADD231PS.BCST (SI)(R12*1), w, a5; \
	VFMADD231PS.BCST (SI)(R13*1), w, a6; \
	VFMADD231PS.BCST (SI)(R15*1), w, a7

// SEGOUT adds the bias, clamps and stores the lanes of acc set in K1 at
// (DI).
#define SEGOUT(acc, bias, lo, hi) \
	VADDPS bias, acc, acc; \
	VMAXPS lo, acc, acc; \
	VMINPS hi, acc, acc; \
	VMOVUPS acc, K1, (DI)

// SEGNEXT ends a block: it returns when the block held the last rows and
// otherwise moves the row and output pointers 8 rows on.
#define SEGNEXT(again) \
	SUBQ $8, CX; \
	JLE segdone; \
	MOVQ lda+8(FP), AX; \
	SHLQ $5, AX; \
	ADDQ AX, ablk-8(SP); \
	MOVQ ldc+88(FP), AX; \
	SHLQ $5, AX; \
	ADDQ AX, cblk-16(SP); \
	JMP again

// func gemmF32Seg512(a *float32, lda, rows int, w *float32, psz, kseg, nseg, segStride int, bias *float32, lo, hi float32, c *float32, ldc, nc int)
TEXT ·gemmF32Seg512(SB), NOSPLIT, $16-104
	MOVQ a+0(FP), AX
	MOVQ AX, ablk-8(SP)
	MOVQ c+80(FP), AX
	MOVQ AX, cblk-16(SP)
	MOVQ rows+16(FP), CX
	MOVQ psz+32(FP), DX
	SHLQ $2, DX
	MOVQ segStride+56(FP), R14
	SUBQ kseg+40(FP), R14
	SHLQ $2, R14
	VBROADCASTSS lo+72(FP), Z18
	VBROADCASTSS hi+76(FP), Z19
	MOVQ CX, R9
	MOVQ nc+96(FP), CX
	MOVQ CX, BX
	MOVL $1, SI
	SHLL CX, SI
	DECL SI
	KMOVW SI, K1
	MOVQ R9, CX
	MOVQ bias+64(FP), AX
	CMPQ BX, $8
	JLE ynarrow
	VMOVUPS (AX), Z17

zblock:
	SEGOFFS
	MOVQ ablk-8(SP), SI
	MOVQ w+24(FP), DI
	MOVQ nseg+48(FP), BX
	VXORPS Z0, Z0, Z0
	VXORPS Z1, Z1, Z1
	VXORPS Z2, Z2, Z2
	VXORPS Z3, Z3, Z3
	VXORPS Z4, Z4, Z4
	VXORPS Z5, Z5, Z5
	VXORPS Z6, Z6, Z6
	VXORPS Z7, Z7, Z7
	TESTQ BX, BX
	JZ zstore

zseg:
	MOVQ kseg+40(FP), AX

zk:
	VMOVUPS (DI), Y16
	VINSERTF64X4 $1, (DI)(DX*1), Z16, Z16
	SEGFMA(Z16, Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7)
	ADDQ $4, SI
	ADDQ $32, DI
	DECQ AX
	JNZ zk
	ADDQ R14, SI
	DECQ BX
	JNZ zseg

zstore:
	MOVQ cblk-16(SP), DI
	MOVQ ldc+88(FP), AX
	SHLQ $2, AX
	SEGOUT(Z0, Z17, Z18, Z19)
	CMPQ CX, $2
	JLT segdone
	ADDQ AX, DI
	SEGOUT(Z1, Z17, Z18, Z19)
	CMPQ CX, $3
	JLT segdone
	ADDQ AX, DI
	SEGOUT(Z2, Z17, Z18, Z19)
	CMPQ CX, $4
	JLT segdone
	ADDQ AX, DI
	SEGOUT(Z3, Z17, Z18, Z19)
	CMPQ CX, $5
	JLT segdone
	ADDQ AX, DI
	SEGOUT(Z4, Z17, Z18, Z19)
	CMPQ CX, $6
	JLT segdone
	ADDQ AX, DI
	SEGOUT(Z5, Z17, Z18, Z19)
	CMPQ CX, $7
	JLT segdone
	ADDQ AX, DI
	SEGOUT(Z6, Z17, Z18, Z19)
	CMPQ CX, $8
	JLT segdone
	ADDQ AX, DI
	SEGOUT(Z7, Z17, Z18, Z19)
	SEGNEXT(zblock)

// One panel: 8 channels on 256-bit registers, two of whose fused
// multiply-adds issue per cycle where a 512-bit one takes both halves.
ynarrow:
	VMOVUPS (AX), Y17

yblock:
	SEGOFFS
	MOVQ ablk-8(SP), SI
	MOVQ w+24(FP), DI
	MOVQ nseg+48(FP), BX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	TESTQ BX, BX
	JZ ystore

yseg:
	MOVQ kseg+40(FP), AX

yk:
	VMOVUPS (DI), Y16
	SEGFMA(Y16, Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7)
	ADDQ $4, SI
	ADDQ $32, DI
	DECQ AX
	JNZ yk
	ADDQ R14, SI
	DECQ BX
	JNZ yseg

ystore:
	MOVQ cblk-16(SP), DI
	MOVQ ldc+88(FP), AX
	SHLQ $2, AX
	SEGOUT(Y0, Y17, Y18, Y19)
	CMPQ CX, $2
	JLT segdone
	ADDQ AX, DI
	SEGOUT(Y1, Y17, Y18, Y19)
	CMPQ CX, $3
	JLT segdone
	ADDQ AX, DI
	SEGOUT(Y2, Y17, Y18, Y19)
	CMPQ CX, $4
	JLT segdone
	ADDQ AX, DI
	SEGOUT(Y3, Y17, Y18, Y19)
	CMPQ CX, $5
	JLT segdone
	ADDQ AX, DI
	SEGOUT(Y4, Y17, Y18, Y19)
	CMPQ CX, $6
	JLT segdone
	ADDQ AX, DI
	SEGOUT(Y5, Y17, Y18, Y19)
	CMPQ CX, $7
	JLT segdone
	ADDQ AX, DI
	SEGOUT(Y6, Y17, Y18, Y19)
	CMPQ CX, $8
	JLT segdone
	ADDQ AX, DI
	SEGOUT(Y7, Y17, Y18, Y19)
	SEGNEXT(yblock)

segdone:
	VZEROUPPER
	RET
