//go:build !purego

#include "textflag.h"

// Instructions the Go assembler does not know (vector FADD, FMAX, FMIN,
// FMUL, FMLA by element, SCVTF, FCVTNS, SMLAL, XTN) are written as WORD encodings
// with the instruction in a comment.

// func gemmF32NEON(a *float32, lda, rows int, w *float32, k int, bias *float32, lo, hi float32, c *float32, ldc, nc int)
//
// Rows 0 to rows-1 (at most 6) of a times one panel: accumulators V16-V27
// (two per row). Steps of 4 values of K multiply the weights V6-V13 by
// lanes of the row values V0-V5 (FMLA by element); the last k%4 steps
// take one value at a time (weights V0-V1, row values V2-V7). It stores
// the first nc channels of each row (through a stack buffer when nc < 8).
TEXT ·gemmF32NEON(SB), NOSPLIT, $32-80
	MOVD a+0(FP), R0
	MOVD lda+8(FP), R1
	LSL $2, R1, R1
	MOVD rows+16(FP), R2
	ADD R1, R0, R3
	CMP $2, R2
	CSEL LT, R0, R3, R3
	ADD R1, R3, R4
	CMP $3, R2
	CSEL LT, R3, R4, R4
	ADD R1, R4, R5
	CMP $4, R2
	CSEL LT, R4, R5, R5
	ADD R1, R5, R6
	CMP $5, R2
	CSEL LT, R5, R6, R6
	ADD R1, R6, R7
	CMP $6, R2
	CSEL LT, R6, R7, R7
	MOVD w+24(FP), R8
	MOVD k+32(FP), R9
	VEOR V16.B16, V16.B16, V16.B16
	VEOR V17.B16, V17.B16, V17.B16
	VEOR V18.B16, V18.B16, V18.B16
	VEOR V19.B16, V19.B16, V19.B16
	VEOR V20.B16, V20.B16, V20.B16
	VEOR V21.B16, V21.B16, V21.B16
	VEOR V22.B16, V22.B16, V22.B16
	VEOR V23.B16, V23.B16, V23.B16
	VEOR V24.B16, V24.B16, V24.B16
	VEOR V25.B16, V25.B16, V25.B16
	VEOR V26.B16, V26.B16, V26.B16
	VEOR V27.B16, V27.B16, V27.B16
	CBZ R9, fstore
	LSR $2, R9, R10
	CBZ R10, floop

