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

// func dwF32AVX512(x *float32, rowStep, colStep int, w *float32, kh, kw, wSkip, nc, cs int, bias *float32, lo, hi float32, out *float32, n, xStep int)
//
// n output pixels, xStep bytes of input apart and cs floats of output
// apart; channels 64 at a time (four accumulators), then 16 at a time
// with the last block masked to the nc%16 left (any nc).
TEXT ·dwF32AVX512(SB), NOSPLIT, $8-112
	MOVQ x+0(FP), R15
	MOVQ out+88(FP), AX
	MOVQ AX, outp-8(SP)
	MOVQ colStep+16(FP), R9
	MOVQ cs+64(FP), R10
	SHLQ $2, R10
	VBROADCASTSS lo+80(FP), Z14
	VBROADCASTSS hi+84(FP), Z15
	MOVQ n+96(FP), R8

fpix:
	MOVQ R15, SI
	MOVQ w+24(FP), DI
	MOVQ bias+72(FP), BX
	MOVQ outp-8(SP), R14
	MOVQ nc+56(FP), CX
	CMPQ CX, $64
	JLT f16

f64:
	VMOVUPS (BX), Z0
	VMOVUPS 64(BX), Z1
	VMOVUPS 128(BX), Z2
	VMOVUPS 192(BX), Z3
	MOVQ SI, R11
	MOVQ DI, R12
	MOVQ kh+32(FP), R13

f64ky:
	MOVQ R11, AX
	MOVQ kw+40(FP), DX

f64kx:
	VMOVUPS (R12), Z4
	VMOVUPS 64(R12), Z5
	VMOVUPS 128(R12), Z6
	VMOVUPS 192(R12), Z7
	VFMADD231PS (AX), Z4, Z0
	VFMADD231PS 64(AX), Z5, Z1
	VFMADD231PS 128(AX), Z6, Z2
	VFMADD231PS 192(AX), Z7, Z3
	ADDQ R9, AX
	ADDQ R10, R12
	DECQ DX
	JNZ f64kx
	ADDQ wSkip+48(FP), R12
	ADDQ rowStep+8(FP), R11
	DECQ R13
	JNZ f64ky

	VMAXPS Z14, Z0, Z0
	VMAXPS Z14, Z1, Z1
	VMAXPS Z14, Z2, Z2
	VMAXPS Z14, Z3, Z3
	VMINPS Z15, Z0, Z0
	VMINPS Z15, Z1, Z1
	VMINPS Z15, Z2, Z2
	VMINPS Z15, Z3, Z3
	VMOVUPS Z0, (R14)
	VMOVUPS Z1, 64(R14)
	VMOVUPS Z2, 128(R14)
	VMOVUPS Z3, 192(R14)
	ADDQ $256, SI
	ADDQ $256, DI
	ADDQ $256, BX
	ADDQ $256, R14
	SUBQ $64, CX
	CMPQ CX, $64
	JGE f64

f16:
	TESTQ CX, CX
	JZ fnext
	MOVL $0xffff, AX
	CMPQ CX, $16
	JGE f16mask
	MOVL $1, AX
	SHLL CX, AX
	DECL AX

f16mask:
	KMOVW AX, K1
	VMOVUPS.Z (BX), K1, Z0
	MOVQ SI, R11
	MOVQ DI, R12
	MOVQ kh+32(FP), R13

f16ky:
	MOVQ R11, AX
	MOVQ kw+40(FP), DX

f16kx:
	VMOVUPS.Z (R12), K1, Z4
	VMOVUPS.Z (AX), K1, Z5
	VFMADD231PS Z5, Z4, Z0
	ADDQ R9, AX
	ADDQ R10, R12
	DECQ DX
	JNZ f16kx
	ADDQ wSkip+48(FP), R12
	ADDQ rowStep+8(FP), R11
	DECQ R13
	JNZ f16ky

	VMAXPS Z14, Z0, Z0
	VMINPS Z15, Z0, Z0
	VMOVUPS Z0, K1, (R14)
	ADDQ $64, SI
	ADDQ $64, DI
	ADDQ $64, BX
	ADDQ $64, R14
	SUBQ $16, CX
	JG f16

