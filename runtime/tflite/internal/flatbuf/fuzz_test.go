package flatbuf

import (
	"testing"
	"unsafe"
)

// walk reads every slot of t in every way the reader offers, down to depth
// levels of sub-tables, and returns the bytes the reads allocated.
func walk(t Table, depth int) uint64 {
	var got uint64
	for slot := range 6 {
		t.U8(slot, 0)
		t.U32(slot, 0)
		t.U64(slot, 0)
		t.F32(slot, 0)
		t.Bytes(slot)
		t.Len(slot)
		got += uint64(len(t.Str(slot)))
		got += 4 * uint64(len(t.I32s(slot)))
		got += 8 * uint64(len(t.I64s(slot)))
		got += 4 * uint64(len(t.F32s(slot)))
		if depth > 0 {
			got += walk(t.Table(slot), depth-1)
			got += walk(t.Elem(slot, 0, "tables"), depth-1)
			ts := t.Tables(slot, 0, "")
			got += uint64(len(ts)) * uint64(unsafe.Sizeof(Table{}))
			for _, s := range ts {
				got += walk(s, depth-1)
			}
		}
		if t.Err() != nil {
			break
		}
	}
	return got
}

// FuzzReader reads arbitrary bytes every way the reader can: it must not
// panic, and what it allocates must stay within its budget.
func FuzzReader(f *testing.F) {
	for _, tc := range readCases {
		f.Add(tc.b)
	}
	for _, tc := range layoutCases {
		f.Add(Build("TEST", tc.root))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		const expansion = 4
		r := NewReader(b, "file", expansion)
		got := walk(r.Root(), 3)
		if limit := expansion*uint64(len(b)) + Slack; got > limit {
			t.Fatalf("%d bytes allocated reading %d bytes, budget %d", got, len(b), limit)
		}
	})
}
