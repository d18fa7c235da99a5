//go:build !purego

#include "textflag.h"

// The depthwise kernels compute one output pixel from the kh×kw taps of
// its window that lie inside the input: x points at the first such tap's
// input pixel (channel 0), rowStep and colStep are the byte distances
// between window rows and columns, w points at the tap's weights in
// [KH·KW][cs] and wSkip is the bytes of weights to skip after each row of
// kw taps (those of the taps outside). They compute the first nc channels
// of cs. Channels go 32 at a time (four
// independent accumulators hide the multiply-add latency), then 8 at a
// time; nc is a multiple of 8.

// func dwF32FMA(x *float32, rowStep, colStep int, w *float32, kh, kw, wSkip, nc, cs int, bias *float32, lo, hi float32, out *float32)
TEXT ·dwF32FMA(SB), NOSPLIT, $0-96
	MOVQ x+0(FP), SI
	MOVQ rowStep+8(FP), R8
	MOVQ colStep+16(FP), R9
	MOVQ w+24(FP), DI
	MOVQ nc+56(FP), CX
	MOVQ cs+64(FP), R10
	SHLQ $2, R10
	MOVQ bias+72(FP), BX
	VBROADCASTSS lo+80(FP), Y14
	VBROADCASTSS hi+84(FP), Y15
	MOVQ out+88(FP), R14

	CMPQ CX, $32
	JLT block8

block32:
	VMOVUPS (BX), Y0
	VMOVUPS 32(BX), Y1
	VMOVUPS 64(BX), Y2
	VMOVUPS 96(BX), Y3
	MOVQ SI, R11
	MOVQ DI, R12
	MOVQ kh+32(FP), R13

ky32:
	MOVQ R11, AX
	MOVQ kw+40(FP), DX

kx32:
	VMOVUPS (R12), Y4
	VMOVUPS 32(R12), Y5
	VMOVUPS 64(R12), Y6
	VMOVUPS 96(R12), Y7
	VFMADD231PS (AX), Y4, Y0
	VFMADD231PS 32(AX), Y5, Y1
	VFMADD231PS 64(AX), Y6, Y2
	VFMADD231PS 96(AX), Y7, Y3
	ADDQ R9, AX
	ADDQ R10, R12
	DECQ DX
	JNZ kx32
	ADDQ wSkip+48(FP), R12
	ADDQ R8, R11
	DECQ R13
	JNZ ky32

	VMAXPS Y14, Y0, Y0
	VMAXPS Y14, Y1, Y1
	VMAXPS Y14, Y2, Y2
	VMAXPS Y14, Y3, Y3
	VMINPS Y15, Y0, Y0
	VMINPS Y15, Y1, Y1
	VMINPS Y15, Y2, Y2
	VMINPS Y15, Y3, Y3
	VMOVUPS Y0, (R14)
	VMOVUPS Y1, 32(R14)
	VMOVUPS Y2, 64(R14)
	VMOVUPS Y3, 96(R14)
	ADDQ $128, SI
	ADDQ $128, DI
	ADDQ $128, BX
	ADDQ $128, R14
	SUBQ $32, CX
	CMPQ CX, $32
	JGE block32

block8:
	TESTQ CX, CX
	JZ done
	VMOVUPS (BX), Y0
	MOVQ SI, R11
	MOVQ DI, R12
	MOVQ kh+32(FP), R13

ky8:
	MOVQ R11, AX
	MOVQ kw+40(FP), DX

kx8:
	VMOVUPS (R12), Y4
	VFMADD231PS (AX), Y4, Y0
	ADDQ R9, AX
	ADDQ R10, R12
	DECQ DX
	JNZ kx8
	ADDQ wSkip+48(FP), R12
	ADDQ R8, R11
	DECQ R13
	JNZ ky8

	VMAXPS Y14, Y0, Y0
	VMINPS Y15, Y0, Y0
	VMOVUPS Y0, (R14)
	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ $32, BX
	ADDQ $32, R14
	SUBQ $8, CX
	JMP block8

done:
	VZEROUPPER
	RET

// DWQTAP adds the products of 8 input bytes at off(AX), XORed with Y15
// less Y14, and 8 int16 weights at woff(R12) to acc.
#define DWQTAP(off, woff, acc) \
	VPMOVZXBD off(AX), Y4; \
	VPXOR Y15, Y4, Y4; \
	VPSUBD Y14, Y4, Y4; \
	VPMOVSXWD woff(R12), Y5; \
	VPMULLD Y5, Y4, Y4; \
	VPADDD Y4, acc, acc

