//go:build !purego

#include "textflag.h"

// NEON element-wise kernels on whole blocks of 16 elements (n a positive
// multiple of 16; the Go wrappers in dispatch_arm64.go finish the rest).
// Instructions the Go assembler does not know are WORD encodings with
// the instruction in a comment.

// func addQ8NEON(x, y, z *byte, n int, ma, mb, bias, shift, zero, lo, hi, signed int32)
//
// XNNPACK's ADD: acc = bias + x·ma + y·mb in int32 (wrapping),
// acc >> shift (arithmetic: SSHL by -shift), then saturating narrows with
// the zero point added in int16 and the clamp to [lo, hi] on bytes, which
// equal clamp(acc>>shift + zero, lo, hi) as lo and hi lie in the type.
TEXT ·addQ8NEON(SB), NOSPLIT, $0-64
	MOVD x+0(FP), R0
	MOVD y+8(FP), R1
	MOVD z+16(FP), R2
	MOVD n+24(FP), R3
	MOVWU ma+32(FP), R4
	VDUP R4, V20.S4
	MOVWU mb+36(FP), R4
	VDUP R4, V21.S4
	MOVWU bias+40(FP), R4
	VDUP R4, V22.S4
	MOVWU shift+44(FP), R4
	NEGW R4, R4
	VDUP R4, V23.S4
	MOVWU zero+48(FP), R4
	VDUP R4, V24.H8
	MOVWU lo+52(FP), R4
	VDUP R4, V25.B16
	MOVWU hi+56(FP), R4
	VDUP R4, V26.B16
	MOVWU signed+60(FP), R4
	CBZ R4, aloopu
aloops:
	VLD1.P 16(R0), [V0.B16]
	VLD1.P 16(R1), [V1.B16]
	WORD $0x0f08a402 // sxtl v2.8h, v0.8b
	WORD $0x4f08a403 // sxtl2 v3.8h, v0.16b
	WORD $0x0f08a424 // sxtl v4.8h, v1.8b
	WORD $0x4f08a425 // sxtl2 v5.8h, v1.16b
	WORD $0x0f10a448 // sxtl v8.4s, v2.4h
	WORD $0x4f10a449 // sxtl2 v9.4s, v2.8h
	WORD $0x0f10a46a // sxtl v10.4s, v3.4h
	WORD $0x4f10a46b // sxtl2 v11.4s, v3.8h
	WORD $0x0f10a48c // sxtl v12.4s, v4.4h
	WORD $0x4f10a48d // sxtl2 v13.4s, v4.8h
	WORD $0x0f10a4ae // sxtl v14.4s, v5.4h
	WORD $0x4f10a4af // sxtl2 v15.4s, v5.8h
	WORD $0x4eb61ed0 // mov v16.16b, v22.16b
	WORD $0x4eb61ed1 // mov v17.16b, v22.16b
	WORD $0x4eb61ed2 // mov v18.16b, v22.16b
	WORD $0x4eb61ed3 // mov v19.16b, v22.16b
	WORD $0x4eb49510 // mla v16.4s, v8.4s, v20.4s
	WORD $0x4eb49531 // mla v17.4s, v9.4s, v20.4s
	WORD $0x4eb49552 // mla v18.4s, v10.4s, v20.4s
	WORD $0x4eb49573 // mla v19.4s, v11.4s, v20.4s
	WORD $0x4eb59590 // mla v16.4s, v12.4s, v21.4s
	WORD $0x4eb595b1 // mla v17.4s, v13.4s, v21.4s
	WORD $0x4eb595d2 // mla v18.4s, v14.4s, v21.4s
	WORD $0x4eb595f3 // mla v19.4s, v15.4s, v21.4s
	WORD $0x4eb74610 // sshl v16.4s, v16.4s, v23.4s
	WORD $0x4eb74631 // sshl v17.4s, v17.4s, v23.4s
	WORD $0x4eb74652 // sshl v18.4s, v18.4s, v23.4s
	WORD $0x4eb74673 // sshl v19.4s, v19.4s, v23.4s
	WORD $0x0e614a00 // sqxtn v0.4h, v16.4s
	WORD $0x4e614a20 // sqxtn2 v0.8h, v17.4s
	WORD $0x0e614a41 // sqxtn v1.4h, v18.4s
	WORD $0x4e614a61 // sqxtn2 v1.8h, v19.4s
	WORD $0x4e780c00 // sqadd v0.8h, v0.8h, v24.8h
	WORD $0x4e780c21 // sqadd v1.8h, v1.8h, v24.8h
	WORD $0x0e214800 // sqxtn v0.8b, v0.8h
	WORD $0x4e214820 // sqxtn2 v0.16b, v1.8h
	WORD $0x4e396400 // smax v0.16b, v0.16b, v25.16b
	WORD $0x4e3a6c00 // smin v0.16b, v0.16b, v26.16b
	VST1.P [V0.B16], 16(R2)
	SUBS $16, R3, R3
	BNE aloops
	RET
