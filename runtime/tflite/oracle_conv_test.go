package tflite

// Oracle specs of PRELU, the hybrid and transposed convolutions and the
// sparse weights (see oracle_test.go).

const (
	opPRelu = 54
)

// convFamilySpecs are the oracle specs of this file.
func convFamilySpecs() []oracleSpec {
	f, q8, u8 := fT, q8T, u8T
	return []oracleSpec{
		// PRELU: one slope per channel (as MediaPipe's models have), a
		// full-shape slope, and quantized slopes of either sign.
		{name: "prelu_f32_channel", op: opPRelu, ins: []oTensor{f(1, 6, 7, 5), f(1, 1, 5).within(-1, 1).constant()}, outs: []oTensor{f(1, 6, 7, 5)}},
		{name: "prelu_f32_full", op: opPRelu, ins: []oTensor{f(2, 3, 4), f(2, 3, 4).within(-2, 2).constant()}, outs: []oTensor{f(2, 3, 4)}},
		{name: "prelu_f32_runtime_alpha", op: opPRelu, ins: []oTensor{f(1, 4, 4, 8), f(8)}, outs: []oTensor{f(1, 4, 4, 8)}},
		{name: "prelu_i8_channel", op: opPRelu, ins: []oTensor{q8(0.05, -3, 1, 6, 7, 5), q8(0.01, 2, 1, 1, 5).constant()}, outs: []oTensor{q8(0.04, 10, 1, 6, 7, 5)}},
		{name: "prelu_i8_full", op: opPRelu, ins: []oTensor{q8(0.1, 5, 3, 40), q8(0.004, -20, 3, 40).constant()}, outs: []oTensor{q8(0.08, -30, 3, 40)}},
		{name: "prelu_u8_channel", op: opPRelu, ins: []oTensor{u8(0.05, 128, 1, 6, 7, 5), u8(0.01, 100, 1, 1, 5).constant()}, outs: []oTensor{u8(0.04, 120, 1, 6, 7, 5)}},
	}
}
