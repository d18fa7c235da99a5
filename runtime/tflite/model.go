package tflite

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"sync"
	"unsafe"

	"github.com/edgeinfer/edgeinfer/runtime"
)

const (
	// maxModelBytes caps the size of a model file this engine accepts.
	maxModelBytes = 1<<31 - 1
	// maxTensorBytes caps one tensor; it also keeps size arithmetic from
	// overflowing on 32-bit targets.
	maxTensorBytes = 1 << 30
	// maxRank is the largest tensor rank accepted.
	maxRank = 8
	// maxTensors and maxOperators cap the main subgraph (real models have
	// a few thousand); they keep the arena planner, quadratic in the number
	// of tensors alive together, well under a second on a hostile file.
	maxTensors   = 1 << 14
	maxOperators = 1 << 16
)

// tensor is one tensor of the main subgraph after validation.
type tensor struct {
	index int
	name  string
	dtype runtime.DType
	shape []int
	// signature is shape_signature (-1 for dynamic dimensions), if present.
	signature []int
	// quant is nil for tensors without quantization parameters.
	quant *runtime.Quantization
	// data holds the contents of constant tensors (aligned for dtype); nil
	// for tensors computed at run time.
	data []byte
	// init is the initial value of a tensor that is written at run time
	// but stored with contents: a variable, or a graph input. Each session
	// gives it arena memory and copies init there; data stays nil, so no
	// operator takes it for a constant.
	init     []byte
	variable bool
	// sparse is the sparsity metadata of a constant stored sparse; data
	// holds the tensor densified.
	sparse *sparsity
	// output marks a subgraph output.
	output bool
	// resource marks a RESOURCE tensor (a VAR_HANDLE's handle): it has no
	// contents in the arena.
	resource bool
}

func (t *tensor) numElements() int {
	n := 1
	for _, d := range t.shape {
		n *= d
	}
	return n
}

func (t *tensor) byteSize() int { return t.numElements() * t.dtype.Size() }

func (t *tensor) isConst() bool { return t.data != nil }

func (t *tensor) info() runtime.TensorInfo {
	return runtime.TensorInfo{Name: t.name, DType: t.dtype, Shape: append([]int(nil), t.shape...), Quant: t.quant}
}

// scale returns the first (per-tensor) scale, or 0 when not quantized.
func (t *tensor) scale() float32 {
	if t.quant == nil || len(t.quant.Scale) == 0 {
		return 0
	}
	return t.quant.Scale[0]
}

// zeroPoint returns the first (per-tensor) zero point.
func (t *tensor) zeroPoint() int32 {
	if t.quant == nil || len(t.quant.ZeroPoint) == 0 {
		return 0
	}
	return int32(t.quant.ZeroPoint[0])
}

func (t *tensor) String() string {
	return fmt.Sprintf("tensor %d %q %s%v", t.index, t.name, t.dtype, t.shape)
}

// node is one operator of the main subgraph.
type node struct {
	index   int
	name    string // builtin name, or CUSTOM:<code> for custom operators
	builtin int32
	version int
	inputs  []int // -1 marks an absent optional input
	outputs []int
	// intermediates are tensors that only carry quantization parameters
	// for the operator (the integer LSTM's gate and hidden scales).
	intermediates []int
	opts          fbTable // builtin_options (absent table when none)
	opts2         fbTable // builtin_options_2 (StableHLO operators)
	custom        []byte  // custom_options
	kernel        kernel
	// fuse is what the graph rewrites folded into the operator (see
	// rewrite.go); nil for most.
	fuse *fusion
}

// Signature is a named entry point (SignatureDef) of the model.
type Signature struct {
	Key     string
	Inputs  map[string]int // alias -> index into Model.Inputs
	Outputs map[string]int // alias -> index into Model.Outputs
}

