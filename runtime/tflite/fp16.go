package tflite

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/tflite/internal/flatbuf"
)

// Options types (BuiltinOptions union members) whose tables hold only
// scalars and are copied unchanged, and the two with one int vector.
var (
	scalarOptions = map[uint8]bool{
		1: true, 2: true, 5: true, 8: true, 9: true, 10: true, 11: true, 15: true,
		21: true, 22: true, 28: true, 29: true, 38: true,
	}
	vectorOptions = map[uint8]bool{17: true, 30: true} // RESHAPE new_shape, SQUEEZE squeeze_dims
)

const (
	typeFloat32      = 0
	typeFloat16      = 1
	opDequantizeCode = 6
	dequantizeVers   = 3
)

// CompressFP16 rewrites a model so that every float32 constant tensor is
// stored as float16 and turned back into float32 by a DEQUANTIZE operator
// at the start of its subgraph, as TensorFlow's converter writes float16
// models. Everything else (metadata, signatures, appended associated
// files) is kept. It refuses, with the reason, a model it cannot rewrite
// faithfully: operator options it does not know, sparse tensors, or no
// float32 constant to convert.
func CompressFP16(model []byte) ([]byte, error) {
	if _, err := parse(model); err != nil {
		return nil, fmt.Errorf("tflite: %w", err)
	}
	r := newFBReader(model)
	root := fbRoot(r)
	bufs, err := parseBuffers(r, root)
	if err != nil {
		return nil, fmt.Errorf("tflite: %w", err)
	}
	c := &fp16Converter{bufs: bufs}
	out := wtable{0: root.u32(0, 0)}
	if d := root.str(3); d != "" {
		out[3] = d
	}
	var codes []wtable
	dequant := -1
	for i, oc := range root.tables(1) {
		t := wtable{0: oc.i8(0, 0), 2: oc.i32(2, 1), 3: oc.i32(3, 0)}
		if s := oc.str(1); s != "" {
			t[1] = s
		}
		if max(int32(oc.i8(0, 0)), oc.i32(3, 0)) == opDequantizeCode && oc.i32(2, 1) == dequantizeVers {
			dequant = i
		}
		codes = append(codes, t)
	}
	if dequant < 0 {
		dequant = len(codes)
		codes = append(codes, wtable{0: int8(opDequantizeCode), 2: int32(dequantizeVers), 3: int32(opDequantizeCode)})
	}
	c.dequant = uint32(dequant)
	out[1] = codes
	var sgs []wtable
	for i, sg := range root.tables(2) {
		t, err := c.subgraph(sg)
		if err != nil {
			return nil, fmt.Errorf("tflite: fp16: subgraph %d: %w", i, err)
		}
		sgs = append(sgs, t)
	}
	out[2] = sgs
	if c.converted == 0 {
		return nil, fmt.Errorf("tflite: fp16: %w: the model has no float32 constant tensor to convert", runtime.ErrUnsupported)
	}
	if mb := root.i32s(5); len(mb) > 0 {
		out[5] = mb
		for _, b := range mb {
			c.keep(int(b))
		}
	}
	var md []wtable
	for _, m := range root.tables(6) {
		md = append(md, wtable{0: m.str(0), 1: m.u32(1, 0)})
		c.keep(int(m.u32(1, 0)))
	}
	if md != nil {
		out[6] = md
	}
	if sigs := c.signatures(root.tables(7)); sigs != nil {
		out[7] = sigs
	}
	out[4] = c.buffers()
	if r.Err() != nil {
		return nil, fmt.Errorf("tflite: fp16: %w", r.Err())
	}
	b, err := appendZip(flatbuf.Build("TFL3", out), model)
	if err != nil {
		return nil, fmt.Errorf("tflite: fp16: %w", err)
	}
	return b, nil
}

type fp16Converter struct {
	bufs      [][]byte
	dequant   uint32
	newBufs   [][]byte
	used      map[int]bool
	converted int
}

func (c *fp16Converter) keep(b int) {
	if c.used == nil {
		c.used = map[int]bool{}
	}
	c.used[b] = true
}