fnext:
	ADDQ xStep+104(FP), R15
	MOVQ outp-8(SP), AX
	ADDQ R10, AX
	MOVQ AX, outp-8(SP)
	DECQ R8
	JNZ fpix
	VZEROUPPER
	RET

// DWQOUT512 requantizes acc with the bias at boff(BX) and the scale at
// boff(R15) and stores 16 bytes at ooff(R14).
#define DWQOUT512(acc, boff, ooff) \
	VPADDD boff(BX), acc, acc; \
	VCVTDQ2PS acc, acc; \
	VMULPS boff(R15), acc, acc; \
	VMAXPS Z10, acc, acc; \
	VMINPS Z11, acc, acc; \
	VCVTPS2DQ acc, acc; \
	VPADDD Z12, acc, acc; \
	VPMOVDB acc, ooff(R14)

// func dwQAVX512(x *byte, rowStep, colStep int, w *int16, kh, kw, wSkip, nc, cs int, init, bias *int32, scale *float32, lo, hi float32, zp, signed, xzp int32, out *byte, n, xStep int)
//
// n output pixels, xStep bytes of input apart and cs bytes of output
// apart. Inputs are widened as they are (int8 sign-extended, uint8
// zero-extended) less xzp; accumulators start from init and are
// requantized like requantRow. Channels go 64 at a time, then 16 at a
// time with the last block masked to 8 when nc is not a multiple of 16.
// The four copies of the loop differ in the widening and in whether xzp
// is subtracted (not for the pixels inside the input).
TEXT ·dwQAVX512(SB), NOSPLIT, $24-144
	MOVQ colStep+16(FP), R9
	MOVQ cs+64(FP), R10
	SHLQ $1, R10
	VBROADCASTSS lo+96(FP), Z10
	VBROADCASTSS hi+100(FP), Z11
	MOVL zp+104(FP), AX
	VMOVD AX, X12
	VPBROADCASTD X12, Z12
	MOVL xzp+112(FP), AX
	VMOVD AX, X13
	VPBROADCASTD X13, Z13
	MOVL signed+108(FP), AX
	MOVL xzp+112(FP), BX
	TESTL AX, AX
	JNZ qsigned
	TESTL BX, BX
	JZ quraw
	JMP qusub

qsigned:
	TESTL BX, BX
	JZ qsraw
	JMP qssub

qsraw:
	MOVQ x+0(FP), AX
	MOVQ AX, xp-8(SP)
	MOVQ out+120(FP), AX
	MOVQ AX, op-16(SP)
	MOVQ n+128(FP), AX
	MOVQ AX, np-24(SP)

qsrawpix:
	MOVQ xp-8(SP), SI
	MOVQ w+24(FP), DI
	MOVQ init+72(FP), DX
	MOVQ bias+80(FP), BX
	MOVQ scale+88(FP), R15
	MOVQ op-16(SP), R14
	MOVQ nc+56(FP), CX
	CMPQ CX, $64
	JLT qsraw16

qsraw64:
	VMOVDQU32 (DX), Z0
	VMOVDQU32 64(DX), Z1
	VMOVDQU32 128(DX), Z2
	VMOVDQU32 192(DX), Z3
	MOVQ SI, R11
	MOVQ DI, R12
	MOVQ kh+32(FP), R13

qsraw64ky:
	MOVQ R11, AX
	MOVQ kw+40(FP), R8

qsraw64kx:
	VPMOVSXBD (AX), Z4
	VPMOVSXBD 16(AX), Z5
	VPMOVSXBD 32(AX), Z6
	VPMOVSXBD 48(AX), Z7
	VPMOVSXWD (R12), Z8
	VPMOVSXWD 32(R12), Z9
	VPMOVSXWD 64(R12), Z16
	VPMOVSXWD 96(R12), Z17
	VPMULLD Z8, Z4, Z4
	VPMULLD Z9, Z5, Z5
	VPMULLD Z16, Z6, Z6
	VPMULLD Z17, Z7, Z7
	VPADDD Z4, Z0, Z0
	VPADDD Z5, Z1, Z1
	VPADDD Z6, Z2, Z2
	VPADDD Z7, Z3, Z3
	ADDQ R9, AX
	ADDQ R10, R12
	DECQ R8
	JNZ qsraw64kx
	ADDQ wSkip+48(FP), R12
	ADDQ rowStep+8(FP), R11
	DECQ R13
	JNZ qsraw64ky

	DWQOUT512(Z0, 0, 0)
	DWQOUT512(Z1, 64, 16)
	DWQOUT512(Z2, 128, 32)
	DWQOUT512(Z3, 192, 48)
	ADDQ $64, SI
	ADDQ $128, DI
	ADDQ $256, DX
	ADDQ $256, BX
	ADDQ $256, R15
	ADDQ $64, R14
	SUBQ $64, CX
	CMPQ CX, $64
	JGE qsraw64