// Model is a validated, prepared TensorFlow Lite model. It implements
// runtime.Model.
type Model struct {
	file    []byte
	unmap   func() error
	version uint32
	desc    string
	tensors []*tensor
	nodes   []*node
	inputs  []int
	outputs []int
	sigs    []Signature
	plan    arenaPlan
	opCount map[string]int
	// batch is the batch size the graph was re-shaped to (see OpenBatch);
	// 0 for a model as stored.
	batch int
	// subs are all the file's subgraphs, subs[0] being the model itself;
	// a subgraph's Model has top set to the main one and its index.
	subs  []*Model
	top   *Model
	index int
	// reshaped marks a model whose inputs were given other shapes: its
	// operators' outputs are inferred again before each is prepared.
	// base is the model it was derived from (which owns the mapping), and
	// variants caches a base's reshaped models by input shapes.
	reshaped   bool
	origShapes [][]int // the stored tensor shapes of a reshaped model
	base       *Model
	variants   map[string]*Model

	mu       sync.Mutex
	sessions int
	closed   bool
}

var _ runtime.Model = (*Model)(nil)

// Open maps and loads the model at path.
func Open(path string) (*Model, error) {
	b, unmap, err := mapFile(path)
	if err != nil {
		return nil, fmt.Errorf("tflite: %w", err) // err names the path
	}
	m, err := load(b, 0)
	if err != nil {
		unmap()
		return nil, fmt.Errorf("tflite: %s: %w", path, err)
	}
	m.unmap = unmap
	releaseMapped(b)
	return m, nil
}

// Load loads a model held in memory. The model keeps a reference to b, which
// must not change afterwards.
func Load(b []byte) (*Model, error) {
	m, err := load(b, 0)
	if err != nil {
		return nil, fmt.Errorf("tflite: %w", err)
	}
	return m, nil
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", runtime.ErrInvalidModel, fmt.Sprintf(format, args...))
}

func load(b []byte, batch int) (*Model, error) { return loadShaped(b, batch, nil) }

// loadShaped is load with the graph inputs given the shapes (nil keeps
// the stored ones; see Session.ResizeInputs).
func loadShaped(b []byte, batch int, shapes [][]int) (*Model, error) {
	m, err := parse(b)
	if err != nil {
		return nil, err
	}
	if err := m.foldConstants(); err != nil {
		return nil, err
	}
	if batch > 1 {
		if err := m.rebatch(batch); err != nil {
			return nil, err
		}
	}
	if shapes != nil {
		if err := m.reshapeInputs(shapes); err != nil {
			return nil, err
		}
	}
	if err := m.prepareCalled(); err != nil {
		return nil, err
	}
	if err := m.prepare(true); err != nil {
		return nil, err
	}
	if m.plan, err = planArena(m); err != nil {
		return nil, err
	}
	return m, nil
}

// opcode is one entry of Model.operator_codes.
type opcode struct {
	name    string
	builtin int32
	version int
}

func parse(b []byte) (*Model, error) {
	if len(b) < 8 {
		return nil, invalid("file is %d bytes, too short for a TFLite model", len(b))
	}
	if string(b[4:8]) != "TFL3" {
		return nil, invalid("file identifier is %q, want \"TFL3\" (not a TFLite flatbuffer)", b[4:8])
	}
	r := newFBReader(b)
	root := fbRoot(r)
	if r.Err() != nil {
		return nil, invalid("root table: %v", r.Err())
	}
	m := &Model{file: b, opCount: map[string]int{}}
	m.version = root.u32(0, 0)
	if m.version != 3 {
		return nil, invalid("schema version %d, want 3", m.version)
	}
	m.desc = root.str(3)

	codes, err := parseOpcodes(r, root)
	if err != nil {
		return nil, err
	}
	bufs, err := parseBuffers(r, root)
	if err != nil {
		return nil, err
	}
	subgraphs := root.tables(2)
	if r.Err() != nil {
		return nil, invalid("subgraphs: %v", r.Err())
	}
	if len(subgraphs) == 0 {
		return nil, invalid("model has no subgraph")
	}
	if err := m.parseGraph(r, subgraphs[0], codes, bufs); err != nil {
		return nil, err
	}
	if err := m.parseSignatures(r, root); err != nil {
		return nil, err
	}
	return m, m.parseSubgraphs(r, subgraphs, codes, bufs)
}

