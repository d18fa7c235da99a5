package tflite

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/runtime"
)

// Oracle specs of the breadth operators: comparisons, logic, selection,
// shape and data-movement operators, element-wise math and reductions that
// converter output commonly holds.

// Builtin operator codes and options union types of the breadth specs.
const (
	opEmbeddingLookup               = 7
	opFloor                         = 8
	opL2Norm, optL2Norm             = 11, 12
	opLRN, optLRN                   = 13, 13
	opGather, optGather             = 36, 23
	opBatchToSpace                  = 37
	opSpaceToBatch                  = 38
	opTopK                          = 48
	opLogSoftmax                    = 50
	opLess                          = 58
	opGreater, opGreaterEqual       = 61, 62
	opLessEqual                     = 63
	opSelect                        = 64
	opEqual, opNotEqual             = 71, 72
	opShape, optShape               = 77, 55
	opReduceProd                    = 81
	opLogicalOr                     = 84
	opOneHot, optOneHot             = 85, 61
	opLogicalAnd, opLogicalNot      = 86, 87
	opReduceAny                     = 91
	opSquare, opZerosLike, opFill   = 92, 93, 94
	opFloorMod, opRange             = 95, 96
	opCeil, opReverseV2             = 104, 105
	opWhere                         = 109
	opElu                           = 111
	opRound                         = 116
	opScatterND                     = 122
	opSelectV2                      = 123
	opCumsum, optCumsum             = 128, 102
	opBroadcastTo                   = 130
	opReduceAll                     = 140
	opSpaceToDepth, optSpaceToDepth = 26, 19
	opAddN, opRank                  = 106, 110
	opDynamicUpdateSlice            = 151
	opSegmentProd, opSegmentMax     = 153, 154
	opSegmentSum, opSegmentMin      = 155, 157
	opGelu, optGelu                 = 150, 116
	opRelu0To1                      = 152
	opAtan2                         = 156
	opSign                          = 158
)