// DWQOUT requantizes acc (X view accx) with the bias at boff(BX) and the
// scale at boff(R15) and stores 8 bytes at ooff(R14).
#define DWQOUT(acc, accx, boff, ooff) \
	VPADDD boff(BX), acc, acc; \
	VCVTDQ2PS acc, acc; \
	VMULPS boff(R15), acc, acc; \
	VMAXPS Y10, acc, acc; \
	VMINPS Y11, acc, acc; \
	VCVTPS2DQ acc, acc; \
	VPADDD Y12, acc, acc; \
	VEXTRACTI128 $1, acc, X5; \
	VPACKSSDW X5, accx, accx; \
	VPAND X13, accx, accx; \
	VPACKUSWB accx, accx, accx; \
	VMOVQ accx, ooff(R14)

// func dwQAVX2(x *byte, rowStep, colStep int, w *int16, kh, kw, wSkip, nc, cs int, init, bias *int32, scale *float32, lo, hi float32, zp, signed, xzp int32, out *byte)
//
// Accumulators start from init; inputs are widened as uint8 after an XOR
// with 0x80 when signed, less xzp, and the result is requantized like
// requantRow.
TEXT ·dwQAVX2(SB), NOSPLIT, $8-128
	MOVQ x+0(FP), SI
	MOVQ rowStep+8(FP), R8
	MOVQ colStep+16(FP), R9
	MOVQ w+24(FP), DI
	MOVQ nc+56(FP), CX
	MOVQ cs+64(FP), R10
	SHLQ $1, R10
	MOVQ init+72(FP), DX
	MOVQ bias+80(FP), BX
	MOVQ scale+88(FP), R15
	VBROADCASTSS lo+96(FP), Y10
	VBROADCASTSS hi+100(FP), Y11
	MOVL xzp+112(FP), AX
	VMOVD AX, X14
	VPBROADCASTD X14, Y14
	MOVL zp+104(FP), AX
	VMOVD AX, X12
	VPBROADCASTD X12, Y12
	MOVL $0x00ff00ff, AX
	VMOVD AX, X13
	VPBROADCASTD X13, Y13
	MOVL signed+108(FP), AX
	SHLL $7, AX
	VMOVD AX, X15
	VPBROADCASTD X15, Y15
	MOVQ out+120(FP), R14

	CMPQ CX, $32
	JLT qblock8

qblock32:
	VMOVDQU (DX), Y0
	VMOVDQU 32(DX), Y1
	VMOVDQU 64(DX), Y2
	VMOVDQU 96(DX), Y3
	MOVQ SI, R11
	MOVQ DI, R12
	MOVQ kh+32(FP), R13

qky32:
	MOVQ R11, AX
	MOVQ DX, initp-8(SP)
	MOVQ kw+40(FP), DX

qkx32:
	DWQTAP(0, 0, Y0)
	DWQTAP(8, 16, Y1)
	DWQTAP(16, 32, Y2)
	DWQTAP(24, 48, Y3)
	ADDQ R9, AX
	ADDQ R10, R12
	DECQ DX
	JNZ qkx32
	ADDQ wSkip+48(FP), R12
	MOVQ initp-8(SP), DX
	ADDQ R8, R11
	DECQ R13
	JNZ qky32

	DWQOUT(Y0, X0, 0, 0)
	DWQOUT(Y1, X1, 32, 8)
	DWQOUT(Y2, X2, 64, 16)
	DWQOUT(Y3, X3, 96, 24)
	ADDQ $32, SI
	ADDQ $64, DI
	ADDQ $128, DX
	ADDQ $128, BX
	ADDQ $128, R15
	ADDQ $32, R14
	SUBQ $32, CX
	CMPQ CX, $32
	JGE qblock32

qblock8:
	TESTQ CX, CX
	JZ qdone
	VMOVDQU (DX), Y0
	MOVQ SI, R11
	MOVQ DI, R12
	MOVQ kh+32(FP), R13

qky8:
	MOVQ R11, AX
	MOVQ DX, initp-8(SP)
	MOVQ kw+40(FP), DX

qkx8:
	DWQTAP(0, 0, Y0)
	ADDQ R9, AX
	ADDQ R10, R12
	DECQ DX
	JNZ qkx8
	ADDQ wSkip+48(FP), R12
	MOVQ initp-8(SP), DX
	ADDQ R8, R11
	DECQ R13
	JNZ qky8

	DWQOUT(Y0, X0, 0, 0)
	ADDQ $8, SI
	ADDQ $16, DI
	ADDQ $32, DX
	ADDQ $32, BX
	ADDQ $32, R15
	ADDQ $8, R14
	SUBQ $8, CX
	JMP qblock8

qdone:
	VZEROUPPER
	RET
