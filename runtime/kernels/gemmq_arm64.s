//go:build !purego

#include "textflag.h"

// The 8-bit matrix products of the sdot and i8mm variants: any number of
// rows times one or two panels of 8 channels, requantized in the epilogue
// like requantRow (float32(acc+bias)·scale clamped to [lo, hi], rounded
// to nearest even by FCVTNS, plus zp, added as a byte since the result
// fits the type). Instructions the Go assembler does not know are WORD
// encodings with the instruction in a comment.

// func gemmQDot(a *byte, lda, rows int, w *byte, psz, kg int, bias, sum *int32, scale *float32, lo, hi float32, zp, signed int32, c *byte, ldc, nc int)
//
// Rows of a times one panel (nc ≤ 8) or two (nc > 8) with SDOT by element:
// 4 rows at a time (the last block's missing rows repeat its first row
// and are not stored), 8 values of K per step. Accumulators V16-V31 (row
// r, channels 4j to 4j+3: V16+4r+j) start from the bias, which for uint8
// activations (XORed with 0x80, the mask V12) includes 128·Σk w'. Row
// values V0-V3, weights V4-V7 (first panel) and V8-V11 (second). It
// stores the first nc channels of each row.
TEXT ·gemmQDot(SB), NOSPLIT, $96-112
	MOVD a+0(FP), R6
	MOVD lda+8(FP), R5
	MOVD rows+16(FP), R4
	MOVD w+24(FP), R20
	MOVD psz+32(FP), R21
	ADD R20, R21, R21
	MOVD kg+40(FP), R10
	MOVWU lo+72(FP), R23
	MOVWU hi+76(FP), R24
	MOVWU zp+80(FP), R25
	MOVWU signed+84(FP), R11
	MOVD c+88(FP), R12
	MOVD ldc+96(FP), R13
	MOVD nc+104(FP), R14
	SUBW $1, R11, R15
	VDUP R15, V13.S4
	ANDW $0x80808080, R15, R15
	VDUP R15, V12.S4
	MOVD bias+48(FP), R0
	MOVD sum+56(FP), R1
	MOVD $bb-96(SP), R2
	CMP $8, R14
	BGT dbias2
	VLD1 (R0), [V0.S4, V1.S4]
	VLD1 (R1), [V4.S4, V5.S4]
	VSHL $7, V4.S4, V4.S4
	VAND V13.B16, V4.B16, V4.B16
	VADD V4.S4, V0.S4, V0.S4
	VSHL $7, V5.S4, V5.S4
	VAND V13.B16, V5.B16, V5.B16
	VADD V5.S4, V1.S4, V1.S4
	VST1 [V0.S4, V1.S4], (R2)
	CBZ R11, d1xblk
	B d1sblk