func parseOpcodes(r *fbReader, root fbTable) ([]opcode, error) {
	tabs := root.tables(1)
	codes := make([]opcode, len(tabs))
	for i, t := range tabs {
		dep := int32(t.i8(0, 0))
		ext := t.i32(3, 0)
		code := max(dep, ext)
		c := opcode{builtin: code, version: int(t.i32(2, 1))}
		if code == 32 { // CUSTOM
			c.name = "CUSTOM:" + t.str(1)
		} else if n, ok := builtinNames[code]; ok {
			c.name = n
		} else {
			c.name = fmt.Sprintf("BUILTIN_%d", code)
		}
		if r.Err() != nil {
			return nil, invalid("operator code %d: %v", i, r.Err())
		}
		codes[i] = c
	}
	if r.Err() != nil {
		return nil, invalid("operator codes: %v", r.Err())
	}
	return codes, nil
}

// parseBuffers returns the data of every buffer, checked to lie in the file.
func parseBuffers(r *fbReader, root fbTable) ([][]byte, error) {
	tabs := root.tables(4)
	bufs := make([][]byte, len(tabs))
	for i, t := range tabs {
		bufs[i] = t.bytes(0)
		if off, size := t.u64(1, 0), t.u64(2, 0); off > 1 {
			if off > uint64(len(r.Bytes())) || size > uint64(len(r.Bytes()))-off {
				return nil, invalid("buffer %d: external data %d+%d lies outside the %d-byte file", i, off, size, len(r.Bytes()))
			}
			bufs[i] = r.Bytes()[off : off+size : off+size]
		}
		if r.Err() != nil {
			return nil, invalid("buffer %d: %v", i, r.Err())
		}
	}
	if r.Err() != nil {
		return nil, invalid("buffers: %v", r.Err())
	}
	return bufs, nil
}

var tensorTypes = map[int8]runtime.DType{
	0: runtime.Float32, 1: runtime.Float16, 2: runtime.Int32, 3: runtime.UInt8,
	4: runtime.Int64, 5: runtime.String, 6: runtime.Bool, 7: runtime.Int16,
	9: runtime.Int8, 10: runtime.Float64, 12: runtime.UInt64, 15: runtime.UInt32,
	16: runtime.UInt16, 8: runtime.Complex64,
}

// schemaTypes names the TensorType values without a runtime.DType.
var schemaTypes = map[int8]string{
	11: "COMPLEX128", 13: "RESOURCE", 14: "VARIANT", 17: "INT4", 18: "BFLOAT16",
}

// typeName names a schema TensorType for error messages.
func typeName(typ int8) string {
	if dt, ok := tensorTypes[typ]; ok {
		return dt.String()
	}
	if n, ok := schemaTypes[typ]; ok {
		return n
	}
	return fmt.Sprintf("TensorType(%d)", typ)
}

func (m *Model) parseTensors(r *fbReader, sg fbTable, bufs [][]byte) error {
	tabs := sg.tables(0)
	if r.Err() != nil {
		return invalid("tensors: %v", r.Err())
	}
	if len(tabs) > maxTensors {
		return invalid("tensors: %d tensors, more than the %d this engine accepts", len(tabs), maxTensors)
	}
	m.tensors = make([]*tensor, len(tabs))
	for i, t := range tabs {
		tt, err := parseTensor(r, i, t, bufs)
		if err != nil {
			return err
		}
		m.tensors[i] = tt
	}
	return nil
}