floop4:
	VLD1.P 16(R0), [V0.S4]
	VLD1.P 16(R3), [V1.S4]
	VLD1.P 16(R4), [V2.S4]
	VLD1.P 16(R5), [V3.S4]
	VLD1.P 16(R6), [V4.S4]
	VLD1.P 16(R7), [V5.S4]
	VLD1.P 64(R8), [V6.S4, V7.S4, V8.S4, V9.S4]
	VLD1.P 64(R8), [V10.S4, V11.S4, V12.S4, V13.S4]
	WORD $0x4f8010d0 // fmla v16.4s, v6.4s, v0.s[0]
	WORD $0x4f8010f1 // fmla v17.4s, v7.4s, v0.s[0]
	WORD $0x4f8110d2 // fmla v18.4s, v6.4s, v1.s[0]
	WORD $0x4f8110f3 // fmla v19.4s, v7.4s, v1.s[0]
	WORD $0x4f8210d4 // fmla v20.4s, v6.4s, v2.s[0]
	WORD $0x4f8210f5 // fmla v21.4s, v7.4s, v2.s[0]
	WORD $0x4f8310d6 // fmla v22.4s, v6.4s, v3.s[0]
	WORD $0x4f8310f7 // fmla v23.4s, v7.4s, v3.s[0]
	WORD $0x4f8410d8 // fmla v24.4s, v6.4s, v4.s[0]
	WORD $0x4f8410f9 // fmla v25.4s, v7.4s, v4.s[0]
	WORD $0x4f8510da // fmla v26.4s, v6.4s, v5.s[0]
	WORD $0x4f8510fb // fmla v27.4s, v7.4s, v5.s[0]
	WORD $0x4fa01110 // fmla v16.4s, v8.4s, v0.s[1]
	WORD $0x4fa01131 // fmla v17.4s, v9.4s, v0.s[1]
	WORD $0x4fa11112 // fmla v18.4s, v8.4s, v1.s[1]
	WORD $0x4fa11133 // fmla v19.4s, v9.4s, v1.s[1]
	WORD $0x4fa21114 // fmla v20.4s, v8.4s, v2.s[1]
	WORD $0x4fa21135 // fmla v21.4s, v9.4s, v2.s[1]
	WORD $0x4fa31116 // fmla v22.4s, v8.4s, v3.s[1]
	WORD $0x4fa31137 // fmla v23.4s, v9.4s, v3.s[1]
	WORD $0x4fa41118 // fmla v24.4s, v8.4s, v4.s[1]
	WORD $0x4fa41139 // fmla v25.4s, v9.4s, v4.s[1]
	WORD $0x4fa5111a // fmla v26.4s, v8.4s, v5.s[1]
	WORD $0x4fa5113b // fmla v27.4s, v9.4s, v5.s[1]
	WORD $0x4f801950 // fmla v16.4s, v10.4s, v0.s[2]
	WORD $0x4f801971 // fmla v17.4s, v11.4s, v0.s[2]
	WORD $0x4f811952 // fmla v18.4s, v10.4s, v1.s[2]
	WORD $0x4f811973 // fmla v19.4s, v11.4s, v1.s[2]
	WORD $0x4f821954 // fmla v20.4s, v10.4s, v2.s[2]
	WORD $0x4f821975 // fmla v21.4s, v11.4s, v2.s[2]
	WORD $0x4f831956 // fmla v22.4s, v10.4s, v3.s[2]
	WORD $0x4f831977 // fmla v23.4s, v11.4s, v3.s[2]
	WORD $0x4f841958 // fmla v24.4s, v10.4s, v4.s[2]
	WORD $0x4f841979 // fmla v25.4s, v11.4s, v4.s[2]
	WORD $0x4f85195a // fmla v26.4s, v10.4s, v5.s[2]
	WORD $0x4f85197b // fmla v27.4s, v11.4s, v5.s[2]
	WORD $0x4fa01990 // fmla v16.4s, v12.4s, v0.s[3]
	WORD $0x4fa019b1 // fmla v17.4s, v13.4s, v0.s[3]
	WORD $0x4fa11992 // fmla v18.4s, v12.4s, v1.s[3]
	WORD $0x4fa119b3 // fmla v19.4s, v13.4s, v1.s[3]
	WORD $0x4fa21994 // fmla v20.4s, v12.4s, v2.s[3]
	WORD $0x4fa219b5 // fmla v21.4s, v13.4s, v2.s[3]
	WORD $0x4fa31996 // fmla v22.4s, v12.4s, v3.s[3]
	WORD $0x4fa319b7 // fmla v23.4s, v13.4s, v3.s[3]
	WORD $0x4fa41998 // fmla v24.4s, v12.4s, v4.s[3]
	WORD $0x4fa419b9 // fmla v25.4s, v13.4s, v4.s[3]
	WORD $0x4fa5199a // fmla v26.4s, v12.4s, v5.s[3]
	WORD $0x4fa519bb // fmla v27.4s, v13.4s, v5.s[3]
	SUBS $1, R10, R10
	BNE floop4
	ANDS $3, R9, R9
	BEQ fstore

