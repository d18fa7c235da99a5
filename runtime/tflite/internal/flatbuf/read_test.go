package flatbuf

import (
	"encoding/binary"
	"reflect"
	"strings"
	"testing"
)

// words lays out little-endian 32-bit words; vt packs two 16-bit vtable
// entries into one word.
func words(w ...uint32) []byte {
	b, err := binary.Append(nil, binary.LittleEndian, w)
	if err != nil {
		panic(err)
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

// sharedBomb is a list of n tables that all refer to one vector of k int32.
func sharedBomb(n, k int) []byte {
	v := &Shared{make([]int32, k)}
	refs := make([]any, n)
	for i := range refs {
		refs[i] = Fields{0: v}
	}
	return Build("TEST", Fields{0: refs})
}

// readCase reads a buffer's root table with read and expects want, or an
// error containing err.
type readCase struct {
	name string
	b    []byte
	read func(root Table) any
	want any
	err  string
}

var readCases = []readCase{
	{"valid scalar", table16(6, 8, 4, 42), func(r Table) any { return r.U32(0, 9) }, uint32(42), ""},
	{"absent field reads default", table16(6, 8, 0, 42), func(r Table) any { return r.U32(0, 9) }, uint32(9), ""},
	{"slot past vtable reads default", table16(6, 8, 4, 42), func(r Table) any { return r.I32(5, -1) }, int32(-1), ""},
	{"vtable after table (negative soffset)", words(8, ident, uint32(0xfffffff8), 42, vt(6, 8), vt(4, 0)),
		func(r Table) any { return r.U32(0, 0) }, uint32(42), ""},
	{"valid scalars", Build("TEST", Fields{0: uint8(200), 1: int8(-3), 2: true, 3: int32(-7), 4: float32(1.5), 5: int64(-9), 6: uint64(1 << 40)}),
		func(r Table) any {
			return []any{r.U8(0, 0), r.I8(1, 0), r.Bool(2), r.I32(3, 0), r.F32(4, 0), int64(r.U64(5, 0)), r.U64(6, 0), r.Bool(7)}
		}, []any{uint8(200), int8(-3), true, int32(-7), float32(1.5), int64(-9), uint64(1 << 40), false}, ""},
	{"valid string and vectors", Build("TEST", Fields{0: "hi", 1: []int32{1, -2}, 2: []int64{-3}, 3: []float32{0.5}, 4: []byte{1, 2}}),
		func(r Table) any {
			return []any{r.Str(0), r.I32s(1), r.I64s(2), r.F32s(3), r.Bytes(4)}
		}, []any{"hi", []int32{1, -2}, []int64{-3}, []float32{0.5}, []byte{1, 2}}, ""},
	{"valid tables", Build("TEST", Fields{0: []Fields{{0: uint32(1)}, {0: uint32(2)}}, 1: Fields{0: "sub"}}),
		func(r Table) any {
			var got []any
			for _, s := range r.Tables(0, 0, "") {
				got = append(got, s.U32(0, 0))
			}
			return append(got, r.Len(0), r.Elem(0, 1, "things").U32(0, 0), r.Table(1).Str(0), r.Table(2).Present())
		}, []any{uint32(1), uint32(2), 2, uint32(2), "sub", false}, ""},
	{"too short", []byte{8, 0, 0, 0}, nil, nil, "file is 4 bytes, too short to be a FlatBuffer"},
	{"root past end", words(4096, ident), nil, nil, "offset 4096+4 outside the 8-byte file"},
	{"misaligned table", append(words(10, ident, 0, 0), 0, 0), nil, nil, "table at 10 is misaligned"},
	{"vtable before the file", words(8, ident, 100, 0), nil, nil, "vtable offset 100 out of range"},
	{"negative soffset past end", words(8, ident, uint32(0xfffff000), 0), nil, nil, "vtable offset -4096 out of range"},
	{"vtable past end", table16(200, 8, 4, 0), nil, nil, "vtable of 200 bytes or object of 8 bytes out of range, outside the 24-byte file"},
	{"odd vtable length", table16(5, 8, 4, 0), nil, nil, "vtable of 5 bytes, not an even number of at least 4"},
	{"vtable too short", table16(2, 8, 4, 0), nil, nil, "vtable of 2 bytes"},
	{"object past end", table16(6, 64, 4, 0), nil, nil, "object of 64 bytes out of range"},
	{"field outside object", table16(6, 8, 6, 0), func(r Table) any { return r.U32(0, 9) }, nil, "field 0 lies outside the table"},
	{"8-byte field outside object", table16(6, 8, 4, 0), func(r Table) any { return r.U64(0, 9) }, nil, "field 0 lies outside the table"},
	{"reference past end", table16(6, 8, 4, 1000), func(r Table) any { return r.Str(0) }, nil, "outside the 24-byte file"},
	{"vector past end", table16(6, 8, 4, 4, 1000), func(r Table) any { return r.I32s(0) }, nil, "offset 28+4000 outside the 28-byte file"},
	{"vector length overflow", table16(6, 8, 4, 4, 0xffffffff), func(r Table) any { return r.I64s(0) }, nil, "outside the 28-byte file"},
	{"string past end", table16(6, 8, 4, 4, 5, 0x41414141), func(r Table) any { return r.Str(0) }, nil, "offset 28+5 outside"},
	{"table list entry past end", table16(6, 8, 4, 4, 1, 1000), func(r Table) any { return r.Tables(0, 0, "") }, nil, "outside the 32-byte file"},
	{"sub-table misaligned", table16(6, 8, 4, 6, 0, 0), func(r Table) any { return r.Table(0) }, nil, "misaligned"},
	{"too many tables", Build("TEST", Fields{0: make([]Fields, 5)}), func(r Table) any { return r.Tables(0, 4, "widgets") }, nil, "5 widgets, more than the 4 allowed"},
	{"element past the end", Build("TEST", Fields{0: make([]Fields, 1)}), func(r Table) any { return r.Elem(0, 5, "buffers") }, nil, "buffers 5 of 1"},
	{"shared vector budget", sharedBomb(1024, 1024), func(r Table) any {
		for _, s := range r.Tables(0, 0, "") {
			s.I32s(0)
		}
		return nil
	}, nil, "shared vectors or strings expand the"},
	{"shared string budget", Build("TEST", Fields{0: func() []any {
		s := &Shared{strings.Repeat("x", 4096)}
		refs := make([]any, 512)
		for i := range refs {
			refs[i] = Fields{0: s}
		}
		return refs
	}()}), func(r Table) any {
		for _, s := range r.Tables(0, 0, "") {
			s.Str(0)
		}
		return nil
	}, nil, "shared vectors or strings expand the"},
	{"misaligned byte vector is read", Build("TEST", Fields{0: Misaligned{1, 2, 3}}), func(r Table) any { return r.Bytes(0) }, []byte{1, 2, 3}, ""},
}

func TestReader(t *testing.T) {
	for _, tc := range readCases {
		t.Run(tc.name, func(t *testing.T) {
			r := NewReader(tc.b, "file", 16)
			root := r.Root()
			var got any
			if tc.read != nil && r.Err() == nil {
				got = tc.read(root)
			}
			if tc.err != "" {
				if r.Err() == nil || !strings.Contains(r.Err().Error(), tc.err) {
					t.Fatalf("error %v, want %q", r.Err(), tc.err)
				}
				if root.Present() && root.Err() != r.Err() {
					t.Errorf("the table's error %v is not the reader's %v", root.Err(), r.Err())
				}
				// After an error every read returns its default.
				if v := root.U32(0, 77); root.Present() && v != 77 {
					t.Errorf("read after error = %d, want the default", v)
				}
				return
			}
			if r.Err() != nil {
				t.Fatal(r.Err())
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("read %v, want %v", got, tc.want)
			}
		})
	}
}

func TestAbsentTable(t *testing.T) {
	var tab Table
	if tab.Present() || tab.Err() != nil || tab.U32(0, 5) != 5 || tab.F32(1, 1.5) != 1.5 || tab.I32s(2) != nil || tab.Str(3) != "" ||
		tab.Table(4).Present() || tab.Bool(5) || tab.Len(6) != 0 || tab.Tables(7, 0, "") != nil || tab.Elem(8, 0, "x").Present() ||
		!reflect.DeepEqual(tab.Raw(), Raw{}) {
		t.Fatal("the absent table does not read as defaults")
	}
}

// TestFirstErrorKept checks that a reader keeps its first problem and that
// a caller's own Fail does not replace it.
func TestFirstErrorKept(t *testing.T) {
	r := NewReader(table16(6, 8, 4, 4, 1000), "buffer", 16)
	root := r.Root()
	root.I32s(0)
	root.Str(0)
	r.Fail("later problem")
	if r.Err() == nil || r.Err().Error() != "offset 28+4000 outside the 28-byte buffer" {
		t.Fatalf("error %v, want the first one", r.Err())
	}
}

func TestWithinAndBudget(t *testing.T) {
	r := NewReader(make([]byte, 100), "buffer", 2)
	if !r.Within(96, 4) || r.Err() != nil {
		t.Fatalf("Within(96, 4) of 100 bytes: %v", r.Err())
	}
	if !r.Charge(200+Slack, 1) {
		t.Fatalf("charging the whole budget failed: %v", r.Err())
	}
	if r.Charge(1, 1) || r.Err() == nil || r.Err().Error() != "shared vectors or strings expand the 100-byte buffer past 65736 bytes" {
		t.Fatalf("charging past the budget: %v", r.Err())
	}
	r = NewReader(make([]byte, 100), "buffer", 2)
	if r.Within(97, 4) || r.Err() == nil || r.Err().Error() != "offset 97+4 outside the 100-byte buffer" {
		t.Fatalf("Within(97, 4) of 100 bytes: %v", r.Err())
	}
}

// TestTablesAsChargesItsType checks that a caller's table type is charged
// at its own size.
func TestTablesAsChargesItsType(t *testing.T) {
	type big struct {
		Table
		_ [1000]byte
	}
	b := Build("TEST", Fields{0: make([]Fields, 100)})
	r := NewReader(b, "file", 1)
	root := r.Root()
	if got := TablesAs(root, 0, 0, "", func(t Table) big { return big{Table: t} }); got != nil || r.Err() == nil {
		t.Fatalf("100 tables of 1 KB from a %d-byte file: %d tables, error %v", len(b), len(got), r.Err())
	}
	r = NewReader(b, "file", 1)
	if got := r.Root().Tables(0, 0, ""); len(got) != 100 || r.Err() != nil {
		t.Fatalf("100 tables: %d, error %v", len(got), r.Err())
	}
}