func parseTensor(r *fbReader, i int, t fbTable, bufs [][]byte) (*tensor, error) {
	tt := &tensor{index: i, name: t.str(3)}
	fail := func(format string, args ...any) error {
		return invalid("tensor %d %q: %s", i, tt.name, fmt.Sprintf(format, args...))
	}
	unsupported := func(format string, args ...any) error {
		return fmt.Errorf("%w: tensor %d %q: %s", runtime.ErrUnsupported, i, tt.name, fmt.Sprintf(format, args...))
	}
	shape := t.i32s(0)
	typ := t.i8(1, 0)
	buf := t.u32(2, 0)
	tt.variable = t.boolean(5)
	sig := t.i32s(7)
	q := t.table(4)
	sparse := t.table(6)
	if r.Err() != nil {
		return nil, fail("%v", r.Err())
	}
	dt, ok := tensorTypes[typ]
	if !ok {
		dt = runtime.DTypeUnknown
	}
	tt.dtype = dt
	tt.resource = typ == 13
	if len(shape) > maxRank {
		return nil, fail("rank %d exceeds %d", len(shape), maxRank)
	}
	tt.shape = make([]int, len(shape))
	// span is the product of the non-zero dimensions. It is held to the
	// limits of a real tensor even when a zero dimension makes the tensor
	// empty: operators size per-dimension index tables by the dimensions,
	// so [1 134217890 0] must not pass as cheap.
	elems, span := uint64(1), uint64(1)
	for k, d := range shape {
		if d < 0 {
			return nil, fail("dimension %d is %d", k, d)
		}
		tt.shape[k] = int(d)
		hi, lo := bits.Mul64(span, uint64(max(d, 1)))
		if hi != 0 || lo > maxTensorBytes {
			return nil, fail("shape %v has too many elements", shape)
		}
		span = lo
		if d == 0 {
			elems = 0
		}
	}
	if elems != 0 {
		elems = span
	}
	if size := span * uint64(max(dt.Size(), 1)); size > maxTensorBytes {
		return nil, fail("shape %v is %d bytes, over the %d-byte limit", shape, size, maxTensorBytes)
	}
	for _, d := range sig {
		tt.signature = append(tt.signature, int(d))
	}
	if len(sig) > 0 && len(sig) != len(shape) {
		return nil, fail("shape_signature %v does not match shape %v", sig, shape)
	}
	if uint64(buf) >= uint64(len(bufs)) && buf != 0 {
		return nil, fail("buffer index %d out of range (%d buffers)", buf, len(bufs))
	}
	if uint64(buf) < uint64(len(bufs)) && len(bufs[buf]) > 0 {
		data := bufs[buf]
		if dt.Size() == 0 {
			return nil, unsupported("constant of type %s is not supported", typeName(typ))
		}
		if sparse.present() {
			if err := densifyTensor(r, tt, sparse, data); errors.Is(err, errUnsupportedSparsity) {
				return nil, unsupported("sparsity: %v", err)
			} else if err != nil {
				return nil, fail("sparsity: %v", err)
			}
		} else {
			if uint64(len(data)) != elems*uint64(dt.Size()) {
				return nil, fail("buffer %d holds %d bytes, shape %v of %s needs %d", buf, len(data), shape, dt, elems*uint64(dt.Size()))
			}
			tt.data = aligned(data, dt.Size())
			// Tensors may share a buffer: charge each copy to the reader's
			// budget, or a misaligned buffer named by many tensors would be
			// copied once per tensor without bound.
			if &tt.data[0] != &data[0] && !r.Charge(len(data), 1) {
				return nil, fail("%v", r.Err())
			}
		}
	}
	if sparse.present() && tt.data == nil {
		return nil, fail("sparsity parameters on a tensor without contents")
	}
	if q.present() {
		quant, err := parseQuant(r, q, tt.shape)
		if errors.Is(err, runtime.ErrUnsupported) {
			return nil, unsupported("quantization: %v", err)
		}
		if err != nil {
			return nil, fail("quantization: %v", err)
		}
		tt.quant = quant
	}
	return tt, nil
}

