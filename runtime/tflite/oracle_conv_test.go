package tflite

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/runtime"
)

// Oracle specs of PRELU, the sparse weights, and the hybrid and transposed
// convolutions (see oracle_test.go).

const (
	opPRelu                        = 54
	opTransposeConv, optTransposeC = 67, 49
	opBatchMatMul, optBatchMatMul  = 126, 101
)

// bmm is a BATCH_MATMUL spec with options adj_x, adj_y and
// asymmetric_quantize_inputs.
func bmm(name string, adjX, adjY, asym bool, lhs, rhs, out oTensor) oracleSpec {
	return oracleSpec{name: name, op: opBatchMatMul, optType: optBatchMatMul, opts: fbt{0: adjX, 1: adjY, 2: asym},
		ins: []oTensor{lhs, rhs}, outs: []oTensor{out}, atol: 2e-5, rtol: 1e-5}
}

// sparseConst returns a rows×cols constant of type typ whose blocks of
// 1×block are zero with probability 0.6, stored sparse with index vectors
// of type idx (1 int32, 2 uint16, 3 uint8), and the same constant stored
// dense. Values are drawn from a generator seeded with seed.
func sparseConst(seed uint64, typ int8, rows, cols, block int, idx uint8) (sparse, dense oTensor) {
	r := rand.New(rand.NewPCG(seed, 0x5a))
	elem := map[int8]int{tensorFloat32: 4, tensorFloat16: 2, tensorInt8: 1}[typ]
	data := make([]byte, rows*cols*elem)
	for i := 0; i < rows*cols; i += block {
		if r.Float64() < 0.6 {
			continue
		}
		for j := i; j < i+block; j++ {
			switch typ {
			case tensorFloat32:
				copy(data[4*j:], f32bytes(float32(r.Float64()*2-1)))
			case tensorFloat16:
				// A half in ±[1/4, 2): sign, exponent 13 to 15, mantissa.
				h := uint16(r.IntN(2))<<15 | uint16(13+r.IntN(3))<<10 | uint16(r.IntN(1024))
				data[2*j], data[2*j+1] = byte(h), byte(h>>8)
			case tensorInt8:
				data[j] = byte(int8(r.IntN(255) - 127))
			}
		}
	}
	dense = oTensor{typ: typ, shape: []int32{int32(rows), int32(cols)}, data: data}
	sparse = dense
	sparse.data, sparse.sparsity = encodeSparse(data, rows, cols, block, elem, idx)
	return sparse, dense
}

// sparseFCSpecs are FULLY_CONNECTED layers on weights in the sparse
// formats TFLite's kernel reads directly (float32 weight by weight and in
// 1×4 blocks, int8 in 1×16 blocks), each with its twin on the same weights
// stored dense. The LiteRT builds of tflite-ref fail on sparse
// FULLY_CONNECTED, so the twins' goldens are the oracle of both.
func sparseFCSpecs() (sparse, dense []oracleSpec) {
	f, q8 := fT, q8T
	for _, c := range []struct {
		name  string
		act   uint8
		in    oTensor
		w     func() (oTensor, oTensor)
		bias  oTensor
		out   oTensor
		block int
	}{
		{"fc_f32_sparse_random", actNone, f(3, 20), func() (oTensor, oTensor) { return sparseConst(4, tensorFloat32, 12, 20, 1, 1) },
			f(12).within(-1, 1).constant(), f(3, 12), 1},
		{"fc_f32_sparse_block4_relu", actRelu, f(2, 32), func() (oTensor, oTensor) { return sparseConst(5, tensorFloat32, 9, 32, 4, 2) },
			f(9).within(-1, 1).constant(), f(2, 9), 4},
		{"fc_i8_sparse_block16", actNone, q8(0.05, -3, 2, 64), func() (oTensor, oTensor) {
			s, d := sparseConst(3, tensorInt8, 8, 64, 16, 1)
			s.scale, s.zp, d.scale, d.zp = []float32{0.004}, []int64{0}, []float32{0.004}, []int64{0}
			return s, d
		}, oTensor{typ: tensorInt32, shape: []int32{8}, scale: []float32{0.05 * 0.004}, zp: []int64{0}, fixed: true}, q8(0.1, 2, 2, 8), 16},
	} {
		sw, dw := c.w()
		s := oracleSpec{name: c.name, op: opFullyConnected, optType: optFC, opts: fbt{0: c.act},
			ins: []oTensor{c.in, sw, c.bias}, outs: []oTensor{c.out}, atol: 2e-6, rtol: 1e-5}
		sparse = append(sparse, s)
		s.ins = []oTensor{c.in, dw, c.bias}
		dense = append(dense, s)
	}
	return sparse, dense
}

