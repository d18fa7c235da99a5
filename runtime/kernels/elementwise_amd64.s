//go:build !purego

#include "textflag.h"

// ADDQ8 computes 16 (or, masked by K1, fewer) outputs of the XNNPACK
// scheme of AddQ8 from the 8-bit values at (SI) and (DI), widened with
// ext, into (DX): clamp((bias + x·ma + y·mb) >> shift + zero, lo, hi).
#define ADDQ8(ext, mask) \
	ext (SI), mask, Z0; \
	ext (DI), mask, Z1; \
	VPMULLD Z10, Z0, Z0; \
	VPMULLD Z11, Z1, Z1; \
	VPADDD Z12, Z0, Z0; \
	VPADDD Z1, Z0, Z0; \
	VPSRAD X13, Z0, Z0; \
	VPADDD Z14, Z0, Z0; \
	VPMAXSD Z15, Z0, Z0; \
	VPMINSD Z16, Z0, Z0; \
	VPMOVDB Z0, mask, (DX)

// func addQ8AVX512(x, y, z *byte, n int, ma, mb, bias, shift, zero, lo, hi, signed int32)
TEXT ·addQ8AVX512(SB), NOSPLIT, $0-64
	MOVQ x+0(FP), SI
	MOVQ y+8(FP), DI
	MOVQ z+16(FP), DX
	MOVQ n+24(FP), CX
	MOVL ma+32(FP), AX
	VPBROADCASTD AX, Z10
	MOVL mb+36(FP), AX
	VPBROADCASTD AX, Z11
	MOVL bias+40(FP), AX
	VPBROADCASTD AX, Z12
	MOVL shift+44(FP), AX
	VMOVD AX, X13
	MOVL zero+48(FP), AX
	VPBROADCASTD AX, Z14
	MOVL lo+52(FP), AX
	VPBROADCASTD AX, Z15
	MOVL hi+56(FP), AX
	VPBROADCASTD AX, Z16
	MOVL $0xffff, AX
	KMOVW AX, K2
	MOVL signed+60(FP), AX
	TESTL AX, AX
	JZ uloop

sloop:
	CMPQ CX, $16
	JLT stail
	ADDQ8(VPMOVSXBD.Z, K2)
	ADDQ $16, SI
	ADDQ $16, DI
	ADDQ $16, DX
	SUBQ $16, CX
	JMP sloop

stail:
	TESTQ CX, CX
	JZ done
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K1
	ADDQ8(VPMOVSXBD.Z, K1)
	JMP done

uloop:
	CMPQ CX, $16
	JLT utail
	ADDQ8(VPMOVZXBD.Z, K2)
	ADDQ $16, SI
	ADDQ $16, DI
	ADDQ $16, DX
	SUBQ $16, CX
	JMP uloop

utail:
	TESTQ CX, CX
	JZ done
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K1
	ADDQ8(VPMOVZXBD.Z, K1)

done:
	VZEROUPPER
	RET
