//go:build !purego

#include "textflag.h"

// The depthwise kernels compute n output pixels of a row (see dwVariant:
// pixel i reads x + i·xStep and writes out + i·cs values) from the kh×kw
// taps of their windows that lie inside the input, over the first nc (a
// multiple of 8) of cs channels: 16 at a time, then 8. Loads step by
// register (post-index), so a tap costs its loads, its multiply-adds and
// the loop branch. Instructions the Go assembler does not know are WORD
// encodings with the instruction in a comment.

// func dwF32RowNEON(x *float32, rowStep, colStep int, w *float32, kh, kw, wSkip, nc, cs int, bias *float32, lo, hi float32, out *float32, n, xStep int)
TEXT ·dwF32RowNEON(SB), NOSPLIT, $0-112
	MOVD x+0(FP), R0
	MOVD rowStep+8(FP), R1
	MOVD colStep+16(FP), R2
	MOVD w+24(FP), R3
	MOVD cs+64(FP), R5
	LSL $2, R5, R5
	MOVD wSkip+48(FP), R8
	MOVD bias+72(FP), R6
	MOVWU lo+80(FP), R11
	VDUP R11, V30.S4
	MOVWU hi+84(FP), R11
	VDUP R11, V31.S4
	MOVD out+88(FP), R7
	MOVD n+96(FP), R19
	MOVD xStep+104(FP), R20
fpix:
	MOVD R0, R23
	MOVD R3, R24
	MOVD R6, R16
	MOVD R7, R17
	MOVD nc+56(FP), R25
f16:
	CMP $16, R25
	BLT f8
	VLD1 (R16), [V16.S4, V17.S4, V18.S4, V19.S4]
	MOVD R23, R9
	MOVD R24, R10
	MOVD kh+32(FP), R12
f16ky:
	MOVD R9, R13
	MOVD kw+40(FP), R11
f16kx:
	VLD1.P (R13)(R2), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P (R10)(R5), [V4.S4, V5.S4, V6.S4, V7.S4]
	VFMLA V4.S4, V0.S4, V16.S4
	VFMLA V5.S4, V1.S4, V17.S4
	VFMLA V6.S4, V2.S4, V18.S4
	VFMLA V7.S4, V3.S4, V19.S4
	SUBS $1, R11, R11
	BNE f16kx
	ADD R8, R10, R10
	ADD R1, R9, R9
	SUBS $1, R12, R12
	BNE f16ky
	WORD $0x4e3ef610 // fmax v16.4s, v16.4s, v30.4s
	WORD $0x4e3ef631 // fmax v17.4s, v17.4s, v30.4s
	WORD $0x4e3ef652 // fmax v18.4s, v18.4s, v30.4s
	WORD $0x4e3ef673 // fmax v19.4s, v19.4s, v30.4s
	WORD $0x4ebff610 // fmin v16.4s, v16.4s, v31.4s
	WORD $0x4ebff631 // fmin v17.4s, v17.4s, v31.4s
	WORD $0x4ebff652 // fmin v18.4s, v18.4s, v31.4s
	WORD $0x4ebff673 // fmin v19.4s, v19.4s, v31.4s
	VST1.P [V16.S4, V17.S4, V18.S4, V19.S4], 64(R17)
	ADD $64, R23, R23
	ADD $64, R24, R24
	ADD $64, R16, R16
	SUB $16, R25, R25
	B f16
f8:
	CMP $8, R25
	BLT fpixdone
	VLD1 (R16), [V16.S4, V17.S4]
	MOVD R23, R9
	MOVD R24, R10
	MOVD kh+32(FP), R12
f8ky:
	MOVD R9, R13
	MOVD kw+40(FP), R11