floop:
	VLD1.P 32(R8), [V0.S4, V1.S4]
	VLD1R.P 4(R0), [V2.S4]
	VFMLA V0.S4, V2.S4, V16.S4
	VFMLA V1.S4, V2.S4, V17.S4
	VLD1R.P 4(R3), [V3.S4]
	VFMLA V0.S4, V3.S4, V18.S4
	VFMLA V1.S4, V3.S4, V19.S4
	VLD1R.P 4(R4), [V4.S4]
	VFMLA V0.S4, V4.S4, V20.S4
	VFMLA V1.S4, V4.S4, V21.S4
	VLD1R.P 4(R5), [V5.S4]
	VFMLA V0.S4, V5.S4, V22.S4
	VFMLA V1.S4, V5.S4, V23.S4
	VLD1R.P 4(R6), [V6.S4]
	VFMLA V0.S4, V6.S4, V24.S4
	VFMLA V1.S4, V6.S4, V25.S4
	VLD1R.P 4(R7), [V7.S4]
	VFMLA V0.S4, V7.S4, V26.S4
	VFMLA V1.S4, V7.S4, V27.S4
	SUBS $1, R9, R9
	BNE floop

fstore:
	MOVD bias+40(FP), R10
	VLD1 (R10), [V8.S4, V9.S4]
	MOVWU lo+48(FP), R11
	VDUP R11, V10.S4
	MOVWU hi+52(FP), R11
	VDUP R11, V11.S4
	MOVD c+56(FP), R12
	MOVD ldc+64(FP), R13
	LSL $2, R13, R13
	MOVD nc+72(FP), R14
	WORD $0x4e28d610 // fadd v16.4s, v16.4s, v8.4s
	WORD $0x4e2af610 // fmax v16.4s, v16.4s, v10.4s
	WORD $0x4eabf610 // fmin v16.4s, v16.4s, v11.4s
	WORD $0x4e29d631 // fadd v17.4s, v17.4s, v9.4s
	WORD $0x4e2af631 // fmax v17.4s, v17.4s, v10.4s
	WORD $0x4eabf631 // fmin v17.4s, v17.4s, v11.4s
	CMP $8, R14
	BLT fpart0
	VST1 [V16.S4, V17.S4], (R12)
	B fnext0
fpart0:
	MOVD $buf-32(SP), R15
	VST1 [V16.S4, V17.S4], (R15)
	MOVD R12, R20
	MOVD R14, R21
fcopy0:
	MOVWU.P 4(R15), R19
	MOVW.P R19, 4(R20)
	SUBS $1, R21, R21
	BNE fcopy0
fnext0:
	CMP $2, R2
	BLT fdone
	ADD R13, R12, R12
	WORD $0x4e28d652 // fadd v18.4s, v18.4s, v8.4s
	WORD $0x4e2af652 // fmax v18.4s, v18.4s, v10.4s
	WORD $0x4eabf652 // fmin v18.4s, v18.4s, v11.4s
	WORD $0x4e29d673 // fadd v19.4s, v19.4s, v9.4s
	WORD $0x4e2af673 // fmax v19.4s, v19.4s, v10.4s
	WORD $0x4eabf673 // fmin v19.4s, v19.4s, v11.4s
	CMP $8, R14
	BLT fpart1
	VST1 [V18.S4, V19.S4], (R12)
	B fnext1
fpart1:
	MOVD $buf-32(SP), R15
	VST1 [V18.S4, V19.S4], (R15)
	MOVD R12, R20
	MOVD R14, R21
fcopy1:
	MOVWU.P 4(R15), R19
	MOVW.P R19, 4(R20)
	SUBS $1, R21, R21
	BNE fcopy1
fnext1:
	CMP $3, R2
	BLT fdone
	ADD R13, R12, R12
	WORD $0x4e28d694 // fadd v20.4s, v20.4s, v8.4s
	WORD $0x4e2af694 // fmax v20.4s, v20.4s, v10.4s
	WORD $0x4eabf694 // fmin v20.4s, v20.4s, v11.4s
	WORD $0x4e29d6b5 // fadd v21.4s, v21.4s, v9.4s
	WORD $0x4e2af6b5 // fmax v21.4s, v21.4s, v10.4s
	WORD $0x4eabf6b5 // fmin v21.4s, v21.4s, v11.4s
	CMP $8, R14
	BLT fpart2
	VST1 [V20.S4, V21.S4], (R12)
	B fnext2
