package tflite

import (
	"encoding/binary"
	"slices"
	"strings"
	"testing"
)

// words lays out little-endian 32-bit words; vt packs two 16-bit vtable
// entries into one word.
func words(w ...uint32) []byte {
	b := make([]byte, 0, 4*len(w))
	for _, x := range w {
		b = binary.LittleEndian.AppendUint32(b, x)
	}
	return b
}

func vt(lo, hi uint16) uint32 { return uint32(lo) | uint32(hi)<<16 }

const ident = 0x54534554 // "TEST"

// table16 is a buffer whose root table sits at 16 with its vtable at 8:
// vtable (vtLen, objLen, slot 0 offset), then the table's soffset and
// one field word, then the rest.
func table16(vtLen, objLen, slot0 uint16, field uint32, rest ...uint32) []byte {
	return words(append([]uint32{16, ident, vt(vtLen, objLen), vt(slot0, 0), 8, field}, rest...)...)
}

func TestFBReader(t *testing.T) {
	huge := make([]int32, 0, 1024)
	for range cap(huge) {
		huge = append(huge, 7)
	}
	tests := []struct {
		name string
		b    []byte
		// read reads the root table and returns a rendering of what it saw.
		read func(root fbTable) any
		want any
		err  string
	}{
		{"valid scalar", table16(6, 8, 4, 42), func(r fbTable) any { return r.u32(0, 9) }, uint32(42), ""},
		{"absent field reads default", table16(6, 8, 0, 42), func(r fbTable) any { return r.u32(0, 9) }, uint32(9), ""},
		{"slot past vtable reads default", table16(6, 8, 4, 42), func(r fbTable) any { return r.i32(5, -1) }, int32(-1), ""},
		{"vtable after table (negative soffset)", words(8, ident, uint32(0xfffffff8), 42, vt(6, 8), vt(4, 0)),
			func(r fbTable) any { return r.u32(0, 0) }, uint32(42), ""},
		{"valid string and vector", buildFB("TEST", fbt{0: "hi", 1: []int32{1, -2}, 2: []int64{-3}, 3: []float32{0.5}}),
			func(r fbTable) any {
				return []any{r.str(0), r.i32s(1), r.i64s(2), r.f32s(3)}
			}, []any{"hi", []int32{1, -2}, []int64{-3}, []float32{0.5}}, ""},
		{"too short", []byte{8, 0, 0, 0}, nil, nil, "too short to be a FlatBuffer"},
		{"root past end", words(4096, ident), nil, nil, "offset 4096+4 outside the 8-byte file"},
		{"misaligned table", append(words(10, ident, 0, 0), 0, 0), nil, nil, "table at 10 is misaligned"},
		{"vtable before the file", words(8, ident, 100, 0), nil, nil, "vtable offset 100 out of range"},
		{"negative soffset past end", words(8, ident, uint32(0xfffff000), 0), nil, nil, "vtable offset -4096 out of range"},
		{"vtable past end", table16(200, 8, 4, 0), nil, nil, "vtable of 200 bytes or object of 8 bytes out of range"},
		{"odd vtable length", table16(5, 8, 4, 0), nil, nil, "vtable of 5 bytes"},
		{"vtable too short", table16(2, 8, 4, 0), nil, nil, "vtable of 2 bytes"},
		{"object past end", table16(6, 64, 4, 0), nil, nil, "object of 64 bytes out of range"},
		{"field outside object", table16(6, 8, 6, 0), func(r fbTable) any { return r.u32(0, 9) }, nil, "field 0 lies outside the table"},
		{"8-byte field outside object", table16(6, 8, 4, 0), func(r fbTable) any { return r.u64(0, 9) }, nil, "field 0 lies outside the table"},
		{"reference past end", table16(6, 8, 4, 1000), func(r fbTable) any { return r.str(0) }, nil, "outside the 24-byte file"},
		{"vector past end", table16(6, 8, 4, 4, 1000), func(r fbTable) any { return r.i32s(0) }, nil, "offset 28+4000 outside the 28-byte file"},
		{"vector length overflow", table16(6, 8, 4, 4, 0xffffffff), func(r fbTable) any { return r.i64s(0) }, nil, "outside the 28-byte file"},
		{"string past end", table16(6, 8, 4, 4, 5, 0x41414141), func(r fbTable) any { return r.str(0) }, nil, "offset 28+5 outside"},
		{"table list entry past end", table16(6, 8, 4, 4, 1, 1000), func(r fbTable) any { return r.tables(0) }, nil, "outside the 32-byte file"},
		{"sub-table misaligned", table16(6, 8, 4, 6, 0, 0), func(r fbTable) any { return r.table(0) }, nil, "misaligned"},
		{"shared vector budget", buildFB("TEST", fbt{0: func() []any {
			v := &fbShared{huge}
			refs := make([]any, 1024)
			for i := range refs {
				refs[i] = fbt{0: v}
			}
			return refs
		}()}), func(r fbTable) any {
			for _, s := range r.tables(0) {
				s.i32s(0)
			}
			return nil
		}, nil, "shared vectors or strings expand"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := &fbReader{b: tc.b}
			root := r.root()
			var got any
			if tc.read != nil && r.err == nil {
				got = tc.read(root)
			}
			if tc.err != "" {
				if r.err == nil || !strings.Contains(r.err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", r.err, tc.err)
				}
				// After an error every read returns its default.
				if v := root.u32(0, 77); root.present() && v != 77 {
					t.Errorf("read after error = %d, want the default", v)
				}
				return
			}
			if r.err != nil {
				t.Fatal(r.err)
			}
			if !equalAny(got, tc.want) {
				t.Fatalf("read %v, want %v", got, tc.want)
			}
		})
	}
}

func equalAny(a, b any) bool {
	switch x := a.(type) {
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equalAny(x[i], y[i]) {
				return false
			}
		}
		return true
	case []int32:
		return slices.Equal(x, b.([]int32))
	case []int64:
		return slices.Equal(x, b.([]int64))
	case []float32:
		return slices.Equal(x, b.([]float32))
	}
	return a == b
}

func TestFBAbsentTable(t *testing.T) {
	var tab fbTable
	if tab.present() || tab.u32(0, 5) != 5 || tab.f32(1, 1.5) != 1.5 || tab.i32s(2) != nil || tab.str(3) != "" || tab.table(4).present() || tab.boolean(5) {
		t.Fatal("the absent table does not read as defaults")
	}
}
