//go:build !purego

#include "textflag.h"

// The segmented float32 product of gemmF32Seg512 (see f32Variant.seg).
// Rows are lda apart, so one pointer (SI) walks the values of the first
// row of a block and the others are read at fixed byte offsets from it:
// R8, R9, R10, R11, R12, R13 and R15 hold the offsets of rows 1 to 7. A
// block is 8 rows while 16 or more are left; the last 9 to 15 rows make
// two blocks of nearly equal size and fewer than 9 one block, each with a
// loop of as many multiply-adds per step as it has rows, so that no
// multiply-add is spent on a row past the count. DX is the byte distance
// from the first panel to the second, R14 the step from the end of one
// segment to the start of the next, Z17 the bias (Y17 for one panel), Z18
// lo, Z19 hi, K1 the channels stored, CX the rows of the block, left-24(SP)
// the rows not yet done.

// SEGOFFS sets the row offsets from the row stride (AX is clobbered).
#define SEGOFFS \
	MOVQ lda+8(FP), AX; \
	SHLQ $2, AX; \
	MOVQ AX, R8; \
	LEAQ (R8)(AX*1), R9; \
	LEAQ (R9)(AX*1), R10; \
	LEAQ (R10)(AX*1), R11; \
	LEAQ (R11)(AX*1), R12; \
	LEAQ (R12)(AX*1), R13; \
	LEAQ (R13)(AX*1), R15

// SEGOUT adds the bias, clamps and stores the lanes of acc set in K1 at
// (DI).
#define SEGOUT(acc, bias, lo, hi) \
	VADDPS bias, acc, acc; \
	VMAXPS lo, acc, acc; \
	VMINPS hi, acc, acc; \
	VMOVUPS acc, K1, (DI)

// SEGNEXT ends a block of CX rows: it returns when no rows are left and
// otherwise moves the row and output pointers on.
#define SEGNEXT(again) \
	SUBQ CX, left-24(SP); \
	JLE segdone; \
	MOVQ lda+8(FP), AX; \
	IMULQ CX, AX; \
	SHLQ $2, AX; \
	ADDQ AX, ablk-8(SP); \
	MOVQ ldc+88(FP), AX; \
	IMULQ CX, AX; \
	SHLQ $2, AX; \
	ADDQ AX, cblk-16(SP); \
	JMP again


// func gemmF32Seg512(a *float32, lda, rows int, w *float32, psz, kseg, nseg, segStride int, bias *float32, lo, hi float32, c *float32, ldc, nc int)
TEXT ·gemmF32Seg512(SB), NOSPLIT, $24-104
	MOVQ a+0(FP), AX
	MOVQ AX, ablk-8(SP)
	MOVQ c+80(FP), AX
	MOVQ AX, cblk-16(SP)
	MOVQ rows+16(FP), AX
	MOVQ AX, left-24(SP)
	MOVQ psz+32(FP), DX
	SHLQ $2, DX
	MOVQ segStride+56(FP), R14
	SUBQ kseg+40(FP), R14
	SHLQ $2, R14
	VBROADCASTSS lo+72(FP), Z18
	VBROADCASTSS hi+76(FP), Z19
	MOVQ nc+96(FP), CX
	MOVL $1, SI
	SHLL CX, SI
	DECL SI
	KMOVW SI, K1
	SEGOFFS
	MOVQ bias+64(FP), AX
	CMPQ CX, $8
	JLE ynarrow
	VMOVUPS (AX), Z17

zblock:
	MOVQ left-24(SP), CX
	CMPQ CX, $16
	JLT zlast
	MOVQ $8, CX
	JMP zrows

zlast:
	CMPQ CX, $8
	JLE zrows
	INCQ CX
	SHRQ $1, CX

zrows:
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
	CMPQ CX, $8
	JEQ zseg8
	CMPQ CX, $7
	JEQ zseg7
	CMPQ CX, $6
	JEQ zseg6
	CMPQ CX, $5
	JEQ zseg5
	CMPQ CX, $4
	JEQ zseg4
	CMPQ CX, $3
	JEQ zseg3
	CMPQ CX, $2
	JEQ zseg2
	JMP zseg1

zseg8:
	MOVQ kseg+40(FP), AX

