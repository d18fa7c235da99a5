package flatbuf

import (
	"encoding/binary"
	"fmt"
	"math"
	"sort"
)

// Fields is a table to write: slot -> value. Inline scalars are uint8,
// int8, bool, int32, uint32, float32, int64 and uint64. Referenced objects
// are string, []byte (data 16-byte aligned), Misaligned, []uint16,
// []int32, []int64, []float32, Fields, []Fields (a vector of tables), []any
// (a vector of references to any object, Shared ones included), Raw and
// *Shared.
type Fields map[int]any

// Misaligned is a byte vector whose data starts at an odd offset, as only
// a hostile file has it.
type Misaligned []byte

// Shared is an object written once however many fields refer to it, as
// FlatBuffers allow (and hostile files exploit). It is written after
// everything else.
type Shared struct{ V any }

// Raw is a table copied unchanged: its vtable and its object bytes, which
// must hold only scalars. Mod8 is the object's position modulo 8 in its
// source, kept so 8-byte fields stay aligned. Table.Raw makes one.
type Raw struct {
	VTable, Object []byte
	Mod8           int
}

// Build serialises root as a FlatBuffer with the given 4-byte file
// identifier. It panics on a value type Fields does not list.
func Build(ident string, root Fields) []byte {
	w := &writer{b: make([]byte, 8), pending: map[*Shared][]int{}}
	copy(w.b[4:8], ident)
	binary.LittleEndian.PutUint32(w.b, uint32(w.table(root)))
	// Shared objects go last, after every field that refers to them.
	for len(w.order) > 0 {
		s := w.order[0]
		w.order = w.order[1:]
		p := w.object(s.V)
		for _, at := range w.pending[s] {
			w.patch(at, p)
		}
	}
	return w.b
}

type writer struct {
	b []byte
	// pending lists, per shared object, the fields to patch once it is
	// written; order is the order in which they were first seen.
	pending map[*Shared][]int
	order   []*Shared
}

// ref makes the offset field at refer to v, written now or, when shared,
// at the end.
func (w *writer) ref(at int, v any) {
	if s, ok := v.(*Shared); ok {
		if _, seen := w.pending[s]; !seen {
			w.order = append(w.order, s)
		}
		w.pending[s] = append(w.pending[s], at)
		return
	}
	w.patch(at, w.object(v))
}

// align pads until the position plus extra is a multiple of n.
func (w *writer) align(n, extra int) {
	for (len(w.b)+extra)%n != 0 {
		w.b = append(w.b, 0)
	}
}

func (w *writer) u32(v uint32) { w.b = binary.LittleEndian.AppendUint32(w.b, v) }

func (w *writer) patch(at, target int) {
	binary.LittleEndian.PutUint32(w.b[at:], uint32(target-at))
}

func inlineSize(v any) int {
	switch v.(type) {
	case uint8, int8, bool:
		return 1
	case int64, uint64:
		return 8
	}
	return 4
}

func (w *writer) table(t Fields) int {
	slots := make([]int, 0, len(t))
	nslots := 0
	for s := range t {
		slots = append(slots, s)
		nslots = max(nslots, s+1)
	}
	sort.Ints(slots)
	w.align(2, 0)
	vt := len(w.b)
	w.b = append(w.b, make([]byte, 4+2*nslots)...)
	w.align(8, 0)
	pos := len(w.b)
	w.u32(uint32(pos - vt))
	refs := map[int]any{}
	for _, s := range slots {
		v := t[s]
		w.align(inlineSize(v), 0)
		binary.LittleEndian.PutUint16(w.b[vt+4+2*s:], uint16(len(w.b)-pos))
		switch x := v.(type) {
		case uint8:
			w.b = append(w.b, x)
		case int8:
			w.b = append(w.b, uint8(x))
		case bool:
			if x {
				w.b = append(w.b, 1)
			} else {
				w.b = append(w.b, 0)
			}
		case int32:
			w.u32(uint32(x))
		case uint32:
			w.u32(x)
		case float32:
			w.u32(math.Float32bits(x))
		case int64:
			w.b = binary.LittleEndian.AppendUint64(w.b, uint64(x))
		case uint64:
			w.b = binary.LittleEndian.AppendUint64(w.b, x)
		default:
			refs[len(w.b)] = v
			w.u32(0)
		}
	}
	binary.LittleEndian.PutUint16(w.b[vt:], uint16(4+2*nslots))
	binary.LittleEndian.PutUint16(w.b[vt+2:], uint16(len(w.b)-pos))
	at := make([]int, 0, len(refs))
	for a := range refs {
		at = append(at, a)
	}
	sort.Ints(at)
	for _, a := range at {
		w.ref(a, refs[a])
	}
	return pos
}

func (w *writer) raw(t Raw) int {
	w.align(2, 0)
	vt := len(w.b)
	w.b = append(w.b, t.VTable...)
	for len(w.b)%8 != t.Mod8 {
		w.b = append(w.b, 0)
	}
	pos := len(w.b)
	w.b = append(w.b, t.Object...)
	for len(w.b) < pos+4 {
		w.b = append(w.b, 0)
	}
	binary.LittleEndian.PutUint32(w.b[pos:], uint32(pos-vt))
	return pos
}

// object writes v and returns its position.
func (w *writer) object(v any) int {
	switch x := v.(type) {
	case Fields:
		return w.table(x)
	case Raw:
		return w.raw(x)
	case []byte:
		w.align(16, 4) // data starts 16-aligned, as flatc lays out buffers
	case Misaligned:
		w.align(2, 0)
		w.b = append(w.b, 0)
	case []int64:
		w.align(8, 4)
	default:
		w.align(4, 0)
	}
	p := len(w.b)
	switch x := v.(type) {
	case string:
		w.u32(uint32(len(x)))
		w.b = append(append(w.b, x...), 0)
	case []byte:
		w.u32(uint32(len(x)))
		w.b = append(w.b, x...)
	case Misaligned:
		w.u32(uint32(len(x)))
		w.b = append(w.b, x...)
	case []uint16:
		w.u32(uint32(len(x)))
		for _, e := range x {
			w.b = binary.LittleEndian.AppendUint16(w.b, e)
		}
	case []int32:
		w.u32(uint32(len(x)))
		for _, e := range x {
			w.u32(uint32(e))
		}
	case []int64:
		w.u32(uint32(len(x)))
		for _, e := range x {
			w.b = binary.LittleEndian.AppendUint64(w.b, uint64(e))
		}
	case []float32:
		w.u32(uint32(len(x)))
		for _, e := range x {
			w.u32(math.Float32bits(e))
		}
	case []Fields:
		w.u32(uint32(len(x)))
		slots := len(w.b)
		w.b = append(w.b, make([]byte, 4*len(x))...)
		for i, t := range x {
			w.patch(slots+4*i, w.table(t))
		}
	case []any:
		w.u32(uint32(len(x)))
		slots := len(w.b)
		w.b = append(w.b, make([]byte, 4*len(x))...)
		for i, o := range x {
			w.ref(slots+4*i, o)
		}
	default:
		panic(fmt.Sprintf("flatbuf: cannot write a %T", v))
	}
	return p
}
