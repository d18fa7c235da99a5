package tflite

import "math"

// Builtin codes and options of the 16x8 and audio specs, besides those in
// oracle_test.go.
const (
	opReshape, optReshape = 22, 17
	opSin                 = 66
	opLog                 = 73
	opPow                 = 78
	opCos                 = 108
	opRFFT2D              = 131
	opImag, opReal        = 133, 134
	opComplexAbs          = 135
	opSum                 = 74
	tensorInt64Bias       = tensorInt64
	q16In                 = float32(1.0 / 8192) // inputs span [-4, 4)
)

// layer16 is a 16x8 layer's weights: int8 along axis (one scale per output
// channel when perChannel) and an int64 (or int32) bias, scaled so that the
// outputs, whose scale outScale returns, use about a quarter of the int16
// range per standard deviation.
func layer16(k, cout, axis int32, perChannel, bias32 bool, shape ...int32) (w, b oTensor, outScale float32) {
	const wScale = 0.01
	w = oTensor{typ: tensorInt8, shape: shape, axis: axis, fixed: true}
	b = oTensor{typ: tensorInt64Bias, shape: []int32{cout}, fixed: true}
	if bias32 {
		b.typ = tensorInt32
	}
	n := int32(1)
	if perChannel {
		n = cout
	}
	for c := range n {
		s := wScale * float32(2+c%3) / 3
		w.scale, w.zp = append(w.scale, s), append(w.zp, 0)
		b.scale, b.zp = append(b.scale, q16In*s), append(b.zp, 0)
	}
	// Input and weight deviations: 32768/√3 and 127/√3 steps.
	std := float32(math.Sqrt(float64(k))) * 32768 * 127 / 3 * q16In * wScale
	return w, b, std / 8192
}

func conv16Spec(name string, g convGeom, bias32 bool) oracleSpec {
	oh, ow := g.outSize(g.h), g.outSize(g.w)
	w, b, os := layer16(g.k*g.k*g.cin, g.cout, 0, g.perChannel, bias32, g.cout, g.k, g.k, g.cin)
	opts := fbt{0: g.pad, 1: g.stride, 2: g.stride, 3: g.act, 4: g.dil, 5: g.dil}
	if bias32 {
		// quantized_bias_type INT32: without it TFLite reads the bias
		// as int64.
		opts[6] = tensorInt32
	}
	return oracleSpec{
		name: name, op: opConv, optType: optConv, opts: opts,
		ins:  []oTensor{q16T(q16In, 1, g.h, g.w, g.cin), w, b},
		outs: []oTensor{q16T(os, 1, oh, ow, g.cout)},
	}
}

func depthwise16Spec(name string, g convGeom) oracleSpec {
	oh, ow := g.outSize(g.h), g.outSize(g.w)
	mult := int32(1)
	if g.mult {
		mult = 2
	}
	cout := g.cin * mult
	w, b, os := layer16(g.k*g.k, cout, 3, g.perChannel, false, 1, g.k, g.k, cout)
	return oracleSpec{
		name: name, op: opDepthwise, optType: optDepthwise,
		opts: fbt{0: g.pad, 1: g.stride, 2: g.stride, 3: mult, 4: g.act, 5: g.dil, 6: g.dil},
		ins:  []oTensor{q16T(q16In, 1, g.h, g.w, g.cin), w, b},
		outs: []oTensor{q16T(os, 1, oh, ow, cout)},
	}
}

func fc16Spec(name string, rows, depth, units int32, act uint8, perChannel, bias32 bool) oracleSpec {
	w, b, os := layer16(depth, units, 0, perChannel, bias32, units, depth)
	return oracleSpec{
		name: name, op: opFullyConnected, optType: optFC, opts: fbt{0: act},
		ins:  []oTensor{q16T(q16In, rows, depth), w, b},
		outs: []oTensor{q16T(os, rows, units)},
	}
}

// transpose16Spec is a 16x8 TRANSPOSE_CONV (sizes as transposeSpec), with
// an int64 bias, an int32 one (bias32), or none.
func transpose16Spec(name string, g convGeom, bias, bias32 bool) oracleSpec {
	oh, ow := g.h*g.stride, g.w*g.stride
	if g.pad == padValid {
		oh, ow = (g.h-1)*g.stride+g.k, (g.w-1)*g.stride+g.k
	}
	w, b, os := layer16(max(g.k*g.k*g.cin/(g.stride*g.stride), 1), g.cout, 0, g.perChannel, bias32, g.cout, g.k, g.k, g.cin)
	ins := []oTensor{i32T(4).with(i32bytes(1, oh, ow, g.cout)), w, q16T(q16In, 1, g.h, g.w, g.cin)}
	opts := fbt{0: g.pad, 1: g.stride, 2: g.stride, 3: g.act}
	if bias {
		ins = append(ins, b)
	}
	if bias32 {
		opts[4] = tensorInt32
	}
	return oracleSpec{
		name: name, op: opTransposeConv, optType: optTransposeC, opts: opts,
		ins:  ins,
		outs: []oTensor{q16T(os, 1, oh, ow, g.cout)},
	}
}