aloopu:
	VLD1.P 16(R0), [V0.B16]
	VLD1.P 16(R1), [V1.B16]
	WORD $0x2f08a402 // uxtl v2.8h, v0.8b
	WORD $0x6f08a403 // uxtl2 v3.8h, v0.16b
	WORD $0x2f08a424 // uxtl v4.8h, v1.8b
	WORD $0x6f08a425 // uxtl2 v5.8h, v1.16b
	WORD $0x0f10a448 // sxtl v8.4s, v2.4h
	WORD $0x4f10a449 // sxtl2 v9.4s, v2.8h
	WORD $0x0f10a46a // sxtl v10.4s, v3.4h
	WORD $0x4f10a46b // sxtl2 v11.4s, v3.8h
	WORD $0x0f10a48c // sxtl v12.4s, v4.4h
	WORD $0x4f10a48d // sxtl2 v13.4s, v4.8h
	WORD $0x0f10a4ae // sxtl v14.4s, v5.4h
	WORD $0x4f10a4af // sxtl2 v15.4s, v5.8h
	WORD $0x4eb61ed0 // mov v16.16b, v22.16b
	WORD $0x4eb61ed1 // mov v17.16b, v22.16b
	WORD $0x4eb61ed2 // mov v18.16b, v22.16b
	WORD $0x4eb61ed3 // mov v19.16b, v22.16b
	WORD $0x4eb49510 // mla v16.4s, v8.4s, v20.4s
	WORD $0x4eb49531 // mla v17.4s, v9.4s, v20.4s
	WORD $0x4eb49552 // mla v18.4s, v10.4s, v20.4s
	WORD $0x4eb49573 // mla v19.4s, v11.4s, v20.4s
	WORD $0x4eb59590 // mla v16.4s, v12.4s, v21.4s
	WORD $0x4eb595b1 // mla v17.4s, v13.4s, v21.4s
	WORD $0x4eb595d2 // mla v18.4s, v14.4s, v21.4s
	WORD $0x4eb595f3 // mla v19.4s, v15.4s, v21.4s
	WORD $0x4eb74610 // sshl v16.4s, v16.4s, v23.4s
	WORD $0x4eb74631 // sshl v17.4s, v17.4s, v23.4s
	WORD $0x4eb74652 // sshl v18.4s, v18.4s, v23.4s
	WORD $0x4eb74673 // sshl v19.4s, v19.4s, v23.4s
	WORD $0x0e614a00 // sqxtn v0.4h, v16.4s
	WORD $0x4e614a20 // sqxtn2 v0.8h, v17.4s
	WORD $0x0e614a41 // sqxtn v1.4h, v18.4s
	WORD $0x4e614a61 // sqxtn2 v1.8h, v19.4s
	WORD $0x4e780c00 // sqadd v0.8h, v0.8h, v24.8h
	WORD $0x4e780c21 // sqadd v1.8h, v1.8h, v24.8h
	WORD $0x2e212800 // sqxtun v0.8b, v0.8h
	WORD $0x6e212820 // sqxtun2 v0.16b, v1.8h
	WORD $0x6e396400 // umax v0.16b, v0.16b, v25.16b
	WORD $0x6e3a6c00 // umin v0.16b, v0.16b, v26.16b
	VST1.P [V0.B16], 16(R2)
	SUBS $16, R3, R3
	BNE aloopu
	RET