f8kx:
	VLD1.P (R13)(R2), [V0.S4, V1.S4]
	VLD1.P (R10)(R5), [V4.S4, V5.S4]
	VFMLA V4.S4, V0.S4, V16.S4
	VFMLA V5.S4, V1.S4, V17.S4
	SUBS $1, R11, R11
	BNE f8kx
	ADD R8, R10, R10
	ADD R1, R9, R9
	SUBS $1, R12, R12
	BNE f8ky
	WORD $0x4e3ef610 // fmax v16.4s, v16.4s, v30.4s
	WORD $0x4e3ef631 // fmax v17.4s, v17.4s, v30.4s
	WORD $0x4ebff610 // fmin v16.4s, v16.4s, v31.4s
	WORD $0x4ebff631 // fmin v17.4s, v17.4s, v31.4s
	VST1.P [V16.S4, V17.S4], 32(R17)
	ADD $32, R23, R23
	ADD $32, R24, R24
	ADD $32, R16, R16
	SUB $8, R25, R25
	B f8
fpixdone:
	ADD R20, R0, R0
	ADD R5, R7, R7
	SUBS $1, R19, R19
	BNE fpix
	RET

// func dwQRowNEON(x *byte, rowStep, colStep int, w *int16, kh, kw, wSkip, nc, cs int, init, bias *int32, scale *float32, lo, hi float32, zp, signed, xzp int32, out *byte, n, xStep int)
//
// Inputs are widened as they are (SXTL for int8, UXTL for uint8), less
// xzp (V28) when it is not zero, and multiplied by the int16 weights with
// SMLAL/SMLAL2; the requantization is requantRow's, the zero point added
// as a byte (V29) since the result fits the type.
TEXT ·dwQRowNEON(SB), NOSPLIT, $0-144
	MOVD x+0(FP), R0
	MOVD rowStep+8(FP), R1
	MOVD colStep+16(FP), R2
	MOVD w+24(FP), R3
	MOVD cs+64(FP), R4
	LSL $1, R4, R5
	MOVD wSkip+48(FP), R8
	MOVD init+72(FP), R6
	MOVWU lo+96(FP), R11
	VDUP R11, V30.S4
	MOVWU hi+100(FP), R11
	VDUP R11, V31.S4
	MOVWU zp+104(FP), R11
	VDUP R11, V29.B16
	MOVWU xzp+112(FP), R22
	VDUP R22, V28.H8
	MOVWU signed+108(FP), R21
	MOVD out+120(FP), R7
	MOVD n+128(FP), R19
	MOVD xStep+136(FP), R20
qpix:
	MOVD R0, R23
	MOVD R3, R24
	MOVD R6, R14
	MOVD bias+80(FP), R16
	MOVD scale+88(FP), R15
	MOVD R7, R17
	MOVD nc+56(FP), R25
	CBZ R21, qunsigned
	CBNZ R22, qsz16
	B qsr16
qunsigned:
	CBNZ R22, quz16
	B qur16
qsr16:
	CMP $16, R25
	BLT qsr8
	VLD1 (R14), [V16.S4, V17.S4, V18.S4, V19.S4]
	MOVD R23, R9
	MOVD R24, R10
	MOVD kh+32(FP), R12
qsr16ky:
	MOVD R9, R13
	MOVD kw+40(FP), R11