func (c *fp16Converter) subgraph(sg fbTable) (wtable, error) {
	tensors := sg.tables(0)
	ops := sg.tables(3)
	consumed := map[int32]bool{}
	for _, op := range ops {
		for _, in := range op.i32s(1) {
			consumed[in] = true
		}
	}
	var out, halves, wops []wtable
	for i, t := range tensors {
		wt, err := c.tensor(t)
		if err != nil {
			return nil, fmt.Errorf("tensor %d: %w", i, err)
		}
		buf := int(t.u32(2, 0))
		data := c.bufs[buf]
		if t.i8(1, 0) == typeFloat32 && len(data) > 0 && consumed[int32(i)] && !t.boolean(5) {
			if len(c.bufs[0]) != 0 {
				return nil, fmt.Errorf("%w: buffer 0 is not the empty buffer", runtime.ErrUnsupported)
			}
			h := wtable{0: t.i32s(0), 1: int8(typeFloat16), 2: uint32(len(c.bufs) + len(c.newBufs)), 3: t.str(3) + "_fp16"}
			c.newBufs = append(c.newBufs, toFloat16(data))
			wt[2] = uint32(0)
			wops = append(wops, wtable{0: c.dequant, 1: []int32{int32(len(tensors) + len(halves))}, 2: []int32{int32(i)}})
			halves = append(halves, h)
			c.converted++
		} else {
			c.keep(buf)
		}
		out = append(out, wt)
	}
	for i, op := range ops {
		w, err := c.operator(op)
		if err != nil {
			return nil, fmt.Errorf("operator %d: %w", i, err)
		}
		wops = append(wops, w)
	}
	t := wtable{0: append(out, halves...), 1: sg.i32s(1), 2: sg.i32s(2), 3: wops}
	if n := sg.str(4); n != "" {
		t[4] = n
	}
	return t, nil
}

func (c *fp16Converter) tensor(t fbTable) (wtable, error) {
	if t.table(6).present() {
		return nil, fmt.Errorf("%w: sparse tensors are not converted", runtime.ErrUnsupported)
	}
	if _, n := t.vector(9, 4); n > 0 {
		return nil, fmt.Errorf("%w: variant tensors are not converted", runtime.ErrUnsupported)
	}
	w := wtable{1: t.i8(1, 0), 2: t.u32(2, 0)}
	if s := t.i32s(0); s != nil {
		w[0] = s
	}
	if n := t.str(3); n != "" {
		w[3] = n
	}
	if t.boolean(5) {
		w[5] = uint8(1)
	}
	if s := t.i32s(7); s != nil {
		w[7] = s
	}
	if t.Field(8, 1) != 0 {
		w[8] = t.u8(8, 0)
	}
	if q := t.table(4); q.present() {
		if q.u8(4, 0) != 0 {
			return nil, fmt.Errorf("%w: custom quantization details are not converted", runtime.ErrUnsupported)
		}
		wq := wtable{6: q.i32(6, 0)}
		for slot, v := range map[int][]float32{0: q.f32s(0), 1: q.f32s(1), 2: q.f32s(2)} {
			if v != nil {
				wq[slot] = v
			}
		}
		if zp := q.i64s(3); zp != nil {
			wq[3] = zp
		}
		w[4] = wq
	}
	return w, nil
}

func (c *fp16Converter) operator(op fbTable) (wtable, error) {
	if op.u8(11, 0) != 0 || op.u64(9, 0) != 0 {
		return nil, fmt.Errorf("%w: second builtin options or large custom options are not converted", runtime.ErrUnsupported)
	}
	w := wtable{0: op.u32(0, 0), 1: op.i32s(1), 2: op.i32s(2)}
	if v := op.i32s(8); v != nil {
		w[8] = v
	}
	if v := op.bytes(7); v != nil {
		w[7] = v
	}
	if v := op.bytes(5); v != nil {
		w[5] = v
		w[6] = op.i8(6, 0)
	}
	typ := op.u8(3, 0)
	opts := op.table(4)
	if typ == 0 || !opts.present() {
		return w, nil
	}
	w[3] = typ
	switch {
	case scalarOptions[typ]:
		w[4] = opts.Raw()
	case vectorOptions[typ]:
		ow := wtable{}
		if v := opts.i32s(0); v != nil {
			ow[0] = v
		}
		w[4] = ow
	default:
		return nil, fmt.Errorf("%w: options type %d is not known to the converter", runtime.ErrUnsupported, typ)
	}
	return w, nil
}