// func mulQ8NEON(x, y, z *byte, n, ystep int, za, zb, yv int32, scale, lo, hi float32, zero, signed int32)
//
// XNNPACK's float MUL: (x-za)·(y-zb) by SMULL on int16, then like
// requantRow: float32, times scale, clamped to [lo, hi], FCVTNS, plus zero
// (as a byte). y - zb is yv for every element when ystep is 0.
TEXT ·mulQ8NEON(SB), NOSPLIT, $0-72
	MOVD x+0(FP), R0
	MOVD y+8(FP), R1
	MOVD z+16(FP), R2
	MOVD n+24(FP), R3
	MOVD ystep+32(FP), R5
	MOVWU za+40(FP), R4
	VDUP R4, V20.H8
	MOVWU zb+44(FP), R4
	VDUP R4, V21.H8
	MOVWU yv+48(FP), R4
	VDUP R4, V4.H8
	VDUP R4, V5.H8
	MOVWU scale+52(FP), R4
	VDUP R4, V23.S4
	MOVWU lo+56(FP), R4
	VDUP R4, V24.S4
	MOVWU hi+60(FP), R4
	VDUP R4, V25.S4
	MOVWU zero+64(FP), R4
	VDUP R4, V26.B16
	MOVWU signed+68(FP), R4
	CBZ R4, mu
	CBZ R5, msc
	B msv
mu:
	CBZ R5, muc
	B muv
msv:
	VLD1.P 16(R0), [V0.B16]
	WORD $0x0f08a402 // sxtl v2.8h, v0.8b
	WORD $0x4f08a403 // sxtl2 v3.8h, v0.16b
	WORD $0x6e748442 // sub v2.8h, v2.8h, v20.8h
	WORD $0x6e748463 // sub v3.8h, v3.8h, v20.8h
	VLD1.P 16(R1), [V1.B16]
	WORD $0x0f08a424 // sxtl v4.8h, v1.8b
	WORD $0x4f08a425 // sxtl2 v5.8h, v1.16b
	WORD $0x6e758484 // sub v4.8h, v4.8h, v21.8h
	WORD $0x6e7584a5 // sub v5.8h, v5.8h, v21.8h
	WORD $0x0e64c048 // smull v8.4s, v2.4h, v4.4h
	WORD $0x4e64c049 // smull2 v9.4s, v2.8h, v4.8h
	WORD $0x0e65c06a // smull v10.4s, v3.4h, v5.4h
	WORD $0x4e65c06b // smull2 v11.4s, v3.8h, v5.8h
	WORD $0x4e21d908 // scvtf v8.4s, v8.4s
	WORD $0x4e21d929 // scvtf v9.4s, v9.4s
	WORD $0x4e21d94a // scvtf v10.4s, v10.4s
	WORD $0x4e21d96b // scvtf v11.4s, v11.4s
	WORD $0x6e37dd08 // fmul v8.4s, v8.4s, v23.4s
	WORD $0x6e37dd29 // fmul v9.4s, v9.4s, v23.4s
	WORD $0x6e37dd4a // fmul v10.4s, v10.4s, v23.4s
	WORD $0x6e37dd6b // fmul v11.4s, v11.4s, v23.4s
	WORD $0x4e38f508 // fmax v8.4s, v8.4s, v24.4s
	WORD $0x4e38f529 // fmax v9.4s, v9.4s, v24.4s
	WORD $0x4e38f54a // fmax v10.4s, v10.4s, v24.4s
	WORD $0x4e38f56b // fmax v11.4s, v11.4s, v24.4s
	WORD $0x4eb9f508 // fmin v8.4s, v8.4s, v25.4s
	WORD $0x4eb9f529 // fmin v9.4s, v9.4s, v25.4s
	WORD $0x4eb9f54a // fmin v10.4s, v10.4s, v25.4s
	WORD $0x4eb9f56b // fmin v11.4s, v11.4s, v25.4s
	WORD $0x4e21a908 // fcvtns v8.4s, v8.4s
	WORD $0x4e21a929 // fcvtns v9.4s, v9.4s
	WORD $0x4e21a94a // fcvtns v10.4s, v10.4s
	WORD $0x4e21a96b // fcvtns v11.4s, v11.4s
	WORD $0x4e491908 // uzp1 v8.8h, v8.8h, v9.8h
	WORD $0x4e4b194a // uzp1 v10.8h, v10.8h, v11.8h
	WORD $0x4e0a1908 // uzp1 v8.16b, v8.16b, v10.16b
	WORD $0x4e3a8508 // add v8.16b, v8.16b, v26.16b
	VST1.P [V8.B16], 16(R2)
	SUBS $16, R3, R3
	BNE msv
	RET
