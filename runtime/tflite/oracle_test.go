package tflite

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/runtime"
)

// The oracle test runs one-operator models through the engine and compares
// the outputs with those of the real TFLite (LiteRT with XNNPACK, run by
// tflite-ref), stored in testdata/oracle/<spec>.golden. Models and inputs
// are built in memory from the spec table and a per-spec seed; each golden
// records a hash of both, so a changed spec fails until it is regenerated
// with -update-oracle (which, with -run, regenerates only the specs run).
var updateOracle = flag.Bool("update-oracle", false, "regenerate testdata/oracle with the real TFLite ($TFLITE_REF, default /work/tfref/tflite-ref)")

// TensorType values used by the specs, besides those in build_test.go.
const (
	tensorUint8     int8 = 3
	tensorInt64     int8 = 4
	tensorBool      int8 = 6
	tensorComplex64 int8 = 8
)

// oTensor is one tensor of an oracle model: a run-time input when data is
// nil and fixed is false, a constant otherwise (fixed without data draws
// the contents from the spec's seed).
type oTensor struct {
	typ    int8
	shape  []int32
	scale  []float32
	zp     []int64
	axis   int32
	fixed  bool
	data   []byte
	lo, hi float64 // range of generated float values; both 0 means [-4, 4]
	// sparsity is a SparsityParameters table; data then holds the stored
	// values only.
	sparsity fbt
}

// oracleSpec is a model of one operator whose inputs come first, in order,
// then its outputs.
type oracleSpec struct {
	name    string
	op      int32
	optType uint8 // BuiltinOptions union type, 0 for none
	opts    fbt
	// version is the operator's version; 0 means 1.
	version int32
	// engine, if set, is the tflite-ref engine that makes the golden
	// (--engine): LiteRT leaves its output buffers unwritten for outputs
	// TFLite computes at Prepare (SHAPE, RANGE of constants), while
	// tfjs-tflite, an older TFLite build, copies them out.
	engine string
	// custom names a custom operator; customOpts is its FlexBuffers map.
	custom     string
	customOpts []byte
	ins        []oTensor
	outs       []oTensor
	// lsb is the largest difference allowed in integer outputs; 0 unless
	// the spec says why.
	lsb int
	// atol and rtol bound float differences: |got-want| <= atol+rtol*|want|.
	// Zero means 1e-6 and 1e-5.
	atol, rtol float64
}

func fT(shape ...int32) oTensor { return oTensor{typ: tensorFloat32, shape: shape} }

func i32T(shape ...int32) oTensor { return oTensor{typ: tensorInt32, shape: shape} }

func q8T(scale float32, zp int64, shape ...int32) oTensor {
	return oTensor{typ: tensorInt8, shape: shape, scale: []float32{scale}, zp: []int64{zp}}
}

// q16T is an int16 tensor quantized symmetrically, as 16x8 models are.
func q16T(scale float32, shape ...int32) oTensor {
	return oTensor{typ: tensorInt16, shape: shape, scale: []float32{scale}, zp: []int64{0}}
}

func u8T(scale float32, zp int64, shape ...int32) oTensor {
	return oTensor{typ: tensorUint8, shape: shape, scale: []float32{scale}, zp: []int64{zp}}
}

// constant makes t a constant drawn from the spec's seed.
func (t oTensor) constant() oTensor { t.fixed = true; return t }

// with makes t a constant with the given contents.
func (t oTensor) with(data []byte) oTensor { t.data = data; return t }

// within sets the range of generated float values.
func (t oTensor) within(lo, hi float64) oTensor { t.lo, t.hi = lo, hi; return t }

func i8bytes(v ...int8) []byte {
	b := make([]byte, len(v))
	for i, x := range v {
		b[i] = byte(x)
	}
	return b
}

func i32bytes(v ...int32) []byte {
	b := make([]byte, 0, 4*len(v))
	for _, x := range v {
		b = binary.LittleEndian.AppendUint32(b, uint32(x))
	}
	return b
}

func (t oTensor) elems() int {
	n := 1
	for _, d := range t.shape {
		n *= int(d)
	}
	return n
}

// fill draws the elements of t: floats uniform in t's range, int8 and
// uint8 and int16 over their whole range (int8 constants avoid -128, as
// symmetric weights do), int32 in [-100, 100] (constants in [-2000, 2000])
// or t's range when set, int64 in t's range or else in [-2^20, 2^20] (16x8
// biases), bools at even odds.
func (t oTensor) fill(r *rand.Rand, isConst bool) []byte {
	n := t.elems()
	switch t.typ {
	case tensorFloat32:
		lo, hi := t.lo, t.hi
		if lo == 0 && hi == 0 {
			lo, hi = -4, 4
		}
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(lo + (hi-lo)*r.Float64())
		}
		return f32bytes(v...)
	case tensorInt8:
		b := make([]byte, n)
		for i := range b {
			if isConst {
				b[i] = byte(int8(r.IntN(255) - 127))
			} else {
				b[i] = byte(r.IntN(256))
			}
		}
		return b
	case tensorUint8:
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		return b
	case tensorInt16:
		b := make([]byte, 0, 2*n)
		for range n {
			b = binary.LittleEndian.AppendUint16(b, uint16(r.IntN(1<<16)))
		}
		return b
	case tensorInt32:
		lo, hi := -100, 100
		if isConst {
			lo, hi = -2000, 2000
		}
		if t.lo != 0 || t.hi != 0 {
			lo, hi = int(t.lo), int(t.hi)
		}
		v := make([]int32, n)
		for i := range v {
			v[i] = int32(lo + r.IntN(hi-lo+1))
		}
		return i32bytes(v...)
	case tensorInt64:
		b := make([]byte, 0, 8*n)
		if t.lo != 0 || t.hi != 0 {
			for range n {
				b = binary.LittleEndian.AppendUint64(b, uint64(int64(int(t.lo)+r.IntN(int(t.hi-t.lo)+1))))
			}
			return b
		}
		for range n { // 16x8 biases, in [-2^20, 2^20]
			b = binary.LittleEndian.AppendUint64(b, uint64(int64(r.IntN(1<<21+1)-1<<20)))
		}
		return b
	case tensorComplex64: // real and imaginary parts as floats
		c := t
		c.typ, c.shape = tensorFloat32, append(append([]int32(nil), t.shape...), 2)
		return c.fill(r, isConst)
	case tensorBool:
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.IntN(2))
		}
		return b
	}
	panic(fmt.Sprintf("oracle: cannot generate tensor type %d", t.typ))
}

