package tflite

import (
	"encoding/binary"
	"fmt"
	"math"
	"unsafe"
)

// fbReader reads FlatBuffers from untrusted bytes. Every access is bounds
// checked; the first problem is kept in err and later reads return zero
// values, so parsing code reads straight through and checks err once.
type fbReader struct {
	b   []byte
	err error
	// spent counts the bytes the reader has allocated for strings, scalar
	// vectors and table lists. Vectors and tables may be shared by any
	// number of references, so without this a small file could make the
	// reader allocate without bound.
	spent uint64
}

// maxExpansion bounds the reader's allocations to this many times the
// file size (plus expansionSlack). A valid model allocates about three
// times its table bytes (a 4-byte table offset becomes an fbTable).
const (
	maxExpansion   = 16
	expansionSlack = 1 << 16
)

// charge records an allocation of n elements of size bytes and reports
// whether it stays within the budget.
func (r *fbReader) charge(n int, size uint64) bool {
	r.spent += uint64(n) * size
	if r.spent > maxExpansion*uint64(len(r.b))+expansionSlack {
		r.fail("shared vectors or strings expand the %d-byte file past %d bytes", len(r.b), maxExpansion*uint64(len(r.b))+expansionSlack)
		return false
	}
	return true
}

func (r *fbReader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf(format, args...)
	}
}

// fits reports whether n bytes at offset at lie in the buffer.
func (r *fbReader) fits(at, n uint64) bool {
	return at <= uint64(len(r.b)) && n <= uint64(len(r.b))-at
}

func (r *fbReader) in(at, n uint64) bool {
	if !r.fits(at, n) {
		r.fail("offset %d+%d outside the %d-byte file", at, n, len(r.b))
		return false
	}
	return true
}

func (r *fbReader) u16(at uint64) uint16 {
	if !r.in(at, 2) {
		return 0
	}
	return binary.LittleEndian.Uint16(r.b[at:])
}

func (r *fbReader) u32(at uint64) uint32 {
	if !r.in(at, 4) {
		return 0
	}
	return binary.LittleEndian.Uint32(r.b[at:])
}

// root returns the root table named by the buffer's first word.
func (r *fbReader) root() fbTable {
	if len(r.b) < 8 {
		r.fail("file is %d bytes, too short to be a FlatBuffer", len(r.b))
		return fbTable{}
	}
	return r.tableAt(uint64(r.u32(0)))
}

// tableAt validates the table at pos and its vtable.
func (r *fbReader) tableAt(pos uint64) fbTable {
	if r.err != nil || !r.in(pos, 4) {
		return fbTable{}
	}
	if pos%4 != 0 {
		r.fail("table at %d is misaligned", pos)
		return fbTable{}
	}
	soff := int64(int32(r.u32(pos)))
	vt := int64(pos) - soff
	if vt < 0 || !r.fits(uint64(vt), 4) {
		r.fail("table at %d: vtable offset %d out of range", pos, soff)
		return fbTable{}
	}
	vtLen := uint64(r.u16(uint64(vt)))
	objLen := uint64(r.u16(uint64(vt) + 2))
	if vtLen < 4 || vtLen%2 != 0 || !r.fits(uint64(vt), vtLen) || !r.fits(pos, objLen) {
		r.fail("table at %d: vtable of %d bytes or object of %d bytes out of range", pos, vtLen, objLen)
		return fbTable{}
	}
	return fbTable{r: r, pos: pos, vt: uint64(vt), vtLen: vtLen, objLen: objLen}
}

// fbTable is one validated table. The zero value is an absent table whose
// fields all read as their defaults.
type fbTable struct {
	r                      *fbReader
	pos, vt, vtLen, objLen uint64
}

func (t fbTable) present() bool { return t.r != nil }

// field returns the absolute position of a field of the given byte size,
// or 0 when the field is absent.
func (t fbTable) field(slot int, size uint64) uint64 {
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

func (t fbTable) u8(slot int, def uint8) uint8 {
	if p := t.field(slot, 1); p != 0 && t.r.in(p, 1) {
		return t.r.b[p]
	}
	return def
}

func (t fbTable) i8(slot int, def int8) int8 { return int8(t.u8(slot, uint8(def))) }

func (t fbTable) boolean(slot int) bool { return t.u8(slot, 0) != 0 }

func (t fbTable) u32(slot int, def uint32) uint32 {
	if p := t.field(slot, 4); p != 0 {
		return t.r.u32(p)
	}
	return def
}

func (t fbTable) i32(slot int, def int32) int32 { return int32(t.u32(slot, uint32(def))) }

func (t fbTable) u64(slot int, def uint64) uint64 {
	if p := t.field(slot, 8); p != 0 && t.r.in(p, 8) {
		return binary.LittleEndian.Uint64(t.r.b[p:])
	}
	return def
}

func (t fbTable) f32(slot int, def float32) float32 {
	return math.Float32frombits(t.u32(slot, math.Float32bits(def)))
}

// ref follows an offset field to the object it points at; 0 when absent.
func (t fbTable) ref(slot int) uint64 {
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

// table returns a sub-table, or the absent table.
func (t fbTable) table(slot int) fbTable {
	if p := t.ref(slot); p != 0 {
		return t.r.tableAt(p)
	}
	return fbTable{}
}

// vector returns the position of the first element and the element count of
// a vector of elemSize-byte elements, checking that all of it is in the file.
func (t fbTable) vector(slot int, elemSize uint64) (uint64, int) {
	p := t.ref(slot)
	if p == 0 {
		return 0, 0
	}
	n := uint64(t.r.u32(p))
	if !t.r.in(p+4, n*elemSize) {
		return 0, 0
	}
	return p + 4, int(n)
}

func (t fbTable) bytes(slot int) []byte {
	start, n := t.vector(slot, 1)
	if n == 0 {
		return nil
	}
	return t.r.b[start : start+uint64(n) : start+uint64(n)]
}

func (t fbTable) str(slot int) string {
	b := t.bytes(slot)
	if len(b) == 0 || !t.r.charge(len(b), 1) {
		return ""
	}
	return string(b)
}

func (t fbTable) i32s(slot int) []int32 {
	start, n := t.vector(slot, 4)
	if n == 0 || !t.r.charge(n, 4) {
		return nil
	}
	out := make([]int32, n)
	for i := range out {
		out[i] = int32(binary.LittleEndian.Uint32(t.r.b[start+4*uint64(i):]))
	}
	return out
}

func (t fbTable) i64s(slot int) []int64 {
	start, n := t.vector(slot, 8)
	if n == 0 || !t.r.charge(n, 8) {
		return nil
	}
	out := make([]int64, n)
	for i := range out {
		out[i] = int64(binary.LittleEndian.Uint64(t.r.b[start+8*uint64(i):]))
	}
	return out
}

func (t fbTable) f32s(slot int) []float32 {
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

// tables returns the tables of a vector of tables.
func (t fbTable) tables(slot int) []fbTable {
	start, n := t.vector(slot, 4)
	if n == 0 || !t.r.charge(n, uint64(unsafe.Sizeof(fbTable{}))) {
		return nil
	}
	out := make([]fbTable, 0, n)
	for i := 0; i < n && t.r.err == nil; i++ {
		p := start + 4*uint64(i)
		out = append(out, t.r.tableAt(p+uint64(t.r.u32(p))))
	}
	return out
}