msc:
	VLD1.P 16(R0), [V0.B16]
	WORD $0x0f08a402 // sxtl v2.8h, v0.8b
	WORD $0x4f08a403 // sxtl2 v3.8h, v0.16b
	WORD $0x6e748442 // sub v2.8h, v2.8h, v20.8h
	WORD $0x6e748463 // sub v3.8h, v3.8h, v20.8h
	WORD $0x0e64c048 // smull v8.4s, v2.4h, v4.4h
	WORD $0x4e64c049 // smull2 v9.4s, v2.8h, v4.8h
	WORD $0x0e65c06a // smull v10.4s, v3.4h, v5.4h
	WORD $0x4e65c06b // smull2 v11.4s, v3.8h, v5.8h
	WORD $0x4e21d908 // scvtf v8.4s, v8.4s
	WORD $0x4e21d929 // scvtf v9.4s, v9.4s
	WORD $0x4e21d94a // scvtf v10.4s, v10.4s
	WORD $0x4e21d96b // scvtf v11.4s, v11.4s
	WORD $0x6e37dd08 // fmul v8.4s, v8.4s, v23.4s
	WORD $0x6e37dd29 // fmul v9.4s, v9.4s, v23.4s
	WORD $0x6e37dd4a // fmul v10.4s, v10.4s, v23.4s
	WORD $0x6e37dd6b // fmul v11.4s, v11.4s, v23.4s
	WORD $0x4e38f508 // fmax v8.4s, v8.4s, v24.4s
	WORD $0x4e38f529 // fmax v9.4s, v9.4s, v24.4s
	WORD $0x4e38f54a // fmax v10.4s, v10.4s, v24.4s
	WORD $0x4e38f56b // fmax v11.4s, v11.4s, v24.4s
	WORD $0x4eb9f508 // fmin v8.4s, v8.4s, v25.4s
	WORD $0x4eb9f529 // fmin v9.4s, v9.4s, v25.4s
	WORD $0x4eb9f54a // fmin v10.4s, v10.4s, v25.4s
	WORD $0x4eb9f56b // fmin v11.4s, v11.4s, v25.4s
	WORD $0x4e21a908 // fcvtns v8.4s, v8.4s
	WORD $0x4e21a929 // fcvtns v9.4s, v9.4s
	WORD $0x4e21a94a // fcvtns v10.4s, v10.4s
	WORD $0x4e21a96b // fcvtns v11.4s, v11.4s
	WORD $0x4e491908 // uzp1 v8.8h, v8.8h, v9.8h
	WORD $0x4e4b194a // uzp1 v10.8h, v10.8h, v11.8h
	WORD $0x4e0a1908 // uzp1 v8.16b, v8.16b, v10.16b
	WORD $0x4e3a8508 // add v8.16b, v8.16b, v26.16b
	VST1.P [V8.B16], 16(R2)
	SUBS $16, R3, R3
	BNE msc
	RET