qsr16kx:
	VLD1.P (R13)(R2), [V0.B16]
	VLD1.P (R10)(R5), [V4.H8, V5.H8]
	WORD $0x0f08a401 // sxtl v1.8h, v0.8b
	WORD $0x4f08a402 // sxtl2 v2.8h, v0.16b
	WORD $0x0e648030 // smlal v16.4s, v1.4h, v4.4h
	WORD $0x4e648031 // smlal2 v17.4s, v1.8h, v4.8h
	WORD $0x0e658052 // smlal v18.4s, v2.4h, v5.4h
	WORD $0x4e658053 // smlal2 v19.4s, v2.8h, v5.8h
	SUBS $1, R11, R11
	BNE qsr16kx
	ADD R8, R10, R10
	ADD R1, R9, R9
	SUBS $1, R12, R12
	BNE qsr16ky
	VLD1.P 64(R16), [V20.S4, V21.S4, V22.S4, V23.S4]
	VLD1.P 64(R15), [V24.S4, V25.S4, V26.S4, V27.S4]
	WORD $0x4eb48610 // add v16.4s, v16.4s, v20.4s
	WORD $0x4eb58631 // add v17.4s, v17.4s, v21.4s
	WORD $0x4eb68652 // add v18.4s, v18.4s, v22.4s
	WORD $0x4eb78673 // add v19.4s, v19.4s, v23.4s
	WORD $0x4e21da10 // scvtf v16.4s, v16.4s
	WORD $0x4e21da31 // scvtf v17.4s, v17.4s
	WORD $0x4e21da52 // scvtf v18.4s, v18.4s
	WORD $0x4e21da73 // scvtf v19.4s, v19.4s
	WORD $0x6e38de10 // fmul v16.4s, v16.4s, v24.4s
	WORD $0x6e39de31 // fmul v17.4s, v17.4s, v25.4s
	WORD $0x6e3ade52 // fmul v18.4s, v18.4s, v26.4s
	WORD $0x6e3bde73 // fmul v19.4s, v19.4s, v27.4s
	WORD $0x4e3ef610 // fmax v16.4s, v16.4s, v30.4s
	WORD $0x4e3ef631 // fmax v17.4s, v17.4s, v30.4s
	WORD $0x4e3ef652 // fmax v18.4s, v18.4s, v30.4s
	WORD $0x4e3ef673 // fmax v19.4s, v19.4s, v30.4s
	WORD $0x4ebff610 // fmin v16.4s, v16.4s, v31.4s
	WORD $0x4ebff631 // fmin v17.4s, v17.4s, v31.4s
	WORD $0x4ebff652 // fmin v18.4s, v18.4s, v31.4s
	WORD $0x4ebff673 // fmin v19.4s, v19.4s, v31.4s
	WORD $0x4e21aa10 // fcvtns v16.4s, v16.4s
	WORD $0x4e21aa31 // fcvtns v17.4s, v17.4s
	WORD $0x4e21aa52 // fcvtns v18.4s, v18.4s
	WORD $0x4e21aa73 // fcvtns v19.4s, v19.4s
	WORD $0x4e511a10 // uzp1 v16.8h, v16.8h, v17.8h
	WORD $0x4e531a52 // uzp1 v18.8h, v18.8h, v19.8h
	WORD $0x4e121a10 // uzp1 v16.16b, v16.16b, v18.16b
	WORD $0x4e3d8610 // add v16.16b, v16.16b, v29.16b
	VST1.P [V16.B16], 16(R17)
	ADD $16, R23, R23
	ADD $32, R24, R24
	ADD $64, R14, R14
	SUB $16, R25, R25
	B qsr16
qsr8:
	CMP $8, R25
	BLT qpixdone
	VLD1 (R14), [V16.S4, V17.S4]
	MOVD R23, R9
	MOVD R24, R10
	MOVD kh+32(FP), R12
qsr8ky:
	MOVD R9, R13
	MOVD kw+40(FP), R11
qsr8kx:
	VLD1.P (R13)(R2), [V0.B8]
	VLD1.P (R10)(R5), [V4.H8]
	WORD $0x0f08a401 // sxtl v1.8h, v0.8b
	WORD $0x0e648030 // smlal v16.4s, v1.4h, v4.4h
	WORD $0x4e648031 // smlal2 v17.4s, v1.8h, v4.8h
	SUBS $1, R11, R11
	BNE qsr8kx
	ADD R8, R10, R10
	ADD R1, R9, R9
	SUBS $1, R12, R12
	BNE qsr8ky
	VLD1.P 32(R16), [V20.S4, V21.S4]
	VLD1.P 32(R15), [V24.S4, V25.S4]
	WORD $0x4eb48610 // add v16.4s, v16.4s, v20.4s
	WORD $0x4eb58631 // add v17.4s, v17.4s, v21.4s
	WORD $0x4e21da10 // scvtf v16.4s, v16.4s
	WORD $0x4e21da31 // scvtf v17.4s, v17.4s
	WORD $0x6e38de10 // fmul v16.4s, v16.4s, v24.4s
	WORD $0x6e39de31 // fmul v17.4s, v17.4s, v25.4s
	WORD $0x4e3ef610 // fmax v16.4s, v16.4s, v30.4s
	WORD $0x4e3ef631 // fmax v17.4s, v17.4s, v30.4s
	WORD $0x4ebff610 // fmin v16.4s, v16.4s, v31.4s
	WORD $0x4ebff631 // fmin v17.4s, v17.4s, v31.4s
	WORD $0x4e21aa10 // fcvtns v16.4s, v16.4s
	WORD $0x4e21aa31 // fcvtns v17.4s, v17.4s
	WORD $0x4e511a10 // uzp1 v16.8h, v16.8h, v17.8h
	WORD $0x0e212a10 // xtn v16.8b, v16.8h
	WORD $0x0e3d8610 // add v16.8b, v16.8b, v29.8b
	FMOVD.P F16, 8(R17)
	ADD $8, R23, R23
	ADD $16, R24, R24
	ADD $32, R14, R14
	SUB $8, R25, R25
	B qsr8