qsraw16:
	TESTQ CX, CX
	JZ qsrawnext
	MOVL $0xffff, AX
	CMPQ CX, $16
	JGE qsraw16mask
	MOVL $0xff, AX

qsraw16mask:
	KMOVW AX, K1
	VMOVDQU32.Z (DX), K1, Z0
	MOVQ SI, R11
	MOVQ DI, R12
	MOVQ kh+32(FP), R13

qsraw16ky:
	MOVQ R11, AX
	MOVQ kw+40(FP), R8

qsraw16kx:
	VPMOVSXBD.Z (AX), K1, Z4
	VPMOVSXWD.Z (R12), K1, Z8
	VPMULLD Z8, Z4, Z4
	VPADDD Z4, Z0, Z0
	ADDQ R9, AX
	ADDQ R10, R12
	DECQ R8
	JNZ qsraw16kx
	ADDQ wSkip+48(FP), R12
	ADDQ rowStep+8(FP), R11
	DECQ R13
	JNZ qsraw16ky

	VMOVDQU32.Z (BX), K1, Z6
	VPADDD Z6, Z0, Z0
	VCVTDQ2PS Z0, Z0
	VMOVUPS.Z (R15), K1, Z6
	VMULPS Z6, Z0, Z0
	VMAXPS Z10, Z0, Z0
	VMINPS Z11, Z0, Z0
	VCVTPS2DQ Z0, Z0
	VPADDD Z12, Z0, Z0
	VPMOVDB Z0, K1, (R14)
	ADDQ $16, SI
	ADDQ $32, DI
	ADDQ $64, DX
	ADDQ $64, BX
	ADDQ $64, R15
	ADDQ $16, R14
	SUBQ $16, CX
	JG qsraw16

qsrawnext:
	MOVQ xStep+136(FP), AX
	ADDQ AX, xp-8(SP)
	MOVQ cs+64(FP), AX
	ADDQ AX, op-16(SP)
	DECQ np-24(SP)
	JNZ qsrawpix
	VZEROUPPER
	RET

qssub:
	MOVQ x+0(FP), AX
	MOVQ AX, xp-8(SP)
	MOVQ out+120(FP), AX
	MOVQ AX, op-16(SP)
	MOVQ n+128(FP), AX
	MOVQ AX, np-24(SP)

qssubpix:
	MOVQ xp-8(SP), SI
	MOVQ w+24(FP), DI
	MOVQ init+72(FP), DX
	MOVQ bias+80(FP), BX
	MOVQ scale+88(FP), R15
	MOVQ op-16(SP), R14
	MOVQ nc+56(FP), CX
	CMPQ CX, $64
	JLT qssub16

qssub64:
	VMOVDQU32 (DX), Z0
	VMOVDQU32 64(DX), Z1
	VMOVDQU32 128(DX), Z2
	VMOVDQU32 192(DX), Z3
	MOVQ SI, R11
	MOVQ DI, R12
	MOVQ kh+32(FP), R13

qssub64ky:
	MOVQ R11, AX
	MOVQ kw+40(FP), R8