// tfjsTFLite is the tflite-ref engine for outputs LiteRT does not copy out
// (see oracleSpec.engine).
const tfjsTFLite = "tfjs-tflite"

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

	// Element-wise math, float and (where TFLite has them) 8-bit forms, all
	// bit for bit.
	specs = append(specs,
		oracleSpec{name: "floor_f32", op: opFloor, ins: []oTensor{f(3, 40)}, outs: []oTensor{f(3, 40)}},
		oracleSpec{name: "ceil_f32", op: opCeil, ins: []oTensor{f(3, 40)}, outs: []oTensor{f(3, 40)}},
		oracleSpec{name: "round_f32", op: opRound, ins: []oTensor{f(8).with(f32bytes(-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.49, -3.51))}, outs: []oTensor{f(8)}},
		oracleSpec{name: "round_f32_rand", op: opRound, ins: []oTensor{f(3, 40)}, outs: []oTensor{f(3, 40)}},
		oracleSpec{name: "square_f32", op: opSquare, ins: []oTensor{f(3, 40)}, outs: []oTensor{f(3, 40)}},
		oracleSpec{name: "elu_f32", op: opElu, ins: []oTensor{f(3, 40)}, outs: []oTensor{f(3, 40)}},
		oracleSpec{name: "elu_i8", op: opElu, ins: []oTensor{q8(0.05, -3, 300)}, outs: []oTensor{q8(0.03, 10, 300)}},
		oracleSpec{name: "relu_0_to_1_f32", op: opRelu0To1, ins: []oTensor{f(3, 40).within(-1, 2)}, outs: []oTensor{f(3, 40)}},
		oracleSpec{name: "gelu_f32", op: opGelu, optType: optGelu, ins: []oTensor{f(3, 40)}, outs: []oTensor{f(3, 40)}, atol: 1e-6, rtol: 1e-5},
		oracleSpec{name: "gelu_f32_approx", op: opGelu, optType: optGelu, opts: fbt{0: true}, ins: []oTensor{f(3, 40)}, outs: []oTensor{f(3, 40)}, atol: 1e-6, rtol: 1e-5},
		oracleSpec{name: "gelu_i8", op: opGelu, optType: optGelu, ins: []oTensor{q8(0.05, -3, 300)}, outs: []oTensor{q8(0.03, -20, 300)}},
		oracleSpec{name: "gelu_u8_approx", op: opGelu, optType: optGelu, opts: fbt{0: true}, ins: []oTensor{u8(0.05, 128, 300)}, outs: []oTensor{u8(0.03, 100, 300)}},
		oracleSpec{name: "sign_f32", op: opSign, ins: []oTensor{f(6).with(f32bytes(-2, 0, 3, -0.5, 1e-30, 0))}, outs: []oTensor{f(6)}},
		oracleSpec{name: "sign_i32", op: opSign, ins: []oTensor{i32(5, 8).within(-2, 2)}, outs: []oTensor{i32(5, 8)}},
		oracleSpec{name: "floor_mod_i32", op: opFloorMod, ins: []oTensor{i32(3, 8), i32(8).with(i32bytes(3, -3, 7, -7, 1, 100, -1, 5))}, outs: []oTensor{i32(3, 8)}},
		oracleSpec{name: "floor_mod_i64", op: opFloorMod, ins: []oTensor{i64(3, 4), i64().with(i64bytes(-6))}, outs: []oTensor{i64(3, 4)}},
		oracleSpec{name: "floor_mod_f32", op: opFloorMod, ins: []oTensor{f(3, 8), f(3, 1).within(0.5, 2)}, outs: []oTensor{f(3, 8)}},
		oracleSpec{name: "atan2_f32", op: opAtan2, ins: []oTensor{f(4, 10), f(4, 10)}, outs: []oTensor{f(4, 10)}},
		oracleSpec{name: "log_softmax_f32", op: opLogSoftmax, ins: []oTensor{f(5, 33)}, outs: []oTensor{f(5, 33)}},
		oracleSpec{name: "l2norm_f32", op: opL2Norm, optType: optL2Norm, ins: []oTensor{f(2, 3, 20)}, outs: []oTensor{f(2, 3, 20)}},
		oracleSpec{name: "log_softmax_i8", op: opLogSoftmax, ins: []oTensor{q8(0.1, -3, 4, 30)}, outs: []oTensor{q8(16.0/256, 127, 4, 30)}},
		oracleSpec{name: "log_softmax_u8", op: opLogSoftmax, ins: []oTensor{u8(0.05, 128, 3, 50)}, outs: []oTensor{u8(16.0/256, 255, 3, 50)}},
		oracleSpec{name: "l2norm_i8", op: opL2Norm, optType: optL2Norm, ins: []oTensor{q8(0.05, -3, 3, 40)}, outs: []oTensor{q8(1.0/128, 0, 3, 40)}},
		oracleSpec{name: "l2norm_u8", op: opL2Norm, optType: optL2Norm, ins: []oTensor{u8(0.05, 128, 2, 3, 20)}, outs: []oTensor{u8(1.0/128, 128, 2, 3, 20)}},
		oracleSpec{name: "lrn_f32", op: opLRN, optType: optLRN, opts: fbt{0: int32(2), 1: float32(1.5), 2: float32(0.3), 3: float32(0.75)}, ins: []oTensor{f(1, 3, 3, 12)}, outs: []oTensor{f(1, 3, 3, 12)}},
	)

	// Shapes, constant patterns and rearrangements. No golden covers int64
	// SHAPE or RANGE: LiteRT does not copy out outputs computed at Prepare
	// and tfjs-tflite neither exposes int64 tensors nor has int64 RANGE.
	specs = append(specs,
		oracleSpec{name: "shape_f32_i32", engine: tfjsTFLite, op: opShape, optType: optShape, opts: fbt{0: tensorInt32}, ins: []oTensor{f(2, 3, 5)}, outs: []oTensor{i32(3)}},
		oracleSpec{name: "shape_i8", engine: tfjsTFLite, op: opShape, optType: optShape, opts: fbt{0: tensorInt32}, ins: []oTensor{q8(0.05, -3, 1, 4, 2, 6)}, outs: []oTensor{i32(4)}},
		oracleSpec{name: "range_i32", engine: tfjsTFLite, op: opRange, ins: []oTensor{i32().with(i32bytes(2)), i32().with(i32bytes(17)), i32().with(i32bytes(3))}, outs: []oTensor{i32(5)}},
		oracleSpec{name: "range_i32_down", engine: tfjsTFLite, op: opRange, ins: []oTensor{i32().with(i32bytes(10)), i32().with(i32bytes(-3)), i32().with(i32bytes(-4))}, outs: []oTensor{i32(4)}},
		oracleSpec{name: "range_f32", engine: tfjsTFLite, op: opRange, ins: []oTensor{f().with(f32bytes(0.5)), f().with(f32bytes(3.1)), f().with(f32bytes(0.4))}, outs: []oTensor{f(7)}},
		oracleSpec{name: "fill_f32", op: opFill, ins: []oTensor{i32(2).with(i32bytes(2, 3)), f()}, outs: []oTensor{f(2, 3)}},
		oracleSpec{name: "fill_i32_dims64", op: opFill, ins: []oTensor{i64(3).with(i64bytes(2, 1, 4)), i32()}, outs: []oTensor{i32(2, 1, 4)}},
		oracleSpec{name: "fill_i64", op: opFill, ins: []oTensor{i32(1).with(i32bytes(5)), i64()}, outs: []oTensor{i64(5)}},
		oracleSpec{name: "fill_bool", op: opFill, ins: []oTensor{i32(2).with(i32bytes(3, 3)), bl().with(boolBytes(true))}, outs: []oTensor{bl(3, 3)}},
		oracleSpec{name: "zeros_like_f32", op: opZerosLike, ins: []oTensor{f(3, 7)}, outs: []oTensor{f(3, 7)}},
		oracleSpec{name: "zeros_like_i32", op: opZerosLike, ins: []oTensor{i32(3, 7)}, outs: []oTensor{i32(3, 7)}},
		oracleSpec{name: "zeros_like_i64", op: opZerosLike, ins: []oTensor{i64(9)}, outs: []oTensor{i64(9)}},
		oracleSpec{name: "broadcast_to_f32", op: opBroadcastTo, version: 2, ins: []oTensor{f(3, 1), i32(3).with(i32bytes(2, 3, 4))}, outs: []oTensor{f(2, 3, 4)}},
		oracleSpec{name: "broadcast_to_i8", op: opBroadcastTo, version: 2, ins: []oTensor{q8(0.05, -3, 1, 5), i64(2).with(i64bytes(3, 5))}, outs: []oTensor{q8(0.05, -3, 3, 5)}},
		oracleSpec{name: "broadcast_to_bool", op: opBroadcastTo, version: 2, ins: []oTensor{bl(2, 1, 3), i32(3).with(i32bytes(2, 4, 3))}, outs: []oTensor{bl(2, 4, 3)}},
		oracleSpec{name: "broadcast_to_i32", op: opBroadcastTo, version: 2, ins: []oTensor{i32(4), i32(2).with(i32bytes(3, 4))}, outs: []oTensor{i32(3, 4)}},
		oracleSpec{name: "reverse_v2_f32", op: opReverseV2, ins: []oTensor{f(3, 4, 5), i32(1).with(i32bytes(1))}, outs: []oTensor{f(3, 4, 5)}},
		oracleSpec{name: "reverse_v2_i8_last", op: opReverseV2, ins: []oTensor{q8(0.05, -3, 2, 9), i32(1).with(i32bytes(-1))}, outs: []oTensor{q8(0.05, -3, 2, 9)}},
		oracleSpec{name: "reverse_v2_i32_two", op: opReverseV2, ins: []oTensor{i32(3, 4, 5), i32(2).with(i32bytes(0, 1))}, outs: []oTensor{i32(3, 4, 5)}},
		oracleSpec{name: "reverse_v2_u8", op: opReverseV2, ins: []oTensor{u8(0.1, 128, 6, 2), i32(1).with(i32bytes(0))}, outs: []oTensor{u8(0.1, 128, 6, 2)}},
		oracleSpec{name: "one_hot_f32", op: opOneHot, optType: optOneHot, opts: fbt{0: int32(-1)}, ins: []oTensor{i32(2, 4).within(-1, 4), i32().with(i32bytes(3)), f(), f()}, outs: []oTensor{f(2, 4, 3)}},
		oracleSpec{name: "one_hot_i32_axis0", op: opOneHot, optType: optOneHot, opts: fbt{0: int32(0)}, ins: []oTensor{i64(2, 3).within(0, 3), i32().with(i32bytes(4)), i32().with(i32bytes(7)), i32().with(i32bytes(-2))}, outs: []oTensor{i32(4, 2, 3)}},
		oracleSpec{name: "one_hot_bool_axis1", op: opOneHot, optType: optOneHot, opts: fbt{0: int32(1)}, ins: []oTensor{i32(3, 2).within(0, 2), i32().with(i32bytes(2)), bl().with(boolBytes(true)), bl().with(boolBytes(false))}, outs: []oTensor{bl(3, 2, 2)}},
		oracleSpec{name: "where_bool_const", op: opWhere, ins: []oTensor{bl(3, 4).with(boolBytes(true, false, false, true, false, false, false, false, true, true, false, true))}, outs: []oTensor{i64(5, 2)}},
		oracleSpec{name: "where_f32_const", op: opWhere, ins: []oTensor{f(2, 2, 2).with(f32bytes(0, 1.5, 0, 0, -2, 0, 0, 3))}, outs: []oTensor{i64(3, 3)}},
	)

	// Space to batch and back, 2 and 1 spatial dimensions.
	specs = append(specs,
		oracleSpec{name: "space_to_batch_f32", op: opSpaceToBatch, ins: []oTensor{f(1, 5, 6, 3), i32(2).with(i32bytes(2, 2)), i32(2, 2).with(i32bytes(1, 0, 0, 2))}, outs: []oTensor{f(4, 3, 4, 3)}},
		oracleSpec{name: "space_to_batch_i8", op: opSpaceToBatch, ins: []oTensor{q8(0.05, -3, 2, 4, 4, 2), i32(2).with(i32bytes(2, 2)), i32(2, 2).with(i32bytes(0, 0, 1, 1))}, outs: []oTensor{q8(0.05, -3, 8, 2, 3, 2)}},
		oracleSpec{name: "space_to_batch_f32_rank3", op: opSpaceToBatch, ins: []oTensor{f(2, 5, 3), i32(1).with(i32bytes(2)), i32(1, 2).with(i32bytes(1, 0))}, outs: []oTensor{f(4, 3, 3)}},
		oracleSpec{name: "batch_to_space_f32", op: opBatchToSpace, ins: []oTensor{f(4, 3, 4, 3), i32(2).with(i32bytes(2, 2)), i32(2, 2).with(i32bytes(1, 0, 0, 2))}, outs: []oTensor{f(1, 5, 6, 3)}},
		oracleSpec{name: "batch_to_space_i8", op: opBatchToSpace, ins: []oTensor{q8(0.05, -3, 8, 2, 3, 2), i32(2).with(i32bytes(2, 2)), i32(2, 2).with(i32bytes(0, 0, 1, 1))}, outs: []oTensor{q8(0.05, -3, 2, 4, 4, 2)}},
		oracleSpec{name: "batch_to_space_u8_rank3", op: opBatchToSpace, ins: []oTensor{u8(0.1, 128, 4, 3, 3), i32(1).with(i32bytes(2)), i32(1, 2).with(i32bytes(1, 0))}, outs: []oTensor{u8(0.1, 128, 2, 5, 3)}},
		oracleSpec{name: "batch_to_space_i32", op: opBatchToSpace, ins: []oTensor{i32(4, 2, 2, 1), i32(2).with(i32bytes(2, 2)), i32(2, 2).with(i32bytes(0, 0, 0, 0))}, outs: []oTensor{i32(1, 4, 4, 1)}},
	)

	// Reductions.
	specs = append(specs,
		oracleSpec{name: "reduce_prod_f32", op: opReduceProd, optType: optReducer, ins: []oTensor{f(3, 4, 5).within(0.5, 1.5), i32(1).with(i32bytes(1))}, outs: []oTensor{f(3, 5)}},
		oracleSpec{name: "reduce_prod_i32_keep", op: opReduceProd, optType: optReducer, opts: fbt{0: true}, ins: []oTensor{i32(2, 3, 4).within(-3, 3), i32(2).with(i32bytes(0, 2))}, outs: []oTensor{i32(1, 3, 1)}},
		oracleSpec{name: "reduce_prod_i64", op: opReduceProd, optType: optReducer, ins: []oTensor{i64(3, 4).within(-5, 5), i32(1).with(i32bytes(-1))}, outs: []oTensor{i64(3)}},
		oracleSpec{name: "reduce_any_bool", op: opReduceAny, optType: optReducer, ins: []oTensor{bl(3, 4), i32(1).with(i32bytes(1))}, outs: []oTensor{bl(3)}},
		oracleSpec{name: "reduce_all_bool_keep", op: opReduceAll, optType: optReducer, opts: fbt{0: true}, ins: []oTensor{bl(2, 3, 2), i32(2).with(i32bytes(0, 2))}, outs: []oTensor{bl(1, 3, 1)}},
		oracleSpec{name: "reduce_all_bool_rows", op: opReduceAll, optType: optReducer, ins: []oTensor{bl(6, 2), i32(1).with(i32bytes(1))}, outs: []oTensor{bl(6)}},
	)

	// Gathering with batch dimensions, lookups, scatter, running sums, top k.
	specs = append(specs,
		oracleSpec{name: "gather_f32_batch1", op: opGather, optType: optGather, version: 5, opts: fbt{0: int32(1), 1: int32(1)}, ins: []oTensor{f(2, 5, 3), i32(2, 4).within(0, 4)}, outs: []oTensor{f(2, 4, 3)}},
		oracleSpec{name: "gather_i8_batch1_axis2", op: opGather, optType: optGather, version: 5, opts: fbt{0: int32(2), 1: int32(1)}, ins: []oTensor{q8(0.05, -3, 2, 3, 6), i64(2, 2).within(0, 5)}, outs: []oTensor{q8(0.05, -3, 2, 3, 2)}},
		oracleSpec{name: "gather_i32_batch2", op: opGather, optType: optGather, version: 5, opts: fbt{0: int32(2), 1: int32(2)}, ins: []oTensor{i32(2, 3, 4, 2), i32(2, 3, 2).within(0, 3)}, outs: []oTensor{i32(2, 3, 2, 2)}},
		oracleSpec{name: "gather_f32_batch_neg", op: opGather, optType: optGather, version: 5, opts: fbt{0: int32(1), 1: int32(-1)}, ins: []oTensor{f(2, 5), i32(2, 4).within(0, 4)}, outs: []oTensor{f(2, 4)}},
		oracleSpec{name: "embedding_lookup_f32", op: opEmbeddingLookup, ins: []oTensor{i32(3).within(0, 4), f(5, 4)}, outs: []oTensor{f(3, 4)}},
		oracleSpec{name: "embedding_lookup_u8", op: opEmbeddingLookup, ins: []oTensor{i32(4).within(0, 5), u8(0.1, 128, 6, 2, 3)}, outs: []oTensor{u8(0.1, 128, 4, 2, 3)}},
		oracleSpec{name: "embedding_lookup_hybrid_i8", op: opEmbeddingLookup, ins: []oTensor{i32(3).within(0, 4), q8(0.02, 0, 5, 4)}, outs: []oTensor{f(3, 4)}},
		oracleSpec{name: "embedding_lookup_hybrid_u8", op: opEmbeddingLookup, ins: []oTensor{i32(3).within(0, 4), u8(0.02, 0, 5, 4)}, outs: []oTensor{f(3, 4)}},
		oracleSpec{name: "embedding_lookup_hybrid_i8_rows", op: opEmbeddingLookup, ins: []oTensor{i32(4).within(0, 3), {typ: tensorInt8, shape: []int32{4, 3}, scale: []float32{0.01, 0.02, 0.5, 0.03}, zp: []int64{0, 0, 0, 0}}}, outs: []oTensor{f(4, 3)}},
		oracleSpec{name: "scatter_nd_f32_dup", op: opScatterND, ins: []oTensor{i32(3, 1).with(i32bytes(0, 2, 0)), f(3, 4), i32(2).with(i32bytes(3, 4))}, outs: []oTensor{f(3, 4)}},
		oracleSpec{name: "scatter_nd_i32_k2", op: opScatterND, ins: []oTensor{i32(2, 2).with(i32bytes(1, 0, 2, 3)), i32(2), i32(2).with(i32bytes(4, 5))}, outs: []oTensor{i32(4, 5)}},
		oracleSpec{name: "scatter_nd_i8", op: opScatterND, ins: []oTensor{i32(2, 1).with(i32bytes(3, 1)), q8(0.05, 0, 2, 3), i32(2).with(i32bytes(5, 3))}, outs: []oTensor{q8(0.05, 0, 5, 3)}},
		oracleSpec{name: "cumsum_f32", op: opCumsum, optType: optCumsum, ins: []oTensor{f(3, 5), i32().with(i32bytes(1))}, outs: []oTensor{f(3, 5)}},
		oracleSpec{name: "cumsum_i32_exclusive_reverse", op: opCumsum, optType: optCumsum, opts: fbt{0: true, 1: true}, ins: []oTensor{i32(4, 3), i32().with(i32bytes(0))}, outs: []oTensor{i32(4, 3)}},
		oracleSpec{name: "cumsum_i64_last", op: opCumsum, optType: optCumsum, opts: fbt{1: true}, ins: []oTensor{i64(2, 3, 2), i32().with(i32bytes(-1))}, outs: []oTensor{i64(2, 3, 2)}},
		oracleSpec{name: "topk_f32", op: opTopK, ins: []oTensor{f(3, 20), i32().with(i32bytes(5))}, outs: []oTensor{f(3, 5), i32(3, 5)}},
		oracleSpec{name: "topk_i32_ties", op: opTopK, ins: []oTensor{i32(2, 10).within(-3, 3), i32().with(i32bytes(4))}, outs: []oTensor{i32(2, 4), i32(2, 4)}},
		oracleSpec{name: "topk_u8", op: opTopK, ins: []oTensor{u8(0.1, 128, 30), i32().with(i32bytes(3))}, outs: []oTensor{u8(0.1, 128, 3), i32(3)}},
		oracleSpec{name: "topk_i8_all", op: opTopK, ins: []oTensor{q8(0.05, -3, 2, 16), i32().with(i32bytes(16))}, outs: []oTensor{q8(0.05, -3, 2, 16), i32(2, 16)}},
	)

	// An unquantized uint8 input moved into a quantized output keeps its
	// bytes (a LiteRT test model does this); 8-bit RSQRT by table.
	specs = append(specs,
		oracleSpec{name: "space_to_depth_u8_raw_in", op: opSpaceToDepth, optType: optSpaceToDepth, opts: fbt{0: int32(2)}, ins: []oTensor{{typ: tensorUint8, shape: []int32{1, 4, 4, 3}}}, outs: []oTensor{u8(0.25, 127, 1, 2, 2, 12)}},
		oracleSpec{name: "rsqrt_i8", op: opRsqrt, ins: []oTensor{q8(0.05, -128, 300)}, outs: []oTensor{q8(0.02, -128, 300)}},
	)

	// Sums of many, ranks, slice updates and segment reductions. Segment
	// ids are constants: with ids computed at run time TFLite sizes the
	// output in Eval, and LiteRT then leaves its output buffer unwritten.
	specs = append(specs,
		oracleSpec{name: "add_n_f32", op: opAddN, ins: []oTensor{f(2, 5), f(2, 5), f(2, 5)}, outs: []oTensor{f(2, 5)}},
		oracleSpec{name: "add_n_i32", op: opAddN, ins: []oTensor{i32(7), i32(7)}, outs: []oTensor{i32(7)}},
		oracleSpec{name: "rank_f32", engine: tfjsTFLite, op: opRank, ins: []oTensor{f(2, 3, 4)}, outs: []oTensor{i32()}},
		oracleSpec{name: "dynamic_update_slice_f32", op: opDynamicUpdateSlice, ins: []oTensor{f(4, 5), f(2, 3), i32(2).with(i32bytes(1, 2))}, outs: []oTensor{f(4, 5)}},
		oracleSpec{name: "dynamic_update_slice_f32_clamp", op: opDynamicUpdateSlice, ins: []oTensor{f(4, 5), f(2, 3), i32(2).with(i32bytes(3, -1))}, outs: []oTensor{f(4, 5)}},
		oracleSpec{name: "dynamic_update_slice_i8_runtime", op: opDynamicUpdateSlice, ins: []oTensor{q8(0.05, -3, 3, 4, 6), q8(0.05, -3, 1, 2, 3), i32(3).within(-1, 4)}, outs: []oTensor{q8(0.05, -3, 3, 4, 6)}},
		oracleSpec{name: "dynamic_update_slice_bool_i64", op: opDynamicUpdateSlice, ins: []oTensor{bl(5, 4), bl(2, 4), i64(2).with(i64bytes(2, 0))}, outs: []oTensor{bl(5, 4)}},
		oracleSpec{name: "unsorted_segment_sum_f32", op: opSegmentSum, ins: []oTensor{f(6, 3), i32(6).with(i32bytes(0, 2, 0, -1, 3, 2)), i32().with(i32bytes(4))}, outs: []oTensor{f(4, 3)}},
		oracleSpec{name: "unsorted_segment_max_i32", op: opSegmentMax, ins: []oTensor{i32(5), i32(5).with(i32bytes(1, 0, 1, 2, 0)), i32().with(i32bytes(4))}, outs: []oTensor{i32(4)}},
		oracleSpec{name: "unsorted_segment_min_f32", op: opSegmentMin, ins: []oTensor{f(4, 2), i32(4).with(i32bytes(2, 0, 2, 2)), i32().with(i32bytes(3))}, outs: []oTensor{f(3, 2)}},
		oracleSpec{name: "unsorted_segment_prod_i32", op: opSegmentProd, ins: []oTensor{i32(2, 3).within(-4, 4), i32(2).with(i32bytes(1, 1)), i32().with(i32bytes(2))}, outs: []oTensor{i32(2, 3)}},
	)
	return specs
}

