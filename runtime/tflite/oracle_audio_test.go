package tflite

// audioSpecs are the specs of the audio front-end operators (names start
// with audio_).
func audioSpecs() []oracleSpec {
	c64 := func(shape ...int32) oTensor { return oTensor{typ: tensorComplex64, shape: shape} }
	return []oracleSpec{
		{name: "audio_rfft2d", op: opRFFT2D, ins: []oTensor{fT(1, 4, 16), i32T(2).with(i32bytes(4, 16))}, outs: []oTensor{c64(1, 4, 9)}, atol: 1e-5},
		{name: "audio_rfft2d_crop_pad", op: opRFFT2D, ins: []oTensor{fT(3, 5, 20), i32T(2).with(i32bytes(8, 16))}, outs: []oTensor{c64(3, 8, 9)}, atol: 1e-5},
		{name: "audio_rfft2d_frames", op: opRFFT2D, ins: []oTensor{fT(6, 1, 400), i32T(2).with(i32bytes(1, 512))}, outs: []oTensor{c64(6, 1, 257)}, atol: 1e-4},
		{name: "audio_complex_abs", op: opComplexAbs, ins: []oTensor{c64(3, 40)}, outs: []oTensor{fT(3, 40)}},
		{name: "audio_real", op: opReal, ins: []oTensor{c64(3, 40)}, outs: []oTensor{fT(3, 40)}},
		{name: "audio_imag", op: opImag, ins: []oTensor{c64(3, 40)}, outs: []oTensor{fT(3, 40)}},
		{name: "audio_log", op: opLog, ins: []oTensor{fT(4, 100).within(0.001, 100)}, outs: []oTensor{fT(4, 100)}},
		{name: "audio_log_i8", op: opLog, ins: []oTensor{q8T(0.05, -100, 4, 64)}, outs: []oTensor{q8T(0.05, 50, 4, 64)}},
		{name: "audio_log_i16", op: opLog, ins: []oTensor{q16T(0.0004, 4, 300)}, outs: []oTensor{q16T(0.0003, 4, 300)}},
		{name: "audio_sin", op: opSin, ins: []oTensor{fT(4, 100).within(-10, 10)}, outs: []oTensor{fT(4, 100)}},
		{name: "audio_cos", op: opCos, ins: []oTensor{fT(4, 100).within(-10, 10)}, outs: []oTensor{fT(4, 100)}},
		{name: "audio_pow_f32", op: opPow, ins: []oTensor{fT(4, 50).within(0.01, 4), fT(4, 50)}, outs: []oTensor{fT(4, 50)}},
		{name: "audio_pow_f32_bc", op: opPow, ins: []oTensor{fT(4, 50).within(0.01, 4), fT().with(f32bytes(2))}, outs: []oTensor{fT(4, 50)}},
		{name: "audio_pow_i32", op: opPow, ins: []oTensor{i32T(3, 17), i32T(17).with(i32bytes(0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 2, 1))}, outs: []oTensor{i32T(3, 17)}},
	}
}