// build returns the model bytes and the run-time inputs, both drawn from a
// seed derived from the spec's name.
func (s oracleSpec) build() (model []byte, inputs [][]byte) {
	h := fnv.New64a()
	h.Write([]byte(s.name))
	r := rand.New(rand.NewPCG(h.Sum64(), 0x0c1e))
	bufs := []fbt{{}}
	var tensors []fbt
	var graphIns, opIns, opOuts []int32
	all := append(append([]oTensor{}, s.ins...), s.outs...)
	for i, t := range all {
		tt := fbt{0: t.shape, 1: t.typ, 2: uint32(0), 3: fmt.Sprintf("t%d", i)}
		if t.scale != nil {
			tt[4] = fbt{2: t.scale, 3: t.zp, 6: t.axis}
		}
		if t.sparsity != nil {
			tt[6] = t.sparsity
		}
		switch {
		case i >= len(s.ins):
			opOuts = append(opOuts, int32(i))
		case t.fixed || t.data != nil:
			data := t.data
			if data == nil {
				data = t.fill(r, true)
			}
			tt[2] = uint32(len(bufs))
			bufs = append(bufs, fbt{0: data})
			opIns = append(opIns, int32(i))
		default:
			graphIns = append(graphIns, int32(i))
			opIns = append(opIns, int32(i))
		}
		tensors = append(tensors, tt)
	}
	for _, i := range graphIns {
		inputs = append(inputs, all[i].fill(r, false))
	}
	code := fbt{0: int8(min(s.op, 127)), 2: max(s.version, 1), 3: s.op}
	op := fbt{0: uint32(0), 1: opIns, 2: opOuts}
	if s.custom != "" {
		code[1] = s.custom
		op[5] = s.customOpts
	} else if s.optType != 0 {
		op[3] = s.optType
		op[4] = s.opts
		if s.opts == nil {
			op[4] = fbt{}
		}
	}
	sg := fbt{0: tensors, 1: graphIns, 2: opOuts, 3: []fbt{op}, 4: "main"}
	root := fbt{0: uint32(3), 1: []fbt{code}, 2: []fbt{sg}, 3: "edgeinfer oracle", 4: bufs}
	return buildFB("TFL3", root), inputs
}

// oracleGolden is the content of a .golden file.
type oracleGolden struct {
	// Engine names the TFLite build that produced the outputs.
	Engine string `json:"engine"`
	// Digest is the SHA-256 of the model and inputs the outputs belong to.
	Digest  string   `json:"digest"`
	Outputs [][]byte `json:"outputs"`
}

