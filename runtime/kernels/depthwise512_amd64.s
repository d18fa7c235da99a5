//go:build !purego

#include "textflag.h"

// dwF32Tile computes output pixels in groups of 8, then 4, then one at a
// time: for each group and block of 16 channels the accumulators of every
// pixel of the group stay in registers while the taps go by, so each
// weight vector is loaded once per group instead of once per pixel (the
// inputs are the memory operands of the multiply-adds). The last block of
// channels is masked (any nc).

// DWFMASK sets K1 to the channels [SI, SI+16) below nc.
#define DWFMASK(lbl) \
	MOVQ nc+56(FP), CX; \
	SUBQ SI, CX; \
	MOVL $0xffff, AX; \
	CMPQ CX, $16; \
	JGE lbl; \
	MOVL $1, AX; \
	SHLL CX, AX; \
	DECL AX; \
lbl: \
	KMOVW AX, K1

// DWFCLAMP clamps acc to [Z14, Z15].
#define DWFCLAMP(acc) \
	VMAXPS Z14, acc, acc; \
	VMINPS Z15, acc, acc


// func dwF32Tile(x *float32, rowStep, colStep int, w *float32, kh, kw, wSkip, nc, cs int, bias *float32, lo, hi float32, out *float32, n, xStep int)
//
// The f32Row contract of dwVariant: n output pixels, xStep bytes of input
// apart and cs floats of output apart.
TEXT ·dwF32Tile(SB), NOSPLIT, $32-112
	VBROADCASTSS lo+80(FP), Z14
	VBROADCASTSS hi+84(FP), Z15
	MOVQ cs+64(FP), AX
	SHLQ $2, AX
	MOVQ AX, csb-8(SP)
	MOVQ n+96(FP), AX
	MOVQ AX, np-16(SP)
	MOVQ x+0(FP), AX
	MOVQ AX, xp-24(SP)
	MOVQ out+88(FP), AX
	MOVQ AX, op-32(SP)
	MOVQ rowStep+8(FP), R8
	MOVQ xStep+104(FP), R9
	LEAQ (R9)(R9*2), R10
	MOVQ colStep+16(FP), R11

ft8:
	CMPQ np-16(SP), $8
	JLT ft4
	XORQ SI, SI

ft8c:
	DWFMASK(ft8m)
	MOVQ bias+72(FP), AX
	VMOVUPS.Z (AX)(SI*4), K1, Z0
	VMOVAPS Z0, Z1
	VMOVAPS Z0, Z2
	VMOVAPS Z0, Z3
	VMOVAPS Z0, Z4
	VMOVAPS Z0, Z5
	VMOVAPS Z0, Z6
	VMOVAPS Z0, Z7
	MOVQ xp-24(SP), R15
	LEAQ (R15)(SI*4), R15
	MOVQ w+24(FP), R12
	LEAQ (R12)(SI*4), R12
	MOVQ kh+32(FP), R13

ft8ky:
	MOVQ R15, AX
	LEAQ (AX)(R9*4), BX
	MOVQ kw+40(FP), DX

ft8kx:
	VMOVUPS.Z (R12), K1, Z8
	VFMADD231PS (AX), Z8, K1, Z0
	VFMADD231PS (AX)(R9*1), Z8, K1, Z1
	VFMADD231PS (AX)(R9*2), Z8, K1, Z2
	VFMADD231PS (AX)(R10*1), Z8, K1, Z3
	VFMADD231PS (BX), Z8, K1, Z4
	VFMADD231PS (BX)(R9*1), Z8, K1, Z5
	VFMADD231PS (BX)(R9*2), Z8, K1, Z6
	VFMADD231PS (BX)(R10*1), Z8, K1, Z7
	ADDQ R11, AX
	ADDQ R11, BX
	ADDQ csb-8(SP), R12
	DECQ DX
	JNZ ft8kx
	ADDQ wSkip+48(FP), R12
	ADDQ R8, R15
	DECQ R13
	JNZ ft8ky

	DWFCLAMP(Z0)
	DWFCLAMP(Z1)
	DWFCLAMP(Z2)
	DWFCLAMP(Z3)
	DWFCLAMP(Z4)
	DWFCLAMP(Z5)
	DWFCLAMP(Z6)
	DWFCLAMP(Z7)
	MOVQ op-32(SP), AX
	LEAQ (AX)(SI*4), AX
	MOVQ csb-8(SP), BX
	LEAQ (BX)(BX*2), DX
	VMOVUPS Z0, K1, (AX)
	VMOVUPS Z1, K1, (AX)(BX*1)
	VMOVUPS Z2, K1, (AX)(BX*2)
	VMOVUPS Z3, K1, (AX)(DX*1)
	LEAQ (AX)(BX*4), AX
	VMOVUPS Z4, K1, (AX)
	VMOVUPS Z5, K1, (AX)(BX*1)
	VMOVUPS Z6, K1, (AX)(BX*2)
	VMOVUPS Z7, K1, (AX)(DX*1)
	ADDQ $16, SI
	CMPQ SI, nc+56(FP)
	JLT ft8c
	MOVQ R9, AX
	IMULQ $8, AX
	ADDQ AX, xp-24(SP)
	MOVQ csb-8(SP), AX
	IMULQ $8, AX
	ADDQ AX, op-32(SP)
	SUBQ $8, np-16(SP)
	JMP ft8