zk8:
	VMOVUPS (DI), Y16
	VINSERTF64X4 $1, (DI)(DX*1), Z16, Z16
	VFMADD231PS.BCST (SI), Z16, Z0
	VFMADD231PS.BCST (SI)(R8*1), Z16, Z1
	VFMADD231PS.BCST (SI)(R9*1), Z16, Z2
	VFMADD231PS.BCST (SI)(R10*1), Z16, Z3
	VFMADD231PS.BCST (SI)(R11*1), Z16, Z4
	VFMADD231PS.BCST (SI)(R12*1), Z16, Z5
	VFMADD231PS.BCST (SI)(R13*1), Z16, Z6
	VFMADD231PS.BCST (SI)(R15*1), Z16, Z7
	ADDQ $4, SI
	ADDQ $32, DI
	DECQ AX
	JNZ zk8
	ADDQ R14, SI
	DECQ BX
	JNZ zseg8
	JMP zstore

zseg7:
	MOVQ kseg+40(FP), AX

zk7:
	VMOVUPS (DI), Y16
	VINSERTF64X4 $1, (DI)(DX*1), Z16, Z16
	VFMADD231PS.BCST (SI), Z16, Z0
	VFMADD231PS.BCST (SI)(R8*1), Z16, Z1
	VFMADD231PS.BCST (SI)(R9*1), Z16, Z2
	VFMADD231PS.BCST (SI)(R10*1), Z16, Z3
	VFMADD231PS.BCST (SI)(R11*1), Z16, Z4
	VFMADD231PS.BCST (SI)(R12*1), Z16, Z5
	VFMADD231PS.BCST (SI)(R13*1), Z16, Z6
	ADDQ $4, SI
	ADDQ $32, DI
	DECQ AX
	JNZ zk7
	ADDQ R14, SI
	DECQ BX
	JNZ zseg7
	JMP zstore

zseg6:
	MOVQ kseg+40(FP), AX

zk6:
	VMOVUPS (DI), Y16
	VINSERTF64X4 $1, (DI)(DX*1), Z16, Z16
	VFMADD231PS.BCST (SI), Z16, Z0
	VFMADD231PS.BCST (SI)(R8*1), Z16, Z1
	VFMADD231PS.BCST (SI)(R9*1), Z16, Z2
	VFMADD231PS.BCST (SI)(R10*1), Z16, Z3
	VFMADD231PS.BCST (SI)(R11*1), Z16, Z4
	VFMADD231PS.BCST (SI)(R12*1), Z16, Z5
	ADDQ $4, SI
	ADDQ $32, DI
	DECQ AX
	JNZ zk6
	ADDQ R14, SI
	DECQ BX
	JNZ zseg6
	JMP zstore

zseg5:
	MOVQ kseg+40(FP), AX

zk5:
	VMOVUPS (DI), Y16
	VINSERTF64X4 $1, (DI)(DX*1), Z16, Z16
	VFMADD231PS.BCST (SI), Z16, Z0
	VFMADD231PS.BCST (SI)(R8*1), Z16, Z1
	VFMADD231PS.BCST (SI)(R9*1), Z16, Z2
	VFMADD231PS.BCST (SI)(R10*1), Z16, Z3
	VFMADD231PS.BCST (SI)(R11*1), Z16, Z4
	ADDQ $4, SI
	ADDQ $32, DI
	DECQ AX
	JNZ zk5
	ADDQ R14, SI
	DECQ BX
	JNZ zseg5
	JMP zstore

zseg4:
	MOVQ kseg+40(FP), AX

zk4:
	VMOVUPS (DI), Y16
	VINSERTF64X4 $1, (DI)(DX*1), Z16, Z16
	VFMADD231PS.BCST (SI), Z16, Z0
	VFMADD231PS.BCST (SI)(R8*1), Z16, Z1
	VFMADD231PS.BCST (SI)(R9*1), Z16, Z2
	VFMADD231PS.BCST (SI)(R10*1), Z16, Z3
	ADDQ $4, SI
	ADDQ $32, DI
	DECQ AX
	JNZ zk4
	ADDQ R14, SI
	DECQ BX
	JNZ zseg4
	JMP zstore

zseg3:
	MOVQ kseg+40(FP), AX

zk3:
	VMOVUPS (DI), Y16
	VINSERTF64X4 $1, (DI)(DX*1), Z16, Z16
	VFMADD231PS.BCST (SI), Z16, Z0
	VFMADD231PS.BCST (SI)(R8*1), Z16, Z1
	VFMADD231PS.BCST (SI)(R9*1), Z16, Z2
	ADDQ $4, SI
	ADDQ $32, DI
	DECQ AX
	JNZ zk3
	ADDQ R14, SI
	DECQ BX
	JNZ zseg3
	JMP zstore

zseg2:
	MOVQ kseg+40(FP), AX

zk2:
	VMOVUPS (DI), Y16
	VINSERTF64X4 $1, (DI)(DX*1), Z16, Z16
	VFMADD231PS.BCST (SI), Z16, Z0
	VFMADD231PS.BCST (SI)(R8*1), Z16, Z1
	ADDQ $4, SI
	ADDQ $32, DI
	DECQ AX
	JNZ zk2
	ADDQ R14, SI
	DECQ BX
	JNZ zseg2
	JMP zstore