// hybridSpec is a dynamic-range CONV_2D or DEPTHWISE_CONV_2D (float32
// input and output, int8 weights with one scale or distinct per-channel
// scales) on batches images.
func hybridSpec(name string, depthwise bool, batches int32, g convGeom) oracleSpec {
	oh, ow := g.outSize(g.h), g.outSize(g.w)
	cout, axis, shape := g.cout, int32(0), []int32{g.cout, g.k, g.k, g.cin}
	s := oracleSpec{name: name, op: opConv, optType: optConv, opts: fbt{0: g.pad, 1: g.stride, 2: g.stride, 3: g.act, 4: g.dil, 5: g.dil}}
	if depthwise {
		cout, axis, shape = g.cin, 3, []int32{1, g.k, g.k, g.cin}
		s.op, s.optType = opDepthwise, optDepthwise
		s.opts = fbt{0: g.pad, 1: g.stride, 2: g.stride, 3: int32(1), 4: g.act, 5: g.dil, 6: g.dil}
	}
	w := oTensor{typ: tensorInt8, shape: shape, axis: axis, fixed: true}
	n := int32(1)
	if g.perChannel {
		n = cout
	}
	for c := range n {
		w.scale = append(w.scale, 0.01*float32(2+c%3))
		w.zp = append(w.zp, 0)
	}
	s.ins = []oTensor{fT(batches, g.h, g.w, g.cin), w, fT(cout).within(-1, 1).constant()}
	s.outs = []oTensor{fT(batches, oh, ow, cout)}
	s.atol, s.rtol = 2e-5, 1e-5
	return s
}

// transposeSpec is a TRANSPOSE_CONV of g's type from an input g.h×g.w×
// g.cin to g.cout channels, with or without bias. Its output size is the
// input size times the stride (SAME) or that plus the window beyond the
// stride (VALID).
func transposeSpec(name string, g convGeom, bias bool) oracleSpec {
	oh, ow := g.h*g.stride, g.w*g.stride
	if g.pad == padValid {
		oh, ow = (g.h-1)*g.stride+g.k, (g.w-1)*g.stride+g.k
	}
	// Each output sums about k·k·cin/stride² products.
	w, b := g.weights(max(g.k*g.k*g.cin/(g.stride*g.stride), 1), g.cout, 0, g.cout, g.k, g.k, g.cin)
	ins := []oTensor{i32T(4).with(i32bytes(1, oh, ow, g.cout)), w, g.input(1, g.h, g.w, g.cin)}
	if bias {
		ins = append(ins, b)
	}
	return g.tolerance(oracleSpec{
		name: name, op: opTransposeConv, optType: optTransposeC,
		opts: fbt{0: g.pad, 1: g.stride, 2: g.stride, 3: g.act},
		ins:  ins,
		outs: []oTensor{g.output(1, oh, ow, g.cout)},
	})
}