ft4:
	CMPQ np-16(SP), $4
	JLT ft1
	XORQ SI, SI

ft4c:
	DWFMASK(ft4m)
	MOVQ bias+72(FP), AX
	VMOVUPS.Z (AX)(SI*4), K1, Z0
	VMOVAPS Z0, Z1
	VMOVAPS Z0, Z2
	VMOVAPS Z0, Z3
	MOVQ xp-24(SP), R15
	LEAQ (R15)(SI*4), R15
	MOVQ w+24(FP), R12
	LEAQ (R12)(SI*4), R12
	MOVQ kh+32(FP), R13

ft4ky:
	MOVQ R15, AX
	MOVQ kw+40(FP), DX

ft4kx:
	VMOVUPS.Z (R12), K1, Z8
	VFMADD231PS (AX), Z8, K1, Z0
	VFMADD231PS (AX)(R9*1), Z8, K1, Z1
	VFMADD231PS (AX)(R9*2), Z8, K1, Z2
	VFMADD231PS (AX)(R10*1), Z8, K1, Z3
	ADDQ R11, AX
	ADDQ csb-8(SP), R12
	DECQ DX
	JNZ ft4kx
	ADDQ wSkip+48(FP), R12
	ADDQ R8, R15
	DECQ R13
	JNZ ft4ky

	DWFCLAMP(Z0)
	DWFCLAMP(Z1)
	DWFCLAMP(Z2)
	DWFCLAMP(Z3)
	MOVQ op-32(SP), AX
	LEAQ (AX)(SI*4), AX
	MOVQ csb-8(SP), BX
	LEAQ (BX)(BX*2), DX
	VMOVUPS Z0, K1, (AX)
	VMOVUPS Z1, K1, (AX)(BX*1)
	VMOVUPS Z2, K1, (AX)(BX*2)
	VMOVUPS Z3, K1, (AX)(DX*1)
	ADDQ $16, SI
	CMPQ SI, nc+56(FP)
	JLT ft4c
	MOVQ R9, AX
	IMULQ $4, AX
	ADDQ AX, xp-24(SP)
	MOVQ csb-8(SP), AX
	IMULQ $4, AX
	ADDQ AX, op-32(SP)
	SUBQ $4, np-16(SP)
	JMP ft4

ft1:
	CMPQ np-16(SP), $1
	JLT ftdone
	XORQ SI, SI

ft1c:
	DWFMASK(ft1m)
	MOVQ bias+72(FP), AX
	VMOVUPS.Z (AX)(SI*4), K1, Z0
	MOVQ xp-24(SP), R15
	LEAQ (R15)(SI*4), R15
	MOVQ w+24(FP), R12
	LEAQ (R12)(SI*4), R12
	MOVQ kh+32(FP), R13

ft1ky:
	MOVQ R15, AX
	MOVQ kw+40(FP), DX

ft1kx:
	VMOVUPS.Z (R12), K1, Z8
	VFMADD231PS (AX), Z8, K1, Z0
	ADDQ R11, AX
	ADDQ csb-8(SP), R12
	DECQ DX
	JNZ ft1kx
	ADDQ wSkip+48(FP), R12
	ADDQ R8, R15
	DECQ R13
	JNZ ft1ky

	DWFCLAMP(Z0)
	MOVQ op-32(SP), AX
	LEAQ (AX)(SI*4), AX
	MOVQ csb-8(SP), BX
	LEAQ (BX)(BX*2), DX
	VMOVUPS Z0, K1, (AX)
	ADDQ $16, SI
	CMPQ SI, nc+56(FP)
	JLT ft1c
	MOVQ R9, AX
	IMULQ $1, AX
	ADDQ AX, xp-24(SP)
	MOVQ csb-8(SP), AX
	IMULQ $1, AX
	ADDQ AX, op-32(SP)
	SUBQ $1, np-16(SP)
	JMP ft1

ftdone:
	VZEROUPPER
	RET