zseg1:
	MOVQ kseg+40(FP), AX

zk1:
	VMOVUPS (DI), Y16
	VINSERTF64X4 $1, (DI)(DX*1), Z16, Z16
	VFMADD231PS.BCST (SI), Z16, Z0
	ADDQ $4, SI
	ADDQ $32, DI
	DECQ AX
	JNZ zk1
	ADDQ R14, SI
	DECQ BX
	JNZ zseg1
	JMP zstore

zstore:
	MOVQ cblk-16(SP), DI
	MOVQ ldc+88(FP), AX
	SHLQ $2, AX
	SEGOUT(Z0, Z17, Z18, Z19)
	CMPQ CX, $2
	JLT znext
	ADDQ AX, DI
	SEGOUT(Z1, Z17, Z18, Z19)
	CMPQ CX, $3
	JLT znext
	ADDQ AX, DI
	SEGOUT(Z2, Z17, Z18, Z19)
	CMPQ CX, $4
	JLT znext
	ADDQ AX, DI
	SEGOUT(Z3, Z17, Z18, Z19)
	CMPQ CX, $5
	JLT znext
	ADDQ AX, DI
	SEGOUT(Z4, Z17, Z18, Z19)
	CMPQ CX, $6
	JLT znext
	ADDQ AX, DI
	SEGOUT(Z5, Z17, Z18, Z19)
	CMPQ CX, $7
	JLT znext
	ADDQ AX, DI
	SEGOUT(Z6, Z17, Z18, Z19)
	CMPQ CX, $8
	JLT znext
	ADDQ AX, DI
	SEGOUT(Z7, Z17, Z18, Z19)

znext:
	SEGNEXT(zblock)

// One panel: 8 channels on 256-bit registers, two of whose fused
// multiply-adds issue per cycle where a 512-bit one takes both halves.
ynarrow:
	VMOVUPS (AX), Y17

yblock:
	MOVQ left-24(SP), CX
	CMPQ CX, $16
	JLT ylast
	MOVQ $8, CX
	JMP yrows

ylast:
	CMPQ CX, $8
	JLE yrows
	INCQ CX
	SHRQ $1, CX

yrows:
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
	CMPQ CX, $8
	JEQ yseg8
	CMPQ CX, $7
	JEQ yseg7
	CMPQ CX, $6
	JEQ yseg6
	CMPQ CX, $5
	JEQ yseg5
	CMPQ CX, $4
	JEQ yseg4
	CMPQ CX, $3
	JEQ yseg3
	CMPQ CX, $2
	JEQ yseg2
	JMP yseg1

yseg8:
	MOVQ kseg+40(FP), AX

yk8:
	VMOVUPS (DI), Y16
	VFMADD231PS.BCST (SI), Y16, Y0
	VFMADD231PS.BCST (SI)(R8*1), Y16, Y1
	VFMADD231PS.BCST (SI)(R9*1), Y16, Y2
	VFMADD231PS.BCST (SI)(R10*1), Y16, Y3
	VFMADD231PS.BCST (SI)(R11*1), Y16, Y4
	VFMADD231PS.BCST (SI)(R12*1), Y16, Y5
	VFMADD231PS.BCST (SI)(R13*1), Y16, Y6
	VFMADD231PS.BCST (SI)(R15*1), Y16, Y7
	ADDQ $4, SI
	ADDQ $32, DI
	DECQ AX
	JNZ yk8
	ADDQ R14, SI
	DECQ BX
	JNZ yseg8
	JMP ystore

yseg7:
	MOVQ kseg+40(FP), AX

yk7:
	VMOVUPS (DI), Y16
	VFMADD231PS.BCST (SI), Y16, Y0
	VFMADD231PS.BCST (SI)(R8*1), Y16, Y1
	VFMADD231PS.BCST (SI)(R9*1), Y16, Y2
	VFMADD231PS.BCST (SI)(R10*1), Y16, Y3
	VFMADD231PS.BCST (SI)(R11*1), Y16, Y4
	VFMADD231PS.BCST (SI)(R12*1), Y16, Y5
	VFMADD231PS.BCST (SI)(R13*1), Y16, Y6
	ADDQ $4, SI
	ADDQ $32, DI
	DECQ AX
	JNZ yk7
	ADDQ R14, SI
	DECQ BX
	JNZ yseg7
	JMP ystore

yseg6:
	MOVQ kseg+40(FP), AX

