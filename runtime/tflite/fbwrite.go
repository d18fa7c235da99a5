package tflite

import (
	"encoding/binary"
	"math"
	"sort"
)

// wtable is a FlatBuffers table to write: slot -> value. Values are uint8,
// int8, int32, uint32, float32, uint64 (inline scalars) and string,
// wbytes, []int32, []int64, []float32, wtable, []wtable and rawTable
// (referenced objects).
type wtable map[int]any

// wbytes is a byte vector whose data starts 16-byte aligned, as TFLite
// expects of buffer data.
type wbytes []byte

// rawTable is a table copied from a model unchanged: its vtable and its
// object bytes, which hold only scalars. mod8 is the object's position
// modulo 8 in the source, kept so 8-byte fields stay aligned.
type rawTable struct {
	vtable, object []byte
	mod8           int
}

// writeFB serialises root as a FlatBuffer with the given file identifier.
// Objects are laid out front to back (a table, then what it refers to), so
// every offset points forward as the format requires.
func writeFB(ident string, root wtable) []byte {
	w := &fbEmitter{b: make([]byte, 8)}
	copy(w.b[4:8], ident)
	binary.LittleEndian.PutUint32(w.b, uint32(w.table(root)))
	return w.b
}

type fbEmitter struct{ b []byte }

func (w *fbEmitter) pad(n, extra int) {
	for (len(w.b)+extra)%n != 0 {
		w.b = append(w.b, 0)
	}
}

func (w *fbEmitter) u32(v uint32) { w.b = binary.LittleEndian.AppendUint32(w.b, v) }

func scalarSize(v any) int {
	switch v.(type) {
	case uint8, int8:
		return 1
	case uint64:
		return 8
	}
	return 4
}

func (w *fbEmitter) table(t wtable) int {
	slots := make([]int, 0, len(t))
	nslots := 0
	for s := range t {
		slots = append(slots, s)
		nslots = max(nslots, s+1)
	}
	sort.Ints(slots)
	w.pad(2, 0)
	vt := len(w.b)
	w.b = append(w.b, make([]byte, 4+2*nslots)...)
	w.pad(8, 0)
	pos := len(w.b)
	w.u32(uint32(pos - vt))
	refs := map[int]any{}
	for _, s := range slots {
		v := t[s]
		w.pad(scalarSize(v), 0)
		binary.LittleEndian.PutUint16(w.b[vt+4+2*s:], uint16(len(w.b)-pos))
		switch x := v.(type) {
		case uint8:
			w.b = append(w.b, x)
		case int8:
			w.b = append(w.b, uint8(x))
		case int32:
			w.u32(uint32(x))
		case uint32:
			w.u32(x)
		case float32:
			w.u32(math.Float32bits(x))
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
		p := w.object(refs[a])
		binary.LittleEndian.PutUint32(w.b[a:], uint32(p-a))
	}
	return pos
}

func (w *fbEmitter) raw(t rawTable) int {
	w.pad(2, 0)
	vt := len(w.b)
	w.b = append(w.b, t.vtable...)
	for len(w.b)%8 != t.mod8 {
		w.b = append(w.b, 0)
	}
	pos := len(w.b)
	w.b = append(w.b, t.object...)
	binary.LittleEndian.PutUint32(w.b[pos:], uint32(pos-vt))
	return pos
}

func (w *fbEmitter) object(v any) int {
	switch x := v.(type) {
	case wtable:
		return w.table(x)
	case rawTable:
		return w.raw(x)
	case wbytes:
		w.pad(16, 4)
	case []int64:
		w.pad(8, 4)
	default:
		w.pad(4, 0)
	}
	p := len(w.b)
	switch x := v.(type) {
	case string:
		w.u32(uint32(len(x)))
		w.b = append(append(w.b, x...), 0)
	case wbytes:
		w.u32(uint32(len(x)))
		w.b = append(w.b, x...)
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
	case []wtable:
		w.u32(uint32(len(x)))
		slots := len(w.b)
		w.b = append(w.b, make([]byte, 4*len(x))...)
		for i, t := range x {
			q := w.table(t)
			binary.LittleEndian.PutUint32(w.b[slots+4*i:], uint32(q-(slots+4*i)))
		}
	default:
		panic("writeFB: unsupported value type")
	}
	return p
}