fpart2:
	MOVD $buf-32(SP), R15
	VST1 [V20.S4, V21.S4], (R15)
	MOVD R12, R20
	MOVD R14, R21
fcopy2:
	MOVWU.P 4(R15), R19
	MOVW.P R19, 4(R20)
	SUBS $1, R21, R21
	BNE fcopy2
fnext2:
	CMP $4, R2
	BLT fdone
	ADD R13, R12, R12
	WORD $0x4e28d6d6 // fadd v22.4s, v22.4s, v8.4s
	WORD $0x4e2af6d6 // fmax v22.4s, v22.4s, v10.4s
	WORD $0x4eabf6d6 // fmin v22.4s, v22.4s, v11.4s
	WORD $0x4e29d6f7 // fadd v23.4s, v23.4s, v9.4s
	WORD $0x4e2af6f7 // fmax v23.4s, v23.4s, v10.4s
	WORD $0x4eabf6f7 // fmin v23.4s, v23.4s, v11.4s
	CMP $8, R14
	BLT fpart3
	VST1 [V22.S4, V23.S4], (R12)
	B fnext3
fpart3:
	MOVD $buf-32(SP), R15
	VST1 [V22.S4, V23.S4], (R15)
	MOVD R12, R20
	MOVD R14, R21
fcopy3:
	MOVWU.P 4(R15), R19
	MOVW.P R19, 4(R20)
	SUBS $1, R21, R21
	BNE fcopy3
fnext3:
	CMP $5, R2
	BLT fdone
	ADD R13, R12, R12
	WORD $0x4e28d718 // fadd v24.4s, v24.4s, v8.4s
	WORD $0x4e2af718 // fmax v24.4s, v24.4s, v10.4s
	WORD $0x4eabf718 // fmin v24.4s, v24.4s, v11.4s
	WORD $0x4e29d739 // fadd v25.4s, v25.4s, v9.4s
	WORD $0x4e2af739 // fmax v25.4s, v25.4s, v10.4s
	WORD $0x4eabf739 // fmin v25.4s, v25.4s, v11.4s
	CMP $8, R14
	BLT fpart4
	VST1 [V24.S4, V25.S4], (R12)
	B fnext4
fpart4:
	MOVD $buf-32(SP), R15
	VST1 [V24.S4, V25.S4], (R15)
	MOVD R12, R20
	MOVD R14, R21
fcopy4:
	MOVWU.P 4(R15), R19
	MOVW.P R19, 4(R20)
	SUBS $1, R21, R21
	BNE fcopy4
fnext4:
	CMP $6, R2
	BLT fdone
	ADD R13, R12, R12
	WORD $0x4e28d75a // fadd v26.4s, v26.4s, v8.4s
	WORD $0x4e2af75a // fmax v26.4s, v26.4s, v10.4s
	WORD $0x4eabf75a // fmin v26.4s, v26.4s, v11.4s
	WORD $0x4e29d77b // fadd v27.4s, v27.4s, v9.4s
	WORD $0x4e2af77b // fmax v27.4s, v27.4s, v10.4s
	WORD $0x4eabf77b // fmin v27.4s, v27.4s, v11.4s
	CMP $8, R14
	BLT fpart5
	VST1 [V26.S4, V27.S4], (R12)
	B fnext5
fpart5:
	MOVD $buf-32(SP), R15
	VST1 [V26.S4, V27.S4], (R15)
	MOVD R12, R20
	MOVD R14, R21
fcopy5:
	MOVWU.P 4(R15), R19
	MOVW.P R19, 4(R20)
	SUBS $1, R21, R21
	BNE fcopy5
fnext5:

fdone:
	RET