qsz16:
	CMP $16, R25
	BLT qsz8
	VLD1 (R14), [V16.S4, V17.S4, V18.S4, V19.S4]
	MOVD R23, R9
	MOVD R24, R10
	MOVD kh+32(FP), R12
qsz16ky:
	MOVD R9, R13
	MOVD kw+40(FP), R11
qsz16kx:
	VLD1.P (R13)(R2), [V0.B16]
	VLD1.P (R10)(R5), [V4.H8, V5.H8]
	WORD $0x0f08a401 // sxtl v1.8h, v0.8b
	WORD $0x4f08a402 // sxtl2 v2.8h, v0.16b
	WORD $0x6e7c8421 // sub v1.8h, v1.8h, v28.8h
	WORD $0x6e7c8442 // sub v2.8h, v2.8h, v28.8h
	WORD $0x0e648030 // smlal v16.4s, v1.4h, v4.4h
	WORD $0x4e648031 // smlal2 v17.4s, v1.8h, v4.8h
	WORD $0x0e658052 // smlal v18.4s, v2.4h, v5.4h
	WORD $0x4e658053 // smlal2 v19.4s, v2.8h, v5.8h
	SUBS $1, R11, R11
	BNE qsz16kx
	ADD R8, R10, R10
	ADD R1, R9, R9
	SUBS $1, R12, R12
	BNE qsz16ky
	VLD1.P 64(R16), [V20.S4, V21.S4, V22.S4, V23.S4]
	VLD1.P 64(R15), [V24.S4, V25.S4, V26.S4, V27.S4]
	WORD $0x4eb48610 // add v16.4s, v16.4s, v20.4s
	WORD $0x4eb58631 // add v17.4s, v17.4s, v21.4s
	WORD $0x4eb68652 // add v18.4s, v18.4s, v22.4s
	WORD $0x4eb78673 // add v19.4s, v19.4s, v23.4s
	WORD $0x4e21da10 // scvtf v16.4s, v16.4s
	WORD $0x4e21da31 // scvtf v17.4s, v17.4s
	WORD $0x4e21da52 // scvtf v18.4s, v18.4s
	WORD $0x4e21da73 // scvtf v19.4s, v19.4s
	WORD $0x6e38de10 // fmul v16.4s, v16.4s, v24.4s
	WORD $0x6e39de31 // fmul v17.4s, v17.4s, v25.4s
	WORD $0x6e3ade52 // fmul v18.4s, v18.4s, v26.4s
	WORD $0x6e3bde73 // fmul v19.4s, v19.4s, v27.4s
	WORD $0x4e3ef610 // fmax v16.4s, v16.4s, v30.4s
	WORD $0x4e3ef631 // fmax v17.4s, v17.4s, v30.4s
	WORD $0x4e3ef652 // fmax v18.4s, v18.4s, v30.4s
	WORD $0x4e3ef673 // fmax v19.4s, v19.4s, v30.4s
	WORD $0x4ebff610 // fmin v16.4s, v16.4s, v31.4s
	WORD $0x4ebff631 // fmin v17.4s, v17.4s, v31.4s
	WORD $0x4ebff652 // fmin v18.4s, v18.4s, v31.4s
	WORD $0x4ebff673 // fmin v19.4s, v19.4s, v31.4s
	WORD $0x4e21aa10 // fcvtns v16.4s, v16.4s
	WORD $0x4e21aa31 // fcvtns v17.4s, v17.4s
	WORD $0x4e21aa52 // fcvtns v18.4s, v18.4s
	WORD $0x4e21aa73 // fcvtns v19.4s, v19.4s
	WORD $0x4e511a10 // uzp1 v16.8h, v16.8h, v17.8h
	WORD $0x4e531a52 // uzp1 v18.8h, v18.8h, v19.8h
	WORD $0x4e121a10 // uzp1 v16.16b, v16.16b, v18.16b
	WORD $0x4e3d8610 // add v16.16b, v16.16b, v29.16b
	VST1.P [V16.B16], 16(R17)
	ADD $16, R23, R23
	ADD $32, R24, R24
	ADD $64, R14, R14
	SUB $16, R25, R25
	B qsz16