// TestBreadthRunAllocatesNothing runs every breadth spec's model on its
// oracle inputs and checks that Run allocates nothing once bound.
func TestBreadthRunAllocatesNothing(t *testing.T) {
	for _, s := range breadthSpecs() {
		t.Run(s.name, func(t *testing.T) {
			model, inputs := s.build()
			m, err := Load(model)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			ses := mustSession(t, m, runtime.Options{Threads: 2})
			defer ses.Close()
			for i, in := range inputs {
				copy(ses.Input(i), in)
			}
			ctx := context.Background()
			if allocs := testing.AllocsPerRun(20, func() {
				if err := ses.Run(ctx); err != nil {
					t.Fatal(err)
				}
			}); allocs != 0 {
				t.Errorf("Run allocates %v times", allocs)
			}
		})
	}
}

// TestBreadthRefusesValueDependentShapes checks that operators whose
// output size depends on a run-time input's values are refused at load as
// unsupported, naming that input.
func TestBreadthRefusesValueDependentShapes(t *testing.T) {
	f, i32, bl := fT, i32T, boolT
	tests := []struct {
		s    oracleSpec
		want string
	}{
		{oracleSpec{op: opRange, ins: []oTensor{i32().with(i32bytes(0)), i32(), i32().with(i32bytes(1))}, outs: []oTensor{i32(4)}}, `input tensor 1 "t1" int32[] must be a constant scalar`},
		{oracleSpec{op: opWhere, ins: []oTensor{bl(3, 4)}, outs: []oTensor{i64T(5, 2)}}, `condition tensor 0 "t0" bool[3 4] is computed at run time`},
		{oracleSpec{op: opFill, ins: []oTensor{i32(2), f()}, outs: []oTensor{f(2, 3)}}, `dims tensor 0 "t0" int32[2] must be a constant`},
		{oracleSpec{op: opTopK, ins: []oTensor{f(1, 8), i32()}, outs: []oTensor{f(1, 2), i32(1, 2)}}, `k tensor 1 "t1" int32[] is computed at run time`},
		{oracleSpec{op: opBroadcastTo, version: 2, ins: []oTensor{f(3), i32(2)}, outs: []oTensor{f(2, 3)}}, `shape tensor 1 "t1" int32[2] must be a constant`},
		{oracleSpec{op: opScatterND, ins: []oTensor{i32(2, 1), f(2), i32(1)}, outs: []oTensor{f(4)}}, `shape tensor 2 "t2" int32[1] must be a constant`},
		{oracleSpec{op: opOneHot, optType: optOneHot, ins: []oTensor{i32(3), i32(), f(), f()}, outs: []oTensor{f(3, 2)}}, `depth tensor 1 "t1" int32[] must be a constant`},
	}
	for _, tt := range tests {
		model, _ := tt.s.build()
		_, err := Load(model)
		if !errors.Is(err, runtime.ErrUnsupported) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("op %d: got %v, want unsupported: ...%s...", tt.s.op, err, tt.want)
		}
	}
}
