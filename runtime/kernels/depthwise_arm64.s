//go:build !purego

#include "textflag.h"

// The depthwise kernels compute one output pixel from the kh×kw taps of
// its window that lie inside the input (see dwVariant), over the first nc
// (a multiple of 8) of cs channels: 16 at a time (four accumulators), then
// 8. Instructions the Go assembler does not know are WORD encodings with
// the instruction in a comment.

// func dwF32NEON(x *float32, rowStep, colStep int, w *float32, kh, kw, wSkip, nc, cs int, bias *float32, lo, hi float32, out *float32)
TEXT ·dwF32NEON(SB), NOSPLIT, $0-96
	MOVD x+0(FP), R0
	MOVD rowStep+8(FP), R1
	MOVD colStep+16(FP), R2
	MOVD w+24(FP), R3
	MOVD nc+56(FP), R4
	MOVD cs+64(FP), R5
	LSL $2, R5, R5
	MOVD bias+72(FP), R6
	MOVWU lo+80(FP), R11
	VDUP R11, V30.S4
	MOVWU hi+84(FP), R11
	VDUP R11, V31.S4
	MOVD out+88(FP), R7
	MOVD wSkip+48(FP), R8

f16block:
	CMP $16, R4
	BLT f8block
	VLD1 (R6), [V16.S4, V17.S4, V18.S4, V19.S4]
	MOVD R0, R9
	MOVD R3, R10
	MOVD kh+32(FP), R11
f16ky:
	MOVD R9, R12
	MOVD kw+40(FP), R13
f16kx:
	VLD1 (R12), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1 (R10), [V4.S4, V5.S4, V6.S4, V7.S4]
	VFMLA V4.S4, V0.S4, V16.S4
	VFMLA V5.S4, V1.S4, V17.S4
	VFMLA V6.S4, V2.S4, V18.S4
	VFMLA V7.S4, V3.S4, V19.S4
	ADD R2, R12, R12
	ADD R5, R10, R10
	SUBS $1, R13, R13
	BNE f16kx
	ADD R8, R10, R10
	ADD R1, R9, R9
	SUBS $1, R11, R11
	BNE f16ky
	WORD $0x4e3ef610 // fmax v16.4s, v16.4s, v30.4s
	WORD $0x4ebff610 // fmin v16.4s, v16.4s, v31.4s
	WORD $0x4e3ef631 // fmax v17.4s, v17.4s, v30.4s
	WORD $0x4ebff631 // fmin v17.4s, v17.4s, v31.4s
	WORD $0x4e3ef652 // fmax v18.4s, v18.4s, v30.4s
	WORD $0x4ebff652 // fmin v18.4s, v18.4s, v31.4s
	WORD $0x4e3ef673 // fmax v19.4s, v19.4s, v30.4s
	WORD $0x4ebff673 // fmin v19.4s, v19.4s, v31.4s
	VST1 [V16.S4, V17.S4, V18.S4, V19.S4], (R7)
	ADD $64, R0, R0
	ADD $64, R3, R3
	ADD $64, R6, R6
	ADD $64, R7, R7
	SUB $16, R4, R4
	B f16block

f8block:
	CBZ R4, fdone
	VLD1 (R6), [V16.S4, V17.S4]
	MOVD R0, R9
	MOVD R3, R10
	MOVD kh+32(FP), R11
f8ky:
	MOVD R9, R12
	MOVD kw+40(FP), R13
f8kx:
	VLD1 (R12), [V0.S4, V1.S4]
	VLD1 (R10), [V4.S4, V5.S4]
	VFMLA V4.S4, V0.S4, V16.S4
	VFMLA V5.S4, V1.S4, V17.S4
	ADD R2, R12, R12
	ADD R5, R10, R10
	SUBS $1, R13, R13
	BNE f8kx
	ADD R8, R10, R10
	ADD R1, R9, R9
	SUBS $1, R11, R11
	BNE f8ky
	WORD $0x4e3ef610 // fmax v16.4s, v16.4s, v30.4s
	WORD $0x4ebff610 // fmin v16.4s, v16.4s, v31.4s
	WORD $0x4e3ef631 // fmax v17.4s, v17.4s, v30.4s
	WORD $0x4ebff631 // fmin v17.4s, v17.4s, v31.4s
	VST1 [V16.S4, V17.S4], (R7)
	ADD $32, R0, R0
	ADD $32, R3, R3
	ADD $32, R6, R6
	ADD $32, R7, R7
	SUB $8, R4, R4
	B f8block