qsz8:
	CMP $8, R25
	BLT qpixdone
	VLD1 (R14), [V16.S4, V17.S4]
	MOVD R23, R9
	MOVD R24, R10
	MOVD kh+32(FP), R12
qsz8ky:
	MOVD R9, R13
	MOVD kw+40(FP), R11
qsz8kx:
	VLD1.P (R13)(R2), [V0.B8]
	VLD1.P (R10)(R5), [V4.H8]
	WORD $0x0f08a401 // sxtl v1.8h, v0.8b
	WORD $0x6e7c8421 // sub v1.8h, v1.8h, v28.8h
	WORD $0x0e648030 // smlal v16.4s, v1.4h, v4.4h
	WORD $0x4e648031 // smlal2 v17.4s, v1.8h, v4.8h
	SUBS $1, R11, R11
	BNE qsz8kx
	ADD R8, R10, R10
	ADD R1, R9, R9
	SUBS $1, R12, R12
	BNE qsz8ky
	VLD1.P 32(R16), [V20.S4, V21.S4]
	VLD1.P 32(R15), [V24.S4, V25.S4]
	WORD $0x4eb48610 // add v16.4s, v16.4s, v20.4s
	WORD $0x4eb58631 // add v17.4s, v17.4s, v21.4s
	WORD $0x4e21da10 // scvtf v16.4s, v16.4s
	WORD $0x4e21da31 // scvtf v17.4s, v17.4s
	WORD $0x6e38de10 // fmul v16.4s, v16.4s, v24.4s
	WORD $0x6e39de31 // fmul v17.4s, v17.4s, v25.4s
	WORD $0x4e3ef610 // fmax v16.4s, v16.4s, v30.4s
	WORD $0x4e3ef631 // fmax v17.4s, v17.4s, v30.4s
	WORD $0x4ebff610 // fmin v16.4s, v16.4s, v31.4s
	WORD $0x4ebff631 // fmin v17.4s, v17.4s, v31.4s
	WORD $0x4e21aa10 // fcvtns v16.4s, v16.4s
	WORD $0x4e21aa31 // fcvtns v17.4s, v17.4s
	WORD $0x4e511a10 // uzp1 v16.8h, v16.8h, v17.8h
	WORD $0x0e212a10 // xtn v16.8b, v16.8h
	WORD $0x0e3d8610 // add v16.8b, v16.8b, v29.8b
	FMOVD.P F16, 8(R17)
	ADD $8, R23, R23
	ADD $16, R24, R24
	ADD $32, R14, R14
	SUB $8, R25, R25
	B qsz8
qur16:
	CMP $16, R25
	BLT qur8
	VLD1 (R14), [V16.S4, V17.S4, V18.S4, V19.S4]
	MOVD R23, R9
	MOVD R24, R10
	MOVD kh+32(FP), R12
qur16ky:
	MOVD R9, R13
	MOVD kw+40(FP), R11
