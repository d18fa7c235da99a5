package flatbuf

import (
	"encoding/binary"
	"fmt"
	"math"
	"unsafe"
)

// Slack is what the reader may allocate beyond its expansion budget, so
// that tiny buffers can still be read.
const Slack = 1 << 16

// Reader reads one FlatBuffer from untrusted bytes. The first problem is
// kept (Err) and every later read returns its default.
type Reader struct {
	b    []byte
	noun string // names b in errors: "file", "buffer"
	err  error
	// spent counts the bytes allocated for strings, scalar vectors and
	// table lists; budget bounds it.
	spent, budget uint64
}

// NewReader returns a reader of b. noun names b in errors ("outside the
// 40-byte file"). The reader allocates at most expansion times len(b),
// plus Slack, for what it returns.
func NewReader(b []byte, noun string, expansion uint64) *Reader {
	return &Reader{b: b, noun: noun, budget: expansion*uint64(len(b)) + Slack}
}

// Err returns the first problem met, or nil.
func (r *Reader) Err() error { return r.err }

// Bytes returns the buffer being read.
func (r *Reader) Bytes() []byte { return r.b }

// Fail records a problem unless one is already recorded.
func (r *Reader) Fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf(format, args...)
	}
}

// Charge records an allocation of n elements of size bytes and reports
// whether it stays within the budget; when not, it records the problem.
func (r *Reader) Charge(n int, size uint64) bool {
	r.spent += uint64(n) * size
	if r.spent > r.budget {
		r.Fail("shared vectors or strings expand the %d-byte %s past %d bytes", len(r.b), r.noun, r.budget)
		return false
	}
	return true
}

// fits reports whether n bytes at offset at lie in the buffer.
func (r *Reader) fits(at, n uint64) bool {
	return at <= uint64(len(r.b)) && n <= uint64(len(r.b))-at
}

// Within reports whether n bytes at offset at lie in the buffer, and
// records a problem when they do not.
func (r *Reader) Within(at, n uint64) bool {
	if !r.fits(at, n) {
		r.Fail("offset %d+%d outside the %d-byte %s", at, n, len(r.b), r.noun)
		return false
	}
	return true
}

func (r *Reader) u16(at uint64) uint16 {
	if r.err != nil || !r.Within(at, 2) {
		return 0
	}
	return binary.LittleEndian.Uint16(r.b[at:])
}

func (r *Reader) u32(at uint64) uint32 {
	if r.err != nil || !r.Within(at, 4) {
		return 0
	}
	return binary.LittleEndian.Uint32(r.b[at:])
}

// Root returns the root table named by the buffer's first word.
func (r *Reader) Root() Table {
	if len(r.b) < 8 {
		r.Fail("%s is %d bytes, too short to be a FlatBuffer", r.noun, len(r.b))
		return Table{}
	}
	return r.TableAt(uint64(r.u32(0)))
}

// TableAt validates the table at pos and its vtable: the table is 4-byte
// aligned, its vtable and object lie in the buffer, and the vtable is at
// least 4 bytes and of even length.
func (r *Reader) TableAt(pos uint64) Table {
	if r.err != nil || !r.Within(pos, 4) {
		return Table{}
	}
	if pos%4 != 0 {
		r.Fail("table at %d is misaligned", pos)
		return Table{}
	}
	soff := int64(int32(r.u32(pos)))
	vt := int64(pos) - soff
	if vt < 0 || !r.fits(uint64(vt), 4) {
		r.Fail("table at %d: vtable offset %d out of range", pos, soff)
		return Table{}
	}
	vtLen := uint64(r.u16(uint64(vt)))
	objLen := uint64(r.u16(uint64(vt) + 2))
	if vtLen < 4 || vtLen%2 != 0 {
		r.Fail("table at %d: vtable of %d bytes, not an even number of at least 4", pos, vtLen)
		return Table{}
	}
	if !r.fits(uint64(vt), vtLen) || !r.fits(pos, objLen) {
		r.Fail("table at %d: vtable of %d bytes or object of %d bytes out of range, outside the %d-byte %s", pos, vtLen, objLen, len(r.b), r.noun)
		return Table{}
	}
	return Table{r: r, pos: pos, vt: uint64(vt), vtLen: vtLen, objLen: objLen}
}

// Table is one validated table. The zero value is an absent table whose
// fields all read as their defaults.
type Table struct {
	r                      *Reader
	pos, vt, vtLen, objLen uint64
}

// Present reports whether the table is there (not absent).
func (t Table) Present() bool { return t.r != nil }

// Err returns the first problem its reader met; nil for an absent table.
func (t Table) Err() error {
	if t.r == nil {
		return nil
	}
	return t.r.err
}

// Field returns the absolute position of a field of the given byte size,
// or 0 when the field is absent.
func (t Table) Field(slot int, size uint64) uint64 {
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
		t.r.Fail("table at %d: field %d lies outside the table", t.pos, slot)
		return 0
	}
	return t.pos + off
}

// U8 reads a 1-byte field, def when absent.
func (t Table) U8(slot int, def uint8) uint8 {
	if p := t.Field(slot, 1); p != 0 && t.r.Within(p, 1) {
		return t.r.b[p]
	}
	return def
}

// I8 reads a signed 1-byte field.
func (t Table) I8(slot int, def int8) int8 { return int8(t.U8(slot, uint8(def))) }

// Bool reads a bool field (false when absent).
func (t Table) Bool(slot int) bool { return t.U8(slot, 0) != 0 }