fdone:
	RET

// func dwQNEON(x *byte, rowStep, colStep int, w *int16, kh, kw, wSkip, nc, cs int, init, bias *int32, scale *float32, lo, hi float32, zp, signed, xzp int32, out *byte)
//
// Inputs are XORed with V29 (0x80 when signed), widened to int16 less xzp
// (V28) and multiplied by the int16 weights with SMLAL/SMLAL2.
TEXT ·dwQNEON(SB), NOSPLIT, $0-128
	MOVD x+0(FP), R0
	MOVD rowStep+8(FP), R1
	MOVD colStep+16(FP), R2
	MOVD w+24(FP), R3
	MOVD nc+56(FP), R4
	MOVD cs+64(FP), R5
	LSL $1, R5, R5
	MOVD init+72(FP), R14
	MOVD bias+80(FP), R6
	MOVD scale+88(FP), R15
	MOVWU lo+96(FP), R11
	VDUP R11, V30.S4
	MOVWU hi+100(FP), R11
	VDUP R11, V31.S4
	MOVWU zp+104(FP), R11
	VDUP R11, V8.S4
	MOVWU signed+108(FP), R11
	NEGW R11, R11
	ANDW $0x80808080, R11, R11
	VDUP R11, V29.S4
	MOVWU xzp+112(FP), R11
	VDUP R11, V28.H8
	MOVD out+120(FP), R7
	MOVD wSkip+48(FP), R8

q16block:
	CMP $16, R4
	BLT q8block
	VLD1 (R14), [V16.S4, V17.S4, V18.S4, V19.S4]
	MOVD R0, R9
	MOVD R3, R10
	MOVD kh+32(FP), R11
q16ky:
	MOVD R9, R12
	MOVD kw+40(FP), R13
q16kx:
	VLD1 (R12), [V0.B16]
	VLD1 (R10), [V4.H8, V5.H8]
	VEOR V29.B16, V0.B16, V0.B16
	VUXTL V0.B8, V1.H8
	VUXTL2 V0.B16, V2.H8
	VSUB V28.H8, V1.H8, V1.H8
	VSUB V28.H8, V2.H8, V2.H8
	WORD $0x0e648030 // smlal v16.4s, v1.4h, v4.4h
	WORD $0x4e648031 // smlal2 v17.4s, v1.8h, v4.8h
	WORD $0x0e658052 // smlal v18.4s, v2.4h, v5.4h
	WORD $0x4e658053 // smlal2 v19.4s, v2.8h, v5.8h
	ADD R2, R12, R12
	ADD R5, R10, R10
	SUBS $1, R13, R13
	BNE q16kx
	ADD R8, R10, R10
	ADD R1, R9, R9
	SUBS $1, R11, R11
	BNE q16ky
	VLD1 (R6), [V20.S4, V21.S4, V22.S4, V23.S4]
	VLD1 (R15), [V24.S4, V25.S4, V26.S4, V27.S4]
	VADD V20.S4, V16.S4, V16.S4
	WORD $0x4e21da10 // scvtf v16.4s, v16.4s
	WORD $0x6e38de10 // fmul v16.4s, v16.4s, v24.4s
	WORD $0x4e3ef610 // fmax v16.4s, v16.4s, v30.4s
	WORD $0x4ebff610 // fmin v16.4s, v16.4s, v31.4s
	WORD $0x4e21aa10 // fcvtns v16.4s, v16.4s
	VADD V8.S4, V16.S4, V16.S4
	VADD V21.S4, V17.S4, V17.S4
	WORD $0x4e21da31 // scvtf v17.4s, v17.4s
	WORD $0x6e39de31 // fmul v17.4s, v17.4s, v25.4s
	WORD $0x4e3ef631 // fmax v17.4s, v17.4s, v30.4s
	WORD $0x4ebff631 // fmin v17.4s, v17.4s, v31.4s
	WORD $0x4e21aa31 // fcvtns v17.4s, v17.4s
	VADD V8.S4, V17.S4, V17.S4
	VADD V22.S4, V18.S4, V18.S4
	WORD $0x4e21da52 // scvtf v18.4s, v18.4s
	WORD $0x6e3ade52 // fmul v18.4s, v18.4s, v26.4s
	WORD $0x4e3ef652 // fmax v18.4s, v18.4s, v30.4s
	WORD $0x4ebff652 // fmin v18.4s, v18.4s, v31.4s
	WORD $0x4e21aa52 // fcvtns v18.4s, v18.4s
	VADD V8.S4, V18.S4, V18.S4
	VADD V23.S4, V19.S4, V19.S4
	WORD $0x4e21da73 // scvtf v19.4s, v19.4s
	WORD $0x6e3bde73 // fmul v19.4s, v19.4s, v27.4s
	WORD $0x4e3ef673 // fmax v19.4s, v19.4s, v30.4s
	WORD $0x4ebff673 // fmin v19.4s, v19.4s, v31.4s
	WORD $0x4e21aa73 // fcvtns v19.4s, v19.4s
	VADD V8.S4, V19.S4, V19.S4
	WORD $0x0e612a09 // xtn v9.4h, v16.4s
	WORD $0x4e612a29 // xtn2 v9.8h, v17.4s
	WORD $0x0e612a4a // xtn v10.4h, v18.4s
	WORD $0x4e612a6a // xtn2 v10.8h, v19.4s
	WORD $0x0e212929 // xtn v9.8b, v9.8h
	WORD $0x4e212949 // xtn2 v9.16b, v10.8h
	VST1 [V9.B16], (R7)
	ADD $16, R0, R0
	ADD $32, R3, R3
	ADD $64, R14, R14
	ADD $64, R6, R6
	ADD $64, R15, R15
	ADD $16, R7, R7
	SUB $16, R4, R4
	B q16block