dbias2:
	VLD1 (R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1 (R1), [V4.S4, V5.S4, V6.S4, V7.S4]
	VSHL $7, V4.S4, V4.S4
	VAND V13.B16, V4.B16, V4.B16
	VADD V4.S4, V0.S4, V0.S4
	VSHL $7, V5.S4, V5.S4
	VAND V13.B16, V5.B16, V5.B16
	VADD V5.S4, V1.S4, V1.S4
	VSHL $7, V6.S4, V6.S4
	VAND V13.B16, V6.B16, V6.B16
	VADD V6.S4, V2.S4, V2.S4
	VSHL $7, V7.S4, V7.S4
	VAND V13.B16, V7.B16, V7.B16
	VADD V7.S4, V3.S4, V3.S4
	VST1 [V0.S4, V1.S4, V2.S4, V3.S4], (R2)
	CBZ R11, d2xblk

// int8 activations, two panels.
d2sblk:
	MOVD R6, R0
	ADD R5, R0, R1
	CMP $2, R4
	CSEL LT, R0, R1, R1
	ADD R5, R1, R2
	CMP $3, R4
	CSEL LT, R1, R2, R2
	ADD R5, R2, R3
	CMP $4, R4
	CSEL LT, R2, R3, R3
	MOVD $bb-96(SP), R15
	VLD1 (R15), [V16.S4, V17.S4, V18.S4, V19.S4]
	VLD1 (R15), [V20.S4, V21.S4, V22.S4, V23.S4]
	VLD1 (R15), [V24.S4, V25.S4, V26.S4, V27.S4]
	VLD1 (R15), [V28.S4, V29.S4, V30.S4, V31.S4]
	MOVD R20, R7
	MOVD R21, R8
	LSR $1, R10, R9
	CBZ R9, d2srem
d2sloop:
	VLD1.P 8(R0), [V0.B8]
	VLD1.P 8(R1), [V1.B8]
	VLD1.P 8(R2), [V2.B8]
	VLD1.P 8(R3), [V3.B8]
	VLD1.P 64(R7), [V4.B16, V5.B16, V6.B16, V7.B16]
	VLD1.P 64(R8), [V8.B16, V9.B16, V10.B16, V11.B16]
	WORD $0x4f80e090 // sdot v16.4s, v4.16b, v0.4b[0]
	WORD $0x4f80e0b1 // sdot v17.4s, v5.16b, v0.4b[0]
	WORD $0x4f80e112 // sdot v18.4s, v8.16b, v0.4b[0]
	WORD $0x4f80e133 // sdot v19.4s, v9.16b, v0.4b[0]
	WORD $0x4f81e094 // sdot v20.4s, v4.16b, v1.4b[0]
	WORD $0x4f81e0b5 // sdot v21.4s, v5.16b, v1.4b[0]
	WORD $0x4f81e116 // sdot v22.4s, v8.16b, v1.4b[0]
	WORD $0x4f81e137 // sdot v23.4s, v9.16b, v1.4b[0]
	WORD $0x4f82e098 // sdot v24.4s, v4.16b, v2.4b[0]
	WORD $0x4f82e0b9 // sdot v25.4s, v5.16b, v2.4b[0]
	WORD $0x4f82e11a // sdot v26.4s, v8.16b, v2.4b[0]
	WORD $0x4f82e13b // sdot v27.4s, v9.16b, v2.4b[0]
	WORD $0x4f83e09c // sdot v28.4s, v4.16b, v3.4b[0]
	WORD $0x4f83e0bd // sdot v29.4s, v5.16b, v3.4b[0]
	WORD $0x4f83e11e // sdot v30.4s, v8.16b, v3.4b[0]
	WORD $0x4f83e13f // sdot v31.4s, v9.16b, v3.4b[0]
	WORD $0x4fa0e0d0 // sdot v16.4s, v6.16b, v0.4b[1]
	WORD $0x4fa0e0f1 // sdot v17.4s, v7.16b, v0.4b[1]
	WORD $0x4fa0e152 // sdot v18.4s, v10.16b, v0.4b[1]
	WORD $0x4fa0e173 // sdot v19.4s, v11.16b, v0.4b[1]
	WORD $0x4fa1e0d4 // sdot v20.4s, v6.16b, v1.4b[1]
	WORD $0x4fa1e0f5 // sdot v21.4s, v7.16b, v1.4b[1]
	WORD $0x4fa1e156 // sdot v22.4s, v10.16b, v1.4b[1]
	WORD $0x4fa1e177 // sdot v23.4s, v11.16b, v1.4b[1]
	WORD $0x4fa2e0d8 // sdot v24.4s, v6.16b, v2.4b[1]
	WORD $0x4fa2e0f9 // sdot v25.4s, v7.16b, v2.4b[1]
	WORD $0x4fa2e15a // sdot v26.4s, v10.16b, v2.4b[1]
	WORD $0x4fa2e17b // sdot v27.4s, v11.16b, v2.4b[1]
	WORD $0x4fa3e0dc // sdot v28.4s, v6.16b, v3.4b[1]
	WORD $0x4fa3e0fd // sdot v29.4s, v7.16b, v3.4b[1]
	WORD $0x4fa3e15e // sdot v30.4s, v10.16b, v3.4b[1]
	WORD $0x4fa3e17f // sdot v31.4s, v11.16b, v3.4b[1]
	SUBS $1, R9, R9
	BNE d2sloop
d2srem:
	TBZ $0, R10, d2sepi
	VLD1R.P 4(R0), [V0.S4]
	VLD1R.P 4(R1), [V1.S4]
	VLD1R.P 4(R2), [V2.S4]
	VLD1R.P 4(R3), [V3.S4]
	VLD1.P 32(R7), [V4.B16, V5.B16]
	VLD1.P 32(R8), [V8.B16, V9.B16]
	WORD $0x4f80e090 // sdot v16.4s, v4.16b, v0.4b[0]
	WORD $0x4f80e0b1 // sdot v17.4s, v5.16b, v0.4b[0]
	WORD $0x4f80e112 // sdot v18.4s, v8.16b, v0.4b[0]
	WORD $0x4f80e133 // sdot v19.4s, v9.16b, v0.4b[0]
	WORD $0x4f81e094 // sdot v20.4s, v4.16b, v1.4b[0]
	WORD $0x4f81e0b5 // sdot v21.4s, v5.16b, v1.4b[0]
	WORD $0x4f81e116 // sdot v22.4s, v8.16b, v1.4b[0]
	WORD $0x4f81e137 // sdot v23.4s, v9.16b, v1.4b[0]
	WORD $0x4f82e098 // sdot v24.4s, v4.16b, v2.4b[0]
	WORD $0x4f82e0b9 // sdot v25.4s, v5.16b, v2.4b[0]
	WORD $0x4f82e11a // sdot v26.4s, v8.16b, v2.4b[0]
	WORD $0x4f82e13b // sdot v27.4s, v9.16b, v2.4b[0]
	WORD $0x4f83e09c // sdot v28.4s, v4.16b, v3.4b[0]
	WORD $0x4f83e0bd // sdot v29.4s, v5.16b, v3.4b[0]
	WORD $0x4f83e11e // sdot v30.4s, v8.16b, v3.4b[0]
	WORD $0x4f83e13f // sdot v31.4s, v9.16b, v3.4b[0]
d2sepi:
	MOVD scale+64(FP), R15
	VLD1 (R15), [V4.S4, V5.S4, V6.S4, V7.S4]
	VDUP R23, V8.S4
	VDUP R24, V9.S4
	VDUP R25, V10.B16
	MOVD R12, R22
	WORD $0x4e21da10 // scvtf v16.4s, v16.4s
	WORD $0x4e21da31 // scvtf v17.4s, v17.4s
	WORD $0x4e21da52 // scvtf v18.4s, v18.4s
	WORD $0x4e21da73 // scvtf v19.4s, v19.4s
	WORD $0x6e24de10 // fmul v16.4s, v16.4s, v4.4s
	WORD $0x6e25de31 // fmul v17.4s, v17.4s, v5.4s
	WORD $0x6e26de52 // fmul v18.4s, v18.4s, v6.4s
	WORD $0x6e27de73 // fmul v19.4s, v19.4s, v7.4s
	WORD $0x4e28f610 // fmax v16.4s, v16.4s, v8.4s
	WORD $0x4e28f631 // fmax v17.4s, v17.4s, v8.4s
	WORD $0x4e28f652 // fmax v18.4s, v18.4s, v8.4s
	WORD $0x4e28f673 // fmax v19.4s, v19.4s, v8.4s
	WORD $0x4ea9f610 // fmin v16.4s, v16.4s, v9.4s
	WORD $0x4ea9f631 // fmin v17.4s, v17.4s, v9.4s
	WORD $0x4ea9f652 // fmin v18.4s, v18.4s, v9.4s
	WORD $0x4ea9f673 // fmin v19.4s, v19.4s, v9.4s
	WORD $0x4e21aa10 // fcvtns v16.4s, v16.4s
	WORD $0x4e21aa31 // fcvtns v17.4s, v17.4s
	WORD $0x4e21aa52 // fcvtns v18.4s, v18.4s
	WORD $0x4e21aa73 // fcvtns v19.4s, v19.4s
	WORD $0x4e511a10 // uzp1 v16.8h, v16.8h, v17.8h
	WORD $0x4e531a52 // uzp1 v18.8h, v18.8h, v19.8h
	WORD $0x4e121a10 // uzp1 v16.16b, v16.16b, v18.16b
	WORD $0x4e2a8610 // add v16.16b, v16.16b, v10.16b
	CMP $16, R14
	BNE d2spart0
	VST1 [V16.B16], (R22)
	B d2sdone0
d2spart0:
	MOVD $ob-32(SP), R15
	VST1 [V16.B16], (R15)
	MOVD R22, R16
	MOVD R14, R17
d2scopy0:
	MOVBU.P 1(R15), R19
	MOVB.P R19, 1(R16)
	SUBS $1, R17, R17
	BNE d2scopy0
d2sdone0:
	CMP $2, R4
	BLT d2snext
	WORD $0x4e21da94 // scvtf v20.4s, v20.4s
	WORD $0x4e21dab5 // scvtf v21.4s, v21.4s
	WORD $0x4e21dad6 // scvtf v22.4s, v22.4s
	WORD $0x4e21daf7 // scvtf v23.4s, v23.4s
	WORD $0x6e24de94 // fmul v20.4s, v20.4s, v4.4s
	WORD $0x6e25deb5 // fmul v21.4s, v21.4s, v5.4s
	WORD $0x6e26ded6 // fmul v22.4s, v22.4s, v6.4s
	WORD $0x6e27def7 // fmul v23.4s, v23.4s, v7.4s
	WORD $0x4e28f694 // fmax v20.4s, v20.4s, v8.4s
	WORD $0x4e28f6b5 // fmax v21.4s, v21.4s, v8.4s
	WORD $0x4e28f6d6 // fmax v22.4s, v22.4s, v8.4s
	WORD $0x4e28f6f7 // fmax v23.4s, v23.4s, v8.4s
	WORD $0x4ea9f694 // fmin v20.4s, v20.4s, v9.4s
	WORD $0x4ea9f6b5 // fmin v21.4s, v21.4s, v9.4s
	WORD $0x4ea9f6d6 // fmin v22.4s, v22.4s, v9.4s
	WORD $0x4ea9f6f7 // fmin v23.4s, v23.4s, v9.4s
	WORD $0x4e21aa94 // fcvtns v20.4s, v20.4s
	WORD $0x4e21aab5 // fcvtns v21.4s, v21.4s
	WORD $0x4e21aad6 // fcvtns v22.4s, v22.4s
	WORD $0x4e21aaf7 // fcvtns v23.4s, v23.4s
	WORD $0x4e551a94 // uzp1 v20.8h, v20.8h, v21.8h
	WORD $0x4e571ad6 // uzp1 v22.8h, v22.8h, v23.8h
	WORD $0x4e161a94 // uzp1 v20.16b, v20.16b, v22.16b
	WORD $0x4e2a8694 // add v20.16b, v20.16b, v10.16b
	ADD R13, R22, R22
	CMP $16, R14
	BNE d2spart1
	VST1 [V20.B16], (R22)
	B d2sdone1
d2spart1:
	MOVD $ob-32(SP), R15
	VST1 [V20.B16], (R15)
	MOVD R22, R16
	MOVD R14, R17
d2scopy1:
	MOVBU.P 1(R15), R19
	MOVB.P R19, 1(R16)
	SUBS $1, R17, R17
	BNE d2scopy1
d2sdone1:
	CMP $3, R4
	BLT d2snext
	WORD $0x4e21db18 // scvtf v24.4s, v24.4s
	WORD $0x4e21db39 // scvtf v25.4s, v25.4s
	WORD $0x4e21db5a // scvtf v26.4s, v26.4s
	WORD $0x4e21db7b // scvtf v27.4s, v27.4s
	WORD $0x6e24df18 // fmul v24.4s, v24.4s, v4.4s
	WORD $0x6e25df39 // fmul v25.4s, v25.4s, v5.4s
	WORD $0x6e26df5a // fmul v26.4s, v26.4s, v6.4s
	WORD $0x6e27df7b // fmul v27.4s, v27.4s, v7.4s
	WORD $0x4e28f718 // fmax v24.4s, v24.4s, v8.4s
	WORD $0x4e28f739 // fmax v25.4s, v25.4s, v8.4s
	WORD $0x4e28f75a // fmax v26.4s, v26.4s, v8.4s
	WORD $0x4e28f77b // fmax v27.4s, v27.4s, v8.4s
	WORD $0x4ea9f718 // fmin v24.4s, v24.4s, v9.4s
	WORD $0x4ea9f739 // fmin v25.4s, v25.4s, v9.4s
	WORD $0x4ea9f75a // fmin v26.4s, v26.4s, v9.4s
	WORD $0x4ea9f77b // fmin v27.4s, v27.4s, v9.4s
	WORD $0x4e21ab18 // fcvtns v24.4s, v24.4s
	WORD $0x4e21ab39 // fcvtns v25.4s, v25.4s
	WORD $0x4e21ab5a // fcvtns v26.4s, v26.4s
	WORD $0x4e21ab7b // fcvtns v27.4s, v27.4s
	WORD $0x4e591b18 // uzp1 v24.8h, v24.8h, v25.8h
	WORD $0x4e5b1b5a // uzp1 v26.8h, v26.8h, v27.8h
	WORD $0x4e1a1b18 // uzp1 v24.16b, v24.16b, v26.16b
	WORD $0x4e2a8718 // add v24.16b, v24.16b, v10.16b
	ADD R13, R22, R22
	CMP $16, R14
	BNE d2spart2
	VST1 [V24.B16], (R22)
	B d2sdone2
d2spart2:
	MOVD $ob-32(SP), R15
	VST1 [V24.B16], (R15)
	MOVD R22, R16
	MOVD R14, R17
d2scopy2:
	MOVBU.P 1(R15), R19
	MOVB.P R19, 1(R16)
	SUBS $1, R17, R17
	BNE d2scopy2
d2sdone2:
	CMP $4, R4
	BLT d2snext
	WORD $0x4e21db9c // scvtf v28.4s, v28.4s
	WORD $0x4e21dbbd // scvtf v29.4s, v29.4s
	WORD $0x4e21dbde // scvtf v30.4s, v30.4s
	WORD $0x4e21dbff // scvtf v31.4s, v31.4s
	WORD $0x6e24df9c // fmul v28.4s, v28.4s, v4.4s
	WORD $0x6e25dfbd // fmul v29.4s, v29.4s, v5.4s
	WORD $0x6e26dfde // fmul v30.4s, v30.4s, v6.4s
	WORD $0x6e27dfff // fmul v31.4s, v31.4s, v7.4s
	WORD $0x4e28f79c // fmax v28.4s, v28.4s, v8.4s
	WORD $0x4e28f7bd // fmax v29.4s, v29.4s, v8.4s
	WORD $0x4e28f7de // fmax v30.4s, v30.4s, v8.4s
	WORD $0x4e28f7ff // fmax v31.4s, v31.4s, v8.4s
	WORD $0x4ea9f79c // fmin v28.4s, v28.4s, v9.4s
	WORD $0x4ea9f7bd // fmin v29.4s, v29.4s, v9.4s
	WORD $0x4ea9f7de // fmin v30.4s, v30.4s, v9.4s
	WORD $0x4ea9f7ff // fmin v31.4s, v31.4s, v9.4s
	WORD $0x4e21ab9c // fcvtns v28.4s, v28.4s
	WORD $0x4e21abbd // fcvtns v29.4s, v29.4s
	WORD $0x4e21abde // fcvtns v30.4s, v30.4s
	WORD $0x4e21abff // fcvtns v31.4s, v31.4s
	WORD $0x4e5d1b9c // uzp1 v28.8h, v28.8h, v29.8h
	WORD $0x4e5f1bde // uzp1 v30.8h, v30.8h, v31.8h
	WORD $0x4e1e1b9c // uzp1 v28.16b, v28.16b, v30.16b
	WORD $0x4e2a879c // add v28.16b, v28.16b, v10.16b
	ADD R13, R22, R22
	CMP $16, R14
	BNE d2spart3
	VST1 [V28.B16], (R22)
	B d2sdone3
d2spart3:
	MOVD $ob-32(SP), R15
	VST1 [V28.B16], (R15)
	MOVD R22, R16
	MOVD R14, R17
d2scopy3:
	MOVBU.P 1(R15), R19
	MOVB.P R19, 1(R16)
	SUBS $1, R17, R17
	BNE d2scopy3
d2sdone3:
d2snext:
	ADD R5<<2, R6, R6
	ADD R13<<2, R12, R12
	SUBS $4, R4, R4
	BGT d2sblk
	RET

// uint8 activations, two panels.
d2xblk:
	MOVD R6, R0
	ADD R5, R0, R1
	CMP $2, R4
	CSEL LT, R0, R1, R1
	ADD R5, R1, R2
	CMP $3, R4
	CSEL LT, R1, R2, R2
	ADD R5, R2, R3
	CMP $4, R4
	CSEL LT, R2, R3, R3
	MOVD $bb-96(SP), R15
	VLD1 (R15), [V16.S4, V17.S4, V18.S4, V19.S4]
	VLD1 (R15), [V20.S4, V21.S4, V22.S4, V23.S4]
	VLD1 (R15), [V24.S4, V25.S4, V26.S4, V27.S4]
	VLD1 (R15), [V28.S4, V29.S4, V30.S4, V31.S4]
	MOVD R20, R7
	MOVD R21, R8
	LSR $1, R10, R9
	CBZ R9, d2xrem
d2xloop:
	VLD1.P 8(R0), [V0.B8]
	VLD1.P 8(R1), [V1.B8]
	VLD1.P 8(R2), [V2.B8]
	VLD1.P 8(R3), [V3.B8]
	VLD1.P 64(R7), [V4.B16, V5.B16, V6.B16, V7.B16]
	VLD1.P 64(R8), [V8.B16, V9.B16, V10.B16, V11.B16]
	VEOR V12.B16, V0.B16, V0.B16
	VEOR V12.B16, V1.B16, V1.B16
	VEOR V12.B16, V2.B16, V2.B16
	VEOR V12.B16, V3.B16, V3.B16
	WORD $0x4f80e090 // sdot v16.4s, v4.16b, v0.4b[0]
	WORD $0x4f80e0b1 // sdot v17.4s, v5.16b, v0.4b[0]
	WORD $0x4f80e112 // sdot v18.4s, v8.16b, v0.4b[0]
	WORD $0x4f80e133 // sdot v19.4s, v9.16b, v0.4b[0]
	WORD $0x4f81e094 // sdot v20.4s, v4.16b, v1.4b[0]
	WORD $0x4f81e0b5 // sdot v21.4s, v5.16b, v1.4b[0]
	WORD $0x4f81e116 // sdot v22.4s, v8.16b, v1.4b[0]
	WORD $0x4f81e137 // sdot v23.4s, v9.16b, v1.4b[0]
	WORD $0x4f82e098 // sdot v24.4s, v4.16b, v2.4b[0]
	WORD $0x4f82e0b9 // sdot v25.4s, v5.16b, v2.4b[0]
	WORD $0x4f82e11a // sdot v26.4s, v8.16b, v2.4b[0]
	WORD $0x4f82e13b // sdot v27.4s, v9.16b, v2.4b[0]
	WORD $0x4f83e09c // sdot v28.4s, v4.16b, v3.4b[0]
	WORD $0x4f83e0bd // sdot v29.4s, v5.16b, v3.4b[0]
	WORD $0x4f83e11e // sdot v30.4s, v8.16b, v3.4b[0]
	WORD $0x4f83e13f // sdot v31.4s, v9.16b, v3.4b[0]
	WORD $0x4fa0e0d0 // sdot v16.4s, v6.16b, v0.4b[1]
	WORD $0x4fa0e0f1 // sdot v17.4s, v7.16b, v0.4b[1]
	WORD $0x4fa0e152 // sdot v18.4s, v10.16b, v0.4b[1]
	WORD $0x4fa0e173 // sdot v19.4s, v11.16b, v0.4b[1]
	WORD $0x4fa1e0d4 // sdot v20.4s, v6.16b, v1.4b[1]
	WORD $0x4fa1e0f5 // sdot v21.4s, v7.16b, v1.4b[1]
	WORD $0x4fa1e156 // sdot v22.4s, v10.16b, v1.4b[1]
	WORD $0x4fa1e177 // sdot v23.4s, v11.16b, v1.4b[1]
	WORD $0x4fa2e0d8 // sdot v24.4s, v6.16b, v2.4b[1]
	WORD $0x4fa2e0f9 // sdot v25.4s, v7.16b, v2.4b[1]
	WORD $0x4fa2e15a // sdot v26.4s, v10.16b, v2.4b[1]
	WORD $0x4fa2e17b // sdot v27.4s, v11.16b, v2.4b[1]
	WORD $0x4fa3e0dc // sdot v28.4s, v6.16b, v3.4b[1]
	WORD $0x4fa3e0fd // sdot v29.4s, v7.16b, v3.4b[1]
	WORD $0x4fa3e15e // sdot v30.4s, v10.16b, v3.4b[1]
	WORD $0x4fa3e17f // sdot v31.4s, v11.16b, v3.4b[1]
	SUBS $1, R9, R9
	BNE d2xloop
d2xrem:
	TBZ $0, R10, d2xepi
	VLD1R.P 4(R0), [V0.S4]
	VLD1R.P 4(R1), [V1.S4]
	VLD1R.P 4(R2), [V2.S4]
	VLD1R.P 4(R3), [V3.S4]
	VLD1.P 32(R7), [V4.B16, V5.B16]
	VLD1.P 32(R8), [V8.B16, V9.B16]
	VEOR V12.B16, V0.B16, V0.B16
	VEOR V12.B16, V1.B16, V1.B16
	VEOR V12.B16, V2.B16, V2.B16
	VEOR V12.B16, V3.B16, V3.B16
	WORD $0x4f80e090 // sdot v16.4s, v4.16b, v0.4b[0]
	WORD $0x4f80e0b1 // sdot v17.4s, v5.16b, v0.4b[0]
	WORD $0x4f80e112 // sdot v18.4s, v8.16b, v0.4b[0]
	WORD $0x4f80e133 // sdot v19.4s, v9.16b, v0.4b[0]
	WORD $0x4f81e094 // sdot v20.4s, v4.16b, v1.4b[0]
	WORD $0x4f81e0b5 // sdot v21.4s, v5.16b, v1.4b[0]
	WORD $0x4f81e116 // sdot v22.4s, v8.16b, v1.4b[0]
	WORD $0x4f81e137 // sdot v23.4s, v9.16b, v1.4b[0]
	WORD $0x4f82e098 // sdot v24.4s, v4.16b, v2.4b[0]
	WORD $0x4f82e0b9 // sdot v25.4s, v5.16b, v2.4b[0]
	WORD $0x4f82e11a // sdot v26.4s, v8.16b, v2.4b[0]
	WORD $0x4f82e13b // sdot v27.4s, v9.16b, v2.4b[0]
	WORD $0x4f83e09c // sdot v28.4s, v4.16b, v3.4b[0]
	WORD $0x4f83e0bd // sdot v29.4s, v5.16b, v3.4b[0]
	WORD $0x4f83e11e // sdot v30.4s, v8.16b, v3.4b[0]
	WORD $0x4f83e13f // sdot v31.4s, v9.16b, v3.4b[0]
d2xepi:
	MOVD scale+64(FP), R15
	VLD1 (R15), [V4.S4, V5.S4, V6.S4, V7.S4]
	VDUP R23, V8.S4
	VDUP R24, V9.S4
	VDUP R25, V10.B16
	MOVD R12, R22
	WORD $0x4e21da10 // scvtf v16.4s, v16.4s
	WORD $0x4e21da31 // scvtf v17.4s, v17.4s
	WORD $0x4e21da52 // scvtf v18.4s, v18.4s
	WORD $0x4e21da73 // scvtf v19.4s, v19.4s
	WORD $0x6e24de10 // fmul v16.4s, v16.4s, v4.4s
	WORD $0x6e25de31 // fmul v17.4s, v17.4s, v5.4s
	WORD $0x6e26de52 // fmul v18.4s, v18.4s, v6.4s
	WORD $0x6e27de73 // fmul v19.4s, v19.4s, v7.4s
	WORD $0x4e28f610 // fmax v16.4s, v16.4s, v8.4s
	WORD $0x4e28f631 // fmax v17.4s, v17.4s, v8.4s
	WORD $0x4e28f652 // fmax v18.4s, v18.4s, v8.4s
	WORD $0x4e28f673 // fmax v19.4s, v19.4s, v8.4s
	WORD $0x4ea9f610 // fmin v16.4s, v16.4s, v9.4s
	WORD $0x4ea9f631 // fmin v17.4s, v17.4s, v9.4s
	WORD $0x4ea9f652 // fmin v18.4s, v18.4s, v9.4s
	WORD $0x4ea9f673 // fmin v19.4s, v19.4s, v9.4s
	WORD $0x4e21aa10 // fcvtns v16.4s, v16.4s
	WORD $0x4e21aa31 // fcvtns v17.4s, v17.4s
	WORD $0x4e21aa52 // fcvtns v18.4s, v18.4s
	WORD $0x4e21aa73 // fcvtns v19.4s, v19.4s
	WORD $0x4e511a10 // uzp1 v16.8h, v16.8h, v17.8h
	WORD $0x4e531a52 // uzp1 v18.8h, v18.8h, v19.8h
	WORD $0x4e121a10 // uzp1 v16.16b, v16.16b, v18.16b
	WORD $0x4e2a8610 // add v16.16b, v16.16b, v10.16b
	CMP $16, R14
	BNE d2xpart0
	VST1 [V16.B16], (R22)
	B d2xdone0
d2xpart0:
	MOVD $ob-32(SP), R15
	VST1 [V16.B16], (R15)
	MOVD R22, R16
	MOVD R14, R17
d2xcopy0:
	MOVBU.P 1(R15), R19
	MOVB.P R19, 1(R16)
	SUBS $1, R17, R17
	BNE d2xcopy0
d2xdone0:
	CMP $2, R4
	BLT d2xnext
	WORD $0x4e21da94 // scvtf v20.4s, v20.4s
	WORD $0x4e21dab5 // scvtf v21.4s, v21.4s
	WORD $0x4e21dad6 // scvtf v22.4s, v22.4s
	WORD $0x4e21daf7 // scvtf v23.4s, v23.4s
	WORD $0x6e24de94 // fmul v20.4s, v20.4s, v4.4s
	WORD $0x6e25deb5 // fmul v21.4s, v21.4s, v5.4s
	WORD $0x6e26ded6 // fmul v22.4s, v22.4s, v6.4s
	WORD $0x6e27def7 // fmul v23.4s, v23.4s, v7.4s
	WORD $0x4e28f694 // fmax v20.4s, v20.4s, v8.4s
	WORD $0x4e28f6b5 // fmax v21.4s, v21.4s, v8.4s
	WORD $0x4e28f6d6 // fmax v22.4s, v22.4s, v8.4s
	WORD $0x4e28f6f7 // fmax v23.4s, v23.4s, v8.4s
	WORD $0x4ea9f694 // fmin v20.4s, v20.4s, v9.4s
	WORD $0x4ea9f6b5 // fmin v21.4s, v21.4s, v9.4s
	WORD $0x4ea9f6d6 // fmin v22.4s, v22.4s, v9.4s
	WORD $0x4ea9f6f7 // fmin v23.4s, v23.4s, v9.4s
	WORD $0x4e21aa94 // fcvtns v20.4s, v20.4s
	WORD $0x4e21aab5 // fcvtns v21.4s, v21.4s
	WORD $0x4e21aad6 // fcvtns v22.4s, v22.4s
	WORD $0x4e21aaf7 // fcvtns v23.4s, v23.4s
	WORD $0x4e551a94 // uzp1 v20.8h, v20.8h, v21.8h
	WORD $0x4e571ad6 // uzp1 v22.8h, v22.8h, v23.8h
	WORD $0x4e161a94 // uzp1 v20.16b, v20.16b, v22.16b
	WORD $0x4e2a8694 // add v20.16b, v20.16b, v10.16b
	ADD R13, R22, R22
	CMP $16, R14
	BNE d2xpart1
	VST1 [V20.B16], (R22)
	B d2xdone1
d2xpart1:
	MOVD $ob-32(SP), R15
	VST1 [V20.B16], (R15)
	MOVD R22, R16
	MOVD R14, R17
d2xcopy1:
	MOVBU.P 1(R15), R19
	MOVB.P R19, 1(R16)
	SUBS $1, R17, R17
	BNE d2xcopy1
d2xdone1:
	CMP $3, R4
	BLT d2xnext
	WORD $0x4e21db18 // scvtf v24.4s, v24.4s
	WORD $0x4e21db39 // scvtf v25.4s, v25.4s
	WORD $0x4e21db5a // scvtf v26.4s, v26.4s
	WORD $0x4e21db7b // scvtf v27.4s, v27.4s
	WORD $0x6e24df18 // fmul v24.4s, v24.4s, v4.4s
	WORD $0x6e25df39 // fmul v25.4s, v25.4s, v5.4s
	WORD $0x6e26df5a // fmul v26.4s, v26.4s, v6.4s
	WORD $0x6e27df7b // fmul v27.4s, v27.4s, v7.4s
	WORD $0x4e28f718 // fmax v24.4s, v24.4s, v8.4s
	WORD $0x4e28f739 // fmax v25.4s, v25.4s, v8.4s
	WORD $0x4e28f75a // fmax v26.4s, v26.4s, v8.4s
	WORD $0x4e28f77b // fmax v27.4s, v27.4s, v8.4s
	WORD $0x4ea9f718 // fmin v24.4s, v24.4s, v9.4s
	WORD $0x4ea9f739 // fmin v25.4s, v25.4s, v9.4s
	WORD $0x4ea9f75a // fmin v26.4s, v26.4s, v9.4s
	WORD $0x4ea9f77b // fmin v27.4s, v27.4s, v9.4s
	WORD $0x4e21ab18 // fcvtns v24.4s, v24.4s
	WORD $0x4e21ab39 // fcvtns v25.4s, v25.4s
	WORD $0x4e21ab5a // fcvtns v26.4s, v26.4s
	WORD $0x4e21ab7b // fcvtns v27.4s, v27.4s
	WORD $0x4e591b18 // uzp1 v24.8h, v24.8h, v25.8h
	WORD $0x4e5b1b5a // uzp1 v26.8h, v26.8h, v27.8h
	WORD $0x4e1a1b18 // uzp1 v24.16b, v24.16b, v26.16b
	WORD $0x4e2a8718 // add v24.16b, v24.16b, v10.16b
	ADD R13, R22, R22
	CMP $16, R14
	BNE d2xpart2
	VST1 [V24.B16], (R22)
	B d2xdone2
d2xpart2:
	MOVD $ob-32(SP), R15
	VST1 [V24.B16], (R15)
	MOVD R22, R16
	MOVD R14, R17
d2xcopy2:
	MOVBU.P 1(R15), R19
	MOVB.P R19, 1(R16)
	SUBS $1, R17, R17
	BNE d2xcopy2
d2xdone2:
	CMP $4, R4
	BLT d2xnext
	WORD $0x4e21db9c // scvtf v28.4s, v28.4s
	WORD $0x4e21dbbd // scvtf v29.4s, v29.4s
	WORD $0x4e21dbde // scvtf v30.4s, v30.4s
	WORD $0x4e21dbff // scvtf v31.4s, v31.4s
	WORD $0x6e24df9c // fmul v28.4s, v28.4s, v4.4s
	WORD $0x6e25dfbd // fmul v29.4s, v29.4s, v5.4s
	WORD $0x6e26dfde // fmul v30.4s, v30.4s, v6.4s
	WORD $0x6e27dfff // fmul v31.4s, v31.4s, v7.4s
	WORD $0x4e28f79c // fmax v28.4s, v28.4s, v8.4s
	WORD $0x4e28f7bd // fmax v29.4s, v29.4s, v8.4s
	WORD $0x4e28f7de // fmax v30.4s, v30.4s, v8.4s
	WORD $0x4e28f7ff // fmax v31.4s, v31.4s, v8.4s
	WORD $0x4ea9f79c // fmin v28.4s, v28.4s, v9.4s
	WORD $0x4ea9f7bd // fmin v29.4s, v29.4s, v9.4s
	WORD $0x4ea9f7de // fmin v30.4s, v30.4s, v9.4s
	WORD $0x4ea9f7ff // fmin v31.4s, v31.4s, v9.4s
	WORD $0x4e21ab9c // fcvtns v28.4s, v28.4s
	WORD $0x4e21abbd // fcvtns v29.4s, v29.4s
	WORD $0x4e21abde // fcvtns v30.4s, v30.4s
	WORD $0x4e21abff // fcvtns v31.4s, v31.4s
	WORD $0x4e5d1b9c // uzp1 v28.8h, v28.8h, v29.8h
	WORD $0x4e5f1bde // uzp1 v30.8h, v30.8h, v31.8h
	WORD $0x4e1e1b9c // uzp1 v28.16b, v28.16b, v30.16b
	WORD $0x4e2a879c // add v28.16b, v28.16b, v10.16b
	ADD R13, R22, R22
	CMP $16, R14
	BNE d2xpart3
	VST1 [V28.B16], (R22)
	B d2xdone3
d2xpart3:
	MOVD $ob-32(SP), R15
	VST1 [V28.B16], (R15)
	MOVD R22, R16
	MOVD R14, R17
d2xcopy3:
	MOVBU.P 1(R15), R19
	MOVB.P R19, 1(R16)
	SUBS $1, R17, R17
	BNE d2xcopy3
d2xdone3:
d2xnext:
	ADD R5<<2, R6, R6
	ADD R13<<2, R12, R12
	SUBS $4, R4, R4
	BGT d2xblk
	RET

// int8 activations, one panel.
d1sblk:
	MOVD R6, R0
	ADD R5, R0, R1
	CMP $2, R4
	CSEL LT, R0, R1, R1
	ADD R5, R1, R2
	CMP $3, R4
	CSEL LT, R1, R2, R2
	ADD R5, R2, R3
	CMP $4, R4
	CSEL LT, R2, R3, R3
	MOVD $bb-96(SP), R15
	VLD1 (R15), [V16.S4, V17.S4]
	VLD1 (R15), [V20.S4, V21.S4]
	VLD1 (R15), [V24.S4, V25.S4]
	VLD1 (R15), [V28.S4, V29.S4]
	MOVD R20, R7
	MOVD R21, R8
	LSR $1, R10, R9
	CBZ R9, d1srem
d1sloop:
	VLD1.P 8(R0), [V0.B8]
	VLD1.P 8(R1), [V1.B8]
	VLD1.P 8(R2), [V2.B8]
	VLD1.P 8(R3), [V3.B8]
	VLD1.P 64(R7), [V4.B16, V5.B16, V6.B16, V7.B16]
	WORD $0x4f80e090 // sdot v16.4s, v4.16b, v0.4b[0]
	WORD $0x4f80e0b1 // sdot v17.4s, v5.16b, v0.4b[0]
	WORD $0x4f81e094 // sdot v20.4s, v4.16b, v1.4b[0]
	WORD $0x4f81e0b5 // sdot v21.4s, v5.16b, v1.4b[0]
	WORD $0x4f82e098 // sdot v24.4s, v4.16b, v2.4b[0]
	WORD $0x4f82e0b9 // sdot v25.4s, v5.16b, v2.4b[0]
	WORD $0x4f83e09c // sdot v28.4s, v4.16b, v3.4b[0]
	WORD $0x4f83e0bd // sdot v29.4s, v5.16b, v3.4b[0]
	WORD $0x4fa0e0d0 // sdot v16.4s, v6.16b, v0.4b[1]
	WORD $0x4fa0e0f1 // sdot v17.4s, v7.16b, v0.4b[1]
	WORD $0x4fa1e0d4 // sdot v20.4s, v6.16b, v1.4b[1]
	WORD $0x4fa1e0f5 // sdot v21.4s, v7.16b, v1.4b[1]
	WORD $0x4fa2e0d8 // sdot v24.4s, v6.16b, v2.4b[1]
	WORD $0x4fa2e0f9 // sdot v25.4s, v7.16b, v2.4b[1]
	WORD $0x4fa3e0dc // sdot v28.4s, v6.16b, v3.4b[1]
	WORD $0x4fa3e0fd // sdot v29.4s, v7.16b, v3.4b[1]
	SUBS $1, R9, R9
	BNE d1sloop
d1srem:
	TBZ $0, R10, d1sepi
	VLD1R.P 4(R0), [V0.S4]
	VLD1R.P 4(R1), [V1.S4]
	VLD1R.P 4(R2), [V2.S4]
	VLD1R.P 4(R3), [V3.S4]
	VLD1.P 32(R7), [V4.B16, V5.B16]
	WORD $0x4f80e090 // sdot v16.4s, v4.16b, v0.4b[0]
	WORD $0x4f80e0b1 // sdot v17.4s, v5.16b, v0.4b[0]
	WORD $0x4f81e094 // sdot v20.4s, v4.16b, v1.4b[0]
	WORD $0x4f81e0b5 // sdot v21.4s, v5.16b, v1.4b[0]
	WORD $0x4f82e098 // sdot v24.4s, v4.16b, v2.4b[0]
	WORD $0x4f82e0b9 // sdot v25.4s, v5.16b, v2.4b[0]
	WORD $0x4f83e09c // sdot v28.4s, v4.16b, v3.4b[0]
	WORD $0x4f83e0bd // sdot v29.4s, v5.16b, v3.4b[0]
d1sepi:
	MOVD scale+64(FP), R15
	VLD1 (R15), [V4.S4, V5.S4]
	VDUP R23, V8.S4
	VDUP R24, V9.S4
	VDUP R25, V10.B16
	MOVD R12, R22
	WORD $0x4e21da10 // scvtf v16.4s, v16.4s
	WORD $0x4e21da31 // scvtf v17.4s, v17.4s
	WORD $0x6e24de10 // fmul v16.4s, v16.4s, v4.4s
	WORD $0x6e25de31 // fmul v17.4s, v17.4s, v5.4s
	WORD $0x4e28f610 // fmax v16.4s, v16.4s, v8.4s
	WORD $0x4e28f631 // fmax v17.4s, v17.4s, v8.4s
	WORD $0x4ea9f610 // fmin v16.4s, v16.4s, v9.4s
	WORD $0x4ea9f631 // fmin v17.4s, v17.4s, v9.4s
	WORD $0x4e21aa10 // fcvtns v16.4s, v16.4s
	WORD $0x4e21aa31 // fcvtns v17.4s, v17.4s
	WORD $0x4e511a10 // uzp1 v16.8h, v16.8h, v17.8h
	WORD $0x0e212a10 // xtn v16.8b, v16.8h
	WORD $0x4e2a8610 // add v16.16b, v16.16b, v10.16b
	CMP $8, R14
	BNE d1spart0
	FMOVD F16, (R22)
	B d1sdone0
d1spart0:
	MOVD $ob-32(SP), R15
	VST1 [V16.B16], (R15)
	MOVD R22, R16
	MOVD R14, R17
d1scopy0:
	MOVBU.P 1(R15), R19
	MOVB.P R19, 1(R16)
	SUBS $1, R17, R17
	BNE d1scopy0
d1sdone0:
	CMP $2, R4
	BLT d1snext
	WORD $0x4e21da94 // scvtf v20.4s, v20.4s
	WORD $0x4e21dab5 // scvtf v21.4s, v21.4s
	WORD $0x6e24de94 // fmul v20.4s, v20.4s, v4.4s
	WORD $0x6e25deb5 // fmul v21.4s, v21.4s, v5.4s
	WORD $0x4e28f694 // fmax v20.4s, v20.4s, v8.4s
	WORD $0x4e28f6b5 // fmax v21.4s, v21.4s, v8.4s
	WORD $0x4ea9f694 // fmin v20.4s, v20.4s, v9.4s
	WORD $0x4ea9f6b5 // fmin v21.4s, v21.4s, v9.4s
	WORD $0x4e21aa94 // fcvtns v20.4s, v20.4s
	WORD $0x4e21aab5 // fcvtns v21.4s, v21.4s
	WORD $0x4e551a94 // uzp1 v20.8h, v20.8h, v21.8h
	WORD $0x0e212a94 // xtn v20.8b, v20.8h
	WORD $0x4e2a8694 // add v20.16b, v20.16b, v10.16b
	ADD R13, R22, R22
	CMP $8, R14
	BNE d1spart1
	FMOVD F20, (R22)
	B d1sdone1
d1spart1:
	MOVD $ob-32(SP), R15
	VST1 [V20.B16], (R15)
	MOVD R22, R16
	MOVD R14, R17
d1scopy1:
	MOVBU.P 1(R15), R19
	MOVB.P R19, 1(R16)
	SUBS $1, R17, R17
	BNE d1scopy1
d1sdone1:
	CMP $3, R4
	BLT d1snext
	WORD $0x4e21db18 // scvtf v24.4s, v24.4s
	WORD $0x4e21db39 // scvtf v25.4s, v25.4s
	WORD $0x6e24df18 // fmul v24.4s, v24.4s, v4.4s
	WORD $0x6e25df39 // fmul v25.4s, v25.4s, v5.4s
	WORD $0x4e28f718 // fmax v24.4s, v24.4s, v8.4s
	WORD $0x4e28f739 // fmax v25.4s, v25.4s, v8.4s
	WORD $0x4ea9f718 // fmin v24.4s, v24.4s, v9.4s
	WORD $0x4ea9f739 // fmin v25.4s, v25.4s, v9.4s
	WORD $0x4e21ab18 // fcvtns v24.4s, v24.4s
	WORD $0x4e21ab39 // fcvtns v25.4s, v25.4s
	WORD $0x4e591b18 // uzp1 v24.8h, v24.8h, v25.8h
	WORD $0x0e212b18 // xtn v24.8b, v24.8h
	WORD $0x4e2a8718 // add v24.16b, v24.16b, v10.16b
	ADD R13, R22, R22
	CMP $8, R14
	BNE d1spart2
	FMOVD F24, (R22)
	B d1sdone2
d1spart2:
	MOVD $ob-32(SP), R15
	VST1 [V24.B16], (R15)
	MOVD R22, R16
	MOVD R14, R17
d1scopy2:
	MOVBU.P 1(R15), R19
	MOVB.P R19, 1(R16)
	SUBS $1, R17, R17
	BNE d1scopy2
d1sdone2:
	CMP $4, R4
	BLT d1snext
	WORD $0x4e21db9c // scvtf v28.4s, v28.4s
	WORD $0x4e21dbbd // scvtf v29.4s, v29.4s
	WORD $0x6e24df9c // fmul v28.4s, v28.4s, v4.4s
	WORD $0x6e25dfbd // fmul v29.4s, v29.4s, v5.4s
	WORD $0x4e28f79c // fmax v28.4s, v28.4s, v8.4s
	WORD $0x4e28f7bd // fmax v29.4s, v29.4s, v8.4s
	WORD $0x4ea9f79c // fmin v28.4s, v28.4s, v9.4s
	WORD $0x4ea9f7bd // fmin v29.4s, v29.4s, v9.4s
	WORD $0x4e21ab9c // fcvtns v28.4s, v28.4s
	WORD $0x4e21abbd // fcvtns v29.4s, v29.4s
	WORD $0x4e5d1b9c // uzp1 v28.8h, v28.8h, v29.8h
	WORD $0x0e212b9c // xtn v28.8b, v28.8h
	WORD $0x4e2a879c // add v28.16b, v28.16b, v10.16b
	ADD R13, R22, R22
	CMP $8, R14
	BNE d1spart3
	FMOVD F28, (R22)
	B d1sdone3
d1spart3:
	MOVD $ob-32(SP), R15
	VST1 [V28.B16], (R15)
	MOVD R22, R16
	MOVD R14, R17
d1scopy3:
	MOVBU.P 1(R15), R19
	MOVB.P R19, 1(R16)
	SUBS $1, R17, R17
	BNE d1scopy3
d1sdone3:
d1snext:
	ADD R5<<2, R6, R6
	ADD R13<<2, R12, R12
	SUBS $4, R4, R4
	BGT d1sblk
	RET

// uint8 activations, one panel.
d1xblk:
	MOVD R6, R0
	ADD R5, R0, R1
	CMP $2, R4
	CSEL LT, R0, R1, R1
	ADD R5, R1, R2
	CMP $3, R4
	CSEL LT, R1, R2, R2
	ADD R5, R2, R3
	CMP $4, R4
	CSEL LT, R2, R3, R3
	MOVD $bb-96(SP), R15
	VLD1 (R15), [V16.S4, V17.S4]
	VLD1 (R15), [V20.S4, V21.S4]
	VLD1 (R15), [V24.S4, V25.S4]
	VLD1 (R15), [V28.S4, V29.S4]
	MOVD R20, R7
	MOVD R21, R8
	LSR $1, R10, R9
	CBZ R9, d1xrem
d1xloop:
	VLD1.P 8(R0), [V0.B8]
	VLD1.P 8(R1), [V1.B8]
	VLD1.P 8(R2), [V2.B8]
	VLD1.P 8(R3), [V3.B8]
	VLD1.P 64(R7), [V4.B16, V5.B16, V6.B16, V7.B16]
	VEOR V12.B16, V0.B16, V0.B16
	VEOR V12.B16, V1.B16, V1.B16
	VEOR V12.B16, V2.B16, V2.B16
	VEOR V12.B16, V3.B16, V3.B16
	WORD $0x4f80e090 // sdot v16.4s, v4.16b, v0.4b[0]
	WORD $0x4f80e0b1 // sdot v17.4s, v5.16b, v0.4b[0]
	WORD $0x4f81e094 // sdot v20.4s, v4.16b, v1.4b[0]
	WORD $0x4f81e0b5 // sdot v21.4s, v5.16b, v1.4b[0]
	WORD $0x4f82e098 // sdot v24.4s, v4.16b, v2.4b[0]
	WORD $0x4f82e0b9 // sdot v25.4s, v5.16b, v2.4b[0]
	WORD $0x4f83e09c // sdot v28.4s, v4.16b, v3.4b[0]
	WORD $0x4f83e0bd // sdot v29.4s, v5.16b, v3.4b[0]
	WORD $0x4fa0e0d0 // sdot v16.4s, v6.16b, v0.4b[1]
	WORD $0x4fa0e0f1 // sdot v17.4s, v7.16b, v0.4b[1]
	WORD $0x4fa1e0d4 // sdot v20.4s, v6.16b, v1.4b[1]
	WORD $0x4fa1e0f5 // sdot v21.4s, v7.16b, v1.4b[1]
	WORD $0x4fa2e0d8 // sdot v24.4s, v6.16b, v2.4b[1]
	WORD $0x4fa2e0f9 // sdot v25.4s, v7.16b, v2.4b[1]
	WORD $0x4fa3e0dc // sdot v28.4s, v6.16b, v3.4b[1]
	WORD $0x4fa3e0fd // sdot v29.4s, v7.16b, v3.4b[1]
	SUBS $1, R9, R9
	BNE d1xloop
d1xrem:
	TBZ $0, R10, d1xepi
	VLD1R.P 4(R0), [V0.S4]
	VLD1R.P 4(R1), [V1.S4]
	VLD1R.P 4(R2), [V2.S4]
	VLD1R.P 4(R3), [V3.S4]
	VLD1.P 32(R7), [V4.B16, V5.B16]
	VEOR V12.B16, V0.B16, V0.B16
	VEOR V12.B16, V1.B16, V1.B16
	VEOR V12.B16, V2.B16, V2.B16
	VEOR V12.B16, V3.B16, V3.B16
	WORD $0x4f80e090 // sdot v16.4s, v4.16b, v0.4b[0]
	WORD $0x4f80e0b1 // sdot v17.4s, v5.16b, v0.4b[0]
	WORD $0x4f81e094 // sdot v20.4s, v4.16b, v1.4b[0]
	WORD $0x4f81e0b5 // sdot v21.4s, v5.16b, v1.4b[0]
	WORD $0x4f82e098 // sdot v24.4s, v4.16b, v2.4b[0]
	WORD $0x4f82e0b9 // sdot v25.4s, v5.16b, v2.4b[0]
	WORD $0x4f83e09c // sdot v28.4s, v4.16b, v3.4b[0]
	WORD $0x4f83e0bd // sdot v29.4s, v5.16b, v3.4b[0]
d1xepi:
	MOVD scale+64(FP), R15
	VLD1 (R15), [V4.S4, V5.S4]
	VDUP R23, V8.S4
	VDUP R24, V9.S4
	VDUP R25, V10.B16
	MOVD R12, R22
	WORD $0x4e21da10 // scvtf v16.4s, v16.4s
	WORD $0x4e21da31 // scvtf v17.4s, v17.4s
	WORD $0x6e24de10 // fmul v16.4s, v16.4s, v4.4s
	WORD $0x6e25de31 // fmul v17.4s, v17.4s, v5.4s
	WORD $0x4e28f610 // fmax v16.4s, v16.4s, v8.4s
	WORD $0x4e28f631 // fmax v17.4s, v17.4s, v8.4s
	WORD $0x4ea9f610 // fmin v16.4s, v16.4s, v9.4s
	WORD $0x4ea9f631 // fmin v17.4s, v17.4s, v9.4s
	WORD $0x4e21aa10 // fcvtns v16.4s, v16.4s
	WORD $0x4e21aa31 // fcvtns v17.4s, v17.4s
	WORD $0x4e511a10 // uzp1 v16.8h, v16.8h, v17.8h
	WORD $0x0e212a10 // xtn v16.8b, v16.8h
	WORD $0x4e2a8610 // add v16.16b, v16.16b, v10.16b
	CMP $8, R14
	BNE d1xpart0
	FMOVD F16, (R22)
	B d1xdone0
d1xpart0:
	MOVD $ob-32(SP), R15
	VST1 [V16.B16], (R15)
	MOVD R22, R16
	MOVD R14, R17
d1xcopy0:
	MOVBU.P 1(R15), R19
	MOVB.P R19, 1(R16)
	SUBS $1, R17, R17
	BNE d1xcopy0
d1xdone0:
	CMP $2, R4
	BLT d1xnext
	WORD $0x4e21da94 // scvtf v20.4s, v20.4s
	WORD $0x4e21dab5 // scvtf v21.4s, v21.4s
	WORD $0x6e24de94 // fmul v20.4s, v20.4s, v4.4s
	WORD $0x6e25deb5 // fmul v21.4s, v21.4s, v5.4s
	WORD $0x4e28f694 // fmax v20.4s, v20.4s, v8.4s
	WORD $0x4e28f6b5 // fmax v21.4s, v21.4s, v8.4s
	WORD $0x4ea9f694 // fmin v20.4s, v20.4s, v9.4s
	WORD $0x4ea9f6b5 // fmin v21.4s, v21.4s, v9.4s
	WORD $0x4e21aa94 // fcvtns v20.4s, v20.4s
	WORD $0x4e21aab5 // fcvtns v21.4s, v21.4s
	WORD $0x4e551a94 // uzp1 v20.8h, v20.8h, v21.8h
	WORD $0x0e212a94 // xtn v20.8b, v20.8h
	WORD $0x4e2a8694 // add v20.16b, v20.16b, v10.16b
	ADD R13, R22, R22
	CMP $8, R14
	BNE d1xpart1
	FMOVD F20, (R22)
	B d1xdone1
d1xpart1:
	MOVD $ob-32(SP), R15
	VST1 [V20.B16], (R15)
	MOVD R22, R16
	MOVD R14, R17
d1xcopy1:
	MOVBU.P 1(R15), R19
	MOVB.P R19, 1(R16)
	SUBS $1, R17, R17
	BNE d1xcopy1
d1xdone1:
	CMP $3, R4
	BLT d1xnext
	WORD $0x4e21db18 // scvtf v24.4s, v24.4s
	WORD $0x4e21db39 // scvtf v25.4s, v25.4s
	WORD $0x6e24df18 // fmul v24.4s, v24.4s, v4.4s
	WORD $0x6e25df39 // fmul v25.4s, v25.4s, v5.4s
	WORD $0x4e28f718 // fmax v24.4s, v24.4s, v8.4s
	WORD $0x4e28f739 // fmax v25.4s, v25.4s, v8.4s
	WORD $0x4ea9f718 // fmin v24.4s, v24.4s, v9.4s
	WORD $0x4ea9f739 // fmin v25.4s, v25.4s, v9.4s
	WORD $0x4e21ab18 // fcvtns v24.4s, v24.4s
	WORD $0x4e21ab39 // fcvtns v25.4s, v25.4s
	WORD $0x4e591b18 // uzp1 v24.8h, v24.8h, v25.8h
	WORD $0x0e212b18 // xtn v24.8b, v24.8h
	WORD $0x4e2a8718 // add v24.16b, v24.16b, v10.16b
	ADD R13, R22, R22
	CMP $8, R14
	BNE d1xpart2
	FMOVD F24, (R22)
	B d1xdone2
d1xpart2:
	MOVD $ob-32(SP), R15
	VST1 [V24.B16], (R15)
	MOVD R22, R16
	MOVD R14, R17
d1xcopy2:
	MOVBU.P 1(R15), R19
	MOVB.P R19, 1(R16)
	SUBS $1, R17, R17
	BNE d1xcopy2
d1xdone2:
	CMP $4, R4
	BLT d1xnext
	WORD $0x4e21db9c // scvtf v28.4s, v28.4s
	WORD $0x4e21dbbd // scvtf v29.4s, v29.4s
	WORD $0x6e24df9c // fmul v28.4s, v28.4s, v4.4s
	WORD $0x6e25dfbd // fmul v29.4s, v29.4s, v5.4s
	WORD $0x4e28f79c // fmax v28.4s, v28.4s, v8.4s
	WORD $0x4e28f7bd // fmax v29.4s, v29.4s, v8.4s
	WORD $0x4ea9f79c // fmin v28.4s, v28.4s, v9.4s
	WORD $0x4ea9f7bd // fmin v29.4s, v29.4s, v9.4s
	WORD $0x4e21ab9c // fcvtns v28.4s, v28.4s
	WORD $0x4e21abbd // fcvtns v29.4s, v29.4s
	WORD $0x4e5d1b9c // uzp1 v28.8h, v28.8h, v29.8h
	WORD $0x0e212b9c // xtn v28.8b, v28.8h
	WORD $0x4e2a879c // add v28.16b, v28.16b, v10.16b
	ADD R13, R22, R22
	CMP $8, R14
	BNE d1xpart3
	FMOVD F28, (R22)
	B d1xdone3
d1xpart3:
	MOVD $ob-32(SP), R15
	VST1 [V28.B16], (R15)
	MOVD R22, R16
	MOVD R14, R17
d1xcopy3:
	MOVBU.P 1(R15), R19
	MOVB.P R19, 1(R16)
	SUBS $1, R17, R17
	BNE d1xcopy3
d1xdone3:
d1xnext:
	ADD R5<<2, R6, R6
	ADD R13<<2, R12, R12
	SUBS $4, R4, R4
	BGT d1xblk
	RET

// func gemmQMM(a *byte, lda, rows int, w *byte, psz, kg int, bias, sum *int32, scale *float32, lo, hi float32, zp, signed int32, c *byte, ldc, nc int)
//
// gemmQDot with SMMLA (int8 activations) or USMMLA (uint8) on the
// packQ8MM layout: each instruction multiplies two rows by two channels
// over 8 values of K. Accumulators V16-V23 (rows 0-1) and V24-V31 (rows
// 2-3) hold channel pairs 2q, 2q+1 as [r0c0 r0c1 r1c0 r1c1] and start
// from the bias laid out that way; row values V0-V5, weights V8-V11
// (first panel) and V12-V15 (second).
TEXT ·gemmQMM(SB), NOSPLIT, $144-112
	MOVD a+0(FP), R6
	MOVD lda+8(FP), R5
	MOVD rows+16(FP), R4
	MOVD w+24(FP), R20
	MOVD psz+32(FP), R21
	ADD R20, R21, R21
	MOVD kg+40(FP), R10
	MOVWU lo+72(FP), R23
	MOVWU hi+76(FP), R24
	MOVWU zp+80(FP), R25
	MOVWU signed+84(FP), R11
	MOVD c+88(FP), R12
	MOVD ldc+96(FP), R13
	MOVD nc+104(FP), R14
	MOVD bias+48(FP), R0
	MOVD $bb-144(SP), R2
	CMP $8, R14
	BGT mbias2
	VLD1 (R0), [V0.S4, V1.S4]
	WORD $0x4ec03804 // zip1 v4.2d, v0.2d, v0.2d
	WORD $0x4ec07805 // zip2 v5.2d, v0.2d, v0.2d
	WORD $0x4ec13826 // zip1 v6.2d, v1.2d, v1.2d
	WORD $0x4ec17827 // zip2 v7.2d, v1.2d, v1.2d
	VST1 [V4.S4, V5.S4, V6.S4, V7.S4], (R2)
	CBZ R11, m1ublk
	B m1sblk
mbias2:
	VLD1 (R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	WORD $0x4ec03804 // zip1 v4.2d, v0.2d, v0.2d
	WORD $0x4ec07805 // zip2 v5.2d, v0.2d, v0.2d
	WORD $0x4ec13826 // zip1 v6.2d, v1.2d, v1.2d
	WORD $0x4ec17827 // zip2 v7.2d, v1.2d, v1.2d
	WORD $0x4ec23848 // zip1 v8.2d, v2.2d, v2.2d
	WORD $0x4ec27849 // zip2 v9.2d, v2.2d, v2.2d
	WORD $0x4ec3386a // zip1 v10.2d, v3.2d, v3.2d
	WORD $0x4ec3786b // zip2 v11.2d, v3.2d, v3.2d
	VST1.P [V4.S4, V5.S4, V6.S4, V7.S4], 64(R2)
	VST1 [V8.S4, V9.S4, V10.S4, V11.S4], (R2)
	CBZ R11, m2ublk

// int8 activations, two panels.
m2sblk:
	MOVD R6, R0
	ADD R5, R0, R1
	CMP $2, R4
	CSEL LT, R0, R1, R1
	ADD R5, R1, R2
	CMP $3, R4
	CSEL LT, R1, R2, R2
	ADD R5, R2, R3
	CMP $4, R4
	CSEL LT, R2, R3, R3
	MOVD $bb-144(SP), R15
	VLD1.P 64(R15), [V16.S4, V17.S4, V18.S4, V19.S4]
	VLD1 (R15), [V20.S4, V21.S4, V22.S4, V23.S4]
	MOVD $bb-144(SP), R15
	VLD1.P 64(R15), [V24.S4, V25.S4, V26.S4, V27.S4]
	VLD1 (R15), [V28.S4, V29.S4, V30.S4, V31.S4]
	MOVD R20, R7
	MOVD R21, R8
	LSR $1, R10, R9
	CBZ R9, m2srem
m2sloop:
	VLD1.P 8(R0), [V0.B8]
	VLD1.P 8(R1), [V1.B8]
	VLD1.P 8(R2), [V2.B8]
	VLD1.P 8(R3), [V3.B8]
	VLD1.P 64(R7), [V8.B16, V9.B16, V10.B16, V11.B16]
	VLD1.P 64(R8), [V12.B16, V13.B16, V14.B16, V15.B16]
	WORD $0x4ec13804 // zip1 v4.2d, v0.2d, v1.2d
	WORD $0x4ec33845 // zip1 v5.2d, v2.2d, v3.2d
	WORD $0x4e88a490 // smmla v16.4s, v4.16b, v8.16b
	WORD $0x4e88a4b8 // smmla v24.4s, v5.16b, v8.16b
	WORD $0x4e89a491 // smmla v17.4s, v4.16b, v9.16b
	WORD $0x4e89a4b9 // smmla v25.4s, v5.16b, v9.16b
	WORD $0x4e8aa492 // smmla v18.4s, v4.16b, v10.16b
	WORD $0x4e8aa4ba // smmla v26.4s, v5.16b, v10.16b
	WORD $0x4e8ba493 // smmla v19.4s, v4.16b, v11.16b
	WORD $0x4e8ba4bb // smmla v27.4s, v5.16b, v11.16b
	WORD $0x4e8ca494 // smmla v20.4s, v4.16b, v12.16b
	WORD $0x4e8ca4bc // smmla v28.4s, v5.16b, v12.16b
	WORD $0x4e8da495 // smmla v21.4s, v4.16b, v13.16b
	WORD $0x4e8da4bd // smmla v29.4s, v5.16b, v13.16b
	WORD $0x4e8ea496 // smmla v22.4s, v4.16b, v14.16b
	WORD $0x4e8ea4be // smmla v30.4s, v5.16b, v14.16b
	WORD $0x4e8fa497 // smmla v23.4s, v4.16b, v15.16b
	WORD $0x4e8fa4bf // smmla v31.4s, v5.16b, v15.16b
	SUBS $1, R9, R9
	BNE m2sloop
m2srem:
	TBZ $0, R10, m2sepi
	VLD1R.P 4(R0), [V0.S4]
	VLD1R.P 4(R1), [V1.S4]
	VLD1R.P 4(R2), [V2.S4]
	VLD1R.P 4(R3), [V3.S4]
	VLD1 (R7), [V8.B16, V9.B16, V10.B16, V11.B16]
	VLD1 (R8), [V12.B16, V13.B16, V14.B16, V15.B16]
	WORD $0x4ec13804 // zip1 v4.2d, v0.2d, v1.2d
	WORD $0x4ec33845 // zip1 v5.2d, v2.2d, v3.2d
	WORD $0x4e88a490 // smmla v16.4s, v4.16b, v8.16b
	WORD $0x4e88a4b8 // smmla v24.4s, v5.16b, v8.16b
	WORD $0x4e89a491 // smmla v17.4s, v4.16b, v9.16b
	WORD $0x4e89a4b9 // smmla v25.4s, v5.16b, v9.16b
	WORD $0x4e8aa492 // smmla v18.4s, v4.16b, v10.16b
	WORD $0x4e8aa4ba // smmla v26.4s, v5.16b, v10.16b
	WORD $0x4e8ba493 // smmla v19.4s, v4.16b, v11.16b
	WORD $0x4e8ba4bb // smmla v27.4s, v5.16b, v11.16b
	WORD $0x4e8ca494 // smmla v20.4s, v4.16b, v12.16b
	WORD $0x4e8ca4bc // smmla v28.4s, v5.16b, v12.16b
	WORD $0x4e8da495 // smmla v21.4s, v4.16b, v13.16b
	WORD $0x4e8da4bd // smmla v29.4s, v5.16b, v13.16b
	WORD $0x4e8ea496 // smmla v22.4s, v4.16b, v14.16b
	WORD $0x4e8ea4be // smmla v30.4s, v5.16b, v14.16b
	WORD $0x4e8fa497 // smmla v23.4s, v4.16b, v15.16b
	WORD $0x4e8fa4bf // smmla v31.4s, v5.16b, v15.16b
m2sepi:
	MOVD scale+64(FP), R15
	VLD1 (R15), [V8.S4, V9.S4, V10.S4, V11.S4]
	VDUP R23, V12.S4
	VDUP R24, V13.S4
	VDUP R25, V14.B16
	MOVD R12, R22
	WORD $0x4ed11a00 // uzp1 v0.2d, v16.2d, v17.2d
	WORD $0x4ed15a04 // uzp2 v4.2d, v16.2d, v17.2d
	WORD $0x4ed31a41 // uzp1 v1.2d, v18.2d, v19.2d
	WORD $0x4ed35a45 // uzp2 v5.2d, v18.2d, v19.2d
	WORD $0x4ed51a82 // uzp1 v2.2d, v20.2d, v21.2d
	WORD $0x4ed55a86 // uzp2 v6.2d, v20.2d, v21.2d
	WORD $0x4ed71ac3 // uzp1 v3.2d, v22.2d, v23.2d
	WORD $0x4ed75ac7 // uzp2 v7.2d, v22.2d, v23.2d
	WORD $0x4e21d800 // scvtf v0.4s, v0.4s
	WORD $0x4e21d821 // scvtf v1.4s, v1.4s
	WORD $0x4e21d842 // scvtf v2.4s, v2.4s
	WORD $0x4e21d863 // scvtf v3.4s, v3.4s
	WORD $0x6e28dc00 // fmul v0.4s, v0.4s, v8.4s
	WORD $0x6e29dc21 // fmul v1.4s, v1.4s, v9.4s
	WORD $0x6e2adc42 // fmul v2.4s, v2.4s, v10.4s
	WORD $0x6e2bdc63 // fmul v3.4s, v3.4s, v11.4s
	WORD $0x4e2cf400 // fmax v0.4s, v0.4s, v12.4s
	WORD $0x4e2cf421 // fmax v1.4s, v1.4s, v12.4s
	WORD $0x4e2cf442 // fmax v2.4s, v2.4s, v12.4s
	WORD $0x4e2cf463 // fmax v3.4s, v3.4s, v12.4s
	WORD $0x4eadf400 // fmin v0.4s, v0.4s, v13.4s
	WORD $0x4eadf421 // fmin v1.4s, v1.4s, v13.4s
	WORD $0x4eadf442 // fmin v2.4s, v2.4s, v13.4s
	WORD $0x4eadf463 // fmin v3.4s, v3.4s, v13.4s
	WORD $0x4e21a800 // fcvtns v0.4s, v0.4s
	WORD $0x4e21a821 // fcvtns v1.4s, v1.4s
	WORD $0x4e21a842 // fcvtns v2.4s, v2.4s
	WORD $0x4e21a863 // fcvtns v3.4s, v3.4s
	WORD $0x4e411800 // uzp1 v0.8h, v0.8h, v1.8h
	WORD $0x4e431842 // uzp1 v2.8h, v2.8h, v3.8h
	WORD $0x4e021800 // uzp1 v0.16b, v0.16b, v2.16b
	WORD $0x4e2e8400 // add v0.16b, v0.16b, v14.16b
	CMP $16, R14
	BNE m2spart0
	VST1 [V0.B16], (R22)
	B m2sdone0
m2spart0:
	MOVD $ob-16(SP), R15
	VST1 [V0.B16], (R15)
	MOVD R22, R16
	MOVD R14, R17
m2scopy0:
	MOVBU.P 1(R15), R19
	MOVB.P R19, 1(R16)
	SUBS $1, R17, R17
	BNE m2scopy0
m2sdone0:
	CMP $2, R4
	BLT m2snext
	WORD $0x4e21d884 // scvtf v4.4s, v4.4s
	WORD $0x4e21d8a5 // scvtf v5.4s, v5.4s
	WORD $0x4e21d8c6 // scvtf v6.4s, v6.4s
	WORD $0x4e21d8e7 // scvtf v7.4s, v7.4s
	WORD $0x6e28dc84 // fmul v4.4s, v4.4s, v8.4s
	WORD $0x6e29dca5 // fmul v5.4s, v5.4s, v9.4s
	WORD $0x6e2adcc6 // fmul v6.4s, v6.4s, v10.4s
	WORD $0x6e2bdce7 // fmul v7.4s, v7.4s, v11.4s
	WORD $0x4e2cf484 // fmax v4.4s, v4.4s, v12.4s
	WORD $0x4e2cf4a5 // fmax v5.4s, v5.4s, v12.4s
	WORD $0x4e2cf4c6 // fmax v6.4s, v6.4s, v12.4s
	WORD $0x4e2cf4e7 // fmax v7.4s, v7.4s, v12.4s
	WORD $0x4eadf484 // fmin v4.4s, v4.4s, v13.4s
	WORD $0x4eadf4a5 // fmin v5.4s, v5.4s, v13.4s
	WORD $0x4eadf4c6 // fmin v6.4s, v6.4s, v13.4s
	WORD $0x4eadf4e7 // fmin v7.4s, v7.4s, v13.4s
	WORD $0x4e21a884 // fcvtns v4.4s, v4.4s
	WORD $0x4e21a8a5 // fcvtns v5.4s, v5.4s
	WORD $0x4e21a8c6 // fcvtns v6.4s, v6.4s
	WORD $0x4e21a8e7 // fcvtns v7.4s, v7.4s
	WORD $0x4e451884 // uzp1 v4.8h, v4.8h, v5.8h
	WORD $0x4e4718c6 // uzp1 v6.8h, v6.8h, v7.8h
	WORD $0x4e061884 // uzp1 v4.16b, v4.16b, v6.16b
	WORD $0x4e2e8484 // add v4.16b, v4.16b, v14.16b
	ADD R13, R22, R22
	CMP $16, R14
	BNE m2spart1
	VST1 [V4.B16], (R22)
	B m2sdone1
m2spart1:
	MOVD $ob-16(SP), R15
	VST1 [V4.B16], (R15)
	MOVD R22, R16
	MOVD R14, R17
m2scopy1:
	MOVBU.P 1(R15), R19
	MOVB.P R19, 1(R16)
	SUBS $1, R17, R17
	BNE m2scopy1
m2sdone1:
	CMP $3, R4
	BLT m2snext
	WORD $0x4ed91b00 // uzp1 v0.2d, v24.2d, v25.2d
	WORD $0x4ed95b04 // uzp2 v4.2d, v24.2d, v25.2d
	WORD $0x4edb1b41 // uzp1 v1.2d, v26.2d, v27.2d
	WORD $0x4edb5b45 // uzp2 v5.2d, v26.2d, v27.2d
	WORD $0x4edd1b82 // uzp1 v2.2d, v28.2d, v29.2d
	WORD $0x4edd5b86 // uzp2 v6.2d, v28.2d, v29.2d
	WORD $0x4edf1bc3 // uzp1 v3.2d, v30.2d, v31.2d
	WORD $0x4edf5bc7 // uzp2 v7.2d, v30.2d, v31.2d
	WORD $0x4e21d800 // scvtf v0.4s, v0.4s
	WORD $0x4e21d821 // scvtf v1.4s, v1.4s
	WORD $0x4e21d842 // scvtf v2.4s, v2.4s
	WORD $0x4e21d863 // scvtf v3.4s, v3.4s
	WORD $0x6e28dc00 // fmul v0.4s, v0.4s, v8.4s
	WORD $0x6e29dc21 // fmul v1.4s, v1.4s, v9.4s
	WORD $0x6e2adc42 // fmul v2.4s, v2.4s, v10.4s
	WORD $0x6e2bdc63 // fmul v3.4s, v3.4s, v11.4s
	WORD $0x4e2cf400 // fmax v0.4s, v0.4s, v12.4s
	WORD $0x4e2cf421 // fmax v1.4s, v1.4s, v12.4s
	WORD $0x4e2cf442 // fmax v2.4s, v2.4s, v12.4s
	WORD $0x4e2cf463 // fmax v3.4s, v3.4s, v12.4s
	WORD $0x4eadf400 // fmin v0.4s, v0.4s, v13.4s
	WORD $0x4eadf421 // fmin v1.4s, v1.4s, v13.4s
	WORD $0x4eadf442 // fmin v2.4s, v2.4s, v13.4s
	WORD $0x4eadf463 // fmin v3.4s, v3.4s, v13.4s
	WORD $0x4e21a800 // fcvtns v0.4s, v0.4s
	WORD $0x4e21a821 // fcvtns v1.4s, v1.4s
	WORD $0x4e21a842 // fcvtns v2.4s, v2.4s
	WORD $0x4e21a863 // fcvtns v3.4s, v3.4s
	WORD $0x4e411800 // uzp1 v0.8h, v0.8h, v1.8h
	WORD $0x4e431842 // uzp1 v2.8h, v2.8h, v3.8h
	WORD $0x4e021800 // uzp1 v0.16b, v0.16b, v2.16b
	WORD $0x4e2e8400 // add v0.16b, v0.16b, v14.16b
	ADD R13, R22, R22
	CMP $16, R14
	BNE m2spart2
	VST1 [V0.B16], (R22)
	B m2sdone2
m2spart2:
	MOVD $ob-16(SP), R15
	VST1 [V0.B16], (R15)
	MOVD R22, R16
	MOVD R14, R17
m2scopy2:
	MOVBU.P 1(R15), R19
	MOVB.P R19, 1(R16)
	SUBS $1, R17, R17
	BNE m2scopy2
m2sdone2:
	CMP $4, R4
	BLT m2snext
	WORD $0x4e21d884 // scvtf v4.4s, v4.4s
	WORD $0x4e21d8a5 // scvtf v5.4s, v5.4s
	WORD $0x4e21d8c6 // scvtf v6.4s, v6.4s
	WORD $0x4e21d8e7 // scvtf v7.4s, v7.4s
	WORD $0x6e28dc84 // fmul v4.4s, v4.4s, v8.4s
	WORD $0x6e29dca5 // fmul v5.4s, v5.4s, v9.4s
	WORD $0x6e2adcc6 // fmul v6.4s, v6.4s, v10.4s
	WORD $0x6e2bdce7 // fmul v7.4s, v7.4s, v11.4s
	WORD $0x4e2cf484 // fmax v4.4s, v4.4s, v12.4s
	WORD $0x4e2cf4a5 // fmax v5.4s, v5.4s, v12.4s
	WORD $0x4e2cf4c6 // fmax v6.4s, v6.4s, v12.4s
	WORD $0x4e2cf4e7 // fmax v7.4s, v7.4s, v12.4s
	WORD $0x4eadf484 // fmin v4.4s, v4.4s, v13.4s
	WORD $0x4eadf4a5 // fmin v5.4s, v5.4s, v13.4s
	WORD $0x4eadf4c6 // fmin v6.4s, v6.4s, v13.4s
	WORD $0x4eadf4e7 // fmin v7.4s, v7.4s, v13.4s
	WORD $0x4e21a884 // fcvtns v4.4s, v4.4s
	WORD $0x4e21a8a5 // fcvtns v5.4s, v5.4s
	WORD $0x4e21a8c6 // fcvtns v6.4s, v6.4s
	WORD $0x4e21a8e7 // fcvtns v7.4s, v7.4s
	WORD $0x4e451884 // uzp1 v4.8h, v4.8h, v5.8h
	WORD $0x4e4718c6 // uzp1 v6.8h, v6.8h, v7.8h
	WORD $0x4e061884 // uzp1 v4.16b, v4.16b, v6.16b
	WORD $0x4e2e8484 // add v4.16b, v4.16b, v14.16b
	ADD R13, R22, R22
	CMP $16, R14
	BNE m2spart3
	VST1 [V4.B16], (R22)
	B m2sdone3
m2spart3:
	MOVD $ob-16(SP), R15
	VST1 [V4.B16], (R15)
	MOVD R22, R16
	MOVD R14, R17
m2scopy3:
	MOVBU.P 1(R15), R19
	MOVB.P R19, 1(R16)
	SUBS $1, R17, R17
	BNE m2scopy3
m2sdone3:
m2snext:
	ADD R5<<2, R6, R6
	ADD R13<<2, R12, R12
	SUBS $4, R4, R4
	BGT m2sblk
	RET

// uint8 activations, two panels.
m2ublk:
	MOVD R6, R0
	ADD R5, R0, R1
	CMP $2, R4
	CSEL LT, R0, R1, R1
	ADD R5, R1, R2
	CMP $3, R4
	CSEL LT, R1, R2, R2
	ADD R5, R2, R3
	CMP $4, R4
	CSEL LT, R2, R3, R3
	MOVD $bb-144(SP), R15
	VLD1.P 64(R15), [V16.S4, V17.S4, V18.S4, V19.S4]
	VLD1 (R15), [V20.S4, V21.S4, V22.S4, V23.S4]
	MOVD $bb-144(SP), R15
	VLD1.P 64(R15), [V24.S4, V25.S4, V26.S4, V27.S4]
	VLD1 (R15), [V28.S4, V29.S4, V30.S4, V31.S4]
	MOVD R20, R7
	MOVD R21, R8
	LSR $1, R10, R9
	CBZ R9, m2urem
m2uloop:
	VLD1.P 8(R0), [V0.B8]
	VLD1.P 8(R1), [V1.B8]
	VLD1.P 8(R2), [V2.B8]
	VLD1.P 8(R3), [V3.B8]
	VLD1.P 64(R7), [V8.B16, V9.B16, V10.B16, V11.B16]
	VLD1.P 64(R8), [V12.B16, V13.B16, V14.B16, V15.B16]
	WORD $0x4ec13804 // zip1 v4.2d, v0.2d, v1.2d
	WORD $0x4ec33845 // zip1 v5.2d, v2.2d, v3.2d
	WORD $0x4e88ac90 // usmmla v16.4s, v4.16b, v8.16b
	WORD $0x4e88acb8 // usmmla v24.4s, v5.16b, v8.16b
	WORD $0x4e89ac91 // usmmla v17.4s, v4.16b, v9.16b
	WORD $0x4e89acb9 // usmmla v25.4s, v5.16b, v9.16b
	WORD $0x4e8aac92 // usmmla v18.4s, v4.16b, v10.16b
	WORD $0x4e8aacba // usmmla v26.4s, v5.16b, v10.16b
	WORD $0x4e8bac93 // usmmla v19.4s, v4.16b, v11.16b
	WORD $0x4e8bacbb // usmmla v27.4s, v5.16b, v11.16b
	WORD $0x4e8cac94 // usmmla v20.4s, v4.16b, v12.16b
	WORD $0x4e8cacbc // usmmla v28.4s, v5.16b, v12.16b
	WORD $0x4e8dac95 // usmmla v21.4s, v4.16b, v13.16b
	WORD $0x4e8dacbd // usmmla v29.4s, v5.16b, v13.16b
	WORD $0x4e8eac96 // usmmla v22.4s, v4.16b, v14.16b
	WORD $0x4e8eacbe // usmmla v30.4s, v5.16b, v14.16b
	WORD $0x4e8fac97 // usmmla v23.4s, v4.16b, v15.16b
	WORD $0x4e8facbf // usmmla v31.4s, v5.16b, v15.16b
	SUBS $1, R9, R9
	BNE m2uloop
m2urem:
	TBZ $0, R10, m2uepi
	VLD1R.P 4(R0), [V0.S4]
	VLD1R.P 4(R1), [V1.S4]
	VLD1R.P 4(R2), [V2.S4]
	VLD1R.P 4(R3), [V3.S4]
	VLD1 (R7), [V8.B16, V9.B16, V10.B16, V11.B16]
	VLD1 (R8), [V12.B16, V13.B16, V14.B16, V15.B16]
	WORD $0x4ec13804 // zip1 v4.2d, v0.2d, v1.2d
	WORD $0x4ec33845 // zip1 v5.2d, v2.2d, v3.2d
	WORD $0x4e88ac90 // usmmla v16.4s, v4.16b, v8.16b
	WORD $0x4e88acb8 // usmmla v24.4s, v5.16b, v8.16b
	WORD $0x4e89ac91 // usmmla v17.4s, v4.16b, v9.16b
	WORD $0x4e89acb9 // usmmla v25.4s, v5.16b, v9.16b
	WORD $0x4e8aac92 // usmmla v18.4s, v4.16b, v10.16b
	WORD $0x4e8aacba // usmmla v26.4s, v5.16b, v10.16b
	WORD $0x4e8bac93 // usmmla v19.4s, v4.16b, v11.16b
	WORD $0x4e8bacbb // usmmla v27.4s, v5.16b, v11.16b
	WORD $0x4e8cac94 // usmmla v20.4s, v4.16b, v12.16b
	WORD $0x4e8cacbc // usmmla v28.4s, v5.16b, v12.16b
	WORD $0x4e8dac95 // usmmla v21.4s, v4.16b, v13.16b
	WORD $0x4e8dacbd // usmmla v29.4s, v5.16b, v13.16b
	WORD $0x4e8eac96 // usmmla v22.4s, v4.16b, v14.16b
	WORD $0x4e8eacbe // usmmla v30.4s, v5.16b, v14.16b
	WORD $0x4e8fac97 // usmmla v23.4s, v4.16b, v15.16b
	WORD $0x4e8facbf // usmmla v31.4s, v5.16b, v15.16b
m2uepi:
	MOVD scale+64(FP), R15
	VLD1 (R15), [V8.S4, V9.S4, V10.S4, V11.S4]
	VDUP R23, V12.S4
	VDUP R24, V13.S4
	VDUP R25, V14.B16
	MOVD R12, R22
	WORD $0x4ed11a00 // uzp1 v0.2d, v16.2d, v17.2d
	WORD $0x4ed15a04 // uzp2 v4.2d, v16.2d, v17.2d
	WORD $0x4ed31a41 // uzp1 v1.2d, v18.2d, v19.2d
	WORD $0x4ed35a45 // uzp2 v5.2d, v18.2d, v19.2d
	WORD $0x4ed51a82 // uzp1 v2.2d, v20.2d, v21.2d
	WORD $0x4ed55a86 // uzp2 v6.2d, v20.2d, v21.2d
	WORD $0x4ed71ac3 // uzp1 v3.2d, v22.2d, v23.2d
	WORD $0x4ed75ac7 // uzp2 v7.2d, v22.2d, v23.2d
	WORD $0x4e21d800 // scvtf v0.4s, v0.4s
	WORD $0x4e21d821 // scvtf v1.4s, v1.4s
	WORD $0x4e21d842 // scvtf v2.4s, v2.4s
	WORD $0x4e21d863 // scvtf v3.4s, v3.4s
	WORD $0x6e28dc00 // fmul v0.4s, v0.4s, v8.4s
	WORD $0x6e29dc21 // fmul v1.4s, v1.4s, v9.4s
	WORD $0x6e2adc42 // fmul v2.4s, v2.4s, v10.4s
	WORD $0x6e2bdc63 // fmul v3.4s, v3.4s, v11.4s
	WORD $0x4e2cf400 // fmax v0.4s, v0.4s, v12.4s
	WORD $0x4e2cf421 // fmax v1.4s, v1.4s, v12.4s
	WORD $0x4e2cf442 // fmax v2.4s, v2.4s, v12.4s
	WORD $0x4e2cf463 // fmax v3.4s, v3.4s, v12.4s
	WORD $0x4eadf400 // fmin v0.4s, v0.4s, v13.4s
	WORD $0x4eadf421 // fmin v1.4s, v1.4s, v13.4s
	WORD $0x4eadf442 // fmin v2.4s, v2.4s, v13.4s
	WORD $0x4eadf463 // fmin v3.4s, v3.4s, v13.4s
	WORD $0x4e21a800 // fcvtns v0.4s, v0.4s
	WORD $0x4e21a821 // fcvtns v1.4s, v1.4s
	WORD $0x4e21a842 // fcvtns v2.4s, v2.4s
	WORD $0x4e21a863 // fcvtns v3.4s, v3.4s
	WORD $0x4e411800 // uzp1 v0.8h, v0.8h, v1.8h
	WORD $0x4e431842 // uzp1 v2.8h, v2.8h, v3.8h
	WORD $0x4e021800 // uzp1 v0.16b, v0.16b, v2.16b
	WORD $0x4e2e8400 // add v0.16b, v0.16b, v14.16b
	CMP $16, R14
	BNE m2upart0
	VST1 [V0.B16], (R22)
	B m2udone0
m2upart0:
	MOVD $ob-16(SP), R15
	VST1 [V0.B16], (R15)
	MOVD R22, R16
	MOVD R14, R17
m2ucopy0:
	MOVBU.P 1(R15), R19
	MOVB.P R19, 1(R16)
	SUBS $1, R17, R17
	BNE m2ucopy0
m2udone0:
	CMP $2, R4
	BLT m2unext
	WORD $0x4e21d884 // scvtf v4.4s, v4.4s
	WORD $0x4e21d8a5 // scvtf v5.4s, v5.4s
	WORD $0x4e21d8c6 // scvtf v6.4s, v6.4s
	WORD $0x4e21d8e7 // scvtf v7.4s, v7.4s
	WORD $0x6e28dc84 // fmul v4.4s, v4.4s, v8.4s
	WORD $0x6e29dca5 // fmul v5.4s, v5.4s, v9.4s
	WORD $0x6e2adcc6 // fmul v6.4s, v6.4s, v10.4s
	WORD $0x6e2bdce7 // fmul v7.4s, v7.4s, v11.4s
	WORD $0x4e2cf484 // fmax v4.4s, v4.4s, v12.4s
	WORD $0x4e2cf4a5 // fmax v5.4s, v5.4s, v12.4s
	WORD $0x4e2cf4c6 // fmax v6.4s, v6.4s, v12.4s
	WORD $0x4e2cf4e7 // fmax v7.4s, v7.4s, v12.4s
	WORD $0x4eadf484 // fmin v4.4s, v4.4s, v13.4s
	WORD $0x4eadf4a5 // fmin v5.4s, v5.4s, v13.4s
	WORD $0x4eadf4c6 // fmin v6.4s, v6.4s, v13.4s
	WORD $0x4eadf4e7 // fmin v7.4s, v7.4s, v13.4s
	WORD $0x4e21a884 // fcvtns v4.4s, v4.4s
	WORD $0x4e21a8a5 // fcvtns v5.4s, v5.4s
	WORD $0x4e21a8c6 // fcvtns v6.4s, v6.4s
	WORD $0x4e21a8e7 // fcvtns v7.4s, v7.4s
	WORD $0x4e451884 // uzp1 v4.8h, v4.8h, v5.8h
	WORD $0x4e4718c6 // uzp1 v6.8h, v6.8h, v7.8h
	WORD $0x4e061884 // uzp1 v4.16b, v4.16b, v6.16b
	WORD $0x4e2e8484 // add v4.16b, v4.16b, v14.16b
	ADD R13, R22, R22
	CMP $16, R14
	BNE m2upart1
	VST1 [V4.B16], (R22)
	B m2udone1
m2upart1:
	MOVD $ob-16(SP), R15
	VST1 [V4.B16], (R15)
	MOVD R22, R16
	MOVD R14, R17
m2ucopy1:
	MOVBU.P 1(R15), R19
	MOVB.P R19, 1(R16)
	SUBS $1, R17, R17
	BNE m2ucopy1
m2udone1:
	CMP $3, R4
	BLT m2unext
	WORD $0x4ed91b00 // uzp1 v0.2d, v24.2d, v25.2d
	WORD $0x4ed95b04 // uzp2 v4.2d, v24.2d, v25.2d
	WORD $0x4edb1b41 // uzp1 v1.2d, v26.2d, v27.2d
	WORD $0x4edb5b45 // uzp2 v5.2d, v26.2d, v27.2d
	WORD $0x4edd1b82 // uzp1 v2.2d, v28.2d, v29.2d
	WORD $0x4edd5b86 // uzp2 v6.2d, v28.2d, v29.2d
	WORD $0x4edf1bc3 // uzp1 v3.2d, v30.2d, v31.2d
	WORD $0x4edf5bc7 // uzp2 v7.2d, v30.2d, v31.2d
	WORD $0x4e21d800 // scvtf v0.4s, v0.4s
	WORD $0x4e21d821 // scvtf v1.4s, v1.4s
	WORD $0x4e21d842 // scvtf v2.4s, v2.4s
	WORD $0x4e21d863 // scvtf v3.4s, v3.4s
	WORD $0x6e28dc00 // fmul v0.4s, v0.4s, v8.4s
	WORD $0x6e29dc21 // fmul v1.4s, v1.4s, v9.4s
	WORD $0x6e2adc42 // fmul v2.4s, v2.4s, v10.4s
	WORD $0x6e2bdc63 // fmul v3.4s, v3.4s, v11.4s
	WORD $0x4e2cf400 // fmax v0.4s, v0.4s, v12.4s
	WORD $0x4e2cf421 // fmax v1.4s, v1.4s, v12.4s
	WORD $0x4e2cf442 // fmax v2.4s, v2.4s, v12.4s
	WORD $0x4e2cf463 // fmax v3.4s, v3.4s, v12.4s
	WORD $0x4eadf400 // fmin v0.4s, v0.4s, v13.4s
	WORD $0x4eadf421 // fmin v1.4s, v1.4s, v13.4s
	WORD $0x4eadf442 // fmin v2.4s, v2.4s, v13.4s
	WORD $0x4eadf463 // fmin v3.4s, v3.4s, v13.4s
	WORD $0x4e21a800 // fcvtns v0.4s, v0.4s
	WORD $0x4e21a821 // fcvtns v1.4s, v1.4s
	WORD $0x4e21a842 // fcvtns v2.4s, v2.4s
	WORD $0x4e21a863 // fcvtns v3.4s, v3.4s
	WORD $0x4e411800 // uzp1 v0.8h, v0.8h, v1.8h
	WORD $0x4e431842 // uzp1 v2.8h, v2.8h, v3.8h
	WORD $0x4e021800 // uzp1 v0.16b, v0.16b, v2.16b
	WORD $0x4e2e8400 // add v0.16b, v0.16b, v14.16b
	ADD R13, R22, R22
	CMP $16, R14
	BNE m2upart2
	VST1 [V0.B16], (R22)
	B m2udone2
m2upart2:
	MOVD $ob-16(SP), R15
	VST1 [V0.B16], (R15)
	MOVD R22, R16
	MOVD R14, R17
m2ucopy2:
	MOVBU.P 1(R15), R19
	MOVB.P R19, 1(R16)
	SUBS $1, R17, R17
	BNE m2ucopy2
m2udone2:
	CMP $4, R4
	BLT m2unext
	WORD $0x4e21d884 // scvtf v4.4s, v4.4s
	WORD $0x4e21d8a5 // scvtf v5.4s, v5.4s
	WORD $0x4e21d8c6 // scvtf v6.4s, v6.4s
	WORD $0x4e21d8e7 // scvtf v7.4s, v7.4s
	WORD $0x6e28dc84 // fmul v4.4s, v4.4s, v8.4s
	WORD $0x6e29dca5 // fmul v5.4s, v5.4s, v9.4s
	WORD $0x6e2adcc6 // fmul v6.4s, v6.4s, v10.4s
	WORD $0x6e2bdce7 // fmul v7.4s, v7.4s, v11.4s
	WORD $0x4e2cf484 // fmax v4.4s, v4.4s, v12.4s
	WORD $0x4e2cf4a5 // fmax v5.4s, v5.4s, v12.4s
	WORD $0x4e2cf4c6 // fmax v6.4s, v6.4s, v12.4s
	WORD $0x4e2cf4e7 // fmax v7.4s, v7.4s, v12.4s
	WORD $0x4eadf484 // fmin v4.4s, v4.4s, v13.4s
	WORD $0x4eadf4a5 // fmin v5.4s, v5.4s, v13.4s
	WORD $0x4eadf4c6 // fmin v6.4s, v6.4s, v13.4s
	WORD $0x4eadf4e7 // fmin v7.4s, v7.4s, v13.4s
	WORD $0x4e21a884 // fcvtns v4.4s, v4.4s
	WORD $0x4e21a8a5 // fcvtns v5.4s, v5.4s
	WORD $0x4e21a8c6 // fcvtns v6.4s, v6.4s
	WORD $0x4e21a8e7 // fcvtns v7.4s, v7.4s
	WORD $0x4e451884 // uzp1 v4.8h, v4.8h, v5.8h
	WORD $0x4e4718c6 // uzp1 v6.8h, v6.8h, v7.8h
	WORD $0x4e061884 // uzp1 v4.16b, v4.16b, v6.16b
	WORD $0x4e2e8484 // add v4.16b, v4.16b, v14.16b
	ADD R13, R22, R22
	CMP $16, R14
	BNE m2upart3
	VST1 [V4.B16], (R22)
	B m2udone3
m2upart3:
	MOVD $ob-16(SP), R15
	VST1 [V4.B16], (R15)
	MOVD R22, R16
	MOVD R14, R17
m2ucopy3:
	MOVBU.P 1(R15), R19
	MOVB.P R19, 1(R16)
	SUBS $1, R17, R17
	BNE m2ucopy3
m2udone3:
m2unext:
	ADD R5<<2, R6, R6
	ADD R13<<2, R12, R12
	SUBS $4, R4, R4
	BGT m2ublk
	RET

// int8 activations, one panel.
m1sblk:
	MOVD R6, R0
	ADD R5, R0, R1
	CMP $2, R4
	CSEL LT, R0, R1, R1
	ADD R5, R1, R2
	CMP $3, R4
	CSEL LT, R1, R2, R2
	ADD R5, R2, R3
	CMP $4, R4
	CSEL LT, R2, R3, R3
	MOVD $bb-144(SP), R15
	VLD1 (R15), [V16.S4, V17.S4, V18.S4, V19.S4]
	MOVD $bb-144(SP), R15
	VLD1 (R15), [V24.S4, V25.S4, V26.S4, V27.S4]
	MOVD R20, R7
	MOVD R21, R8
	LSR $1, R10, R9
	CBZ R9, m1srem
m1sloop:
	VLD1.P 8(R0), [V0.B8]
	VLD1.P 8(R1), [V1.B8]
	VLD1.P 8(R2), [V2.B8]
	VLD1.P 8(R3), [V3.B8]
	VLD1.P 64(R7), [V8.B16, V9.B16, V10.B16, V11.B16]
	WORD $0x4ec13804 // zip1 v4.2d, v0.2d, v1.2d
	WORD $0x4ec33845 // zip1 v5.2d, v2.2d, v3.2d
	WORD $0x4e88a490 // smmla v16.4s, v4.16b, v8.16b
	WORD $0x4e88a4b8 // smmla v24.4s, v5.16b, v8.16b
	WORD $0x4e89a491 // smmla v17.4s, v4.16b, v9.16b
	WORD $0x4e89a4b9 // smmla v25.4s, v5.16b, v9.16b
	WORD $0x4e8aa492 // smmla v18.4s, v4.16b, v10.16b
	WORD $0x4e8aa4ba // smmla v26.4s, v5.16b, v10.16b
	WORD $0x4e8ba493 // smmla v19.4s, v4.16b, v11.16b
	WORD $0x4e8ba4bb // smmla v27.4s, v5.16b, v11.16b
	SUBS $1, R9, R9
	BNE m1sloop
m1srem:
	TBZ $0, R10, m1sepi
	VLD1R.P 4(R0), [V0.S4]
	VLD1R.P 4(R1), [V1.S4]
	VLD1R.P 4(R2), [V2.S4]
	VLD1R.P 4(R3), [V3.S4]
	VLD1 (R7), [V8.B16, V9.B16, V10.B16, V11.B16]
	WORD $0x4ec13804 // zip1 v4.2d, v0.2d, v1.2d
	WORD $0x4ec33845 // zip1 v5.2d, v2.2d, v3.2d
	WORD $0x4e88a490 // smmla v16.4s, v4.16b, v8.16b
	WORD $0x4e88a4b8 // smmla v24.4s, v5.16b, v8.16b
	WORD $0x4e89a491 // smmla v17.4s, v4.16b, v9.16b
	WORD $0x4e89a4b9 // smmla v25.4s, v5.16b, v9.16b
	WORD $0x4e8aa492 // smmla v18.4s, v4.16b, v10.16b
	WORD $0x4e8aa4ba // smmla v26.4s, v5.16b, v10.16b
	WORD $0x4e8ba493 // smmla v19.4s, v4.16b, v11.16b
	WORD $0x4e8ba4bb // smmla v27.4s, v5.16b, v11.16b
m1sepi:
	MOVD scale+64(FP), R15
	VLD1 (R15), [V8.S4, V9.S4]
	VDUP R23, V12.S4
	VDUP R24, V13.S4
	VDUP R25, V14.B16
	MOVD R12, R22
	WORD $0x4ed11a00 // uzp1 v0.2d, v16.2d, v17.2d
	WORD $0x4ed15a04 // uzp2 v4.2d, v16.2d, v17.2d
	WORD $0x4ed31a41 // uzp1 v1.2d, v18.2d, v19.2d
	WORD $0x4ed35a45 // uzp2 v5.2d, v18.2d, v19.2d
	WORD $0x4e21d800 // scvtf v0.4s, v0.4s
	WORD $0x4e21d821 // scvtf v1.4s, v1.4s
	WORD $0x6e28dc00 // fmul v0.4s, v0.4s, v8.4s
	WORD $0x6e29dc21 // fmul v1.4s, v1.4s, v9.4s
	WORD $0x4e2cf400 // fmax v0.4s, v0.4s, v12.4s
	WORD $0x4e2cf421 // fmax v1.4s, v1.4s, v12.4s
	WORD $0x4eadf400 // fmin v0.4s, v0.4s, v13.4s
	WORD $0x4eadf421 // fmin v1.4s, v1.4s, v13.4s
	WORD $0x4e21a800 // fcvtns v0.4s, v0.4s
	WORD $0x4e21a821 // fcvtns v1.4s, v1.4s
	WORD $0x4e411800 // uzp1 v0.8h, v0.8h, v1.8h
	WORD $0x0e212800 // xtn v0.8b, v0.8h
	WORD $0x4e2e8400 // add v0.16b, v0.16b, v14.16b
	CMP $8, R14
	BNE m1spart0
	FMOVD F0, (R22)
	B m1sdone0
m1spart0:
	MOVD $ob-16(SP), R15
	VST1 [V0.B16], (R15)
	MOVD R22, R16
	MOVD R14, R17
m1scopy0:
	MOVBU.P 1(R15), R19
	MOVB.P R19, 1(R16)
	SUBS $1, R17, R17
	BNE m1scopy0
m1sdone0:
	CMP $2, R4
	BLT m1snext
	WORD $0x4e21d884 // scvtf v4.4s, v4.4s
	WORD $0x4e21d8a5 // scvtf v5.4s, v5.4s
	WORD $0x6e28dc84 // fmul v4.4s, v4.4s, v8.4s
	WORD $0x6e29dca5 // fmul v5.4s, v5.4s, v9.4s
	WORD $0x4e2cf484 // fmax v4.4s, v4.4s, v12.4s
	WORD $0x4e2cf4a5 // fmax v5.4s, v5.4s, v12.4s
	WORD $0x4eadf484 // fmin v4.4s, v4.4s, v13.4s
	WORD $0x4eadf4a5 // fmin v5.4s, v5.4s, v13.4s
	WORD $0x4e21a884 // fcvtns v4.4s, v4.4s
	WORD $0x4e21a8a5 // fcvtns v5.4s, v5.4s
	WORD $0x4e451884 // uzp1 v4.8h, v4.8h, v5.8h
	WORD $0x0e212884 // xtn v4.8b, v4.8h
	WORD $0x4e2e8484 // add v4.16b, v4.16b, v14.16b
	ADD R13, R22, R22
	CMP $8, R14
	BNE m1spart1
	FMOVD F4, (R22)
	B m1sdone1
m1spart1:
	MOVD $ob-16(SP), R15
	VST1 [V4.B16], (R15)
	MOVD R22, R16
	MOVD R14, R17
m1scopy1:
	MOVBU.P 1(R15), R19
	MOVB.P R19, 1(R16)
	SUBS $1, R17, R17
	BNE m1scopy1
m1sdone1:
	CMP $3, R4
	BLT m1snext
	WORD $0x4ed91b00 // uzp1 v0.2d, v24.2d, v25.2d
	WORD $0x4ed95b04 // uzp2 v4.2d, v24.2d, v25.2d
	WORD $0x4edb1b41 // uzp1 v1.2d, v26.2d, v27.2d
	WORD $0x4edb5b45 // uzp2 v5.2d, v26.2d, v27.2d
	WORD $0x4e21d800 // scvtf v0.4s, v0.4s
	WORD $0x4e21d821 // scvtf v1.4s, v1.4s
	WORD $0x6e28dc00 // fmul v0.4s, v0.4s, v8.4s
	WORD $0x6e29dc21 // fmul v1.4s, v1.4s, v9.4s
	WORD $0x4e2cf400 // fmax v0.4s, v0.4s, v12.4s
	WORD $0x4e2cf421 // fmax v1.4s, v1.4s, v12.4s
	WORD $0x4eadf400 // fmin v0.4s, v0.4s, v13.4s
	WORD $0x4eadf421 // fmin v1.4s, v1.4s, v13.4s
	WORD $0x4e21a800 // fcvtns v0.4s, v0.4s
	WORD $0x4e21a821 // fcvtns v1.4s, v1.4s
	WORD $0x4e411800 // uzp1 v0.8h, v0.8h, v1.8h
	WORD $0x0e212800 // xtn v0.8b, v0.8h
	WORD $0x4e2e8400 // add v0.16b, v0.16b, v14.16b
	ADD R13, R22, R22
	CMP $8, R14
	BNE m1spart2
	FMOVD F0, (R22)
	B m1sdone2
m1spart2:
	MOVD $ob-16(SP), R15
	VST1 [V0.B16], (R15)
	MOVD R22, R16
	MOVD R14, R17
m1scopy2:
	MOVBU.P 1(R15), R19
	MOVB.P R19, 1(R16)
	SUBS $1, R17, R17
	BNE m1scopy2
m1sdone2:
	CMP $4, R4
	BLT m1snext
	WORD $0x4e21d884 // scvtf v4.4s, v4.4s
	WORD $0x4e21d8a5 // scvtf v5.4s, v5.4s
	WORD $0x6e28dc84 // fmul v4.4s, v4.4s, v8.4s
	WORD $0x6e29dca5 // fmul v5.4s, v5.4s, v9.4s
	WORD $0x4e2cf484 // fmax v4.4s, v4.4s, v12.4s
	WORD $0x4e2cf4a5 // fmax v5.4s, v5.4s, v12.4s
	WORD $0x4eadf484 // fmin v4.4s, v4.4s, v13.4s
	WORD $0x4eadf4a5 // fmin v5.4s, v5.4s, v13.4s
	WORD $0x4e21a884 // fcvtns v4.4s, v4.4s
	WORD $0x4e21a8a5 // fcvtns v5.4s, v5.4s
	WORD $0x4e451884 // uzp1 v4.8h, v4.8h, v5.8h
	WORD $0x0e212884 // xtn v4.8b, v4.8h
	WORD $0x4e2e8484 // add v4.16b, v4.16b, v14.16b
	ADD R13, R22, R22
	CMP $8, R14
	BNE m1spart3
	FMOVD F4, (R22)
	B m1sdone3
m1spart3:
	MOVD $ob-16(SP), R15
	VST1 [V4.B16], (R15)
	MOVD R22, R16
	MOVD R14, R17
m1scopy3:
	MOVBU.P 1(R15), R19
	MOVB.P R19, 1(R16)
	SUBS $1, R17, R17
	BNE m1scopy3
m1sdone3:
m1snext:
	ADD R5<<2, R6, R6
	ADD R13<<2, R12, R12
	SUBS $4, R4, R4
	BGT m1sblk
	RET

// uint8 activations, one panel.
m1ublk:
	MOVD R6, R0
	ADD R5, R0, R1
	CMP $2, R4
	CSEL LT, R0, R1, R1
	ADD R5, R1, R2
	CMP $3, R4
	CSEL LT, R1, R2, R2
	ADD R5, R2, R3
	CMP $4, R4
	CSEL LT, R2, R3, R3
	MOVD $bb-144(SP), R15
	VLD1 (R15), [V16.S4, V17.S4, V18.S4, V19.S4]
	MOVD $bb-144(SP), R15
	VLD1 (R15), [V24.S4, V25.S4, V26.S4, V27.S4]
	MOVD R20, R7
	MOVD R21, R8
	LSR $1, R10, R9
	CBZ R9, m1urem
m1uloop:
	VLD1.P 8(R0), [V0.B8]
	VLD1.P 8(R1), [V1.B8]
	VLD1.P 8(R2), [V2.B8]
	VLD1.P 8(R3), [V3.B8]
	VLD1.P 64(R7), [V8.B16, V9.B16, V10.B16, V11.B16]
	WORD $0x4ec13804 // zip1 v4.2d, v0.2d, v1.2d
	WORD $0x4ec33845 // zip1 v5.2d, v2.2d, v3.2d
	WORD $0x4e88ac90 // usmmla v16.4s, v4.16b, v8.16b
	WORD $0x4e88acb8 // usmmla v24.4s, v5.16b, v8.16b
	WORD $0x4e89ac91 // usmmla v17.4s, v4.16b, v9.16b
	WORD $0x4e89acb9 // usmmla v25.4s, v5.16b, v9.16b
	WORD $0x4e8aac92 // usmmla v18.4s, v4.16b, v10.16b
	WORD $0x4e8aacba // usmmla v26.4s, v5.16b, v10.16b
	WORD $0x4e8bac93 // usmmla v19.4s, v4.16b, v11.16b
	WORD $0x4e8bacbb // usmmla v27.4s, v5.16b, v11.16b
	SUBS $1, R9, R9
	BNE m1uloop
m1urem:
	TBZ $0, R10, m1uepi
	VLD1R.P 4(R0), [V0.S4]
	VLD1R.P 4(R1), [V1.S4]
	VLD1R.P 4(R2), [V2.S4]
	VLD1R.P 4(R3), [V3.S4]
	VLD1 (R7), [V8.B16, V9.B16, V10.B16, V11.B16]
	WORD $0x4ec13804 // zip1 v4.2d, v0.2d, v1.2d
	WORD $0x4ec33845 // zip1 v5.2d, v2.2d, v3.2d
	WORD $0x4e88ac90 // usmmla v16.4s, v4.16b, v8.16b
	WORD $0x4e88acb8 // usmmla v24.4s, v5.16b, v8.16b
	WORD $0x4e89ac91 // usmmla v17.4s, v4.16b, v9.16b
	WORD $0x4e89acb9 // usmmla v25.4s, v5.16b, v9.16b
	WORD $0x4e8aac92 // usmmla v18.4s, v4.16b, v10.16b
	WORD $0x4e8aacba // usmmla v26.4s, v5.16b, v10.16b
	WORD $0x4e8bac93 // usmmla v19.4s, v4.16b, v11.16b
	WORD $0x4e8bacbb // usmmla v27.4s, v5.16b, v11.16b
m1uepi:
	MOVD scale+64(FP), R15
	VLD1 (R15), [V8.S4, V9.S4]
	VDUP R23, V12.S4
	VDUP R24, V13.S4
	VDUP R25, V14.B16
	MOVD R12, R22
	WORD $0x4ed11a00 // uzp1 v0.2d, v16.2d, v17.2d
	WORD $0x4ed15a04 // uzp2 v4.2d, v16.2d, v17.2d
	WORD $0x4ed31a41 // uzp1 v1.2d, v18.2d, v19.2d
	WORD $0x4ed35a45 // uzp2 v5.2d, v18.2d, v19.2d
	WORD $0x4e21d800 // scvtf v0.4s, v0.4s
	WORD $0x4e21d821 // scvtf v1.4s, v1.4s
	WORD $0x6e28dc00 // fmul v0.4s, v0.4s, v8.4s
	WORD $0x6e29dc21 // fmul v1.4s, v1.4s, v9.4s
	WORD $0x4e2cf400 // fmax v0.4s, v0.4s, v12.4s
	WORD $0x4e2cf421 // fmax v1.4s, v1.4s, v12.4s
	WORD $0x4eadf400 // fmin v0.4s, v0.4s, v13.4s
	WORD $0x4eadf421 // fmin v1.4s, v1.4s, v13.4s
	WORD $0x4e21a800 // fcvtns v0.4s, v0.4s
	WORD $0x4e21a821 // fcvtns v1.4s, v1.4s
	WORD $0x4e411800 // uzp1 v0.8h, v0.8h, v1.8h
	WORD $0x0e212800 // xtn v0.8b, v0.8h
	WORD $0x4e2e8400 // add v0.16b, v0.16b, v14.16b
	CMP $8, R14
	BNE m1upart0
	FMOVD F0, (R22)
	B m1udone0
m1upart0:
	MOVD $ob-16(SP), R15
	VST1 [V0.B16], (R15)
	MOVD R22, R16
	MOVD R14, R17
m1ucopy0:
	MOVBU.P 1(R15), R19
	MOVB.P R19, 1(R16)
	SUBS $1, R17, R17
	BNE m1ucopy0
m1udone0:
	CMP $2, R4
	BLT m1unext
	WORD $0x4e21d884 // scvtf v4.4s, v4.4s
	WORD $0x4e21d8a5 // scvtf v5.4s, v5.4s
	WORD $0x6e28dc84 // fmul v4.4s, v4.4s, v8.4s
	WORD $0x6e29dca5 // fmul v5.4s, v5.4s, v9.4s
	WORD $0x4e2cf484 // fmax v4.4s, v4.4s, v12.4s
	WORD $0x4e2cf4a5 // fmax v5.4s, v5.4s, v12.4s
	WORD $0x4eadf484 // fmin v4.4s, v4.4s, v13.4s
	WORD $0x4eadf4a5 // fmin v5.4s, v5.4s, v13.4s
	WORD $0x4e21a884 // fcvtns v4.4s, v4.4s
	WORD $0x4e21a8a5 // fcvtns v5.4s, v5.4s
	WORD $0x4e451884 // uzp1 v4.8h, v4.8h, v5.8h
	WORD $0x0e212884 // xtn v4.8b, v4.8h
	WORD $0x4e2e8484 // add v4.16b, v4.16b, v14.16b
	ADD R13, R22, R22
	CMP $8, R14
	BNE m1upart1
	FMOVD F4, (R22)
	B m1udone1
m1upart1:
	MOVD $ob-16(SP), R15
	VST1 [V4.B16], (R15)
	MOVD R22, R16
	MOVD R14, R17
m1ucopy1:
	MOVBU.P 1(R15), R19
	MOVB.P R19, 1(R16)
	SUBS $1, R17, R17
	BNE m1ucopy1
m1udone1:
	CMP $3, R4
	BLT m1unext
	WORD $0x4ed91b00 // uzp1 v0.2d, v24.2d, v25.2d
	WORD $0x4ed95b04 // uzp2 v4.2d, v24.2d, v25.2d
	WORD $0x4edb1b41 // uzp1 v1.2d, v26.2d, v27.2d
	WORD $0x4edb5b45 // uzp2 v5.2d, v26.2d, v27.2d
	WORD $0x4e21d800 // scvtf v0.4s, v0.4s
	WORD $0x4e21d821 // scvtf v1.4s, v1.4s
	WORD $0x6e28dc00 // fmul v0.4s, v0.4s, v8.4s
	WORD $0x6e29dc21 // fmul v1.4s, v1.4s, v9.4s
	WORD $0x4e2cf400 // fmax v0.4s, v0.4s, v12.4s
	WORD $0x4e2cf421 // fmax v1.4s, v1.4s, v12.4s
	WORD $0x4eadf400 // fmin v0.4s, v0.4s, v13.4s
	WORD $0x4eadf421 // fmin v1.4s, v1.4s, v13.4s
	WORD $0x4e21a800 // fcvtns v0.4s, v0.4s
	WORD $0x4e21a821 // fcvtns v1.4s, v1.4s
	WORD $0x4e411800 // uzp1 v0.8h, v0.8h, v1.8h
	WORD $0x0e212800 // xtn v0.8b, v0.8h
	WORD $0x4e2e8400 // add v0.16b, v0.16b, v14.16b
	ADD R13, R22, R22
	CMP $8, R14
	BNE m1upart2
	FMOVD F0, (R22)
	B m1udone2
m1upart2:
	MOVD $ob-16(SP), R15
	VST1 [V0.B16], (R15)
	MOVD R22, R16
	MOVD R14, R17
m1ucopy2:
	MOVBU.P 1(R15), R19
	MOVB.P R19, 1(R16)
	SUBS $1, R17, R17
	BNE m1ucopy2
m1udone2:
	CMP $4, R4
	BLT m1unext
	WORD $0x4e21d884 // scvtf v4.4s, v4.4s
	WORD $0x4e21d8a5 // scvtf v5.4s, v5.4s
	WORD $0x6e28dc84 // fmul v4.4s, v4.4s, v8.4s
	WORD $0x6e29dca5 // fmul v5.4s, v5.4s, v9.4s
	WORD $0x4e2cf484 // fmax v4.4s, v4.4s, v12.4s
	WORD $0x4e2cf4a5 // fmax v5.4s, v5.4s, v12.4s
	WORD $0x4eadf484 // fmin v4.4s, v4.4s, v13.4s
	WORD $0x4eadf4a5 // fmin v5.4s, v5.4s, v13.4s
	WORD $0x4e21a884 // fcvtns v4.4s, v4.4s
	WORD $0x4e21a8a5 // fcvtns v5.4s, v5.4s
	WORD $0x4e451884 // uzp1 v4.8h, v4.8h, v5.8h
	WORD $0x0e212884 // xtn v4.8b, v4.8h
	WORD $0x4e2e8484 // add v4.16b, v4.16b, v14.16b
	ADD R13, R22, R22
	CMP $8, R14
	BNE m1upart3
	FMOVD F4, (R22)
	B m1udone3
m1upart3:
	MOVD $ob-16(SP), R15
	VST1 [V4.B16], (R15)
	MOVD R22, R16
	MOVD R14, R17
m1ucopy3:
	MOVBU.P 1(R15), R19
	MOVB.P R19, 1(R16)
	SUBS $1, R17, R17
	BNE m1ucopy3
m1udone3:
m1unext:
	ADD R5<<2, R6, R6
	ADD R13<<2, R12, R12
	SUBS $4, R4, R4
	BGT m1ublk
	RET

// func gemmQMull(a *byte, lda, rows int, w *byte, kg int, bias, sum *int32, scale *float32, lo, hi float32, zp, signed int32, c *byte, ldc, nc int)
//
// For CPUs without the dot product extension, on the packQ8C16 layout
// (weights in [-127, 127]): rows of a, 2 at a time, times one panel,
// 16 values of K per step. SMULL multiplies the first 8 bytes of a row
// and of a channel into int16, SMLAL2 adds the products of the last 8
// (two products of at most 128·127 fit int16) and SADALP adds the pairs
// into the channel's 4 int32 lanes, which ADDP sums at the end. uint8
// activations are XORed with 0x80 (V2) and 128·Σk w' added to the bias.
// A last step of fewer than 16 values of K reads the rows from a zeroed
// copy. Accumulators V16-V23 (row 0) and V24-V31 (row 1), row values
// V0-V1, weights V4-V11, products V12-V15. It stores the first nc
// channels of each row.
TEXT ·gemmQMull(SB), NOSPLIT, $64-104
	MOVD a+0(FP), R6
	MOVD lda+8(FP), R5
	MOVD rows+16(FP), R4
	MOVD w+24(FP), R20
	MOVD kg+32(FP), R10
	MOVWU lo+64(FP), R23
	MOVWU hi+68(FP), R24
	MOVWU zp+72(FP), R25
	MOVWU signed+76(FP), R11
	MOVD c+80(FP), R12
	MOVD ldc+88(FP), R13
	MOVD nc+96(FP), R14
	SUBW $1, R11, R15
	VDUP R15, V13.S4
	ANDW $0x80808080, R15, R15
	VDUP R15, V2.S4
	MOVD bias+40(FP), R0
	MOVD sum+48(FP), R1
	VLD1 (R0), [V8.S4, V9.S4]
	VLD1 (R1), [V4.S4, V5.S4]
	VSHL $7, V4.S4, V4.S4
	VAND V13.B16, V4.B16, V4.B16
	VADD V4.S4, V8.S4, V8.S4
	VSHL $7, V5.S4, V5.S4
	VAND V13.B16, V5.B16, V5.B16
	VADD V5.S4, V9.S4, V9.S4
	MOVD $bb-64(SP), R15
	VST1 [V8.S4, V9.S4], (R15)
ublk:
	MOVD R6, R0
	ADD R5, R0, R1
	CMP $2, R4
	CSEL LT, R0, R1, R1
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
	VEOR V28.B16, V28.B16, V28.B16
	VEOR V29.B16, V29.B16, V29.B16
	VEOR V30.B16, V30.B16, V30.B16
	VEOR V31.B16, V31.B16, V31.B16
	MOVD R20, R7
	LSR $2, R10, R9
	CBZ R9, urem
uloop:
	VLD1.P 16(R0), [V0.B16]
	VLD1.P 16(R1), [V1.B16]
	VLD1.P 64(R7), [V4.B16, V5.B16, V6.B16, V7.B16]
	VLD1.P 64(R7), [V8.B16, V9.B16, V10.B16, V11.B16]
	VEOR V2.B16, V0.B16, V0.B16
	VEOR V2.B16, V1.B16, V1.B16
	WORD $0x0e24c00c // smull v12.8h, v0.8b, v4.8b
	WORD $0x0e24c02d // smull v13.8h, v1.8b, v4.8b
	WORD $0x0e25c00e // smull v14.8h, v0.8b, v5.8b
	WORD $0x0e25c02f // smull v15.8h, v1.8b, v5.8b
	WORD $0x4e24800c // smlal2 v12.8h, v0.16b, v4.16b
	WORD $0x4e24802d // smlal2 v13.8h, v1.16b, v4.16b
	WORD $0x4e25800e // smlal2 v14.8h, v0.16b, v5.16b
	WORD $0x4e25802f // smlal2 v15.8h, v1.16b, v5.16b
	WORD $0x4e606990 // sadalp v16.4s, v12.8h
	WORD $0x4e6069b8 // sadalp v24.4s, v13.8h
	WORD $0x4e6069d1 // sadalp v17.4s, v14.8h
	WORD $0x4e6069f9 // sadalp v25.4s, v15.8h
	WORD $0x0e26c00c // smull v12.8h, v0.8b, v6.8b
	WORD $0x0e26c02d // smull v13.8h, v1.8b, v6.8b
	WORD $0x0e27c00e // smull v14.8h, v0.8b, v7.8b
	WORD $0x0e27c02f // smull v15.8h, v1.8b, v7.8b
	WORD $0x4e26800c // smlal2 v12.8h, v0.16b, v6.16b
	WORD $0x4e26802d // smlal2 v13.8h, v1.16b, v6.16b
	WORD $0x4e27800e // smlal2 v14.8h, v0.16b, v7.16b
	WORD $0x4e27802f // smlal2 v15.8h, v1.16b, v7.16b
	WORD $0x4e606992 // sadalp v18.4s, v12.8h
	WORD $0x4e6069ba // sadalp v26.4s, v13.8h
	WORD $0x4e6069d3 // sadalp v19.4s, v14.8h
	WORD $0x4e6069fb // sadalp v27.4s, v15.8h
	WORD $0x0e28c00c // smull v12.8h, v0.8b, v8.8b
	WORD $0x0e28c02d // smull v13.8h, v1.8b, v8.8b
	WORD $0x0e29c00e // smull v14.8h, v0.8b, v9.8b
	WORD $0x0e29c02f // smull v15.8h, v1.8b, v9.8b
	WORD $0x4e28800c // smlal2 v12.8h, v0.16b, v8.16b
	WORD $0x4e28802d // smlal2 v13.8h, v1.16b, v8.16b
	WORD $0x4e29800e // smlal2 v14.8h, v0.16b, v9.16b
	WORD $0x4e29802f // smlal2 v15.8h, v1.16b, v9.16b
	WORD $0x4e606994 // sadalp v20.4s, v12.8h
	WORD $0x4e6069bc // sadalp v28.4s, v13.8h
	WORD $0x4e6069d5 // sadalp v21.4s, v14.8h
	WORD $0x4e6069fd // sadalp v29.4s, v15.8h
	WORD $0x0e2ac00c // smull v12.8h, v0.8b, v10.8b
	WORD $0x0e2ac02d // smull v13.8h, v1.8b, v10.8b
	WORD $0x0e2bc00e // smull v14.8h, v0.8b, v11.8b
	WORD $0x0e2bc02f // smull v15.8h, v1.8b, v11.8b
	WORD $0x4e2a800c // smlal2 v12.8h, v0.16b, v10.16b
	WORD $0x4e2a802d // smlal2 v13.8h, v1.16b, v10.16b
	WORD $0x4e2b800e // smlal2 v14.8h, v0.16b, v11.16b
	WORD $0x4e2b802f // smlal2 v15.8h, v1.16b, v11.16b
	WORD $0x4e606996 // sadalp v22.4s, v12.8h
	WORD $0x4e6069be // sadalp v30.4s, v13.8h
	WORD $0x4e6069d7 // sadalp v23.4s, v14.8h
	WORD $0x4e6069ff // sadalp v31.4s, v15.8h
	SUBS $1, R9, R9
	BNE uloop
urem:
	ANDS $3, R10, R9
	BEQ uepi
	MOVD $ab-32(SP), R15
	STP (ZR, ZR), (R15)
	STP (ZR, ZR), 16(R15)
	MOVD R15, R16
	MOVD R9, R17
ucopy0:
	MOVWU.P 4(R0), R19
	MOVW.P R19, 4(R16)
	SUBS $1, R17, R17
	BNE ucopy0
	ADD $16, R15, R16
	MOVD R9, R17
ucopy1:
	MOVWU.P 4(R1), R19
	MOVW.P R19, 4(R16)
	SUBS $1, R17, R17
	BNE ucopy1
	MOVD R15, R0
	ADD $16, R15, R1
	VLD1.P 16(R0), [V0.B16]
	VLD1.P 16(R1), [V1.B16]
	VLD1.P 64(R7), [V4.B16, V5.B16, V6.B16, V7.B16]
	VLD1.P 64(R7), [V8.B16, V9.B16, V10.B16, V11.B16]
	VEOR V2.B16, V0.B16, V0.B16
	VEOR V2.B16, V1.B16, V1.B16
	WORD $0x0e24c00c // smull v12.8h, v0.8b, v4.8b
	WORD $0x0e24c02d // smull v13.8h, v1.8b, v4.8b
	WORD $0x0e25c00e // smull v14.8h, v0.8b, v5.8b
	WORD $0x0e25c02f // smull v15.8h, v1.8b, v5.8b
	WORD $0x4e24800c // smlal2 v12.8h, v0.16b, v4.16b
	WORD $0x4e24802d // smlal2 v13.8h, v1.16b, v4.16b
	WORD $0x4e25800e // smlal2 v14.8h, v0.16b, v5.16b
	WORD $0x4e25802f // smlal2 v15.8h, v1.16b, v5.16b
	WORD $0x4e606990 // sadalp v16.4s, v12.8h
	WORD $0x4e6069b8 // sadalp v24.4s, v13.8h
	WORD $0x4e6069d1 // sadalp v17.4s, v14.8h
	WORD $0x4e6069f9 // sadalp v25.4s, v15.8h
	WORD $0x0e26c00c // smull v12.8h, v0.8b, v6.8b
	WORD $0x0e26c02d // smull v13.8h, v1.8b, v6.8b
	WORD $0x0e27c00e // smull v14.8h, v0.8b, v7.8b
	WORD $0x0e27c02f // smull v15.8h, v1.8b, v7.8b
	WORD $0x4e26800c // smlal2 v12.8h, v0.16b, v6.16b
	WORD $0x4e26802d // smlal2 v13.8h, v1.16b, v6.16b
	WORD $0x4e27800e // smlal2 v14.8h, v0.16b, v7.16b
	WORD $0x4e27802f // smlal2 v15.8h, v1.16b, v7.16b
	WORD $0x4e606992 // sadalp v18.4s, v12.8h
	WORD $0x4e6069ba // sadalp v26.4s, v13.8h
	WORD $0x4e6069d3 // sadalp v19.4s, v14.8h
	WORD $0x4e6069fb // sadalp v27.4s, v15.8h
	WORD $0x0e28c00c // smull v12.8h, v0.8b, v8.8b
	WORD $0x0e28c02d // smull v13.8h, v1.8b, v8.8b
	WORD $0x0e29c00e // smull v14.8h, v0.8b, v9.8b
	WORD $0x0e29c02f // smull v15.8h, v1.8b, v9.8b
	WORD $0x4e28800c // smlal2 v12.8h, v0.16b, v8.16b
	WORD $0x4e28802d // smlal2 v13.8h, v1.16b, v8.16b
	WORD $0x4e29800e // smlal2 v14.8h, v0.16b, v9.16b
	WORD $0x4e29802f // smlal2 v15.8h, v1.16b, v9.16b
	WORD $0x4e606994 // sadalp v20.4s, v12.8h
	WORD $0x4e6069bc // sadalp v28.4s, v13.8h
	WORD $0x4e6069d5 // sadalp v21.4s, v14.8h
	WORD $0x4e6069fd // sadalp v29.4s, v15.8h
	WORD $0x0e2ac00c // smull v12.8h, v0.8b, v10.8b
	WORD $0x0e2ac02d // smull v13.8h, v1.8b, v10.8b
	WORD $0x0e2bc00e // smull v14.8h, v0.8b, v11.8b
	WORD $0x0e2bc02f // smull v15.8h, v1.8b, v11.8b
	WORD $0x4e2a800c // smlal2 v12.8h, v0.16b, v10.16b
	WORD $0x4e2a802d // smlal2 v13.8h, v1.16b, v10.16b
	WORD $0x4e2b800e // smlal2 v14.8h, v0.16b, v11.16b
	WORD $0x4e2b802f // smlal2 v15.8h, v1.16b, v11.16b
	WORD $0x4e606996 // sadalp v22.4s, v12.8h
	WORD $0x4e6069be // sadalp v30.4s, v13.8h
	WORD $0x4e6069d7 // sadalp v23.4s, v14.8h
	WORD $0x4e6069ff // sadalp v31.4s, v15.8h
uepi:
	MOVD $bb-64(SP), R15
	VLD1 (R15), [V4.S4, V5.S4]
	MOVD scale+56(FP), R15
	VLD1 (R15), [V6.S4, V7.S4]
	VDUP R23, V8.S4
	VDUP R24, V9.S4
	VDUP R25, V10.B16
	MOVD R12, R22
	WORD $0x4eb1be0c // addp v12.4s, v16.4s, v17.4s
	WORD $0x4eb3be4d // addp v13.4s, v18.4s, v19.4s
	WORD $0x4eb5be8e // addp v14.4s, v20.4s, v21.4s
	WORD $0x4eb7becf // addp v15.4s, v22.4s, v23.4s
	WORD $0x4eadbd8c // addp v12.4s, v12.4s, v13.4s
	WORD $0x4eafbdce // addp v14.4s, v14.4s, v15.4s
	WORD $0x4ea4858c // add v12.4s, v12.4s, v4.4s
	WORD $0x4ea585ce // add v14.4s, v14.4s, v5.4s
	WORD $0x4e21d98c // scvtf v12.4s, v12.4s
	WORD $0x4e21d9ce // scvtf v14.4s, v14.4s
	WORD $0x6e26dd8c // fmul v12.4s, v12.4s, v6.4s
	WORD $0x6e27ddce // fmul v14.4s, v14.4s, v7.4s
	WORD $0x4e28f58c // fmax v12.4s, v12.4s, v8.4s
	WORD $0x4e28f5ce // fmax v14.4s, v14.4s, v8.4s
	WORD $0x4ea9f58c // fmin v12.4s, v12.4s, v9.4s
	WORD $0x4ea9f5ce // fmin v14.4s, v14.4s, v9.4s
	WORD $0x4e21a98c // fcvtns v12.4s, v12.4s
	WORD $0x4e21a9ce // fcvtns v14.4s, v14.4s
	WORD $0x4e4e198c // uzp1 v12.8h, v12.8h, v14.8h
	WORD $0x0e21298c // xtn v12.8b, v12.8h
	WORD $0x0e2a858c // add v12.8b, v12.8b, v10.8b
	CMP $8, R14
	BNE upart0
	FMOVD F12, (R22)
	B udone0
upart0:
	MOVD $ab-32(SP), R15
	FMOVD F12, (R15)
	MOVD R22, R16
	MOVD R14, R17
ucopyc0:
	MOVBU.P 1(R15), R19
	MOVB.P R19, 1(R16)
	SUBS $1, R17, R17
	BNE ucopyc0
udone0:
	CMP $2, R4
	BLT unext
	ADD R13, R22, R22
	WORD $0x4eb9bf0c // addp v12.4s, v24.4s, v25.4s
	WORD $0x4ebbbf4d // addp v13.4s, v26.4s, v27.4s
	WORD $0x4ebdbf8e // addp v14.4s, v28.4s, v29.4s
	WORD $0x4ebfbfcf // addp v15.4s, v30.4s, v31.4s
	WORD $0x4eadbd8c // addp v12.4s, v12.4s, v13.4s
	WORD $0x4eafbdce // addp v14.4s, v14.4s, v15.4s
	WORD $0x4ea4858c // add v12.4s, v12.4s, v4.4s
	WORD $0x4ea585ce // add v14.4s, v14.4s, v5.4s
	WORD $0x4e21d98c // scvtf v12.4s, v12.4s
	WORD $0x4e21d9ce // scvtf v14.4s, v14.4s
	WORD $0x6e26dd8c // fmul v12.4s, v12.4s, v6.4s
	WORD $0x6e27ddce // fmul v14.4s, v14.4s, v7.4s
	WORD $0x4e28f58c // fmax v12.4s, v12.4s, v8.4s
	WORD $0x4e28f5ce // fmax v14.4s, v14.4s, v8.4s
	WORD $0x4ea9f58c // fmin v12.4s, v12.4s, v9.4s
	WORD $0x4ea9f5ce // fmin v14.4s, v14.4s, v9.4s
	WORD $0x4e21a98c // fcvtns v12.4s, v12.4s
	WORD $0x4e21a9ce // fcvtns v14.4s, v14.4s
	WORD $0x4e4e198c // uzp1 v12.8h, v12.8h, v14.8h
	WORD $0x0e21298c // xtn v12.8b, v12.8h
	WORD $0x0e2a858c // add v12.8b, v12.8b, v10.8b
	CMP $8, R14
	BNE upart1
	FMOVD F12, (R22)
	B udone1
upart1:
	MOVD $ab-32(SP), R15
	FMOVD F12, (R15)
	MOVD R22, R16
	MOVD R14, R17
ucopyc1:
	MOVBU.P 1(R15), R19
	MOVB.P R19, 1(R16)
	SUBS $1, R17, R17
	BNE ucopyc1
udone1:
unext:
	ADD R5<<1, R6, R6
	ADD R13<<1, R12, R12
	SUBS $2, R4, R4
	BGT ublk
	RET