// convFamilySpecs are the oracle specs of this file.
func convFamilySpecs() []oracleSpec {
	f, q8, u8 := fT, q8T, u8T
	_, sparseFCTwins := sparseFCSpecs()
	specs := []oracleSpec{
		// Hybrid convolutions: per tensor (symmetric input quantization)
		// and per channel (asymmetric), two batches, stride, padding and
		// activations.
		hybridSpec("conv_hybrid_same_s1", false, 1, convGeom{h: 7, w: 9, cin: 5, cout: 6, k: 3, stride: 1, dil: 1, pad: padSame}),
		hybridSpec("conv_hybrid_valid_s2_relu6_b2", false, 2, convGeom{h: 9, w: 9, cin: 3, cout: 5, k: 3, stride: 2, dil: 1, pad: padValid, act: actRelu6}),
		hybridSpec("conv_hybrid_pc_same_s2_relu", false, 1, convGeom{h: 9, w: 8, cin: 4, cout: 8, k: 3, stride: 2, dil: 1, pad: padSame, act: actRelu, perChannel: true}),
		hybridSpec("conv_hybrid_pc_pointwise_b2", false, 2, convGeom{h: 6, w: 6, cin: 16, cout: 12, k: 1, stride: 1, dil: 1, pad: padSame, perChannel: true}),
		hybridSpec("conv_hybrid_pc_wide", false, 1, convGeom{h: 8, w: 8, cin: 32, cout: 24, k: 3, stride: 1, dil: 1, pad: padSame, perChannel: true}),
		hybridSpec("conv_hybrid_pc_valid_d2", false, 1, convGeom{h: 9, w: 10, cin: 4, cout: 4, k: 3, stride: 1, dil: 2, pad: padValid, perChannel: true}),
		hybridSpec("depthwise_hybrid_pc_same_d2", true, 1, convGeom{h: 8, w: 8, cin: 8, k: 3, stride: 1, dil: 2, pad: padSame, perChannel: true}),
		hybridSpec("conv_hybrid_pointwise_s2", false, 1, convGeom{h: 7, w: 7, cin: 8, cout: 8, k: 1, stride: 2, dil: 1, pad: padValid}),
		hybridSpec("depthwise_hybrid_pc_same_s1", true, 1, convGeom{h: 7, w: 9, cin: 8, k: 3, stride: 1, dil: 1, pad: padSame, perChannel: true}),
		hybridSpec("depthwise_hybrid_pc_valid_s2_relu6_b2", true, 2, convGeom{h: 10, w: 9, cin: 12, k: 3, stride: 2, dil: 1, pad: padValid, act: actRelu6, perChannel: true}),
		hybridSpec("depthwise_hybrid_pc_same_k5_narrow", true, 1, convGeom{h: 8, w: 8, cin: 5, k: 5, stride: 1, dil: 1, pad: padSame, perChannel: true}),
	}
	for _, typ := range []struct {
		name string
		typ  int8
		pc   bool
	}{{"f32", tensorFloat32, false}, {"i8pc", tensorInt8, true}, {"u8", tensorUint8, false}} {
		for _, c := range []struct {
			name string
			g    convGeom
			bias bool
		}{
			{"same_s2_relu", convGeom{h: 5, w: 6, cin: 4, cout: 6, k: 3, stride: 2, pad: padSame, act: actRelu}, true},
			{"valid_s2_nobias", convGeom{h: 5, w: 4, cin: 3, cout: 5, k: 3, stride: 2, pad: padValid}, false},
			{"same_s1", convGeom{h: 6, w: 5, cin: 5, cout: 4, k: 3, stride: 1, pad: padSame}, true},
			{"same_s2_k4_relu6", convGeom{h: 4, w: 5, cin: 4, cout: 3, k: 4, stride: 2, pad: padSame, act: actRelu6}, true},
			{"valid_s2_k2", convGeom{h: 6, w: 6, cin: 8, cout: 8, k: 2, stride: 2, pad: padValid}, true},
		} {
			g := c.g
			g.typ, g.perChannel, g.dil = typ.typ, typ.pc, 1
			specs = append(specs, transposeSpec("transpose_conv_"+typ.name+"_"+c.name, g, c.bias))
		}
	}
	specs = append(specs,
		transposeSpec("transpose_conv_f32_wide", convGeom{h: 8, w: 8, cin: 16, cout: 24, k: 3, stride: 2, dil: 1, pad: padSame, typ: tensorFloat32}, true),
		transposeSpec("transpose_conv_i8pc_wide", convGeom{h: 8, w: 8, cin: 16, cout: 24, k: 3, stride: 2, dil: 1, pad: padSame, typ: tensorInt8, perChannel: true}, true),
	)
	hybridRHS := func(shape ...int32) oTensor {
		return oTensor{typ: tensorInt8, shape: shape, scale: []float32{0.02}, zp: []int64{0}, fixed: true}
	}
	specs = append(specs,
		// BATCH_MATMUL: run-time and constant right operands, adjoints,
		// broadcast batches; int8; hybrid (float32 × constant int8).
		bmm("bmm_f32", false, false, false, f(2, 3, 5), f(2, 5, 4), f(2, 3, 4)),
		bmm("bmm_f32_adj", true, true, false, f(2, 5, 3), f(2, 4, 5), f(2, 3, 4)),
		bmm("bmm_f32_bcast", false, false, false, f(2, 1, 3, 6), f(1, 3, 6, 4), f(2, 3, 3, 4)),
		bmm("bmm_f32_const_rhs", false, false, false, f(3, 4, 8), f(8, 6).within(-1, 1).constant(), f(3, 4, 6)),
		bmm("bmm_f32_const_rhs_adj", true, true, false, f(2, 8, 4), f(2, 6, 8).within(-1, 1).constant(), f(2, 4, 6)),
		bmm("bmm_f32_wide_const", false, false, false, f(1, 20, 64), f(64, 40).within(-1, 1).constant(), f(1, 20, 40)),
		bmm("bmm_i8", false, false, false, q8(0.05, -3, 2, 3, 16), q8(0.04, 0, 2, 16, 5), q8(0.4, 2, 2, 3, 5)),
		bmm("bmm_i8_adj_bcast", true, true, false, q8(0.05, 4, 2, 16, 3), q8(0.04, 0, 1, 5, 16), q8(0.4, -5, 2, 3, 5)),
		bmm("bmm_hybrid", false, false, false, f(2, 3, 16), hybridRHS(16, 6), f(2, 3, 6)),
		bmm("bmm_hybrid_asym_adj", true, false, true, f(2, 16, 3), hybridRHS(2, 16, 6), f(2, 3, 6)),
	)
	specs = append(specs,
		// Hybrid FULLY_CONNECTED quantizing its input asymmetrically.
		oracleSpec{name: "fc_hybrid_asym", op: opFullyConnected, optType: optFC, opts: fbt{0: actNone, 3: true},
			ins:  []oTensor{f(3, 16), hybridRHS(6, 16), f(6).within(-1, 1).constant()},
			outs: []oTensor{f(3, 6)}, atol: 2e-5, rtol: 1e-5},
	)
	specs = append(specs, sparseFCTwins...)
	return append(specs, []oracleSpec{
		// PRELU: one slope per channel (as MediaPipe's models have), a
		// full-shape slope, and quantized slopes of either sign.
		{name: "prelu_f32_channel", op: opPRelu, ins: []oTensor{f(1, 6, 7, 5), f(1, 1, 5).within(-1, 1).constant()}, outs: []oTensor{f(1, 6, 7, 5)}},
		{name: "prelu_f32_full", op: opPRelu, ins: []oTensor{f(2, 3, 4), f(2, 3, 4).within(-2, 2).constant()}, outs: []oTensor{f(2, 3, 4)}},
		{name: "prelu_f32_runtime_alpha", op: opPRelu, ins: []oTensor{f(1, 4, 4, 8), f(8)}, outs: []oTensor{f(1, 4, 4, 8)}},
		{name: "prelu_i8_channel", op: opPRelu, ins: []oTensor{q8(0.05, -3, 1, 6, 7, 5), q8(0.01, 2, 1, 1, 5).constant()}, outs: []oTensor{q8(0.04, 10, 1, 6, 7, 5)}},
		{name: "prelu_i8_full", op: opPRelu, ins: []oTensor{q8(0.1, 5, 3, 40), q8(0.004, -20, 3, 40).constant()}, outs: []oTensor{q8(0.08, -30, 3, 40)}},
		{name: "prelu_u8_channel", op: opPRelu, ins: []oTensor{u8(0.05, 128, 1, 6, 7, 5), u8(0.01, 100, 1, 1, 5).constant()}, outs: []oTensor{u8(0.04, 120, 1, 6, 7, 5)}},
	}...)
}