qssub64kx:
	VPMOVSXBD (AX), Z4
	VPMOVSXBD 16(AX), Z5
	VPMOVSXBD 32(AX), Z6
	VPMOVSXBD 48(AX), Z7
	VPSUBD Z13, Z4, Z4
	VPSUBD Z13, Z5, Z5
	VPSUBD Z13, Z6, Z6
	VPSUBD Z13, Z7, Z7
	VPMOVSXWD (R12), Z8
	VPMOVSXWD 32(R12), Z9
	VPMOVSXWD 64(R12), Z16
	VPMOVSXWD 96(R12), Z17
	VPMULLD Z8, Z4, Z4
	VPMULLD Z9, Z5, Z5
	VPMULLD Z16, Z6, Z6
	VPMULLD Z17, Z7, Z7
	VPADDD Z4, Z0, Z0
	VPADDD Z5, Z1, Z1
	VPADDD Z6, Z2, Z2
	VPADDD Z7, Z3, Z3
	ADDQ R9, AX
	ADDQ R10, R12
	DECQ R8
	JNZ qssub64kx
	ADDQ wSkip+48(FP), R12
	ADDQ rowStep+8(FP), R11
	DECQ R13
	JNZ qssub64ky

	DWQOUT512(Z0, 0, 0)
	DWQOUT512(Z1, 64, 16)
	DWQOUT512(Z2, 128, 32)
	DWQOUT512(Z3, 192, 48)
	ADDQ $64, SI
	ADDQ $128, DI
	ADDQ $256, DX
	ADDQ $256, BX
	ADDQ $256, R15
	ADDQ $64, R14
	SUBQ $64, CX
	CMPQ CX, $64
	JGE qssub64

qssub16:
	TESTQ CX, CX
	JZ qssubnext
	MOVL $0xffff, AX
	CMPQ CX, $16
	JGE qssub16mask
	MOVL $0xff, AX

qssub16mask:
	KMOVW AX, K1
	VMOVDQU32.Z (DX), K1, Z0
	MOVQ SI, R11
	MOVQ DI, R12
	MOVQ kh+32(FP), R13

qssub16ky:
	MOVQ R11, AX
	MOVQ kw+40(FP), R8

qssub16kx:
	VPMOVSXBD.Z (AX), K1, Z4
	VPSUBD Z13, Z4, Z4
	VPMOVSXWD.Z (R12), K1, Z8
	VPMULLD Z8, Z4, Z4
	VPADDD Z4, Z0, Z0
	ADDQ R9, AX
	ADDQ R10, R12
	DECQ R8
	JNZ qssub16kx
	ADDQ wSkip+48(FP), R12
	ADDQ rowStep+8(FP), R11
	DECQ R13
	JNZ qssub16ky

	VMOVDQU32.Z (BX), K1, Z6
	VPADDD Z6, Z0, Z0
	VCVTDQ2PS Z0, Z0
	VMOVUPS.Z (R15), K1, Z6
	VMULPS Z6, Z0, Z0
	VMAXPS Z10, Z0, Z0
	VMINPS Z11, Z0, Z0
	VCVTPS2DQ Z0, Z0
	VPADDD Z12, Z0, Z0
	VPMOVDB Z0, K1, (R14)
	ADDQ $16, SI
	ADDQ $32, DI
	ADDQ $64, DX
	ADDQ $64, BX
	ADDQ $64, R15
	ADDQ $16, R14
	SUBQ $16, CX
	JG qssub16

qssubnext:
	MOVQ xStep+136(FP), AX
	ADDQ AX, xp-8(SP)
	MOVQ cs+64(FP), AX
	ADDQ AX, op-16(SP)
	DECQ np-24(SP)
	JNZ qssubpix
	VZEROUPPER
	RET

quraw:
	MOVQ x+0(FP), AX
	MOVQ AX, xp-8(SP)
	MOVQ out+120(FP), AX
	MOVQ AX, op-16(SP)
	MOVQ n+128(FP), AX
	MOVQ AX, np-24(SP)

qurawpix:
	MOVQ xp-8(SP), SI
	MOVQ w+24(FP), DI
	MOVQ init+72(FP), DX
	MOVQ bias+80(FP), BX
	MOVQ scale+88(FP), R15
	MOVQ op-16(SP), R14
	MOVQ nc+56(FP), CX
	CMPQ CX, $64
	JLT quraw16

quraw64:
	VMOVDQU32 (DX), Z0
	VMOVDQU32 64(DX), Z1
	VMOVDQU32 128(DX), Z2
	VMOVDQU32 192(DX), Z3
	MOVQ SI, R11
	MOVQ DI, R12
	MOVQ kh+32(FP), R13

