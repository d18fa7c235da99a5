package tflite

// Oracle specs of the breadth operators: comparisons, logic, selection,
// shape and data-movement operators, element-wise math and reductions that
// converter output commonly holds.

// Builtin operator codes and options union types of the breadth specs.
const (
	opEmbeddingLookup             = 7
	opFloor                       = 8
	opL2Norm, optL2Norm           = 11, 14
	opLRN, optLRN                 = 13, 15
	opGather, optGather           = 36, 20
	opBatchToSpace                = 37
	opSpaceToBatch                = 38
	opTopK                        = 48
	opLogSoftmax                  = 50
	opLess                        = 58
	opGreater, opGreaterEqual     = 61, 62
	opLessEqual                   = 63
	opSelect                      = 64
	opEqual, opNotEqual           = 71, 72
	opShape, optShape             = 77, 55
	opReduceProd                  = 81
	opLogicalOr                   = 84
	opOneHot, optOneHot           = 85, 69
	opLogicalAnd, opLogicalNot    = 86, 87
	opReduceAny                   = 91
	opSquare, opZerosLike, opFill = 92, 93, 94
	opFloorMod, opRange           = 95, 96
	opCeil, opReverseV2           = 104, 105
	opWhere                       = 109
	opElu                         = 111
	opRound                       = 116
	opScatterND                   = 122
	opSelectV2                    = 123
	opCumsum, optCumsum           = 128, 110
	opBroadcastTo                 = 130
	opReduceAll                   = 140
	opGelu, optGelu               = 150, 119
	opRelu0To1                    = 152
	opAtan2                       = 156
	opSign                        = 158
)

func boolT(shape ...int32) oTensor { return oTensor{typ: tensorBool, shape: shape} }

func i64T(shape ...int32) oTensor { return oTensor{typ: tensorInt64, shape: shape} }

func i64bytes(v ...int64) []byte {
	b := make([]byte, 0, 8*len(v))
	for _, x := range v {
		b = append(b, byte(x), byte(x>>8), byte(x>>16), byte(x>>24), byte(x>>32), byte(x>>40), byte(x>>48), byte(x>>56))
	}
	return b
}

func boolBytes(v ...bool) []byte {
	b := make([]byte, len(v))
	for i, x := range v {
		if x {
			b[i] = 1
		}
	}
	return b
}

func breadthSpecs() []oracleSpec {
	f, q8, u8, i32, i64, bl := fT, q8T, u8T, i32T, i64T, boolT
	var specs []oracleSpec

	// Comparisons: every type TFLite takes, with broadcasting; integer
	// operands in a narrow range so that equal pairs occur.
	for _, c := range []struct {
		name string
		op   int32
	}{{"less", opLess}, {"less_equal", opLessEqual}, {"greater", opGreater}, {"greater_equal", opGreaterEqual}, {"equal", opEqual}, {"not_equal", opNotEqual}} {
		specs = append(specs,
			oracleSpec{name: c.name + "_f32_bc", op: c.op, ins: []oTensor{f(3, 1, 5), f(4, 1)}, outs: []oTensor{bl(3, 4, 5)}},
			oracleSpec{name: c.name + "_i32", op: c.op, ins: []oTensor{i32(4, 6).within(-3, 3), i32(4, 6).within(-3, 3)}, outs: []oTensor{bl(4, 6)}},
			oracleSpec{name: c.name + "_i64_scalar", op: c.op, ins: []oTensor{i64(2, 9).within(-3, 3), i64().with(i64bytes(1))}, outs: []oTensor{bl(2, 9)}},
			oracleSpec{name: c.name + "_i8_requant", op: c.op, ins: []oTensor{q8(0.05, -3, 5, 8), q8(0.1, 4, 8)}, outs: []oTensor{bl(5, 8)}},
			oracleSpec{name: c.name + "_u8_same", op: c.op, ins: []oTensor{u8(0.05, 128, 40), u8(0.05, 128, 40)}, outs: []oTensor{bl(40)}},
		)
	}
	specs = append(specs,
		oracleSpec{name: "equal_bool_bc", op: opEqual, ins: []oTensor{bl(3, 4), bl(4)}, outs: []oTensor{bl(3, 4)}},
		oracleSpec{name: "not_equal_bool", op: opNotEqual, ins: []oTensor{bl(12), bl(12)}, outs: []oTensor{bl(12)}},

		// Logic.
		oracleSpec{name: "logical_and_bc", op: opLogicalAnd, ins: []oTensor{bl(3, 1, 4), bl(5, 1)}, outs: []oTensor{bl(3, 5, 4)}},
		oracleSpec{name: "logical_or", op: opLogicalOr, ins: []oTensor{bl(2, 10), bl(2, 10)}, outs: []oTensor{bl(2, 10)}},
		oracleSpec{name: "logical_not", op: opLogicalNot, ins: []oTensor{bl(3, 7)}, outs: []oTensor{bl(3, 7)}},

		// Selection.
		oracleSpec{name: "select_f32", op: opSelect, ins: []oTensor{bl(3, 5), f(3, 5), f(3, 5)}, outs: []oTensor{f(3, 5)}},
		oracleSpec{name: "select_i32_rows", op: opSelect, ins: []oTensor{bl(4), i32(4, 3, 2), i32(4, 3, 2)}, outs: []oTensor{i32(4, 3, 2)}},
		oracleSpec{name: "select_i8", op: opSelect, ins: []oTensor{bl(20), q8(0.05, -3, 20), q8(0.05, -3, 20)}, outs: []oTensor{q8(0.05, -3, 20)}},
		oracleSpec{name: "select_v2_f32_bc", op: opSelectV2, ins: []oTensor{bl(3, 1), f(1, 4), f(3, 4)}, outs: []oTensor{f(3, 4)}},
		oracleSpec{name: "select_v2_i64_bc", op: opSelectV2, ins: []oTensor{bl(2, 1, 5), i64(4, 1), i64()}, outs: []oTensor{i64(2, 4, 5)}},
		oracleSpec{name: "select_v2_u8", op: opSelectV2, ins: []oTensor{bl(2, 6), u8(0.1, 128, 2, 6), u8(0.1, 128, 6)}, outs: []oTensor{u8(0.1, 128, 2, 6)}},
		oracleSpec{name: "select_v2_bool", op: opSelectV2, ins: []oTensor{bl(8), bl(8), bl(8)}, outs: []oTensor{bl(8)}},
	)
	return specs
}