func (c *fp16Converter) signatures(sigs []fbTable) []wtable {
	var out []wtable
	for _, s := range sigs {
		w := wtable{4: s.u32(4, 0)}
		if k := s.str(2); k != "" {
			w[2] = k
		}
		for _, slot := range []int{0, 1} {
			var maps []wtable
			for _, m := range s.tables(slot) {
				maps = append(maps, wtable{0: m.str(0), 1: m.u32(1, 0)})
			}
			if maps != nil {
				w[slot] = maps
			}
		}
		out = append(out, w)
	}
	return out
}

// buffers returns the model's buffers, the float32 data now stored as
// float16 dropped, followed by the float16 data.
func (c *fp16Converter) buffers() []wtable {
	var out []wtable
	for i, b := range c.bufs {
		if len(b) == 0 || !c.used[i] {
			out = append(out, wtable{})
			continue
		}
		out = append(out, wtable{0: b})
	}
	for _, b := range c.newBufs {
		out = append(out, wtable{0: b})
	}
	return out
}

// toFloat16 converts little-endian float32 values to float16, rounding to
// nearest even.
func toFloat16(b []byte) []byte {
	out := make([]byte, len(b)/2)
	for i := range len(b) / 4 {
		binary.LittleEndian.PutUint16(out[2*i:], float32ToFloat16(math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))))
	}
	return out
}

func float32ToFloat16(f float32) uint16 {
	bits := math.Float32bits(f)
	sign := uint16(bits>>16) & 0x8000
	exp := int32(bits>>23) & 0xff
	mant := bits & 0x7fffff
	switch {
	case exp == 0xff: // Inf or NaN
		if mant != 0 {
			return sign | 0x7e00
		}
		return sign | 0x7c00
	case exp-127 > 15: // overflow
		return sign | 0x7c00
	case exp-127 >= -14: // normal
		e := uint32(exp-127+15) << 10
		m := mant >> 13
		v := e | m
		rem := mant & 0x1fff
		if rem > 0x1000 || (rem == 0x1000 && v&1 == 1) {
			v++ // may carry into the exponent, up to Inf: correct
		}
		return sign | uint16(v)
	case exp-127 >= -25: // subnormal
		mant |= 0x800000
		shift := uint32(-14-(exp-127)) + 13
		v := mant >> shift
		rem := mant & (1<<shift - 1)
		half := uint32(1) << (shift - 1)
		if rem > half || (rem == half && v&1 == 1) {
			v++
		}
		return sign | uint16(v)
	}
	return sign
}

// appendZip appends to fb the zip archive of associated files the model
// carries, if any. The metadata writer stores offsets from the start of
// the model file, so the entries are copied (still compressed) into a new
// archive whose offsets start where fb ends.
func appendZip(fb, model []byte) ([]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(model), int64(len(model)))
	switch {
	case errors.Is(err, zip.ErrFormat):
		return fb, nil
	case err != nil && !errors.Is(err, zip.ErrInsecurePath):
		return nil, fmt.Errorf("associated files: %w", err)
	}
	var z bytes.Buffer
	zw := zip.NewWriter(&z)
	zw.SetOffset(int64(len(fb)))
	for _, f := range zr.File {
		h := f.FileHeader
		w, err := zw.CreateRaw(&h)
		if err != nil {
			return nil, fmt.Errorf("associated file %s: %w", f.Name, err)
		}
		rc, err := f.OpenRaw()
		if err != nil {
			return nil, fmt.Errorf("associated file %s: %w", f.Name, err)
		}
		if _, err := io.Copy(w, rc); err != nil {
			return nil, fmt.Errorf("associated file %s: %w", f.Name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("associated files: %w", err)
	}
	return append(fb, z.Bytes()...), nil
}
