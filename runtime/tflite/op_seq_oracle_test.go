package tflite

// seqOracleSpecs are the oracle specs of the stateless operators the
// sequence models need (the stateful ones, LSTM and SVDF, LiteRT refuses:
// they are checked against the conformance models and float64 references).
func seqOracleSpecs() []oracleSpec {
	q16 := func(scale float32, zp int64, shape ...int32) oTensor {
		return oTensor{typ: tensorInt16, shape: shape, scale: []float32{scale}, zp: []int64{zp}}
	}
	return []oracleSpec{
		// The keyword-spotting model's input and output quantizations.
		{name: "quant_i16_i8_kws", op: opQuantize, ins: []oTensor{q16(0.000625, 0, 1, 96)}, outs: []oTensor{q8T(0.059208333, -128, 1, 96)}},
		{name: "quant_i16_i8_zp", op: opQuantize, ins: []oTensor{q16(0.001, 0, 3, 50)}, outs: []oTensor{q8T(0.1, 7, 3, 50)}},
		{name: "quant_i16_i32_kws", op: opQuantize, ins: []oTensor{q16(1.5259022e-05, -32768, 1, 2)}, outs: []oTensor{{typ: tensorInt32, shape: []int32{1, 2}, scale: []float32{3.051851e-05}, zp: []int64{0}}}},
		{name: "quant_i16_i32_wide", op: opQuantize, ins: []oTensor{q16(0.02, 0, 4, 30)}, outs: []oTensor{{typ: tensorInt32, shape: []int32{4, 30}, scale: []float32{0.0003}, zp: []int64{5}}}},
		{name: "softmax_i8_i16_kws", op: opSoftmax, optType: optSoftmax, opts: fbt{0: float32(1)}, ins: []oTensor{q8T(0.06996273, 2, 1, 2)}, outs: []oTensor{q16(1.5259022e-05, -32768, 1, 2)}},
		{name: "softmax_i8_i16_rows", op: opSoftmax, optType: optSoftmax, opts: fbt{0: float32(1)}, ins: []oTensor{q8T(0.1, -3, 6, 37)}, outs: []oTensor{q16(1.0/65536, -32768, 6, 37)}},
	}
}