quraw64ky:
	MOVQ R11, AX
	MOVQ kw+40(FP), R8

quraw64kx:
	VPMOVZXBD (AX), Z4
	VPMOVZXBD 16(AX), Z5
	VPMOVZXBD 32(AX), Z6
	VPMOVZXBD 48(AX), Z7
	VPMOVSXWD (R12), Z8
	VPMOVSXWD 32(R12), Z9
	VPMOVSXWD 64(R12), Z16
	VPMOVSXWD 96(R12), Z17
	VPMULLD Z8, Z4, Z4
	VPMULLD Z9, Z5, Z5
	VPMULLD Z16, Z6, Z6
	VPMULLD Z17, Z7, Z7
	VPADDD Z4, Z0, Z0
	VPADDD Z5, Z1, Z1
	VPADDD Z6, Z2, Z2
	VPADDD Z7, Z3, Z3
	ADDQ R9, AX
	ADDQ R10, R12
	DECQ R8
	JNZ quraw64kx
	ADDQ wSkip+48(FP), R12
	ADDQ rowStep+8(FP), R11
	DECQ R13
	JNZ quraw64ky

	DWQOUT512(Z0, 0, 0)
	DWQOUT512(Z1, 64, 16)
	DWQOUT512(Z2, 128, 32)
	DWQOUT512(Z3, 192, 48)
	ADDQ $64, SI
	ADDQ $128, DI
	ADDQ $256, DX
	ADDQ $256, BX
	ADDQ $256, R15
	ADDQ $64, R14
	SUBQ $64, CX
	CMPQ CX, $64
	JGE quraw64

quraw16:
	TESTQ CX, CX
	JZ qurawnext
	MOVL $0xffff, AX
	CMPQ CX, $16
	JGE quraw16mask
	MOVL $0xff, AX

quraw16mask:
	KMOVW AX, K1
	VMOVDQU32.Z (DX), K1, Z0
	MOVQ SI, R11
	MOVQ DI, R12
	MOVQ kh+32(FP), R13

quraw16ky:
	MOVQ R11, AX
	MOVQ kw+40(FP), R8

quraw16kx:
	VPMOVZXBD.Z (AX), K1, Z4
	VPMOVSXWD.Z (R12), K1, Z8
	VPMULLD Z8, Z4, Z4
	VPADDD Z4, Z0, Z0
	ADDQ R9, AX
	ADDQ R10, R12
	DECQ R8
	JNZ quraw16kx
	ADDQ wSkip+48(FP), R12
	ADDQ rowStep+8(FP), R11
	DECQ R13
	JNZ quraw16ky

	VMOVDQU32.Z (BX), K1, Z6
	VPADDD Z6, Z0, Z0
	VCVTDQ2PS Z0, Z0
	VMOVUPS.Z (R15), K1, Z6
	VMULPS Z6, Z0, Z0
	VMAXPS Z10, Z0, Z0
	VMINPS Z11, Z0, Z0
	VCVTPS2DQ Z0, Z0
	VPADDD Z12, Z0, Z0
	VPMOVDB Z0, K1, (R14)
	ADDQ $16, SI
	ADDQ $32, DI
	ADDQ $64, DX
	ADDQ $64, BX
	ADDQ $64, R15
	ADDQ $16, R14
	SUBQ $16, CX
	JG quraw16

qurawnext:
	MOVQ xStep+136(FP), AX
	ADDQ AX, xp-8(SP)
	MOVQ cs+64(FP), AX
	ADDQ AX, op-16(SP)
	DECQ np-24(SP)
	JNZ qurawpix
	VZEROUPPER
	RET

qusub:
	MOVQ x+0(FP), AX
	MOVQ AX, xp-8(SP)
	MOVQ out+120(FP), AX
	MOVQ AX, op-16(SP)
	MOVQ n+128(FP), AX
	MOVQ AX, np-24(SP)

qusubpix:
	MOVQ xp-8(SP), SI
	MOVQ w+24(FP), DI
	MOVQ init+72(FP), DX
	MOVQ bias+80(FP), BX
	MOVQ scale+88(FP), R15
	MOVQ op-16(SP), R14
	MOVQ nc+56(FP), CX
	CMPQ CX, $64
	JLT qusub16