func oracleDigest(model []byte, inputs [][]byte) string {
	h := sha256.New()
	h.Write(model)
	for _, in := range inputs {
		h.Write(in)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func goldenPath(name string) string {
	return filepath.Join("testdata", "oracle", name+".golden")
}

func TestOracle(t *testing.T) {
	specs := oracleSpecs()
	seen := map[string]bool{}
	for _, s := range specs {
		if seen[s.name] {
			t.Fatalf("duplicate oracle spec %q", s.name)
		}
		seen[s.name] = true
	}
	ref := ""
	if *updateOracle {
		ref = os.Getenv("TFLITE_REF")
		if ref == "" {
			ref = "/work/tfref/tflite-ref"
		}
		if _, err := exec.LookPath(ref); err != nil {
			t.Fatalf("-update-oracle needs tflite-ref (set $TFLITE_REF): %v", err)
		}
		if err := os.MkdirAll(filepath.Join("testdata", "oracle"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := removeStaleGoldens(seen); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range specs {
		t.Run(s.name, func(t *testing.T) {
			if ref != "" {
				if err := regenerate(ref, t.TempDir(), s); err != nil {
					t.Fatalf("regenerate: %v", err)
				}
			}
			checkOracle(t, s)
		})
	}
}

func checkOracle(t *testing.T, s oracleSpec) {
	model, inputs := s.build()
	raw, err := os.ReadFile(goldenPath(s.name))
	if err != nil {
		t.Fatalf("read golden (regenerate with -update-oracle): %v", err)
	}
	var g oracleGolden
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatalf("parse golden %s: %v", goldenPath(s.name), err)
	}
	if d := oracleDigest(model, inputs); d != g.Digest {
		t.Fatalf("model or inputs changed since the golden was made (digest %s, golden %s): regenerate with -update-oracle", d, g.Digest)
	}
	m, err := Load(model)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	for _, threads := range []int{1, 3} {
		outs, err := m.Run(context.Background(), runtime.Options{Threads: threads}, inputs)
		if err != nil {
			t.Fatalf("run (%d threads): %v", threads, err)
		}
		if len(outs) != len(g.Outputs) {
			t.Fatalf("%d outputs, %s has %d", len(outs), g.Engine, len(g.Outputs))
		}
		for k, got := range outs {
			if msg := s.compare(s.outs[k].typ, got, g.Outputs[k]); msg != "" {
				t.Errorf("output %d (%d threads) vs %s: %s", k, threads, g.Engine, msg)
			}
		}
	}
}

// compare returns "" when got matches want within the spec's tolerance,
// else a description of the worst difference.
func (s oracleSpec) compare(typ int8, got, want []byte) string {
	if len(got) != len(want) {
		return fmt.Sprintf("%d bytes, want %d", len(got), len(want))
	}
	bad, worst, at := 0, 0.0, -1
	var gw, ww float64
	note := func(i int, g, w, excess float64) {
		bad++
		if excess > worst || at < 0 {
			worst, at, gw, ww = excess, i, g, w
		}
	}
	switch typ {
	case tensorFloat32, tensorComplex64:
		atol, rtol := s.atol, s.rtol
		if atol == 0 && rtol == 0 {
			atol, rtol = 1e-6, 1e-5
		}
		for i := 0; i < len(got)/4; i++ {
			g := float64(math.Float32frombits(binary.LittleEndian.Uint32(got[4*i:])))
			w := float64(math.Float32frombits(binary.LittleEndian.Uint32(want[4*i:])))
			if g == w || math.IsNaN(g) && math.IsNaN(w) {
				continue
			}
			if d := math.Abs(g - w); !(d <= atol+rtol*math.Abs(w)) {
				note(i, g, w, d)
			}
		}
	default:
		n, get := intReader(typ, len(got))
		for i := range n {
			g, w := get(got, i), get(want, i)
			if d := math.Abs(float64(g - w)); d > float64(s.lsb) {
				note(i, float64(g), float64(w), d)
			}
		}
	}
	if bad == 0 {
		return ""
	}
	return fmt.Sprintf("%d elements differ, worst at %d: got %g want %g", bad, at, gw, ww)
}

func intReader(typ int8, size int) (int, func([]byte, int) int64) {
	switch typ {
	case tensorInt8:
		return size, func(b []byte, i int) int64 { return int64(int8(b[i])) }
	case tensorUint8, tensorBool:
		return size, func(b []byte, i int) int64 { return int64(b[i]) }
	case tensorInt16:
		return size / 2, func(b []byte, i int) int64 { return int64(int16(binary.LittleEndian.Uint16(b[2*i:]))) }
	case tensorInt32:
		return size / 4, func(b []byte, i int) int64 { return int64(int32(binary.LittleEndian.Uint32(b[4*i:]))) }
	case tensorInt64:
		return size / 8, func(b []byte, i int) int64 { return int64(binary.LittleEndian.Uint64(b[8*i:])) }
	}
	panic(fmt.Sprintf("oracle: cannot compare tensor type %d", typ))
}

// regenerate runs spec s through tflite-ref in dir and writes its golden.
func regenerate(ref, dir string, s oracleSpec) error {
	model, inputs := s.build()
	args := []string{filepath.Join(dir, "model.tflite")}
	if err := os.WriteFile(args[0], model, 0o644); err != nil {
		return err
	}
	for i, in := range inputs {
		p := filepath.Join(dir, fmt.Sprintf("in_%d.bin", i))
		if err := os.WriteFile(p, in, 0o644); err != nil {
			return err
		}
		args = append(args, p)
	}
	out := filepath.Join(dir, "ref")
	args = append(args, "--out", out)
	if s.engine != "" {
		args = append(args, "--engine", s.engine)
	}
	cmd := exec.Command(ref, args...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("tflite-ref: %w\n%s", err, msg)
	}
	metaRaw, err := os.ReadFile(filepath.Join(out, "meta.json"))
	if err != nil {
		return fmt.Errorf("tflite-ref meta: %w", err)
	}
	var meta struct {
		Log     []string `json:"runtime_log"`
		Runtime struct {
			Engine   string `json:"engine"`
			Package  string `json:"package"`
			XNNPACK  bool   `json:"xnnpack_delegate"`
			WasmSIMD string `json:"simd"`
		} `json:"runtime"`
	}
	if err := json.Unmarshal(metaRaw, &meta); err != nil {
		return fmt.Errorf("tflite-ref meta: %w", err)
	}
	// tflite-ref exits 0 with whatever the output buffers held when the
	// interpreter fails to prepare the model: only its log tells.
	for _, line := range meta.Log {
		if strings.HasPrefix(line, "ERROR") {
			return fmt.Errorf("TFLite refused the model: %s", strings.Join(meta.Log, "\n"))
		}
	}
	engine := meta.Runtime.Engine + " " + meta.Runtime.Package
	if meta.Runtime.XNNPACK {
		engine += " (XNNPACK)"
	}
	g := oracleGolden{Engine: engine, Digest: oracleDigest(model, inputs)}
	for k := range s.outs {
		b, err := os.ReadFile(filepath.Join(out, fmt.Sprintf("out_%d.bin", k)))
		if err != nil {
			return fmt.Errorf("tflite-ref output %d: %w", k, err)
		}
		g.Outputs = append(g.Outputs, b)
	}
	raw, err := json.MarshalIndent(g, "", "\t")
	if err != nil {
		return err
	}
	return os.WriteFile(goldenPath(s.name), append(raw, '\n'), 0o644)
}

// removeStaleGoldens deletes goldens of specs no longer in the table.
func removeStaleGoldens(specs map[string]bool) error {
	paths, err := filepath.Glob(filepath.Join("testdata", "oracle", "*.golden"))
	if err != nil {
		return err
	}
	var errs []error
	for _, p := range paths {
		if !specs[strings.TrimSuffix(filepath.Base(p), ".golden")] {
			errs = append(errs, os.Remove(p))
		}
	}
	return errors.Join(errs...)
}

// Builtin operator codes and options union types of the specs.
const (
	opAdd, optAdd               = 0, 11
	opAvgPool, optPool          = 1, 5
	opConcat, optConcat         = 2, 10
	opConv, optConv             = 3, 1
	opCustom                    = 32
	opDepthwise, optDepthwise   = 4, 2
	opDequantize                = 6
	opFullyConnected, optFC     = 9, 8
	opLogistic                  = 14
	opMaxPool                   = 17
	opMul, optMul               = 18, 21
	opRelu, opReluN1, opRelu6   = 19, 20, 21
	opResizeBilinear, optResize = 23, 15
	opSoftmax, optSoftmax       = 25, 9
	opTanh                      = 28
	opPad, optPad               = 34, 22
	opMean, optReducer          = 40, 27
	opSub, optSub               = 41, 28
	opDiv, optDiv               = 42, 29
	opExp                       = 47
	opCast                      = 53
	opMaximum, opMinimum        = 55, 57
	opNeg                       = 59
	opSqrt, opRsqrt             = 75, 76
	opFloorDiv                  = 90
	opLeakyRelu, optLeakyRelu   = 98, 75
	opSquaredDifference         = 99
	opAbs                       = 101
	opQuantize                  = 114
	opHardSwish                 = 117
	padSame, padValid           = uint8(0), uint8(1)
	actNone, actRelu, actReluN1 = uint8(0), uint8(1), uint8(2)
	actRelu6                    = uint8(3)
	oracleInScale, oracleInZero = float32(0.05), int64(-3)
	oracleU8Scale, oracleU8Zero = float32(0.05), int64(128)
	oracleU8WZ                  = int64(120)
)

// convGeom is the geometry of a convolution-like spec.
type convGeom struct {
	h, w, cin, cout  int32
	k, stride, dil   int32
	pad, act         uint8
	typ              int8
	perChannel, mult bool // mult: depthwise with depth multiplier 2
}

func (g convGeom) outSize(n int32) int32 {
	if g.pad == padSame {
		return (n + g.stride - 1) / g.stride
	}
	return (n-((g.k-1)*g.dil+1))/g.stride + 1
}

// spread is the standard deviation, in real units, that a quantized
// layer's outputs are given (through its weight scales), and the output
// scale that maps about three of them onto the 8-bit range: most outputs
// then lie inside the range and inside each activation's clamp.
func (g convGeom) spread() (std, outScale float32) {
	switch g.act {
	case actReluN1:
		return 0.7, 2.0 / 255
	case actRelu6:
		return 3, 6.0 / 255
	}
	return 3, 3 * 3.0 / 128
}

func (g convGeom) quantOut(shape ...int32) oTensor {
	_, scale := g.spread()
	zp := int64(5)
	switch g.act {
	case actRelu, actRelu6:
		zp = -128
	case actReluN1:
		zp = 0
	}
	if g.typ == tensorUint8 {
		return u8T(scale, zp+128, shape...)
	}
	return q8T(scale, zp, shape...)
}

// weights returns the filter and bias tensors of a layer that sums k
// products into each of cout output channels along axis (the filter's
// quantized dimension). Quantized weights are scaled so that the sums
// have the spread's standard deviation: inputs and weights uniform over
// 8 bits have deviations of about 128/sqrt(3) steps each.
func (g convGeom) weights(k, cout, axis int32, shape ...int32) (w, bias oTensor) {
	if g.typ == tensorFloat32 {
		return fT(shape...).within(-1, 1).constant(), fT(cout).within(-1, 1).constant()
	}
	std, _ := g.spread()
	inScale := g.input().scale[0]
	wScale := std / (float32(math.Sqrt(float64(k))) * inScale * 128 * 128 / 3)
	if g.typ == tensorUint8 {
		w = u8T(wScale, oracleU8WZ, shape...).constant()
		bias = oTensor{typ: tensorInt32, shape: []int32{cout}, scale: []float32{inScale * wScale}, zp: []int64{0}, fixed: true}
		return w, bias
	}
	w = oTensor{typ: tensorInt8, shape: shape, axis: axis, fixed: true}
	bias = oTensor{typ: tensorInt32, shape: []int32{cout}, fixed: true}
	n := int32(1)
	if g.perChannel {
		n = cout
	}
	for c := range n {
		// Per-channel scales vary around wScale by up to a factor of 2.
		s := wScale * float32(2+c%3) / 3
		w.scale = append(w.scale, s)
		w.zp = append(w.zp, 0)
		bias.scale = append(bias.scale, inScale*s)
		bias.zp = append(bias.zp, 0)
	}
	return w, bias
}

func (g convGeom) input(shape ...int32) oTensor {
	switch g.typ {
	case tensorUint8:
		return u8T(oracleU8Scale, oracleU8Zero, shape...)
	case tensorInt8:
		return q8T(oracleInScale, oracleInZero, shape...)
	}
	return fT(shape...)
}

// tolerance loosens float convolutions: XNNPACK sums the k products in
// another order, and near-cancelling sums of values up to 4 in magnitude
// then differ by a few ulps of the terms, not of the result.
func (g convGeom) tolerance(s oracleSpec) oracleSpec {
	if g.typ == tensorFloat32 {
		s.atol, s.rtol = 2e-5, 1e-5
	}
	return s
}

func (g convGeom) output(shape ...int32) oTensor {
	if g.typ == tensorFloat32 {
		return fT(shape...)
	}
	return g.quantOut(shape...)
}

func convSpec(name string, g convGeom) oracleSpec {
	oh, ow := g.outSize(g.h), g.outSize(g.w)
	w, b := g.weights(g.k*g.k*g.cin, g.cout, 0, g.cout, g.k, g.k, g.cin)
	return g.tolerance(oracleSpec{
		name: name, op: opConv, optType: optConv,
		opts: fbt{0: g.pad, 1: g.stride, 2: g.stride, 3: g.act, 4: g.dil, 5: g.dil},
		ins:  []oTensor{g.input(1, g.h, g.w, g.cin), w, b},
		outs: []oTensor{g.output(1, oh, ow, g.cout)},
	})
}

func depthwiseSpec(name string, g convGeom) oracleSpec {
	oh, ow := g.outSize(g.h), g.outSize(g.w)
	mult := int32(1)
	if g.mult {
		mult = 2
	}
	cout := g.cin * mult
	w, b := g.weights(g.k*g.k, cout, 3, 1, g.k, g.k, cout)
	return g.tolerance(oracleSpec{
		name: name, op: opDepthwise, optType: optDepthwise,
		opts: fbt{0: g.pad, 1: g.stride, 2: g.stride, 3: mult, 4: g.act, 5: g.dil, 6: g.dil},
		ins:  []oTensor{g.input(1, g.h, g.w, g.cin), w, b},
		outs: []oTensor{g.output(1, oh, ow, cout)},
	})
}

// fcSpec is a fully connected layer on g.h rows of g.cin features.
func fcSpec(name string, g convGeom) oracleSpec {
	w, b := g.weights(g.cin, g.cout, 0, g.cout, g.cin)
	return g.tolerance(oracleSpec{
		name: name, op: opFullyConnected, optType: optFC,
		opts: fbt{0: g.act},
		ins:  []oTensor{g.input(g.h, g.cin), w, b},
		outs: []oTensor{g.output(g.h, g.cout)},
	})
}

// poolSpec is a pooling spec on a [1,9,11,6] input; quantized pools keep
// the input's quantization, as TFLite requires.
func poolSpec(name string, op int32, typ int8, k, stride int32, pad, act uint8) oracleSpec {
	g := convGeom{h: 9, w: 11, k: k, stride: stride, dil: 1, pad: pad, typ: typ}
	in, out := g.input(1, 9, 11, 6), g.input(1, g.outSize(9), g.outSize(11), 6)
	return oracleSpec{
		name: name, op: op, optType: optPool,
		opts: fbt{0: pad, 1: stride, 2: stride, 3: k, 4: k, 5: act},
		ins:  []oTensor{in}, outs: []oTensor{out},
	}
}

func resizeSpec(name string, in oTensor, oh, ow int32, alignCorners, halfPixel bool) oracleSpec {
	out := in
	out.shape = []int32{in.shape[0], oh, ow, in.shape[3]}
	return oracleSpec{
		name: name, op: opResizeBilinear, optType: optResize,
		opts: fbt{2: alignCorners, 3: halfPixel},
		ins:  []oTensor{in, i32T(2).with(i32bytes(oh, ow))},
		outs: []oTensor{out},
	}
}

// detectionSpec is TFLite_Detection_PostProcess keeping 5 of 40 boxes in
// 3 classes (plus background).
func detectionSpec(name string, regular bool, enc, scores, anchors oTensor) oracleSpec {
	opts := map[string]any{
		"max_detections": 5, "max_classes_per_detection": 1, "detections_per_class": 3, "num_classes": 3,
		"nms_score_threshold": float32(0.1), "nms_iou_threshold": float32(0.5),
		"y_scale": float32(10), "x_scale": float32(10), "h_scale": float32(5), "w_scale": float32(5),
		"use_regular_nms": regular,
	}
	return oracleSpec{
		name: name, op: opCustom, custom: "TFLite_Detection_PostProcess", customOpts: flexMapOf(opts),
		ins:  []oTensor{enc, scores, anchors},
		outs: []oTensor{fT(1, 5, 4), fT(1, 5), fT(1, 5), fT(1)},
	}
}

// anchorBytes are n uint8 anchor values in [30, 249]: no degenerate boxes.
func anchorBytes(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(30 + (i*97+13)%220)
	}
	return b
}

func oracleSpecs() []oracleSpec {
	f, q8, u8, i32 := fT, q8T, u8T, i32T
	specs := []oracleSpec{
		// Binary element-wise ops, with broadcasting and the quantization
		// parameters of the conformance models.
		{name: "add_f32", op: opAdd, optType: optAdd, ins: []oTensor{f(1, 4, 4, 24), f(1, 4, 4, 24)}, outs: []oTensor{f(1, 4, 4, 24)}},
		{name: "add_f32_bc_relu6", op: opAdd, optType: optAdd, opts: fbt{0: actRelu6}, ins: []oTensor{f(2, 3, 40), f(40)}, outs: []oTensor{f(2, 3, 40)}},
		{name: "sub_f32_bc2", op: opSub, optType: optSub, ins: []oTensor{f(3, 1, 5), f(1, 4, 1)}, outs: []oTensor{f(3, 4, 5)}},
		{name: "mul_f32_bc", op: opMul, optType: optMul, ins: []oTensor{f(5, 1, 7, 1), f(1, 6, 1, 3)}, outs: []oTensor{f(5, 6, 7, 3)}},
		{name: "div_f32", op: opDiv, optType: optDiv, ins: []oTensor{f(1, 6, 6, 17), f(6, 6, 17).within(0.5, 4)}, outs: []oTensor{f(1, 6, 6, 17)}},
		{name: "max_f32", op: opMaximum, ins: []oTensor{f(4, 5), f(5)}, outs: []oTensor{f(4, 5)}},
		{name: "min_f32", op: opMinimum, ins: []oTensor{f(4, 5), f(4, 1)}, outs: []oTensor{f(4, 5)}},
		{name: "sqdiff_f32", op: opSquaredDifference, ins: []oTensor{f(4, 5), f(4, 5)}, outs: []oTensor{f(4, 5)}},
		{name: "add_i8_same", op: opAdd, optType: optAdd, ins: []oTensor{q8(0.03936885, 12, 1, 12, 12, 24), q8(0.03740035, -5, 1, 12, 12, 24)}, outs: []oTensor{q8(0.04100744, 7, 1, 12, 12, 24)}},
		{name: "add_i8_bc", op: opAdd, optType: optAdd, ins: []oTensor{q8(0.101960786, -128, 1, 1), q8(0.68843985, -21, 17)}, outs: []oTensor{q8(0.21009913, -128, 1, 17)}},
		{name: "add_i8_relu", op: opAdd, optType: optAdd, opts: fbt{0: actRelu}, ins: []oTensor{q8(0.083858304, 38, 1, 4, 4, 64), q8(0.21724364, -2, 1, 4, 4, 64)}, outs: []oTensor{q8(0.12706915, -128, 1, 4, 4, 64)}},
		{name: "add_i8_bigratio", op: opAdd, optType: optAdd, ins: []oTensor{q8(11.426336, 24, 1, 6, 6, 64), q8(1.062955, 11, 1, 6, 6, 64)}, outs: []oTensor{q8(11.45678, 22, 1, 6, 6, 64)}},
		{name: "sub_i8_const_a", op: opSub, optType: optSub, ins: []oTensor{q8(0.18431373, -128, 12, 12, 1).constant(), q8(0.21009913, -128, 1, 17)}, outs: []oTensor{q8(0.38818967, 10, 12, 12, 17)}},
		{name: "sub_i8_tiny_b", op: opSub, optType: optSub, ins: []oTensor{q8(1, -128, 1, 24, 24, 3), q8(1e-06, 0, 1, 1, 1, 3).with(i8bytes(-97, 80, 127))}, outs: []oTensor{q8(1, -128, 1, 24, 24, 3)}},
		{name: "sub_i8_tiny_b2", op: opSub, optType: optSub, ins: []oTensor{q8(0.5, -3, 1, 10, 10, 3), q8(0.0001, 0, 1, 1, 1, 3).with(i8bytes(-97, 80, 127))}, outs: []oTensor{q8(0.4, 5, 1, 10, 10, 3)}},
		{name: "sub_i8_same", op: opSub, optType: optSub, ins: []oTensor{q8(0.007843138, -128, 1, 30, 30, 3), q8(0.003921569, -128, 1, 30, 30, 3)}, outs: []oTensor{q8(0.007843138, -1, 1, 30, 30, 3)}},
		{name: "mul_i8_const_scalar", op: opMul, optType: optMul, ins: []oTensor{q8(1, -128, 1, 24, 24, 3), q8(3.0757405e-05, -128).with(i8bytes(127))}, outs: []oTensor{q8(0.007843138, -128, 1, 24, 24, 3)}},
		{name: "mul_i8_square", op: opMul, optType: optMul, ins: []oTensor{q8(0.38818967, 10, 12, 12, 17), q8(0.38818967, 10, 12, 12, 17)}, outs: []oTensor{q8(11.25612, -128, 12, 12, 17)}},
		{name: "mul_i8_bc", op: opMul, optType: optMul, ins: []oTensor{q8(0.19664897, -128, 1, 1, 17, 2), q8(8.169935e-05, -128, 1, 1, 1, 2).with(i8bytes(100, 127))}, outs: []oTensor{q8(0.004096854, -128, 1, 1, 17, 2)}},
		{name: "mul_i8_tiny_ratio", op: opMul, optType: optMul, ins: []oTensor{q8(0.01, 3, 1, 20, 20), q8(0.001, -4, 1, 20, 20)}, outs: []oTensor{q8(2, 1, 1, 20, 20)}},
		{name: "add_u8", op: opAdd, optType: optAdd, ins: []oTensor{u8(0.05, 120, 1, 16, 16, 8), u8(0.08, 130, 1, 16, 16, 8)}, outs: []oTensor{u8(0.1, 128, 1, 16, 16, 8)}},
		{name: "mul_u8", op: opMul, optType: optMul, ins: []oTensor{u8(0.05, 120, 1, 16, 16, 8), u8(0.08, 130, 1, 16, 16, 8)}, outs: []oTensor{u8(0.03, 100, 1, 16, 16, 8)}},
		{name: "max_i8", op: opMaximum, ins: []oTensor{q8(0.1, 3, 4, 50), q8(0.1, 3, 50)}, outs: []oTensor{q8(0.1, 3, 4, 50)}},
		{name: "min_u8", op: opMinimum, ins: []oTensor{u8(0.1, 3, 4, 50), u8(0.1, 3, 4, 1)}, outs: []oTensor{u8(0.1, 3, 4, 50)}},
		{name: "floordiv_i32", op: opFloorDiv, ins: []oTensor{i32(1, 17), i32().with(i32bytes(3))}, outs: []oTensor{i32(1, 17)}},
		{name: "floordiv_i32_neg", op: opFloorDiv, ins: []oTensor{i32(6).with(i32bytes(-7, 7, -6, 6, 0, -1)), i32().with(i32bytes(-4))}, outs: []oTensor{i32(6)}},
		{name: "mul_i32", op: opMul, optType: optMul, ins: []oTensor{i32(1, 17), i32().with(i32bytes(48))}, outs: []oTensor{i32(1, 17)}},
		{name: "sub_i32", op: opSub, optType: optSub, ins: []oTensor{i32(1, 17), i32(1, 17)}, outs: []oTensor{i32(1, 17)}},
		{name: "add_i32", op: opAdd, optType: optAdd, ins: []oTensor{i32(3, 17), i32(17)}, outs: []oTensor{i32(3, 17)}},

		// Unary ops and activations.
		{name: "logistic_i8", op: opLogistic, ins: []oTensor{q8(0.2822169, 114, 1, 24, 24, 1)}, outs: []oTensor{q8(0.00390625, -128, 1, 24, 24, 1)}},
		{name: "logistic_i8_b", op: opLogistic, ins: []oTensor{q8(0.05, -10, 1, 300)}, outs: []oTensor{q8(0.00390625, -128, 1, 300)}},
		{name: "logistic_u8", op: opLogistic, ins: []oTensor{u8(0.049736768, 223, 1, 40, 91)}, outs: []oTensor{u8(0.00390625, 0, 1, 40, 91)}},
		{name: "logistic_f32", op: opLogistic, ins: []oTensor{f(1, 300)}, outs: []oTensor{f(1, 300)}},
		{name: "tanh_f32", op: opTanh, ins: []oTensor{f(1, 300)}, outs: []oTensor{f(1, 300)}},
		{name: "tanh_i8", op: opTanh, ins: []oTensor{q8(0.03, 5, 1, 300)}, outs: []oTensor{q8(1.0/128, 0, 1, 300)}},
		{name: "relu_f32", op: opRelu, ins: []oTensor{f(1, 4, 4, 24)}, outs: []oTensor{f(1, 4, 4, 24)}},
		{name: "relu6_f32", op: opRelu6, ins: []oTensor{f(1, 100)}, outs: []oTensor{f(1, 100)}},
		{name: "relu_n1_f32", op: opReluN1, ins: []oTensor{f(1, 100)}, outs: []oTensor{f(1, 100)}},
		{name: "relu_i8", op: opRelu, ins: []oTensor{q8(0.05, 3, 1, 300)}, outs: []oTensor{q8(0.04, -128, 1, 300)}},
		{name: "relu6_u8", op: opRelu6, ins: []oTensor{u8(0.05, 100, 1, 300)}, outs: []oTensor{u8(0.03, 0, 1, 300)}},
		{name: "sqrt_f32", op: opSqrt, ins: []oTensor{f(6, 6, 17).within(0, 100)}, outs: []oTensor{f(6, 6, 17)}},
		{name: "rsqrt_f32", op: opRsqrt, ins: []oTensor{f(100).within(0.01, 100)}, outs: []oTensor{f(100)}},
		{name: "exp_f32", op: opExp, ins: []oTensor{f(100)}, outs: []oTensor{f(100)}},
		{name: "neg_f32", op: opNeg, ins: []oTensor{f(100)}, outs: []oTensor{f(100)}},
		{name: "abs_f32", op: opAbs, ins: []oTensor{f(100)}, outs: []oTensor{f(100)}},
		{name: "hardswish_f32", op: opHardSwish, ins: []oTensor{f(100)}, outs: []oTensor{f(100)}},
		{name: "leaky_f32", op: opLeakyRelu, optType: optLeakyRelu, opts: fbt{0: float32(0.2)}, ins: []oTensor{f(100)}, outs: []oTensor{f(100)}},
		{name: "leaky_i8", op: opLeakyRelu, optType: optLeakyRelu, opts: fbt{0: float32(0.2)}, ins: []oTensor{q8(0.05, 3, 1, 300)}, outs: []oTensor{q8(0.04, -10, 1, 300)}},
		{name: "leaky_u8", op: opLeakyRelu, optType: optLeakyRelu, opts: fbt{0: float32(0.1)}, ins: []oTensor{u8(0.05, 100, 1, 300)}, outs: []oTensor{u8(0.03, 60, 1, 300)}},
		{name: "leaky_i8_small_alpha", op: opLeakyRelu, optType: optLeakyRelu, opts: fbt{0: float32(0.001)}, ins: []oTensor{q8(0.05, 3, 1, 300)}, outs: []oTensor{q8(0.04, -10, 1, 300)}},
		{name: "leaky_i8_neg_alpha", op: opLeakyRelu, optType: optLeakyRelu, opts: fbt{0: float32(-0.3)}, ins: []oTensor{q8(0.05, 3, 1, 300)}, outs: []oTensor{q8(0.06, -10, 1, 300)}},

		// Quantize, dequantize, cast.
		{name: "quant_f32_i8", op: opQuantize, ins: []oTensor{f(1, 17).within(0, 0.5)}, outs: []oTensor{q8(0.0019921549, -128, 1, 17)}},
		{name: "quant_f32_i8_b", op: opQuantize, ins: []oTensor{f(1, 1000)}, outs: []oTensor{q8(0.01, 3, 1, 1000)}},
		{name: "quant_f32_u8", op: opQuantize, ins: []oTensor{f(1, 1000)}, outs: []oTensor{u8(0.01, 128, 1, 1000)}},
		{name: "quant_i8_i8", op: opQuantize, ins: []oTensor{q8(0.00390625, -128, 1, 12, 12, 17)}, outs: []oTensor{q8(0.004096854, -128, 1, 12, 12, 17)}},
		{name: "quant_i8_i8_b", op: opQuantize, ins: []oTensor{q8(0.05, 7, 1, 300)}, outs: []oTensor{q8(0.031, -20, 1, 300)}},
		{name: "quant_i8_u8", op: opQuantize, ins: []oTensor{q8(0.00390625, -128, 1, 1001)}, outs: []oTensor{u8(0.00390625, 0, 1, 1001)}},
		{name: "quant_u8_i8", op: opQuantize, ins: []oTensor{u8(0.007843138, 127, 1, 24, 24, 3)}, outs: []oTensor{q8(0.007843138, -1, 1, 24, 24, 3)}},
		{name: "quant_i8_u8_b", op: opQuantize, ins: []oTensor{q8(0.05, 7, 1, 300)}, outs: []oTensor{u8(0.031, 100, 1, 300)}},
		{name: "dequant_i8", op: opDequantize, ins: []oTensor{q8(0.24958715, -128, 6, 6, 17)}, outs: []oTensor{f(6, 6, 17)}},
		{name: "dequant_u8", op: opDequantize, ins: []oTensor{u8(0.1, 3, 300)}, outs: []oTensor{f(300)}},
		{name: "cast_u8_f32", op: opCast, ins: []oTensor{{typ: tensorUint8, shape: []int32{1, 12, 12, 3}}}, outs: []oTensor{f(1, 12, 12, 3)}},
		{name: "cast_i32_f32", op: opCast, ins: []oTensor{i32(1, 17)}, outs: []oTensor{f(1, 17)}},
		{name: "cast_f32_i32", op: opCast, ins: []oTensor{f(1, 17)}, outs: []oTensor{i32(1, 17)}},

		// Softmax.
		{name: "softmax_f32", op: opSoftmax, optType: optSoftmax, opts: fbt{0: float32(1)}, ins: []oTensor{f(1, 301)}, outs: []oTensor{f(1, 301)}},
		{name: "softmax_f32_rows", op: opSoftmax, optType: optSoftmax, opts: fbt{0: float32(1)}, ins: []oTensor{f(7, 33)}, outs: []oTensor{f(7, 33)}},
		{name: "softmax_f32_beta", op: opSoftmax, optType: optSoftmax, opts: fbt{0: float32(0.5)}, ins: []oTensor{f(3, 10)}, outs: []oTensor{f(3, 10)}},
		{name: "softmax_i8_kws", op: opSoftmax, optType: optSoftmax, opts: fbt{0: float32(1)}, ins: []oTensor{q8(0.14469251, 14, 1, 12)}, outs: []oTensor{q8(0.00390625, -128, 1, 12)}},
		{name: "softmax_i8_1001", op: opSoftmax, optType: optSoftmax, opts: fbt{0: float32(1)}, ins: []oTensor{q8(0.06336502, -53, 1, 1001)}, outs: []oTensor{q8(0.00390625, -128, 1, 1001)}},
		{name: "softmax_i8_small", op: opSoftmax, optType: optSoftmax, opts: fbt{0: float32(1)}, ins: []oTensor{q8(0.012518751, -1, 1, 2)}, outs: []oTensor{q8(0.00390625, -128, 1, 2)}},
		{name: "softmax_u8_1001", op: opSoftmax, optType: optSoftmax, opts: fbt{0: float32(1)}, ins: []oTensor{u8(0.14328867, 93, 1, 1001)}, outs: []oTensor{u8(0.00390625, 0, 1, 1001)}},
		{name: "softmax_i8_rows", op: opSoftmax, optType: optSoftmax, opts: fbt{0: float32(1)}, ins: []oTensor{q8(0.17185351, 24, 50, 10)}, outs: []oTensor{q8(0.00390625, -128, 50, 10)}},

		// Pooling.
		poolSpec("avgpool_f32_same_s2", opAvgPool, tensorFloat32, 3, 2, padSame, actNone),
		poolSpec("avgpool_f32_valid_relu6", opAvgPool, tensorFloat32, 2, 1, padValid, actRelu6),
		poolSpec("avgpool_i8_same_s2", opAvgPool, tensorInt8, 3, 2, padSame, actNone),
		poolSpec("avgpool_i8_valid", opAvgPool, tensorInt8, 2, 2, padValid, actNone),
		poolSpec("avgpool_u8_same", opAvgPool, tensorUint8, 3, 1, padSame, actNone),
		poolSpec("maxpool_f32_same_s2", opMaxPool, tensorFloat32, 3, 2, padSame, actNone),
		poolSpec("maxpool_f32_valid_relu", opMaxPool, tensorFloat32, 2, 2, padValid, actRelu),
		poolSpec("maxpool_i8_same_s2", opMaxPool, tensorInt8, 3, 2, padSame, actNone),
		poolSpec("maxpool_i8_valid", opMaxPool, tensorInt8, 2, 2, padValid, actNone),
		poolSpec("maxpool_u8_valid_relu6", opMaxPool, tensorUint8, 2, 2, padValid, actRelu6),

		// Concatenation. TFLite requantizes only uint8 inputs whose
		// quantization differs from the output's; it refuses such int8
		// models (concatenation.cc requires equal scales and zero points).
		{name: "concat_f32_axis3", op: opConcat, optType: optConcat, opts: fbt{0: int32(3)}, ins: []oTensor{f(1, 4, 4, 3), f(1, 4, 4, 5)}, outs: []oTensor{f(1, 4, 4, 8)}},
		{name: "concat_i8_axis1_same", op: opConcat, optType: optConcat, opts: fbt{0: int32(1)}, ins: []oTensor{q8(0.05, -3, 1, 2, 6), q8(0.05, -3, 1, 5, 6)}, outs: []oTensor{q8(0.05, -3, 1, 7, 6)}},
		{name: "concat_u8_axis3_requant", op: opConcat, optType: optConcat, opts: fbt{0: int32(3)}, ins: []oTensor{u8(0.05, 128, 1, 4, 4, 3), u8(0.1, 100, 1, 4, 4, 5)}, outs: []oTensor{u8(0.08, 120, 1, 4, 4, 8)}},

		// Mean over the spatial axes.
		{name: "mean_i8_hw_keep", op: opMean, optType: optReducer, opts: fbt{0: true}, ins: []oTensor{q8(0.05, -3, 1, 8, 8, 16), i32(2).with(i32bytes(1, 2))}, outs: []oTensor{q8(0.02, 4, 1, 1, 1, 16)}},
		{name: "mean_i8_hw_same_quant", op: opMean, optType: optReducer, opts: fbt{0: false}, ins: []oTensor{q8(0.05, -3, 1, 7, 5, 12), i32(2).with(i32bytes(1, 2))}, outs: []oTensor{q8(0.05, -3, 1, 12)}},
		{name: "mean_f32_hw", op: opMean, optType: optReducer, opts: fbt{0: true}, ins: []oTensor{f(1, 7, 5, 12), i32(2).with(i32bytes(1, 2))}, outs: []oTensor{f(1, 1, 1, 12)}},

		// Resize bilinear.
		resizeSpec("resize_i8_half_pixel_up", q8(0.05, -3, 1, 5, 7, 4), 9, 13, false, true),
		resizeSpec("resize_i8_half_pixel_2x", q8(0.05, -3, 1, 6, 6, 4), 12, 12, false, true),
		resizeSpec("resize_i8_align_corners", q8(0.05, -3, 1, 5, 7, 4), 9, 13, true, false),
		resizeSpec("resize_i8_plain_down", q8(0.05, -3, 1, 9, 13, 4), 5, 7, false, false),
		resizeSpec("resize_u8_half_pixel", u8(0.05, 128, 1, 5, 7, 4), 9, 13, false, true),
		resizeSpec("resize_f32_half_pixel", f(1, 5, 7, 4), 9, 13, false, true),
		resizeSpec("resize_f32_align_corners", f(1, 5, 7, 4), 9, 13, true, false),

		// SSD post-processing (a custom operator): fast and regular NMS,
		// float and uint8 inputs.
		detectionSpec("detection_f32_fast", false, f(1, 40, 4).within(-1, 1), f(1, 40, 4).within(0, 1), f(40, 4).within(0.1, 1).constant()),
		detectionSpec("detection_f32_regular", true, f(1, 40, 4).within(-1, 1), f(1, 40, 4).within(0, 1), f(40, 4).within(0.1, 1).constant()),
		detectionSpec("detection_u8_fast", false, u8(0.05, 128, 1, 40, 4), u8(1.0/256, 0, 1, 40, 4), u8(0.004, 0, 40, 4).with(anchorBytes(160))),

		// Pad.
		{name: "pad_i8", op: opPad, optType: optPad, ins: []oTensor{q8(0.05, -3, 1, 5, 5, 3), i32(4, 2).with(i32bytes(0, 0, 1, 2, 2, 1, 0, 0))}, outs: []oTensor{q8(0.05, -3, 1, 8, 8, 3)}},
		{name: "pad_f32", op: opPad, optType: optPad, ins: []oTensor{f(1, 5, 5, 3), i32(4, 2).with(i32bytes(0, 0, 1, 1, 1, 1, 0, 2))}, outs: []oTensor{f(1, 7, 7, 5)}},
	}

	// Convolutions: each type through stride 2, dilation 2, SAME and VALID
	// and every fused activation.
	for _, typ := range []struct {
		name string
		typ  int8
		pc   bool
	}{{"f32", tensorFloat32, false}, {"i8pc", tensorInt8, true}, {"u8", tensorUint8, false}} {
		for _, c := range []struct {
			name string
			g    convGeom
		}{
			{"same_s1", convGeom{h: 7, w: 9, cin: 5, cout: 6, k: 3, stride: 1, dil: 1, pad: padSame, act: actNone}},
			{"same_s2_relu", convGeom{h: 9, w: 8, cin: 4, cout: 8, k: 3, stride: 2, dil: 1, pad: padSame, act: actRelu}},
			{"valid_s2_relu6", convGeom{h: 9, w: 9, cin: 3, cout: 5, k: 3, stride: 2, dil: 1, pad: padValid, act: actRelu6}},
			{"valid_d2_relu_n1", convGeom{h: 9, w: 10, cin: 4, cout: 4, k: 3, stride: 1, dil: 2, pad: padValid, act: actReluN1}},
			{"same_d2", convGeom{h: 8, w: 8, cin: 3, cout: 4, k: 3, stride: 1, dil: 2, pad: padSame, act: actNone}},
			{"pointwise_relu6", convGeom{h: 6, w: 6, cin: 16, cout: 8, k: 1, stride: 1, dil: 1, pad: padSame, act: actRelu6}},
		} {
			g := c.g
			g.typ, g.perChannel = typ.typ, typ.pc
			specs = append(specs, convSpec("conv_"+typ.name+"_"+c.name, g))
		}
		for _, c := range []struct {
			name string
			g    convGeom
		}{
			{"same_s1", convGeom{h: 7, w: 9, cin: 8, k: 3, stride: 1, dil: 1, pad: padSame, act: actNone}},
			{"same_s2_relu6", convGeom{h: 9, w: 8, cin: 6, k: 3, stride: 2, dil: 1, pad: padSame, act: actRelu6}},
			{"valid_s2_relu", convGeom{h: 10, w: 9, cin: 4, k: 3, stride: 2, dil: 1, pad: padValid, act: actRelu}},
			{"valid_d2_relu_n1", convGeom{h: 9, w: 10, cin: 4, k: 3, stride: 1, dil: 2, pad: padValid, act: actReluN1}},
			{"same_d2_mult2", convGeom{h: 8, w: 8, cin: 3, k: 3, stride: 1, dil: 2, pad: padSame, act: actNone, mult: true}},
			{"same_k5", convGeom{h: 8, w: 8, cin: 5, k: 5, stride: 1, dil: 1, pad: padSame, act: actRelu6}},
		} {
			g := c.g
			g.typ, g.perChannel = typ.typ, typ.pc
			specs = append(specs, depthwiseSpec("depthwise_"+typ.name+"_"+c.name, g))
		}
		for _, c := range []struct {
			name string
			g    convGeom
		}{
			{"none", convGeom{h: 1, cin: 64, cout: 10, act: actNone}},
			{"rows_relu", convGeom{h: 3, cin: 20, cout: 12, act: actRelu}},
			{"relu6", convGeom{h: 2, cin: 33, cout: 7, act: actRelu6}},
			{"relu_n1", convGeom{h: 1, cin: 16, cout: 5, act: actReluN1}},
		} {
			g := c.g
			g.typ = typ.typ
			specs = append(specs, fcSpec("fc_"+strings.TrimSuffix(typ.name, "pc")+"_"+c.name, g))
		}
	}

	// Wider layers, past the kernels' edge cases into their main loops.
	specs = append(specs,
		convSpec("conv_i8pc_wide_relu6", convGeom{h: 8, w: 8, cin: 32, cout: 24, k: 3, stride: 1, dil: 1, pad: padSame, act: actRelu6, typ: tensorInt8, perChannel: true}),
		convSpec("conv_i8pc_wide_s2", convGeom{h: 12, w: 12, cin: 16, cout: 32, k: 3, stride: 2, dil: 1, pad: padSame, typ: tensorInt8, perChannel: true}),
		convSpec("conv_f32_wide", convGeom{h: 8, w: 8, cin: 32, cout: 24, k: 3, stride: 1, dil: 1, pad: padSame, typ: tensorFloat32}),
		convSpec("conv_u8_wide", convGeom{h: 8, w: 8, cin: 32, cout: 24, k: 3, stride: 1, dil: 1, pad: padSame, act: actRelu, typ: tensorUint8}),
		depthwiseSpec("depthwise_i8pc_wide_s2", convGeom{h: 12, w: 12, cin: 32, k: 3, stride: 2, dil: 1, pad: padSame, act: actRelu6, typ: tensorInt8, perChannel: true}),
		depthwiseSpec("depthwise_f32_wide", convGeom{h: 10, w: 10, cin: 32, k: 3, stride: 1, dil: 1, pad: padSame, typ: tensorFloat32}),
		fcSpec("fc_i8_wide", convGeom{h: 2, cin: 256, cout: 40, typ: tensorInt8}),
		fcSpec("fc_i8pc_relu", convGeom{h: 3, cin: 20, cout: 12, act: actRelu, typ: tensorInt8, perChannel: true}),
		fcSpec("fc_f32_wide", convGeom{h: 2, cin: 256, cout: 40, typ: tensorFloat32}),
	)
	specs = append(specs, int16Specs()...)
	specs = append(specs, convFamilySpecs()...)
	specs = append(specs, breadthSpecs()...)
	specs = append(specs, seqOracleSpecs()...)
	return append(specs, audioSpecs()...)
}