qur16kx:
	VLD1.P (R13)(R2), [V0.B16]
	VLD1.P (R10)(R5), [V4.H8, V5.H8]
	WORD $0x2f08a401 // uxtl v1.8h, v0.8b
	WORD $0x6f08a402 // uxtl2 v2.8h, v0.16b
	WORD $0x0e648030 // smlal v16.4s, v1.4h, v4.4h
	WORD $0x4e648031 // smlal2 v17.4s, v1.8h, v4.8h
	WORD $0x0e658052 // smlal v18.4s, v2.4h, v5.4h
	WORD $0x4e658053 // smlal2 v19.4s, v2.8h, v5.8h
	SUBS $1, R11, R11
	BNE qur16kx
	ADD R8, R10, R10
	ADD R1, R9, R9
	SUBS $1, R12, R12
	BNE qur16ky
	VLD1.P 64(R16), [V20.S4, V21.S4, V22.S4, V23.S4]
	VLD1.P 64(R15), [V24.S4, V25.S4, V26.S4, V27.S4]
	WORD $0x4eb48610 // add v16.4s, v16.4s, v20.4s
	WORD $0x4eb58631 // add v17.4s, v17.4s, v21.4s
	WORD $0x4eb68652 // add v18.4s, v18.4s, v22.4s
	WORD $0x4eb78673 // add v19.4s, v19.4s, v23.4s
	WORD $0x4e21da10 // scvtf v16.4s, v16.4s
	WORD $0x4e21da31 // scvtf v17.4s, v17.4s
	WORD $0x4e21da52 // scvtf v18.4s, v18.4s
	WORD $0x4e21da73 // scvtf v19.4s, v19.4s
	WORD $0x6e38de10 // fmul v16.4s, v16.4s, v24.4s
	WORD $0x6e39de31 // fmul v17.4s, v17.4s, v25.4s
	WORD $0x6e3ade52 // fmul v18.4s, v18.4s, v26.4s
	WORD $0x6e3bde73 // fmul v19.4s, v19.4s, v27.4s
	WORD $0x4e3ef610 // fmax v16.4s, v16.4s, v30.4s
	WORD $0x4e3ef631 // fmax v17.4s, v17.4s, v30.4s
	WORD $0x4e3ef652 // fmax v18.4s, v18.4s, v30.4s
	WORD $0x4e3ef673 // fmax v19.4s, v19.4s, v30.4s
	WORD $0x4ebff610 // fmin v16.4s, v16.4s, v31.4s
	WORD $0x4ebff631 // fmin v17.4s, v17.4s, v31.4s
	WORD $0x4ebff652 // fmin v18.4s, v18.4s, v31.4s
	WORD $0x4ebff673 // fmin v19.4s, v19.4s, v31.4s
	WORD $0x4e21aa10 // fcvtns v16.4s, v16.4s
	WORD $0x4e21aa31 // fcvtns v17.4s, v17.4s
	WORD $0x4e21aa52 // fcvtns v18.4s, v18.4s
	WORD $0x4e21aa73 // fcvtns v19.4s, v19.4s
	WORD $0x4e511a10 // uzp1 v16.8h, v16.8h, v17.8h
	WORD $0x4e531a52 // uzp1 v18.8h, v18.8h, v19.8h
	WORD $0x4e121a10 // uzp1 v16.16b, v16.16b, v18.16b
	WORD $0x4e3d8610 // add v16.16b, v16.16b, v29.16b
	VST1.P [V16.B16], 16(R17)
	ADD $16, R23, R23
	ADD $32, R24, R24
	ADD $64, R14, R14
	SUB $16, R25, R25
	B qur16
qur8:
	CMP $8, R25
	BLT qpixdone
	VLD1 (R14), [V16.S4, V17.S4]
	MOVD R23, R9
	MOVD R24, R10
	MOVD kh+32(FP), R12
qur8ky:
	MOVD R9, R13
	MOVD kw+40(FP), R11
