package flatbuf

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
)

// TestBuildLayout pins the bytes of a small buffer: the vtable, the table
// 8-byte aligned with its fields in slot order, then what it refers to.
func TestBuildLayout(t *testing.T) {
	got := Build("TEST", Fields{0: uint8(7), 1: "ab", 2: int32(-1)})
	want := []byte{
		24, 0, 0, 0, 'T', 'E', 'S', 'T', // root table at 24, identifier
		10, 0, 16, 0, 4, 0, 8, 0, 12, 0, // vtable at 8: 10 bytes, object 16; fields at 4, 8, 12
		0, 0, 0, 0, 0, 0, // to 8-byte alignment
		16, 0, 0, 0, // the table: soffset back to its vtable
		7, 0, 0, 0, // slot 0, padded to slot 1's alignment
		8, 0, 0, 0, // slot 1: the string 8 bytes on
		0xff, 0xff, 0xff, 0xff, // slot 2
		2, 0, 0, 0, 'a', 'b', 0, // the string
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("layout\n got % x\nwant % x", got, want)
	}
}

// layoutCase builds root, then checks the buffer with check.
type layoutCase struct {
	name  string
	root  Fields
	check func(t *testing.T, b []byte, root Table)
}

// dataAt returns the position of the first element of the vector in slot.
func dataAt(root Table, slot int) uint64 {
	p, _ := root.Vector(slot, 1)
	return p
}

var layoutCases = []layoutCase{
	{"byte vectors start 16-byte aligned", Fields{0: uint8(1), 1: []byte{1}, 2: "x", 3: []byte{2, 3}, 4: []Fields{{0: []byte{4}}}},
		func(t *testing.T, b []byte, root Table) {
			for _, p := range []uint64{dataAt(root, 1), dataAt(root, 3), dataAt(root.Tables(4, 0, "")[0], 0)} {
				if p%16 != 0 {
					t.Errorf("byte vector data at %d", p)
				}
			}
		}},
	{"int64 vectors start 8-byte aligned", Fields{0: "abc", 1: []int64{1, 2}},
		func(t *testing.T, b []byte, root Table) {
			if p := dataAt(root, 1); p%8 != 0 {
				t.Errorf("int64 data at %d", p)
			}
		}},
	{"misaligned vectors start odd", Fields{0: Misaligned{9, 9}, 1: []byte{1}},
		func(t *testing.T, b []byte, root Table) {
			if p := dataAt(root, 0); p%2 != 1 {
				t.Errorf("misaligned data at %d", p)
			}
		}},
	{"8-byte fields aligned", Fields{0: uint8(1), 1: uint64(5), 2: int8(-1), 3: int64(-5)},
		func(t *testing.T, b []byte, root Table) {
			for _, slot := range []int{1, 3} {
				if p := root.Field(slot, 8); p%8 != 0 {
					t.Errorf("slot %d at %d", slot, p)
				}
			}
		}},
	{"vectors of tables and references", Fields{0: []Fields{{0: "a", 1: Fields{0: []int32{1}}}, {0: "b"}}, 1: []any{Fields{0: "c"}, "d"}, 2: []uint16{1, 2}},
		func(t *testing.T, b []byte, root Table) {
			ts := root.Tables(0, 0, "")
			if len(ts) != 2 || ts[0].Str(0) != "a" || ts[0].Table(1).I32s(0)[0] != 1 || ts[1].Str(0) != "b" {
				t.Errorf("[]Fields reads back wrong")
			}
			if got := root.Elem(1, 0, "references").Str(0); got != "c" {
				t.Errorf("[]any element 0 reads %q", got)
			}
			if start, n := root.Vector(2, 2); n != 2 || binary.LittleEndian.Uint16(b[start+2:]) != 2 {
				t.Errorf("uint16 vector of %d", n)
			}
		}},
	{"shared objects written once", func() Fields {
		s := &Shared{strings.Repeat("long string ", 100)}
		refs := make([]any, 50)
		for i := range refs {
			refs[i] = Fields{0: s}
		}
		return Fields{0: refs, 1: s}
	}(), func(t *testing.T, b []byte, root Table) {
		if n := bytes.Count(b, []byte(strings.Repeat("long string ", 100))); n != 1 {
			t.Errorf("the shared string is written %d times", n)
		}
		want, _ := root.Vector(1, 1)
		for i, s := range root.Tables(0, 0, "") {
			if p, n := s.Vector(0, 1); p != want || n != 1200 {
				t.Fatalf("reference %d reads %d bytes at %d, want 1200 at %d", i, n, p, want)
			}
		}
	}},
}

func TestBuild(t *testing.T) {
	for _, tc := range layoutCases {
		t.Run(tc.name, func(t *testing.T) {
			b := Build("TEST", tc.root)
			if string(b[4:8]) != "TEST" {
				t.Fatalf("identifier %q", b[4:8])
			}
			r := NewReader(b, "file", 16)
			root := r.Root()
			tc.check(t, b, root)
			if r.Err() != nil {
				t.Fatal(r.Err())
			}
		})
	}
}

// TestRawCopy copies a table of scalars from one buffer into another at a
// different offset: the fields read the same, 8-byte ones still aligned.
func TestRawCopy(t *testing.T) {
	src := Build("TEST", Fields{0: "padding", 1: Fields{0: uint8(3), 1: uint64(1 << 50), 2: float32(2.5)}})
	r := NewReader(src, "file", 16)
	raw := r.Root().Table(1).Raw()
	for _, pre := range []Fields{{}, {0: uint8(1)}, {0: "x", 1: []byte{1, 2, 3}}} {
		pre[5] = raw
		b := Build("COPY", pre)
		rr := NewReader(b, "file", 16)
		got := rr.Root().Table(5)
		if got.U8(0, 0) != 3 || got.U64(1, 0) != 1<<50 || got.F32(2, 0) != 2.5 || rr.Err() != nil {
			t.Fatalf("copied table reads %d %d %v: %v", got.U8(0, 0), got.U64(1, 0), got.F32(2, 0), rr.Err())
		}
		if got.Field(1, 8)%8 != 0 || got.pos%8 != uint64(raw.Mod8) {
			t.Errorf("copy at %d, 8-byte field at %d", got.pos, got.Field(1, 8))
		}
	}
}

// TestRawShortObject copies a hostile table whose vtable claims an object
// shorter than its own soffset.
func TestRawShortObject(t *testing.T) {
	b := words(16, ident, vt(4, 0), 0, 8)
	r := NewReader(b, "file", 16)
	raw := r.Root().Raw()
	if r.Err() != nil || len(raw.Object) != 4 {
		t.Fatalf("raw object of %d bytes: %v", len(raw.Object), r.Err())
	}
	out := Build("COPY", Fields{0: raw})
	rr := NewReader(out, "file", 16)
	if !rr.Root().Table(0).Present() || rr.Err() != nil {
		t.Fatalf("the copy does not read back: %v", rr.Err())
	}
}

func TestBuildRefusesUnknownTypes(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "cannot write a []string") {
			t.Fatalf("recovered %v, want a panic naming the type", r)
		}
	}()
	Build("TEST", Fields{0: []string{"a"}})
}