q8block:
	CBZ R4, qdone
	VLD1 (R14), [V16.S4, V17.S4]
	MOVD R0, R9
	MOVD R3, R10
	MOVD kh+32(FP), R11
q8ky:
	MOVD R9, R12
	MOVD kw+40(FP), R13
q8kx:
	VLD1 (R12), [V0.B8]
	VLD1 (R10), [V4.H8]
	VEOR V29.B16, V0.B16, V0.B16
	VUXTL V0.B8, V1.H8
	VSUB V28.H8, V1.H8, V1.H8
	WORD $0x0e648030 // smlal v16.4s, v1.4h, v4.4h
	WORD $0x4e648031 // smlal2 v17.4s, v1.8h, v4.8h
	ADD R2, R12, R12
	ADD R5, R10, R10
	SUBS $1, R13, R13
	BNE q8kx
	ADD R8, R10, R10
	ADD R1, R9, R9
	SUBS $1, R11, R11
	BNE q8ky
	VLD1 (R6), [V20.S4, V21.S4]
	VLD1 (R15), [V24.S4, V25.S4]
	VADD V20.S4, V16.S4, V16.S4
	WORD $0x4e21da10 // scvtf v16.4s, v16.4s
	WORD $0x6e38de10 // fmul v16.4s, v16.4s, v24.4s
	WORD $0x4e3ef610 // fmax v16.4s, v16.4s, v30.4s
	WORD $0x4ebff610 // fmin v16.4s, v16.4s, v31.4s
	WORD $0x4e21aa10 // fcvtns v16.4s, v16.4s
	VADD V8.S4, V16.S4, V16.S4
	VADD V21.S4, V17.S4, V17.S4
	WORD $0x4e21da31 // scvtf v17.4s, v17.4s
	WORD $0x6e39de31 // fmul v17.4s, v17.4s, v25.4s
	WORD $0x4e3ef631 // fmax v17.4s, v17.4s, v30.4s
	WORD $0x4ebff631 // fmin v17.4s, v17.4s, v31.4s
	WORD $0x4e21aa31 // fcvtns v17.4s, v17.4s
	VADD V8.S4, V17.S4, V17.S4
	WORD $0x0e612a09 // xtn v9.4h, v16.4s
	WORD $0x4e612a29 // xtn2 v9.8h, v17.4s
	WORD $0x0e212929 // xtn v9.8b, v9.8h
	FMOVD F9, (R7)
	ADD $8, R0, R0
	ADD $16, R3, R3
	ADD $32, R14, R14
	ADD $32, R6, R6
	ADD $32, R15, R15
	ADD $8, R7, R7
	SUB $8, R4, R4
	B q8block

qdone:
	RET