qur8kx:
	VLD1.P (R13)(R2), [V0.B8]
	VLD1.P (R10)(R5), [V4.H8]
	WORD $0x2f08a401 // uxtl v1.8h, v0.8b
	WORD $0x0e648030 // smlal v16.4s, v1.4h, v4.4h
	WORD $0x4e648031 // smlal2 v17.4s, v1.8h, v4.8h
	SUBS $1, R11, R11
	BNE qur8kx
	ADD R8, R10, R10
	ADD R1, R9, R9
	SUBS $1, R12, R12
	BNE qur8ky
	VLD1.P 32(R16), [V20.S4, V21.S4]
	VLD1.P 32(R15), [V24.S4, V25.S4]
	WORD $0x4eb48610 // add v16.4s, v16.4s, v20.4s
	WORD $0x4eb58631 // add v17.4s, v17.4s, v21.4s
	WORD $0x4e21da10 // scvtf v16.4s, v16.4s
	WORD $0x4e21da31 // scvtf v17.4s, v17.4s
	WORD $0x6e38de10 // fmul v16.4s, v16.4s, v24.4s
	WORD $0x6e39de31 // fmul v17.4s, v17.4s, v25.4s
	WORD $0x4e3ef610 // fmax v16.4s, v16.4s, v30.4s
	WORD $0x4e3ef631 // fmax v17.4s, v17.4s, v30.4s
	WORD $0x4ebff610 // fmin v16.4s, v16.4s, v31.4s
	WORD $0x4ebff631 // fmin v17.4s, v17.4s, v31.4s
	WORD $0x4e21aa10 // fcvtns v16.4s, v16.4s
	WORD $0x4e21aa31 // fcvtns v17.4s, v17.4s
	WORD $0x4e511a10 // uzp1 v16.8h, v16.8h, v17.8h
	WORD $0x0e212a10 // xtn v16.8b, v16.8h
	WORD $0x0e3d8610 // add v16.8b, v16.8b, v29.8b
	FMOVD.P F16, 8(R17)
	ADD $8, R23, R23
	ADD $16, R24, R24
	ADD $32, R14, R14
	SUB $8, R25, R25
	B qur8
quz16:
	CMP $16, R25
	BLT quz8
	VLD1 (R14), [V16.S4, V17.S4, V18.S4, V19.S4]
	MOVD R23, R9
	MOVD R24, R10
	MOVD kh+32(FP), R12
quz16ky:
	MOVD R9, R13
	MOVD kw+40(FP), R11
quz16kx:
	VLD1.P (R13)(R2), [V0.B16]
	VLD1.P (R10)(R5), [V4.H8, V5.H8]
	WORD $0x2f08a401 // uxtl v1.8h, v0.8b
	WORD $0x6f08a402 // uxtl2 v2.8h, v0.16b
	WORD $0x6e7c8421 // sub v1.8h, v1.8h, v28.8h
	WORD $0x6e7c8442 // sub v2.8h, v2.8h, v28.8h
	WORD $0x0e648030 // smlal v16.4s, v1.4h, v4.4h
	WORD $0x4e648031 // smlal2 v17.4s, v1.8h, v4.8h
	WORD $0x0e658052 // smlal v18.4s, v2.4h, v5.4h
	WORD $0x4e658053 // smlal2 v19.4s, v2.8h, v5.8h
	SUBS $1, R11, R11
	BNE quz16kx
	ADD R8, R10, R10
	ADD R1, R9, R9
	SUBS $1, R12, R12
	BNE quz16ky
	VLD1.P 64(R16), [V20.S4, V21.S4, V22.S4, V23.S4]
	VLD1.P 64(R15), [V24.S4, V25.S4, V26.S4, V27.S4]
	WORD $0x4eb48610 // add v16.4s, v16.4s, v20.4s
	WORD $0x4eb58631 // add v17.4s, v17.4s, v21.4s
	WORD $0x4eb68652 // add v18.4s, v18.4s, v22.4s
	WORD $0x4eb78673 // add v19.4s, v19.4s, v23.4s
	WORD $0x4e21da10 // scvtf v16.4s, v16.4s
	WORD $0x4e21da31 // scvtf v17.4s, v17.4s
	WORD $0x4e21da52 // scvtf v18.4s, v18.4s
	WORD $0x4e21da73 // scvtf v19.4s, v19.4s
	WORD $0x6e38de10 // fmul v16.4s, v16.4s, v24.4s
	WORD $0x6e39de31 // fmul v17.4s, v17.4s, v25.4s
	WORD $0x6e3ade52 // fmul v18.4s, v18.4s, v26.4s
	WORD $0x6e3bde73 // fmul v19.4s, v19.4s, v27.4s
	WORD $0x4e3ef610 // fmax v16.4s, v16.4s, v30.4s
	WORD $0x4e3ef631 // fmax v17.4s, v17.4s, v30.4s
	WORD $0x4e3ef652 // fmax v18.4s, v18.4s, v30.4s
	WORD $0x4e3ef673 // fmax v19.4s, v19.4s, v30.4s
	WORD $0x4ebff610 // fmin v16.4s, v16.4s, v31.4s
	WORD $0x4ebff631 // fmin v17.4s, v17.4s, v31.4s
	WORD $0x4ebff652 // fmin v18.4s, v18.4s, v31.4s
	WORD $0x4ebff673 // fmin v19.4s, v19.4s, v31.4s
	WORD $0x4e21aa10 // fcvtns v16.4s, v16.4s
	WORD $0x4e21aa31 // fcvtns v17.4s, v17.4s
	WORD $0x4e21aa52 // fcvtns v18.4s, v18.4s
	WORD $0x4e21aa73 // fcvtns v19.4s, v19.4s
	WORD $0x4e511a10 // uzp1 v16.8h, v16.8h, v17.8h
	WORD $0x4e531a52 // uzp1 v18.8h, v18.8h, v19.8h
	WORD $0x4e121a10 // uzp1 v16.16b, v16.16b, v18.16b
	WORD $0x4e3d8610 // add v16.16b, v16.16b, v29.16b
	VST1.P [V16.B16], 16(R17)
	ADD $16, R23, R23
	ADD $32, R24, R24
	ADD $64, R14, R14
	SUB $16, R25, R25
	B quz16
