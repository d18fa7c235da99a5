//go:build !purego

#include "textflag.h"

// func sumRowsAVX512(a *byte, lda, rows, k int, flip int32, sums *int32)
//
// sums[r] = Σ (a[r·lda+i] XOR flip) for i < k, bytes as uint8: VPSADBW
// against zero adds each 8 bytes into a quadword, 64 bytes per step; the
// last k%64 bytes are read under a mask, so nothing past k is read.
TEXT ·sumRowsAVX512(SB), NOSPLIT, $0-48
	MOVQ a+0(FP), SI
	MOVQ lda+8(FP), BX
	MOVQ rows+16(FP), CX
	MOVQ k+24(FP), DX
	MOVL flip+32(FP), AX
	VPBROADCASTB AX, Z3
	MOVQ sums+40(FP), DI
	MOVQ DX, R8
	ANDQ $63, R8
	MOVQ $1, R9
	SHLXQ R8, R9, R9
	DECQ R9
	KMOVQ R9, K1
	VPXORD Z2, Z2, Z2
	SHRQ $6, DX
	TESTQ CX, CX
	JZ done

row:
	VPXORD Z0, Z0, Z0
	MOVQ SI, R10
	MOVQ DX, R11
	TESTQ R11, R11
	JZ tail

block:
	VMOVDQU8 (R10), Z1
	VPXORD Z3, Z1, Z1
	VPSADBW Z2, Z1, Z1
	VPADDQ Z1, Z0, Z0
	ADDQ $64, R10
	DECQ R11
	JNZ block

tail:
	VMOVDQU8.Z (R10), K1, Z1
	VPXORD Z3, Z1, Z1
	VMOVDQU8.Z Z1, K1, Z1
	VPSADBW Z2, Z1, Z1
	VPADDQ Z1, Z0, Z0
	VEXTRACTI64X4 $1, Z0, Y1
	VPADDQ Y1, Y0, Y0
	VEXTRACTI128 $1, Y0, X1
	VPADDQ X1, X0, X0
	VPSHUFD $0x4e, X0, X1
	VPADDQ X1, X0, X0
	VMOVD X0, (DI)
	ADDQ $4, DI
	ADDQ BX, SI
	DECQ CX
	JNZ row

done:
	VZEROUPPER
	RET

// func flipBytesAVX512(dst, src *byte, n int)
//
// dst[i] = src[i] XOR 0x80 for i < n, 64 bytes a step and the rest under a
// mask; dst may be src.
TEXT ·flipBytesAVX512(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	MOVL $0x80808080, AX
	VPBROADCASTD AX, Z1
	CMPQ CX, $64
	JLT ftail

fblock:
	VPXORD (SI), Z1, Z0
	VMOVDQU64 Z0, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	SUBQ $64, CX
	CMPQ CX, $64
	JGE fblock

ftail:
	TESTQ CX, CX
	JZ fdone
	MOVQ $1, AX
	SHLXQ CX, AX, AX
	DECQ AX
	KMOVQ AX, K1
	VMOVDQU8.Z (SI), K1, Z0
	VPXORD Z1, Z0, Z0
	VMOVDQU8 Z0, K1, (DI)

fdone:
	VZEROUPPER
	RET