muv:
	VLD1.P 16(R0), [V0.B16]
	WORD $0x2f08a402 // uxtl v2.8h, v0.8b
	WORD $0x6f08a403 // uxtl2 v3.8h, v0.16b
	WORD $0x6e748442 // sub v2.8h, v2.8h, v20.8h
	WORD $0x6e748463 // sub v3.8h, v3.8h, v20.8h
	VLD1.P 16(R1), [V1.B16]
	WORD $0x2f08a424 // uxtl v4.8h, v1.8b
	WORD $0x6f08a425 // uxtl2 v5.8h, v1.16b
	WORD $0x6e758484 // sub v4.8h, v4.8h, v21.8h
	WORD $0x6e7584a5 // sub v5.8h, v5.8h, v21.8h
	WORD $0x0e64c048 // smull v8.4s, v2.4h, v4.4h
	WORD $0x4e64c049 // smull2 v9.4s, v2.8h, v4.8h
	WORD $0x0e65c06a // smull v10.4s, v3.4h, v5.4h
	WORD $0x4e65c06b // smull2 v11.4s, v3.8h, v5.8h
	WORD $0x4e21d908 // scvtf v8.4s, v8.4s
	WORD $0x4e21d929 // scvtf v9.4s, v9.4s
	WORD $0x4e21d94a // scvtf v10.4s, v10.4s
	WORD $0x4e21d96b // scvtf v11.4s, v11.4s
	WORD $0x6e37dd08 // fmul v8.4s, v8.4s, v23.4s
	WORD $0x6e37dd29 // fmul v9.4s, v9.4s, v23.4s
	WORD $0x6e37dd4a // fmul v10.4s, v10.4s, v23.4s
	WORD $0x6e37dd6b // fmul v11.4s, v11.4s, v23.4s
	WORD $0x4e38f508 // fmax v8.4s, v8.4s, v24.4s
	WORD $0x4e38f529 // fmax v9.4s, v9.4s, v24.4s
	WORD $0x4e38f54a // fmax v10.4s, v10.4s, v24.4s
	WORD $0x4e38f56b // fmax v11.4s, v11.4s, v24.4s
	WORD $0x4eb9f508 // fmin v8.4s, v8.4s, v25.4s
	WORD $0x4eb9f529 // fmin v9.4s, v9.4s, v25.4s
	WORD $0x4eb9f54a // fmin v10.4s, v10.4s, v25.4s
	WORD $0x4eb9f56b // fmin v11.4s, v11.4s, v25.4s
	WORD $0x4e21a908 // fcvtns v8.4s, v8.4s
	WORD $0x4e21a929 // fcvtns v9.4s, v9.4s
	WORD $0x4e21a94a // fcvtns v10.4s, v10.4s
	WORD $0x4e21a96b // fcvtns v11.4s, v11.4s
	WORD $0x4e491908 // uzp1 v8.8h, v8.8h, v9.8h
	WORD $0x4e4b194a // uzp1 v10.8h, v10.8h, v11.8h
	WORD $0x4e0a1908 // uzp1 v8.16b, v8.16b, v10.16b
	WORD $0x4e3a8508 // add v8.16b, v8.16b, v26.16b
	VST1.P [V8.B16], 16(R2)
	SUBS $16, R3, R3
	BNE muv
	RET
muc:
	VLD1.P 16(R0), [V0.B16]
	WORD $0x2f08a402 // uxtl v2.8h, v0.8b
	WORD $0x6f08a403 // uxtl2 v3.8h, v0.16b
	WORD $0x6e748442 // sub v2.8h, v2.8h, v20.8h
	WORD $0x6e748463 // sub v3.8h, v3.8h, v20.8h
	WORD $0x0e64c048 // smull v8.4s, v2.4h, v4.4h
	WORD $0x4e64c049 // smull2 v9.4s, v2.8h, v4.8h
	WORD $0x0e65c06a // smull v10.4s, v3.4h, v5.4h
	WORD $0x4e65c06b // smull2 v11.4s, v3.8h, v5.8h
	WORD $0x4e21d908 // scvtf v8.4s, v8.4s
	WORD $0x4e21d929 // scvtf v9.4s, v9.4s
	WORD $0x4e21d94a // scvtf v10.4s, v10.4s
	WORD $0x4e21d96b // scvtf v11.4s, v11.4s
	WORD $0x6e37dd08 // fmul v8.4s, v8.4s, v23.4s
	WORD $0x6e37dd29 // fmul v9.4s, v9.4s, v23.4s
	WORD $0x6e37dd4a // fmul v10.4s, v10.4s, v23.4s
	WORD $0x6e37dd6b // fmul v11.4s, v11.4s, v23.4s
	WORD $0x4e38f508 // fmax v8.4s, v8.4s, v24.4s
	WORD $0x4e38f529 // fmax v9.4s, v9.4s, v24.4s
	WORD $0x4e38f54a // fmax v10.4s, v10.4s, v24.4s
	WORD $0x4e38f56b // fmax v11.4s, v11.4s, v24.4s
	WORD $0x4eb9f508 // fmin v8.4s, v8.4s, v25.4s
	WORD $0x4eb9f529 // fmin v9.4s, v9.4s, v25.4s
	WORD $0x4eb9f54a // fmin v10.4s, v10.4s, v25.4s
	WORD $0x4eb9f56b // fmin v11.4s, v11.4s, v25.4s
	WORD $0x4e21a908 // fcvtns v8.4s, v8.4s
	WORD $0x4e21a929 // fcvtns v9.4s, v9.4s
	WORD $0x4e21a94a // fcvtns v10.4s, v10.4s
	WORD $0x4e21a96b // fcvtns v11.4s, v11.4s
	WORD $0x4e491908 // uzp1 v8.8h, v8.8h, v9.8h
	WORD $0x4e4b194a // uzp1 v10.8h, v10.8h, v11.8h
	WORD $0x4e0a1908 // uzp1 v8.16b, v8.16b, v10.16b
	WORD $0x4e3a8508 // add v8.16b, v8.16b, v26.16b
	VST1.P [V8.B16], 16(R2)
	SUBS $16, R3, R3
	BNE muc
	RET