quz8:
	CMP $8, R25
	BLT qpixdone
	VLD1 (R14), [V16.S4, V17.S4]
	MOVD R23, R9
	MOVD R24, R10
	MOVD kh+32(FP), R12
quz8ky:
	MOVD R9, R13
	MOVD kw+40(FP), R11
quz8kx:
	VLD1.P (R13)(R2), [V0.B8]
	VLD1.P (R10)(R5), [V4.H8]
	WORD $0x2f08a401 // uxtl v1.8h, v0.8b
	WORD $0x6e7c8421 // sub v1.8h, v1.8h, v28.8h
	WORD $0x0e648030 // smlal v16.4s, v1.4h, v4.4h
	WORD $0x4e648031 // smlal2 v17.4s, v1.8h, v4.8h
	SUBS $1, R11, R11
	BNE quz8kx
	ADD R8, R10, R10
	ADD R1, R9, R9
	SUBS $1, R12, R12
	BNE quz8ky
	VLD1.P 32(R16), [V20.S4, V21.S4]
	VLD1.P 32(R15), [V24.S4, V25.S4]
	WORD $0x4eb48610 // add v16.4s, v16.4s, v20.4s
	WORD $0x4eb58631 // add v17.4s, v17.4s, v21.4s
	WORD $0x4e21da10 // scvtf v16.4s, v16.4s
	WORD $0x4e21da31 // scvtf v17.4s, v17.4s
	WORD $0x6e38de10 // fmul v16.4s, v16.4s, v24.4s
	WORD $0x6e39de31 // fmul v17.4s, v17.4s, v25.4s
	WORD $0x4e3ef610 // fmax v16.4s, v16.4s, v30.4s
	WORD $0x4e3ef631 // fmax v17.4s, v17.4s, v30.4s
	WORD $0x4ebff610 // fmin v16.4s, v16.4s, v31.4s
	WORD $0x4ebff631 // fmin v17.4s, v17.4s, v31.4s
	WORD $0x4e21aa10 // fcvtns v16.4s, v16.4s
	WORD $0x4e21aa31 // fcvtns v17.4s, v17.4s
	WORD $0x4e511a10 // uzp1 v16.8h, v16.8h, v17.8h
	WORD $0x0e212a10 // xtn v16.8b, v16.8h
	WORD $0x0e3d8610 // add v16.8b, v16.8b, v29.8b
	FMOVD.P F16, 8(R17)
	ADD $8, R23, R23
	ADD $16, R24, R24
	ADD $32, R14, R14
	SUB $8, R25, R25
	B quz8
qpixdone:
	ADD R20, R0, R0
	ADD R4, R7, R7
	SUBS $1, R19, R19
	BNE qpix
	RET