yk6:
	VMOVUPS (DI), Y16
	VFMADD231PS.BCST (SI), Y16, Y0
	VFMADD231PS.BCST (SI)(R8*1), Y16, Y1
	VFMADD231PS.BCST (SI)(R9*1), Y16, Y2
	VFMADD231PS.BCST (SI)(R10*1), Y16, Y3
	VFMADD231PS.BCST (SI)(R11*1), Y16, Y4
	VFMADD231PS.BCST (SI)(R12*1), Y16, Y5
	ADDQ $4, SI
	ADDQ $32, DI
	DECQ AX
	JNZ yk6
	ADDQ R14, SI
	DECQ BX
	JNZ yseg6
	JMP ystore

yseg5:
	MOVQ kseg+40(FP), AX

yk5:
	VMOVUPS (DI), Y16
	VFMADD231PS.BCST (SI), Y16, Y0
	VFMADD231PS.BCST (SI)(R8*1), Y16, Y1
	VFMADD231PS.BCST (SI)(R9*1), Y16, Y2
	VFMADD231PS.BCST (SI)(R10*1), Y16, Y3
	VFMADD231PS.BCST (SI)(R11*1), Y16, Y4
	ADDQ $4, SI
	ADDQ $32, DI
	DECQ AX
	JNZ yk5
	ADDQ R14, SI
	DECQ BX
	JNZ yseg5
	JMP ystore

yseg4:
	MOVQ kseg+40(FP), AX

yk4:
	VMOVUPS (DI), Y16
	VFMADD231PS.BCST (SI), Y16, Y0
	VFMADD231PS.BCST (SI)(R8*1), Y16, Y1
	VFMADD231PS.BCST (SI)(R9*1), Y16, Y2
	VFMADD231PS.BCST (SI)(R10*1), Y16, Y3
	ADDQ $4, SI
	ADDQ $32, DI
	DECQ AX
	JNZ yk4
	ADDQ R14, SI
	DECQ BX
	JNZ yseg4
	JMP ystore

yseg3:
	MOVQ kseg+40(FP), AX

yk3:
	VMOVUPS (DI), Y16
	VFMADD231PS.BCST (SI), Y16, Y0
	VFMADD231PS.BCST (SI)(R8*1), Y16, Y1
	VFMADD231PS.BCST (SI)(R9*1), Y16, Y2
	ADDQ $4, SI
	ADDQ $32, DI
	DECQ AX
	JNZ yk3
	ADDQ R14, SI
	DECQ BX
	JNZ yseg3
	JMP ystore

yseg2:
	MOVQ kseg+40(FP), AX

yk2:
	VMOVUPS (DI), Y16
	VFMADD231PS.BCST (SI), Y16, Y0
	VFMADD231PS.BCST (SI)(R8*1), Y16, Y1
	ADDQ $4, SI
	ADDQ $32, DI
	DECQ AX
	JNZ yk2
	ADDQ R14, SI
	DECQ BX
	JNZ yseg2
	JMP ystore

yseg1:
	MOVQ kseg+40(FP), AX

yk1:
	VMOVUPS (DI), Y16
	VFMADD231PS.BCST (SI), Y16, Y0
	ADDQ $4, SI
	ADDQ $32, DI
	DECQ AX
	JNZ yk1
	ADDQ R14, SI
	DECQ BX
	JNZ yseg1
	JMP ystore

ystore:
	MOVQ cblk-16(SP), DI
	MOVQ ldc+88(FP), AX
	SHLQ $2, AX
	SEGOUT(Y0, Y17, Y18, Y19)
	CMPQ CX, $2
	JLT ynext
	ADDQ AX, DI
	SEGOUT(Y1, Y17, Y18, Y19)
	CMPQ CX, $3
	JLT ynext
	ADDQ AX, DI
	SEGOUT(Y2, Y17, Y18, Y19)
	CMPQ CX, $4
	JLT ynext
	ADDQ AX, DI
	SEGOUT(Y3, Y17, Y18, Y19)
	CMPQ CX, $5
	JLT ynext
	ADDQ AX, DI
	SEGOUT(Y4, Y17, Y18, Y19)
	CMPQ CX, $6
	JLT ynext
	ADDQ AX, DI
	SEGOUT(Y5, Y17, Y18, Y19)
	CMPQ CX, $7
	JLT ynext
	ADDQ AX, DI
	SEGOUT(Y6, Y17, Y18, Y19)
	CMPQ CX, $8
	JLT ynext
	ADDQ AX, DI
	SEGOUT(Y7, Y17, Y18, Y19)

ynext:
	SEGNEXT(yblock)

segdone:
	VZEROUPPER
	RET