// func quantF32NEON(in *float32, out *byte, n int, inv, flo, fhi float32, zero int32)
//
// QuantizeF32: in·inv clamped to [flo, fhi], FCVTNS, plus zero (as a byte).
TEXT ·quantF32NEON(SB), NOSPLIT, $0-40
	MOVD in+0(FP), R0
	MOVD out+8(FP), R2
	MOVD n+16(FP), R3
	MOVWU inv+24(FP), R4
	VDUP R4, V23.S4
	MOVWU flo+28(FP), R4
	VDUP R4, V24.S4
	MOVWU fhi+32(FP), R4
	VDUP R4, V25.S4
	MOVWU zero+36(FP), R4
	VDUP R4, V26.B16
qloop:
	VLD1.P 64(R0), [V8.S4, V9.S4, V10.S4, V11.S4]
	WORD $0x6e37dd08 // fmul v8.4s, v8.4s, v23.4s
	WORD $0x6e37dd29 // fmul v9.4s, v9.4s, v23.4s
	WORD $0x6e37dd4a // fmul v10.4s, v10.4s, v23.4s
	WORD $0x6e37dd6b // fmul v11.4s, v11.4s, v23.4s
	WORD $0x4e38f508 // fmax v8.4s, v8.4s, v24.4s
	WORD $0x4e38f529 // fmax v9.4s, v9.4s, v24.4s
	WORD $0x4e38f54a // fmax v10.4s, v10.4s, v24.4s
	WORD $0x4e38f56b // fmax v11.4s, v11.4s, v24.4s
	WORD $0x4eb9f508 // fmin v8.4s, v8.4s, v25.4s
	WORD $0x4eb9f529 // fmin v9.4s, v9.4s, v25.4s
	WORD $0x4eb9f54a // fmin v10.4s, v10.4s, v25.4s
	WORD $0x4eb9f56b // fmin v11.4s, v11.4s, v25.4s
	WORD $0x4e21a908 // fcvtns v8.4s, v8.4s
	WORD $0x4e21a929 // fcvtns v9.4s, v9.4s
	WORD $0x4e21a94a // fcvtns v10.4s, v10.4s
	WORD $0x4e21a96b // fcvtns v11.4s, v11.4s
	WORD $0x4e491908 // uzp1 v8.8h, v8.8h, v9.8h
	WORD $0x4e4b194a // uzp1 v10.8h, v10.8h, v11.8h
	WORD $0x4e0a1908 // uzp1 v8.16b, v8.16b, v10.16b
	WORD $0x4e3a8508 // add v8.16b, v8.16b, v26.16b
	VST1.P [V8.B16], 16(R2)
	SUBS $16, R3, R3
	BNE qloop
	RET