// func gemmQSMLAL(a *byte, lda, rows int, w *byte, kg int, bias, sum *int32, scale *float32, lo, hi float32, zp, signed int32, c *byte, ldc int)
//
// For CPUs without the dot product extension, on int16 weights [k][8]:
// int8 activations are XORed with 0x80 (a+128 as uint8), widened to
// int16 and multiplied by lane (SMLAL, SMLAL2); 128·Σk w' is then
// subtracted from the bias. Accumulators V16-V23, weights V24-V27, row
// values V0-V3, the XOR mask V4.
TEXT ·gemmQSMLAL(SB), NOSPLIT, $0-96
	MOVD a+0(FP), R0
	MOVD lda+8(FP), R1
	MOVD rows+16(FP), R2
	ADD R1, R0, R3
	CMP $2, R2
	CSEL LT, R0, R3, R3
	ADD R1, R3, R4
	CMP $3, R2
	CSEL LT, R3, R4, R4
	ADD R1, R4, R5
	CMP $4, R2
	CSEL LT, R4, R5, R5
	MOVD w+24(FP), R8
	MOVD kg+32(FP), R9
	MOVWU signed+76(FP), R10
	NEGW R10, R12
	ANDW $0x80808080, R12, R11
	VDUP R11, V4.S4
	VEOR V16.B16, V16.B16, V16.B16
	VEOR V17.B16, V17.B16, V17.B16
	VEOR V18.B16, V18.B16, V18.B16
	VEOR V19.B16, V19.B16, V19.B16
	VEOR V20.B16, V20.B16, V20.B16
	VEOR V21.B16, V21.B16, V21.B16
	VEOR V22.B16, V22.B16, V22.B16
	VEOR V23.B16, V23.B16, V23.B16
	CBZ R9, mepi

mloop:
	VLD1.P 64(R8), [V24.H8, V25.H8, V26.H8, V27.H8]
	VLD1R.P 4(R0), [V0.S4]
	VEOR V4.B16, V0.B16, V0.B16
	VUXTL V0.B8, V0.H8
	WORD $0x0f402310 // smlal v16.4s, v24.4h, v0.h[0]
	WORD $0x4f402311 // smlal2 v17.4s, v24.8h, v0.h[0]
	WORD $0x0f502330 // smlal v16.4s, v25.4h, v0.h[1]
	WORD $0x4f502331 // smlal2 v17.4s, v25.8h, v0.h[1]
	WORD $0x0f602350 // smlal v16.4s, v26.4h, v0.h[2]
	WORD $0x4f602351 // smlal2 v17.4s, v26.8h, v0.h[2]
	WORD $0x0f702370 // smlal v16.4s, v27.4h, v0.h[3]
	WORD $0x4f702371 // smlal2 v17.4s, v27.8h, v0.h[3]
	VLD1R.P 4(R3), [V1.S4]
	VEOR V4.B16, V1.B16, V1.B16
	VUXTL V1.B8, V1.H8
	WORD $0x0f412312 // smlal v18.4s, v24.4h, v1.h[0]
	WORD $0x4f412313 // smlal2 v19.4s, v24.8h, v1.h[0]
	WORD $0x0f512332 // smlal v18.4s, v25.4h, v1.h[1]
	WORD $0x4f512333 // smlal2 v19.4s, v25.8h, v1.h[1]
	WORD $0x0f612352 // smlal v18.4s, v26.4h, v1.h[2]
	WORD $0x4f612353 // smlal2 v19.4s, v26.8h, v1.h[2]
	WORD $0x0f712372 // smlal v18.4s, v27.4h, v1.h[3]
	WORD $0x4f712373 // smlal2 v19.4s, v27.8h, v1.h[3]
	VLD1R.P 4(R4), [V2.S4]
	VEOR V4.B16, V2.B16, V2.B16
	VUXTL V2.B8, V2.H8
	WORD $0x0f422314 // smlal v20.4s, v24.4h, v2.h[0]
	WORD $0x4f422315 // smlal2 v21.4s, v24.8h, v2.h[0]
	WORD $0x0f522334 // smlal v20.4s, v25.4h, v2.h[1]
	WORD $0x4f522335 // smlal2 v21.4s, v25.8h, v2.h[1]
	WORD $0x0f622354 // smlal v20.4s, v26.4h, v2.h[2]
	WORD $0x4f622355 // smlal2 v21.4s, v26.8h, v2.h[2]
	WORD $0x0f722374 // smlal v20.4s, v27.4h, v2.h[3]
	WORD $0x4f722375 // smlal2 v21.4s, v27.8h, v2.h[3]
	VLD1R.P 4(R5), [V3.S4]
	VEOR V4.B16, V3.B16, V3.B16
	VUXTL V3.B8, V3.H8
	WORD $0x0f432316 // smlal v22.4s, v24.4h, v3.h[0]
	WORD $0x4f432317 // smlal2 v23.4s, v24.8h, v3.h[0]
	WORD $0x0f532336 // smlal v22.4s, v25.4h, v3.h[1]
	WORD $0x4f532337 // smlal2 v23.4s, v25.8h, v3.h[1]
	WORD $0x0f632356 // smlal v22.4s, v26.4h, v3.h[2]
	WORD $0x4f632357 // smlal2 v23.4s, v26.8h, v3.h[2]
	WORD $0x0f732376 // smlal v22.4s, v27.4h, v3.h[3]
	WORD $0x4f732377 // smlal2 v23.4s, v27.8h, v3.h[3]
	SUBS $1, R9, R9
	BNE mloop