// U32 reads a 4-byte field.
func (t Table) U32(slot int, def uint32) uint32 {
	if p := t.Field(slot, 4); p != 0 {
		return t.r.u32(p)
	}
	return def
}

// I32 reads a signed 4-byte field.
func (t Table) I32(slot int, def int32) int32 { return int32(t.U32(slot, uint32(def))) }

// U64 reads an 8-byte field.
func (t Table) U64(slot int, def uint64) uint64 {
	if p := t.Field(slot, 8); p != 0 && t.r.Within(p, 8) {
		return binary.LittleEndian.Uint64(t.r.b[p:])
	}
	return def
}

// F32 reads a float32 field.
func (t Table) F32(slot int, def float32) float32 {
	return math.Float32frombits(t.U32(slot, math.Float32bits(def)))
}

// ref follows an offset field to the object it points at; 0 when absent.
func (t Table) ref(slot int) uint64 {
	p := t.Field(slot, 4)
	if p == 0 {
		return 0
	}
	target := p + uint64(t.r.u32(p))
	if !t.r.Within(target, 4) {
		return 0
	}
	return target
}

// Table returns a sub-table, or the absent table.
func (t Table) Table(slot int) Table {
	if p := t.ref(slot); p != 0 {
		return t.r.TableAt(p)
	}
	return Table{}
}

// Vector returns the position of the first element and the element count
// of a vector of elemSize-byte elements, all of it inside the buffer.
func (t Table) Vector(slot int, elemSize uint64) (uint64, int) {
	p := t.ref(slot)
	if p == 0 {
		return 0, 0
	}
	n := uint64(t.r.u32(p))
	if !t.r.Within(p+4, n*elemSize) {
		return 0, 0
	}
	return p + 4, int(n)
}

// Bytes returns a byte vector as a slice of the buffer (no copy).
func (t Table) Bytes(slot int) []byte {
	start, n := t.Vector(slot, 1)
	if n == 0 {
		return nil
	}
	end := start + uint64(n)
	return t.r.b[start:end:end]
}

// Str returns a string field ("" when absent).
func (t Table) Str(slot int) string {
	b := t.Bytes(slot)
	if len(b) == 0 || !t.r.Charge(len(b), 1) {
		return ""
	}
	return string(b)
}

// I32s returns a vector of int32.
func (t Table) I32s(slot int) []int32 {
	return scalars(t, slot, 4, func(b []byte) int32 { return int32(binary.LittleEndian.Uint32(b)) })
}

// I64s returns a vector of int64.
func (t Table) I64s(slot int) []int64 {
	return scalars(t, slot, 8, func(b []byte) int64 { return int64(binary.LittleEndian.Uint64(b)) })
}

// F32s returns a vector of float32.
func (t Table) F32s(slot int) []float32 {
	return scalars(t, slot, 4, func(b []byte) float32 { return math.Float32frombits(binary.LittleEndian.Uint32(b)) })
}

// scalars copies a vector of size-byte scalars out of the buffer, each
// decoded by get, charging the copy to the budget.
func scalars[T any](t Table, slot int, size uint64, get func([]byte) T) []T {
	start, n := t.Vector(slot, size)
	if n == 0 || !t.r.Charge(n, size) {
		return nil
	}
	out := make([]T, n)
	for i := range out {
		out[i] = get(t.r.b[start+size*uint64(i):])
	}
	return out
}

// Len returns the length of a vector of 4-byte elements (such as tables).
func (t Table) Len(slot int) int {
	_, n := t.Vector(slot, 4)
	return n
}

// Elem returns table i of a vector of tables; name says what the tables
// are in the error when there is no table i.
func (t Table) Elem(slot int, i uint64, name string) Table {
	start, n := t.Vector(slot, 4)
	if t.r == nil || t.r.err != nil {
		return Table{}
	}
	if i >= uint64(n) {
		t.r.Fail("%s %d of %d", name, i, n)
		return Table{}
	}
	p := start + 4*i
	return t.r.TableAt(p + uint64(t.r.u32(p)))
}

// Tables returns the tables of a vector of tables. When limit > 0, a
// vector of more than limit tables is refused, the error naming them as
// name.
func (t Table) Tables(slot, limit int, name string) []Table {
	return TablesAs(t, slot, limit, name, func(t Table) Table { return t })
}

// TablesAs is Tables for a caller's own table type: as makes each table a
// T, and the budget is charged the size of T.
func TablesAs[T any](t Table, slot, limit int, name string, as func(Table) T) []T {
	start, n := t.Vector(slot, 4)
	if n == 0 {
		return nil
	}
	if limit > 0 && n > limit {
		t.r.Fail("%d %s, more than the %d allowed", n, name, limit)
		return nil
	}
	var zero T
	if !t.r.Charge(n, uint64(unsafe.Sizeof(zero))) {
		return nil
	}
	out := make([]T, 0, n)
	for i := 0; i < n && t.r.err == nil; i++ {
		p := start + 4*uint64(i)
		out = append(out, as(t.r.TableAt(p+uint64(t.r.u32(p)))))
	}
	return out
}

// Raw returns the table as it stands in the buffer, for Build to copy
// unchanged: only tables whose fields are all scalars can be copied so.
func (t Table) Raw() Raw {
	if t.r == nil {
		return Raw{}
	}
	// TableAt checked the 4-byte soffset is in the buffer; a hostile
	// vtable may still claim a shorter object.
	end := t.pos + max(t.objLen, 4)
	return Raw{
		VTable: t.r.b[t.vt : t.vt+t.vtLen : t.vt+t.vtLen],
		Object: t.r.b[t.pos:end:end],
		Mod8:   int(t.pos % 8),
	}
}
