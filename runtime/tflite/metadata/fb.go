package metadata

import (
	"encoding/binary"
	"fmt"
	"math"
)

// reader reads one FlatBuffer from untrusted bytes. Every access is bounds
// checked; the first problem is kept in err and later reads return zero
// values, so the parsing code reads straight through and checks err once.
type reader struct {
	b    []byte
	what string // named in errors: "model" or "metadata"
	err  error
	// spent counts the bytes allocated for strings, float vectors and table
	// lists. Vectors may be shared by any number of references, so without
	// a budget a small buffer could make the reader allocate without bound.
	spent, budget uint64
}

func newReader(b []byte, what string) *reader {
	return &reader{b: b, what: what, budget: 8*uint64(len(b)) + 1<<16}
}

func (r *reader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%s: "+format, append([]any{r.what}, args...)...)
	}
}

func (r *reader) charge(n, size uint64) bool {
	r.spent += n * size
	if r.spent > r.budget {
		r.fail("shared vectors or strings expand the %d-byte buffer past %d bytes", len(r.b), r.budget)
		return false
	}
	return true
}

// in reports whether n bytes at offset at lie in the buffer, and records an
// error when they do not.
func (r *reader) in(at, n uint64) bool {
	if at > uint64(len(r.b)) || n > uint64(len(r.b))-at {
		r.fail("offset %d+%d outside the %d-byte buffer", at, n, len(r.b))
		return false
	}
	return true
}

func (r *reader) u16(at uint64) uint16 {
	if r.err != nil || !r.in(at, 2) {
		return 0
	}
	return binary.LittleEndian.Uint16(r.b[at:])
}

func (r *reader) u32(at uint64) uint32 {
	if r.err != nil || !r.in(at, 4) {
		return 0
	}
	return binary.LittleEndian.Uint32(r.b[at:])
}

func (r *reader) root() table {
	if len(r.b) < 8 {
		r.fail("%d bytes, too short to be a FlatBuffer", len(r.b))
		return table{}
	}
	return r.tableAt(uint64(r.u32(0)))
}

// tableAt validates the table at pos and its vtable.
func (r *reader) tableAt(pos uint64) table {
	if r.err != nil || !r.in(pos, 4) {
		return table{}
	}
	if pos%4 != 0 {
		r.fail("table at %d is misaligned", pos)
		return table{}
	}
	vt := int64(pos) - int64(int32(r.u32(pos)))
	if vt < 0 || !r.in(uint64(vt), 4) {
		r.fail("table at %d: vtable out of range", pos)
		return table{}
	}
	vtLen, objLen := uint64(r.u16(uint64(vt))), uint64(r.u16(uint64(vt)+2))
	if vtLen < 4 || vtLen%2 != 0 || !r.in(uint64(vt), vtLen) || !r.in(pos, objLen) {
		r.fail("table at %d: vtable of %d bytes or object of %d bytes out of range", pos, vtLen, objLen)
		return table{}
	}
	return table{r: r, pos: pos, vt: uint64(vt), vtLen: vtLen, objLen: objLen}
}

// table is one validated table. The zero value is an absent table whose
// fields all read as their defaults.
type table struct {
	r                      *reader
	pos, vt, vtLen, objLen uint64
}

// field returns the absolute position of a field of the given byte size,
// or 0 when the field is absent.
func (t table) field(slot int, size uint64) uint64 {
	if t.r == nil || t.r.err != nil {
		return 0
	}
	e := 4 + 2*uint64(slot)
	if e+2 > t.vtLen {
		return 0
	}
	off := uint64(t.r.u16(t.vt + e))
	if off == 0 {
		return 0
	}
	if off+size > t.objLen {
		t.r.fail("table at %d: field %d lies outside the table", t.pos, slot)
		return 0
	}
	return t.pos + off
}

func (t table) u8(slot int) uint8 {
	if p := t.field(slot, 1); p != 0 && t.r.in(p, 1) {
		return t.r.b[p]
	}
	return 0
}

func (t table) u32(slot int) uint32 {
	if p := t.field(slot, 4); p != 0 {
		return t.r.u32(p)
	}
	return 0
}

func (t table) u64(slot int) uint64 {
	if p := t.field(slot, 8); p != 0 && t.r.in(p, 8) {
		return binary.LittleEndian.Uint64(t.r.b[p:])
	}
	return 0
}

func (t table) f32(slot int) float32 { return math.Float32frombits(t.u32(slot)) }

// ref follows an offset field to the object it points at; 0 when absent.
func (t table) ref(slot int) uint64 {
	p := t.field(slot, 4)
	if p == 0 {
		return 0
	}
	target := p + uint64(t.r.u32(p))
	if !t.r.in(target, 4) {
		return 0
	}
	return target
}

func (t table) table(slot int) table {
	if p := t.ref(slot); p != 0 {
		return t.r.tableAt(p)
	}
	return table{}
}

// vector returns the position of the first element and the element count
// of a vector of elemSize-byte elements, all of it inside the buffer.
func (t table) vector(slot int, elemSize uint64) (uint64, uint64) {
	p := t.ref(slot)
	if p == 0 {
		return 0, 0
	}
	n := uint64(t.r.u32(p))
	if !t.r.in(p+4, n*elemSize) {
		return 0, 0
	}
	return p + 4, n
}

// bytes returns a byte vector as a slice of the buffer (no copy).
func (t table) bytes(slot int) []byte {
	start, n := t.vector(slot, 1)
	if n == 0 {
		return nil
	}
	return t.r.b[start : start+n : start+n]
}

func (t table) str(slot int) string {
	b := t.bytes(slot)
	if len(b) == 0 || !t.r.charge(uint64(len(b)), 1) {
		return ""
	}
	return string(b)
}

func (t table) f32s(slot int) []float32 {
	start, n := t.vector(slot, 4)
	if n == 0 || !t.r.charge(n, 4) {
		return nil
	}
	out := make([]float32, n)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(t.r.b[start+4*uint64(i):]))
	}
	return out
}

// tables returns a vector of tables, refusing more than limit of them.
func (t table) tables(slot int, limit int, name string) []table {
	start, n := t.vector(slot, 4)
	if n == 0 {
		return nil
	}
	if n > uint64(limit) {
		t.r.fail("%d %s, more than the %d allowed", n, name, limit)
		return nil
	}
	if !t.r.charge(n, 48) {
		return nil
	}
	out := make([]table, 0, n)
	for i := uint64(0); i < n && t.r.err == nil; i++ {
		p := start + 4*i
		out = append(out, t.r.tableAt(p+uint64(t.r.u32(p))))
	}
	return out
}

// count returns the length of a vector of 4-byte elements.
func (t table) count(slot int) int {
	_, n := t.vector(slot, 4)
	return int(n)
}

// elem returns table i of a vector of tables.
func (t table) elem(slot int, i uint64, name string) table {
	start, n := t.vector(slot, 4)
	if t.r == nil || t.r.err != nil {
		return table{}
	}
	if i >= n {
		t.r.fail("%s %d of %d", name, i, n)
		return table{}
	}
	p := start + 4*i
	return t.r.tableAt(p + uint64(t.r.u32(p)))
}