// TestSparseFullyConnected runs FULLY_CONNECTED on sparse weights through
// the sparse kernel and compares it with the real TFLite's outputs for
// the same weights stored dense.
func TestSparseFullyConnected(t *testing.T) {
	sparse, dense := sparseFCSpecs()
	for i, s := range sparse {
		t.Run(s.name, func(t *testing.T) {
			denseModel, inputs := dense[i].build()
			raw, err := os.ReadFile(goldenPath(s.name))
			if err != nil {
				t.Fatal(err)
			}
			var g oracleGolden
			if err := json.Unmarshal(raw, &g); err != nil {
				t.Fatal(err)
			}
			if d := oracleDigest(denseModel, inputs); d != g.Digest {
				t.Fatalf("the dense twin changed since its golden was made: regenerate with -update-oracle")
			}
			model, _ := s.build()
			m, err := Load(model)
			if err != nil {
				t.Fatalf("load: %v", err)
			}
			if w := m.tensors[m.nodes[0].inputs[1]]; sparseFCBlock(w) == 0 {
				t.Fatalf("weights %s are not in a sparse format the kernel reads", w)
			}
			if _, ok := m.nodes[0].kernel.(*elemKernel); !ok {
				t.Fatalf("kernel %T, want the sparse kernel", m.nodes[0].kernel)
			}
			for _, threads := range []int{1, 3} {
				outs, err := m.Run(context.Background(), runtime.Options{Threads: threads}, inputs)
				if err != nil {
					t.Fatalf("run: %v", err)
				}
				if msg := s.compare(s.outs[0].typ, outs[0], g.Outputs[0]); msg != "" {
					t.Errorf("%d threads vs %s on dense weights: %s", threads, g.Engine, msg)
				}
			}
		})
	}
}