// rhs8 is a constant int8 BATCH_MATMUL rhs with zero point 0 and the
// given scales (more than one: per channel along the last axis).
func rhs8(scales []float32, shape ...int32) oTensor {
	return oTensor{typ: tensorInt8, shape: shape, scale: scales, zp: make([]int64, len(scales)), axis: int32(len(shape) - 1), fixed: true}
}

// int16Specs are the 16x8 specs (names start with q16_).
func int16Specs() []oracleSpec {
	q := q16T
	// noPOT is the ADD/SUB option the converter writes for 16x8 models.
	noPOT := func(act uint8) fbt { return fbt{0: act, 1: false} }
	specs := []oracleSpec{
		{name: "q16_add", op: opAdd, optType: optAdd, opts: noPOT(actNone), ins: []oTensor{q(0.0005852501, 1, 5, 64), q(0.0008069296, 1, 5, 64)}, outs: []oTensor{q(0.0010244421, 1, 5, 64)}},
		{name: "q16_add_bc_relu", op: opAdd, optType: optAdd, opts: noPOT(actRelu), ins: []oTensor{q(0.0003, 2, 6, 8), q(0.0007, 8)}, outs: []oTensor{q(0.0004, 2, 6, 8)}},
		{name: "q16_add_pot", op: opAdd, optType: optAdd, opts: fbt{0: actNone}, ins: []oTensor{q(1.0/4096, 3, 50), q(1.0/1024, 3, 50)}, outs: []oTensor{q(1.0/1024, 3, 50)}},
		{name: "q16_sub", op: opSub, optType: optSub, opts: noPOT(actNone), ins: []oTensor{q(0.0009693716, 2, 12, 16), q(0.00061, 2, 12, 16)}, outs: []oTensor{q(0.0005941494, 2, 12, 16)}},
		{name: "q16_sub_bc", op: opSub, optType: optSub, opts: noPOT(actNone), ins: []oTensor{q(0.0009693716, 1, 2, 12, 16), q(8.709842e-06, 16)}, outs: []oTensor{q(0.0005941494, 1, 2, 12, 16)}},
		{name: "q16_sub_pot_bc", op: opSub, optType: optSub, opts: fbt{0: actNone}, ins: []oTensor{q(1.0/2048, 3, 50), q(1.0/256, 50)}, outs: []oTensor{q(1.0/256, 3, 50)}},
		{name: "q16_mul", op: opMul, optType: optMul, ins: []oTensor{q(0.0003, 4, 40), q(0.0002, 4, 40)}, outs: []oTensor{q(0.00002, 4, 40)}},
		{name: "q16_mul_bc_relu6", op: opMul, optType: optMul, opts: fbt{0: actRelu6}, ins: []oTensor{q(0.0003, 4, 40), q(0.0002, 40)}, outs: []oTensor{q(0.0002, 4, 40)}},
		{name: "q16_max_bc", op: opMaximum, ins: []oTensor{q(0.0004, 4, 50), q(0.0004, 50)}, outs: []oTensor{q(0.0004, 4, 50)}},
		{name: "q16_min", op: opMinimum, ins: []oTensor{q(0.0004, 4, 50), q(0.0004, 4, 50)}, outs: []oTensor{q(0.0004, 4, 50)}},
		fc16Spec("q16_fc", 1, 64, 10, actNone, false, false),
		fc16Spec("q16_fc_rows_relu", 3, 20, 12, actRelu, false, false),
		fc16Spec("q16_fc_bias32", 2, 33, 7, actNone, false, true),
		fc16Spec("q16_fc_per_channel", 2, 40, 9, actRelu6, true, false),
		conv16Spec("q16_conv_same_s1", convGeom{h: 7, w: 9, cin: 5, cout: 6, k: 3, stride: 1, dil: 1, pad: padSame, perChannel: true}, false),
		conv16Spec("q16_conv_valid_s2_relu", convGeom{h: 9, w: 9, cin: 3, cout: 5, k: 3, stride: 2, dil: 1, pad: padValid, act: actRelu, perChannel: true}, false),
		conv16Spec("q16_conv_same_d2", convGeom{h: 8, w: 8, cin: 3, cout: 4, k: 3, stride: 1, dil: 2, pad: padSame, perChannel: true}, false),
		conv16Spec("q16_conv_pointwise_bias32", convGeom{h: 6, w: 6, cin: 16, cout: 8, k: 1, stride: 1, dil: 1, pad: padSame, perChannel: true}, true),
		depthwise16Spec("q16_depthwise_same_s1", convGeom{h: 7, w: 9, cin: 8, k: 3, stride: 1, dil: 1, pad: padSame, perChannel: true}),
		depthwise16Spec("q16_depthwise_valid_s2_relu6", convGeom{h: 10, w: 9, cin: 4, k: 3, stride: 2, dil: 1, pad: padValid, act: actRelu6, perChannel: true}),
		depthwise16Spec("q16_depthwise_mult2_d2", convGeom{h: 8, w: 8, cin: 3, k: 3, stride: 1, dil: 2, pad: padSame, mult: true, perChannel: true}),
		// BATCH_MATMUL int16 x int8 (constant) and int16 x int16: inputs
		// span [-4, 4), int8 weights [-1.27, 1.27], int16 rhs [-2, 2).
		bmm("q16_bmm_i8", false, false, false, q(q16In, 2, 3, 16), rhs8([]float32{0.01}, 16, 5), q(0.0033, 2, 3, 5)),
		bmm("q16_bmm_i8_adj_bcast", true, true, false, q(q16In, 2, 16, 3), rhs8([]float32{0.01}, 1, 5, 16), q(0.0033, 2, 3, 5)),
		bmm("q16_bmm_i16", false, false, false, q(q16In, 2, 3, 16), q(1.0/16384, 2, 16, 5), q(0.005, 2, 3, 5)),
		bmm("q16_bmm_i16_adj_bcast", true, true, false, q(q16In, 3, 1, 16, 4), q(1.0/16384, 2, 6, 16), q(0.005, 3, 2, 4, 6)),
		// One scale per rhs channel: TFLite's kernel reads the legacy
		// per-tensor scale, 0, and outputs zeros.
		bmm("q16_bmm_i8_per_channel", false, false, false, q(q16In, 2, 3, 16), rhs8([]float32{0.01, 0.02, 0.015, 0.01, 0.03}, 16, 5), q(0.0033, 2, 3, 5)),
		transpose16Spec("q16_transpose_conv_same_s2_relu", convGeom{h: 5, w: 6, cin: 4, cout: 6, k: 3, stride: 2, pad: padSame, act: actRelu, perChannel: true}, true, false),
		transpose16Spec("q16_transpose_conv_valid_s2_nobias", convGeom{h: 5, w: 4, cin: 3, cout: 5, k: 3, stride: 2, pad: padValid, perChannel: true}, false, false),
		transpose16Spec("q16_transpose_conv_same_s1", convGeom{h: 6, w: 5, cin: 5, cout: 4, k: 3, stride: 1, pad: padSame, perChannel: true}, true, false),
		transpose16Spec("q16_transpose_conv_same_s2_k4_relu6", convGeom{h: 4, w: 5, cin: 4, cout: 3, k: 4, stride: 2, pad: padSame, act: actRelu6}, true, false),
		transpose16Spec("q16_transpose_conv_wide_bias32", convGeom{h: 8, w: 8, cin: 16, cout: 24, k: 3, stride: 2, pad: padSame, perChannel: true}, true, true),

		{name: "q16_leaky", op: opLeakyRelu, optType: optLeakyRelu, opts: fbt{0: float32(0.2)}, ins: []oTensor{q(0.0017488234, 1, 2, 160, 8)}, outs: []oTensor{q(0.0017488234, 1, 2, 160, 8)}},
		{name: "q16_leaky_rescale", op: opLeakyRelu, optType: optLeakyRelu, opts: fbt{0: float32(0.3)}, ins: []oTensor{q(0.0005, 300)}, outs: []oTensor{q(0.0003, 300)}},

		{name: "q16_quant_f32", op: opQuantize, ins: []oTensor{fT(1, 1000)}, outs: []oTensor{q(0.0002, 1, 1000)}},
		{name: "q16_quant_i16_i16", op: opQuantize, ins: []oTensor{q(0.0005, 1, 300)}, outs: []oTensor{q(0.0003, 1, 300)}},
		{name: "q16_quant_i16_i8", op: opQuantize, ins: []oTensor{q(0.0005, 1, 300)}, outs: []oTensor{q8T(0.06, 3, 1, 300)}},
		{name: "q16_quant_i8_i16", op: opQuantize, ins: []oTensor{q8T(0.05, -3, 1, 300)}, outs: []oTensor{q(0.0004, 1, 300)}},
		{name: "q16_quant_i16_i32", op: opQuantize, ins: []oTensor{q(0.00049431244, 1, 300)}, outs: []oTensor{{typ: tensorInt32, shape: []int32{1, 300}, scale: []float32{1.4901161e-07}, zp: []int64{0}}}},
		{name: "q16_quant_i32_i16", op: opQuantize, ins: []oTensor{{typ: tensorInt32, shape: []int32{1, 300}, scale: []float32{0.01}, zp: []int64{0}}}, outs: []oTensor{q(0.003, 1, 300)}},
		{name: "q16_quant_i32_i8", op: opQuantize, ins: []oTensor{{typ: tensorInt32, shape: []int32{1, 300}, scale: []float32{0.01}, zp: []int64{0}}}, outs: []oTensor{q8T(0.01, 5, 1, 300)}},
		{name: "q16_quant_u8_i16", op: opQuantize, ins: []oTensor{u8T(0.05, 120, 1, 300)}, outs: []oTensor{q(0.0004, 1, 300)}},
		{name: "q16_dequant", op: opDequantize, ins: []oTensor{q(0.0005, 6, 50)}, outs: []oTensor{fT(6, 50)}},

		{name: "q16_relu", op: opRelu, ins: []oTensor{q(0.0005, 300)}, outs: []oTensor{q(0.0003, 300)}},
		{name: "q16_relu6", op: opRelu6, ins: []oTensor{q(0.0005, 300)}, outs: []oTensor{q(6.0/32767, 300)}},
		{name: "q16_logistic", op: opLogistic, ins: []oTensor{q(0.00031, 1, 500)}, outs: []oTensor{q(1.0/32768, 1, 500)}},
		{name: "q16_logistic_pot", op: opLogistic, ins: []oTensor{q(1.0/1024, 1, 500)}, outs: []oTensor{q(1.0/32768, 1, 500)}},
		// LiteRT's optimized kernel takes these power-of-two scales in
		// gemmlowp fixed point, and so does the engine.
		{name: "q16_logistic_pot12", op: opLogistic, ins: []oTensor{q(1.0/4096, 1, 500)}, outs: []oTensor{q(1.0/32768, 1, 500)}},
		{name: "q16_tanh_pot11", op: opTanh, ins: []oTensor{q(1.0/2048, 1, 500)}, outs: []oTensor{q(1.0/32768, 1, 500)}},
		{name: "q16_tanh_pot12", op: opTanh, ins: []oTensor{q(1.0/4096, 1, 500)}, outs: []oTensor{q(1.0/32768, 1, 500)}},
		{name: "q16_logistic_pot12_all", op: opLogistic, ins: []oTensor{q(1.0/4096, 1, 65536).with(allInt16())}, outs: []oTensor{q(1.0/32768, 1, 65536)}},
		{name: "q16_tanh_pot12_all", op: opTanh, ins: []oTensor{q(1.0/4096, 1, 65536).with(allInt16())}, outs: []oTensor{q(1.0/32768, 1, 65536)}},
		{name: "q16_tanh_pot11_all", op: opTanh, ins: []oTensor{q(1.0/2048, 1, 65536).with(allInt16())}, outs: []oTensor{q(1.0/32768, 1, 65536)}},
		{name: "q16_tanh", op: opTanh, ins: []oTensor{q(0.00017, 1, 500)}, outs: []oTensor{q(1.0/32768, 1, 500)}},
		{name: "q16_tanh_pot", op: opTanh, ins: []oTensor{q(1.0/8192, 1, 500)}, outs: []oTensor{q(1.0/32768, 1, 500)}},
		{name: "q16_softmax", op: opSoftmax, optType: optSoftmax, opts: fbt{0: float32(1)}, ins: []oTensor{q(0.0004, 4, 33)}, outs: []oTensor{q(1.0/32768, 4, 33)}},
		{name: "q16_softmax_beta", op: opSoftmax, optType: optSoftmax, opts: fbt{0: float32(0.7)}, ins: []oTensor{q(0.0002, 1, 1001)}, outs: []oTensor{q(1.0/32768, 1, 1001)}},
		{name: "q16_softmax_from_i8", op: opSoftmax, optType: optSoftmax, opts: fbt{0: float32(1)}, ins: []oTensor{q8T(0.14469251, 14, 3, 12)}, outs: []oTensor{q(1.0/32768, 3, 12)}},
		{name: "q16_softmax_from_u8", op: opSoftmax, optType: optSoftmax, opts: fbt{0: float32(1)}, ins: []oTensor{u8T(0.1, 128, 3, 40)}, outs: []oTensor{q(1.0/32768, 3, 40)}},

		{name: "q16_concat", op: opConcat, optType: optConcat, opts: fbt{0: int32(3)}, ins: []oTensor{q(0.0004, 1, 4, 4, 3), q(0.0004, 1, 4, 4, 5)}, outs: []oTensor{q(0.0004, 1, 4, 4, 8)}},
		{name: "q16_reshape", op: opReshape, optType: optReshape, opts: fbt{0: []int32{4, 30}}, ins: []oTensor{q(0.0004, 2, 3, 20), i32T(2).with(i32bytes(4, 30))}, outs: []oTensor{q(0.0004, 4, 30)}},
		{name: "q16_mean_hw_keep", op: opMean, optType: optReducer, opts: fbt{0: true}, ins: []oTensor{q(0.0005, 1, 8, 8, 16), i32T(2).with(i32bytes(1, 2))}, outs: []oTensor{q(0.0002, 1, 1, 1, 16)}},
		{name: "q16_mean_last", op: opMean, optType: optReducer, opts: fbt{0: false}, ins: []oTensor{q(0.0005, 3, 7, 12), i32T(1).with(i32bytes(2))}, outs: []oTensor{q(0.0005, 3, 7)}},
		{name: "q16_sum_last", op: opSum, optType: optReducer, opts: fbt{0: false}, ins: []oTensor{q(0.0001, 3, 7, 12), i32T(1).with(i32bytes(2))}, outs: []oTensor{q(0.0008, 3, 7)}},
		{name: "q16_avgpool_same_s2", op: opAvgPool, optType: optPool, opts: fbt{0: padSame, 1: int32(2), 2: int32(2), 3: int32(3), 4: int32(3)}, ins: []oTensor{q(0.0005, 1, 9, 11, 6)}, outs: []oTensor{q(0.0005, 1, 5, 6, 6)}},
		{name: "q16_avgpool_valid_relu6", op: opAvgPool, optType: optPool, opts: fbt{0: padValid, 1: int32(1), 2: int32(1), 3: int32(2), 4: int32(2), 5: actRelu6}, ins: []oTensor{q(0.0005, 1, 9, 11, 6)}, outs: []oTensor{q(0.0005, 1, 8, 10, 6)}},
		{name: "q16_maxpool_same_s2", op: opMaxPool, optType: optPool, opts: fbt{0: padSame, 1: int32(2), 2: int32(2), 3: int32(3), 4: int32(3)}, ins: []oTensor{q(0.0005, 1, 9, 11, 6)}, outs: []oTensor{q(0.0005, 1, 5, 6, 6)}},
		{name: "q16_maxpool_valid_relu", op: opMaxPool, optType: optPool, opts: fbt{0: padValid, 1: int32(2), 2: int32(2), 3: int32(2), 4: int32(2), 5: actRelu}, ins: []oTensor{q(0.0005, 1, 9, 11, 6)}, outs: []oTensor{q(0.0005, 1, 4, 5, 6)}},

		{name: "q16_rsqrt", op: opRsqrt, ins: []oTensor{q(0.0004, 4, 300).with(nonNegative16(1200))}, outs: []oTensor{q(0.002, 4, 300)}},

		resizeSpec("q16_resize_half_pixel", q(0.0004, 1, 5, 7, 4), 9, 13, false, true),
		resizeSpec("q16_resize_align_corners", q(0.0004, 1, 5, 7, 4), 9, 13, true, false),
		resizeSpec("q16_resize_plain_down", q(0.0004, 2, 9, 13, 3), 5, 7, false, false),

		{name: "q16_pad", op: opPad, optType: optPad, ins: []oTensor{q(0.00088122545, 1, 2, 160, 2), i32T(4, 2).with(i32bytes(0, 0, 0, 0, 3, 3, 0, 0))}, outs: []oTensor{q(0.00088122545, 1, 2, 166, 2)}},
	}
	return specs
}

// allInt16 is every int16 value, from -32768 up.
func allInt16() []byte {
	b := make([]byte, 0, 2<<16)
	for v := math.MinInt16; v <= math.MaxInt16; v++ {
		b = append(b, byte(v), byte(v>>8))
	}
	return b
}

// nonNegative16 is n int16 values spread over [0, 32767].
func nonNegative16(n int) []byte {
	b := make([]byte, 0, 2*n)
	for i := range n {
		b = append(b, byte(i*27), byte(i*27>>8)&0x7F)
	}
	return b
}