qusub64:
	VMOVDQU32 (DX), Z0
	VMOVDQU32 64(DX), Z1
	VMOVDQU32 128(DX), Z2
	VMOVDQU32 192(DX), Z3
	MOVQ SI, R11
	MOVQ DI, R12
	MOVQ kh+32(FP), R13

qusub64ky:
	MOVQ R11, AX
	MOVQ kw+40(FP), R8

qusub64kx:
	VPMOVZXBD (AX), Z4
	VPMOVZXBD 16(AX), Z5
	VPMOVZXBD 32(AX), Z6
	VPMOVZXBD 48(AX), Z7
	VPSUBD Z13, Z4, Z4
	VPSUBD Z13, Z5, Z5
	VPSUBD Z13, Z6, Z6
	VPSUBD Z13, Z7, Z7
	VPMOVSXWD (R12), Z8
	VPMOVSXWD 32(R12), Z9
	VPMOVSXWD 64(R12), Z16
	VPMOVSXWD 96(R12), Z17
	VPMULLD Z8, Z4, Z4
	VPMULLD Z9, Z5, Z5
	VPMULLD Z16, Z6, Z6
	VPMULLD Z17, Z7, Z7
	VPADDD Z4, Z0, Z0
	VPADDD Z5, Z1, Z1
	VPADDD Z6, Z2, Z2
	VPADDD Z7, Z3, Z3
	ADDQ R9, AX
	ADDQ R10, R12
	DECQ R8
	JNZ qusub64kx
	ADDQ wSkip+48(FP), R12
	ADDQ rowStep+8(FP), R11
	DECQ R13
	JNZ qusub64ky

	DWQOUT512(Z0, 0, 0)
	DWQOUT512(Z1, 64, 16)
	DWQOUT512(Z2, 128, 32)
	DWQOUT512(Z3, 192, 48)
	ADDQ $64, SI
	ADDQ $128, DI
	ADDQ $256, DX
	ADDQ $256, BX
	ADDQ $256, R15
	ADDQ $64, R14
	SUBQ $64, CX
	CMPQ CX, $64
	JGE qusub64

qusub16:
	TESTQ CX, CX
	JZ qusubnext
	MOVL $0xffff, AX
	CMPQ CX, $16
	JGE qusub16mask
	MOVL $0xff, AX

qusub16mask:
	KMOVW AX, K1
	VMOVDQU32.Z (DX), K1, Z0
	MOVQ SI, R11
	MOVQ DI, R12
	MOVQ kh+32(FP), R13

qusub16ky:
	MOVQ R11, AX
	MOVQ kw+40(FP), R8

qusub16kx:
	VPMOVZXBD.Z (AX), K1, Z4
	VPSUBD Z13, Z4, Z4
	VPMOVSXWD.Z (R12), K1, Z8
	VPMULLD Z8, Z4, Z4
	VPADDD Z4, Z0, Z0
	ADDQ R9, AX
	ADDQ R10, R12
	DECQ R8
	JNZ qusub16kx
	ADDQ wSkip+48(FP), R12
	ADDQ rowStep+8(FP), R11
	DECQ R13
	JNZ qusub16ky

	VMOVDQU32.Z (BX), K1, Z6
	VPADDD Z6, Z0, Z0
	VCVTDQ2PS Z0, Z0
	VMOVUPS.Z (R15), K1, Z6
	VMULPS Z6, Z0, Z0
	VMAXPS Z10, Z0, Z0
	VMINPS Z11, Z0, Z0
	VCVTPS2DQ Z0, Z0
	VPADDD Z12, Z0, Z0
	VPMOVDB Z0, K1, (R14)
	ADDQ $16, SI
	ADDQ $32, DI
	ADDQ $64, DX
	ADDQ $64, BX
	ADDQ $64, R15
	ADDQ $16, R14
	SUBQ $16, CX
	JG qusub16

qusubnext:
	MOVQ xStep+136(FP), AX
	ADDQ AX, xp-8(SP)
	MOVQ cs+64(FP), AX
	ADDQ AX, op-16(SP)
	DECQ np-24(SP)
	JNZ qusubpix
	VZEROUPPER
	RET