// TestConvFamilyGeneric runs this file's specs on the generic Go kernels
// (Options.Backend "generic"), which the SIMD variants are checked
// against, and compares them with the same goldens.
func TestConvFamilyGeneric(t *testing.T) {
	for _, s := range convFamilySpecs() {
		t.Run(s.name, func(t *testing.T) {
			model, inputs := s.build()
			raw, err := os.ReadFile(goldenPath(s.name))
			if err != nil {
				t.Fatal(err)
			}
			var g oracleGolden
			if err := json.Unmarshal(raw, &g); err != nil {
				t.Fatal(err)
			}
			m, err := Load(model)
			if err != nil {
				t.Fatalf("load: %v", err)
			}
			outs, err := m.Run(context.Background(), runtime.Options{Backend: "generic", Threads: 2}, inputs)
			if err != nil {
				t.Fatalf("run: %v", err)
			}
			for k, got := range outs {
				if msg := s.compare(s.outs[k].typ, got, g.Outputs[k]); msg != "" {
					t.Errorf("output %d vs %s: %s", k, g.Engine, msg)
				}
			}
		})
	}
}

// TestHybridDepthwiseNeedsChannelScales: TFLite refuses a hybrid
// DEPTHWISE_CONV_2D whose weights have one scale; so does the engine.
func TestHybridDepthwiseNeedsChannelScales(t *testing.T) {
	s := hybridSpec("depthwise_hybrid_per_tensor", true, 1, convGeom{h: 6, w: 5, cin: 8, k: 3, stride: 1, dil: 1, pad: padSame})
	model, _ := s.build()
	_, err := Load(model)
	if !errors.Is(err, runtime.ErrInvalidModel) || !strings.Contains(err.Error(), "DEPTHWISE_CONV_2D") || !strings.Contains(err.Error(), "have 1 scales, TFLite wants one per channel (8)") {
		t.Fatalf("load error %v", err)
	}
}