// aligned returns b, or a copy of it if b is not aligned for elements of
// the given size (flatbuffers align buffers to 16 bytes, but the format does
// not promise it, and 32-bit ARM faults on misaligned float loads).
func aligned(b []byte, size int) []byte {
	if size <= 1 || uintptr(unsafe.Pointer(&b[0]))%uintptr(size) == 0 {
		return b
	}
	words := make([]uint64, (len(b)+7)/8)
	c := unsafe.Slice((*byte)(unsafe.Pointer(&words[0])), len(b))
	copy(c, b)
	return c
}

func parseQuant(r *fbReader, q fbTable, shape []int) (*runtime.Quantization, error) {
	scale := q.f32s(2)
	zp := q.i64s(3)
	axis := int(q.i32(6, 0))
	if d := q.u8(4, 0); d != 0 {
		return nil, fmt.Errorf("%w: quantization details of type %d (custom or blockwise)", runtime.ErrUnsupported, d)
	}
	if r.Err() != nil {
		return nil, r.Err()
	}
	if len(scale) == 0 {
		return nil, nil
	}
	if len(zp) == 0 {
		zp = make([]int64, len(scale))
	}
	if len(zp) != len(scale) {
		return nil, fmt.Errorf("%d scales but %d zero points", len(scale), len(zp))
	}
	for i, s := range scale {
		if math.IsNaN(float64(s)) || math.IsInf(float64(s), 0) || s < 0 {
			return nil, fmt.Errorf("scale %d is %v", i, s)
		}
	}
	if len(scale) > 1 {
		if axis < 0 || axis >= len(shape) {
			// TFLite Micro ignores quantized_dimension on 1-D tensors; some
			// shipped models (person_detect) carry a stale value there.
			if len(shape) != 1 {
				return nil, fmt.Errorf("quantized_dimension %d out of range for rank %d", axis, len(shape))
			}
			axis = 0
		}
		if shape[axis] != len(scale) {
			return nil, fmt.Errorf("%d scales for dimension %d of size %d", len(scale), axis, shape[axis])
		}
	}
	return &runtime.Quantization{Scale: scale, ZeroPoint: zp, Axis: axis}, nil
}

// tensorList reads a vector of tensor indices (subgraph inputs or outputs).
func (m *Model) tensorList(r *fbReader, t fbTable, slot int, what string) ([]int, error) {
	raw := t.i32s(slot)
	if r.Err() != nil {
		return nil, invalid("%s: %v", what, r.Err())
	}
	out := make([]int, len(raw))
	for i, x := range raw {
		if x < 0 || int(x) >= len(m.tensors) {
			return nil, invalid("%s[%d]: tensor index %d out of range (%d tensors)", what, i, x, len(m.tensors))
		}
		out[i] = int(x)
	}
	return out, nil
}