mepi:
	MOVD bias+40(FP), R10
	VLD1 (R10), [V8.S4, V9.S4]
	MOVD sum+48(FP), R10
	VLD1 (R10), [V10.S4, V11.S4]
	VSHL $7, V10.S4, V10.S4
	VSHL $7, V11.S4, V11.S4
	VDUP R12, V12.S4
	VAND V12.B16, V10.B16, V10.B16
	VAND V12.B16, V11.B16, V11.B16
	VSUB V10.S4, V8.S4, V8.S4
	VSUB V11.S4, V9.S4, V9.S4
	MOVD scale+56(FP), R10
	VLD1 (R10), [V13.S4, V14.S4]
	MOVWU lo+64(FP), R11
	VDUP R11, V5.S4
	MOVWU hi+68(FP), R11
	VDUP R11, V6.S4
	MOVWU zp+72(FP), R11
	VDUP R11, V7.S4
	MOVD c+80(FP), R13
	MOVD ldc+88(FP), R14
	VADD V8.S4, V16.S4, V16.S4
	VADD V9.S4, V17.S4, V17.S4
	WORD $0x4e21da10 // scvtf v16.4s, v16.4s
	WORD $0x6e2dde10 // fmul v16.4s, v16.4s, v13.4s
	WORD $0x4e25f610 // fmax v16.4s, v16.4s, v5.4s
	WORD $0x4ea6f610 // fmin v16.4s, v16.4s, v6.4s
	WORD $0x4e21aa10 // fcvtns v16.4s, v16.4s
	VADD V7.S4, V16.S4, V16.S4
	WORD $0x4e21da31 // scvtf v17.4s, v17.4s
	WORD $0x6e2ede31 // fmul v17.4s, v17.4s, v14.4s
	WORD $0x4e25f631 // fmax v17.4s, v17.4s, v5.4s
	WORD $0x4ea6f631 // fmin v17.4s, v17.4s, v6.4s
	WORD $0x4e21aa31 // fcvtns v17.4s, v17.4s
	VADD V7.S4, V17.S4, V17.S4
	WORD $0x0e612a1a // xtn v26.4h, v16.4s
	WORD $0x4e612a3a // xtn2 v26.8h, v17.4s
	WORD $0x0e212b5a // xtn v26.8b, v26.8h
	FMOVD F26, (R13)
	CMP $2, R2
	BLT mdone
	ADD R14, R13, R13
	VADD V8.S4, V18.S4, V18.S4
	VADD V9.S4, V19.S4, V19.S4
	WORD $0x4e21da52 // scvtf v18.4s, v18.4s
	WORD $0x6e2dde52 // fmul v18.4s, v18.4s, v13.4s
	WORD $0x4e25f652 // fmax v18.4s, v18.4s, v5.4s
	WORD $0x4ea6f652 // fmin v18.4s, v18.4s, v6.4s
	WORD $0x4e21aa52 // fcvtns v18.4s, v18.4s
	VADD V7.S4, V18.S4, V18.S4
	WORD $0x4e21da73 // scvtf v19.4s, v19.4s
	WORD $0x6e2ede73 // fmul v19.4s, v19.4s, v14.4s
	WORD $0x4e25f673 // fmax v19.4s, v19.4s, v5.4s
	WORD $0x4ea6f673 // fmin v19.4s, v19.4s, v6.4s
	WORD $0x4e21aa73 // fcvtns v19.4s, v19.4s
	VADD V7.S4, V19.S4, V19.S4
	WORD $0x0e612a5a // xtn v26.4h, v18.4s
	WORD $0x4e612a7a // xtn2 v26.8h, v19.4s
	WORD $0x0e212b5a // xtn v26.8b, v26.8h
	FMOVD F26, (R13)
	CMP $3, R2
	BLT mdone
	ADD R14, R13, R13
	VADD V8.S4, V20.S4, V20.S4
	VADD V9.S4, V21.S4, V21.S4
	WORD $0x4e21da94 // scvtf v20.4s, v20.4s
	WORD $0x6e2dde94 // fmul v20.4s, v20.4s, v13.4s
	WORD $0x4e25f694 // fmax v20.4s, v20.4s, v5.4s
	WORD $0x4ea6f694 // fmin v20.4s, v20.4s, v6.4s
	WORD $0x4e21aa94 // fcvtns v20.4s, v20.4s
	VADD V7.S4, V20.S4, V20.S4
	WORD $0x4e21dab5 // scvtf v21.4s, v21.4s
	WORD $0x6e2edeb5 // fmul v21.4s, v21.4s, v14.4s
	WORD $0x4e25f6b5 // fmax v21.4s, v21.4s, v5.4s
	WORD $0x4ea6f6b5 // fmin v21.4s, v21.4s, v6.4s
	WORD $0x4e21aab5 // fcvtns v21.4s, v21.4s
	VADD V7.S4, V21.S4, V21.S4
	WORD $0x0e612a9a // xtn v26.4h, v20.4s
	WORD $0x4e612aba // xtn2 v26.8h, v21.4s
	WORD $0x0e212b5a // xtn v26.8b, v26.8h
	FMOVD F26, (R13)
	CMP $4, R2
	BLT mdone
	ADD R14, R13, R13
	VADD V8.S4, V22.S4, V22.S4
	VADD V9.S4, V23.S4, V23.S4
	WORD $0x4e21dad6 // scvtf v22.4s, v22.4s
	WORD $0x6e2dded6 // fmul v22.4s, v22.4s, v13.4s
	WORD $0x4e25f6d6 // fmax v22.4s, v22.4s, v5.4s
	WORD $0x4ea6f6d6 // fmin v22.4s, v22.4s, v6.4s
	WORD $0x4e21aad6 // fcvtns v22.4s, v22.4s
	VADD V7.S4, V22.S4, V22.S4
	WORD $0x4e21daf7 // scvtf v23.4s, v23.4s
	WORD $0x6e2edef7 // fmul v23.4s, v23.4s, v14.4s
	WORD $0x4e25f6f7 // fmax v23.4s, v23.4s, v5.4s
	WORD $0x4ea6f6f7 // fmin v23.4s, v23.4s, v6.4s
	WORD $0x4e21aaf7 // fcvtns v23.4s, v23.4s
	VADD V7.S4, V23.S4, V23.S4
	WORD $0x0e612ada // xtn v26.4h, v22.4s
	WORD $0x4e612afa // xtn2 v26.8h, v23.4s
	WORD $0x0e212b5a // xtn v26.8b, v26.8h
	FMOVD F26, (R13)

mdone:
	RET