func (m *Model) parseOperators(r *fbReader, sg fbTable, codes []opcode, file []byte) error {
	tabs := sg.tables(3)
	if r.Err() != nil {
		return invalid("operators: %v", r.Err())
	}
	if len(tabs) > maxOperators {
		return invalid("operators: %d operators, more than the %d this engine accepts", len(tabs), maxOperators)
	}
	m.nodes = make([]*node, len(tabs))
	for i, t := range tabs {
		idx := t.u32(0, 0)
		if uint64(idx) >= uint64(len(codes)) {
			return invalid("operator %d: opcode index %d out of range (%d codes)", i, idx, len(codes))
		}
		c := codes[idx]
		n := &node{index: i, name: c.name, builtin: c.builtin, version: c.version}
		ins, outs, inters := t.i32s(1), t.i32s(2), t.i32s(8)
		n.opts = t.table(4)
		n.opts2 = t.table(12)
		n.custom = t.bytes(5)
		if off, size := t.u64(9, 0), t.u64(10, 0); off > 1 {
			if off > uint64(len(file)) || size > uint64(len(file))-off {
				return invalid("operator %d (%s): custom options %d+%d outside the file", i, c.name, off, size)
			}
			n.custom = file[off : off+size : off+size]
		}
		if r.Err() != nil {
			return invalid("operator %d (%s): %v", i, c.name, r.Err())
		}
		for k, x := range ins {
			if x < -1 || int(x) >= len(m.tensors) {
				return invalid("operator %d (%s): input %d names tensor %d of %d", i, c.name, k, x, len(m.tensors))
			}
			n.inputs = append(n.inputs, int(x))
		}
		for k, x := range outs {
			if x < 0 || int(x) >= len(m.tensors) {
				return invalid("operator %d (%s): output %d names tensor %d of %d", i, c.name, k, x, len(m.tensors))
			}
			n.outputs = append(n.outputs, int(x))
		}
		for k, x := range inters {
			if x < 0 || int(x) >= len(m.tensors) {
				return invalid("operator %d (%s): intermediate %d names tensor %d of %d", i, c.name, k, x, len(m.tensors))
			}
			n.intermediates = append(n.intermediates, int(x))
		}
		m.nodes[i] = n
		m.opCount[n.name]++
	}
	return nil
}

func (m *Model) parseSignatures(r *fbReader, root fbTable) error {
	inPos, outPos := positions(m.inputs), positions(m.outputs)
	for i, t := range root.tables(7) {
		s := Signature{Key: t.str(2), Inputs: map[string]int{}, Outputs: map[string]int{}}
		if sub := t.u32(4, 0); sub != 0 {
			// Only the main subgraph runs; other entry points are listed but not used.
			continue
		}
		for _, dir := range []struct {
			slot int
			pos  map[uint32]int
			dst  map[string]int
		}{{0, inPos, s.Inputs}, {1, outPos, s.Outputs}} {
			for _, tm := range t.tables(dir.slot) {
				name, idx := tm.str(0), tm.u32(1, 0)
				pos, ok := dir.pos[idx]
				if !ok {
					return invalid("signature %d %q: %q names tensor %d, which is not a subgraph input or output", i, s.Key, name, idx)
				}
				dir.dst[name] = pos
			}
		}
		if r.Err() != nil {
			return invalid("signature %d: %v", i, r.Err())
		}
		m.sigs = append(m.sigs, s)
	}
	if r.Err() != nil {
		return invalid("signature defs: %v", r.Err())
	}
	return nil
}

// positions maps each tensor index of a subgraph input or output list to
// its (last) position in the list.
func positions(list []int) map[uint32]int {
	pos := make(map[uint32]int, len(list))
	for k, x := range list {
		pos[uint32(x)] = k
	}
	return pos
}

// initWritable turns the stored contents of variables and of graph inputs
// (TFLite accepts a constant as an input) into initial values: such tensors
// are written at run time, by operators or by the caller, so they cannot
// live in the read-only file.
func (m *Model) initWritable() {
	for _, t := range m.tensors {
		if t.variable && t.isConst() {
			t.init, t.data = t.data, nil
		}
	}
	for _, x := range m.inputs {
		if t := m.tensors[x]; t.isConst() {
			t.init, t.data = t.data, nil
		}
	}
}

// checkGraph verifies that operators are in an order that can run: every
// tensor an operator reads is a constant, a graph input or the output of an
// earlier operator, and no tensor is written twice.
func (m *Model) checkGraph() error {
	ready := make([]bool, len(m.tensors))
	for _, t := range m.tensors {
		ready[t.index] = t.isConst()
	}
	input := make([]bool, len(m.tensors))
	for _, i := range m.inputs {
		ready[i], input[i] = true, true
	}
	for _, n := range m.nodes {
		for k, x := range n.inputs {
			if x >= 0 && !ready[x] && !m.tensors[x].variable && m.tensors[x].numElements() == 0 {
				// A zero-size constant has an empty buffer, so it looked
				// like a run-time tensor; TFLite reads it as a constant
				// (an empty RESHAPE shape, for one).
				m.tensors[x].data = []byte{}
				ready[x] = true
			}
			if x >= 0 && !ready[x] && !m.tensors[x].variable {
				if !Supported(n.name) {
					// An operator this engine does not know may use such an
					// input as scratch memory (Vela's ethos-u does); say what
					// is missing rather than call the model invalid.
					return unsupportedOp(n)
				}
				return invalid("operator %d (%s): input %d (%s) is read before anything writes it", n.index, n.name, k, m.tensors[x])
			}
		}
		for k, x := range n.outputs {
			if input[x] && !m.tensors[x].variable {
				// TFLite lets an operator overwrite a graph input; this
				// engine keeps inputs intact for the whole run.
				return fmt.Errorf("%w: operator %d (%s): output %d writes graph input %s in place", runtime.ErrUnsupported, n.index, n.name, k, m.tensors[x])
			}
			if ready[x] {
				return invalid("operator %d (%s): output %d (%s) is already a constant, an input or another operator's output", n.index, n.name, k, m.tensors[x])
			}
			ready[x] = true
		}
	}
	for k, x := range m.outputs {
		if !ready[x] {
			return invalid("output %d (%s) is never computed", k, m.tensors[x])
		}
	}
	return nil
}

// Inputs describes the model inputs in subgraph order.
func (m *Model) Inputs() []runtime.TensorInfo { return m.infos(m.inputs) }

// Outputs describes the model outputs in subgraph order.
func (m *Model) Outputs() []runtime.TensorInfo { return m.infos(m.outputs) }

func (m *Model) infos(idx []int) []runtime.TensorInfo {
	out := make([]runtime.TensorInfo, len(idx))
	for i, x := range idx {
		out[i] = m.tensors[x].info()
	}
	return out
}

// Signatures lists the model's SignatureDefs for the main subgraph.
func (m *Model) Signatures() []Signature { return m.sigs }

// Description is the model's description string.
func (m *Model) Description() string { return m.desc }

// OpCounts counts operators by name, as they are in the file (before folding).
func (m *Model) OpCounts() map[string]int { return m.opCount }

// ArenaBytes is the size of the activation arena each Session allocates.
func (m *Model) ArenaBytes() int { return m.plan.size }

// NewSession allocates an arena and binds the kernels to it.
func (m *Model) NewSession(opts runtime.Options) (runtime.Session, error) {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil, runtime.ErrClosed
	}
	m.sessions++
	m.mu.Unlock()
	s, err := newSession(m, opts)
	if err != nil {
		m.release()
		return nil, err
	}
	return s, nil
}

func (m *Model) release() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sessions--
	if m.closed && m.sessions == 0 && m.unmap != nil {
		m.unmap()
		m.unmap = nil
	}
}

// Close releases the mapping once the last session is closed.
func (m *Model) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil
	}
	m.closed = true
	if m.sessions == 0 && m.unmap != nil {
		err := m.unmap()
		m.unmap = nil
		return err
	}
	return nil
}

// Run is a convenience for one-off inference: it creates a session, copies
// the inputs, runs, and returns copies of the outputs.
func (m *Model) Run(ctx context.Context, opts runtime.Options, inputs [][]byte) ([][]byte, error) {
	s, err := m.NewSession(opts)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	if err := runtime.SetInputs(s, m.Inputs(), inputs); err != nil {
		return nil, err
	}
	if err := s.Run(ctx); err != nil {
		return nil, err
	}
	outs := make([][]byte, len(m.outputs))
	for i := range outs {
		outs[i] = append([]byte(nil), s.Output(i)...)
	}
	return outs, nil
}
