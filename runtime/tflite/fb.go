package tflite

import "github.com/edgeinfer/edgeinfer/runtime/tflite/internal/flatbuf"

// The model is read and written with package flatbuf; fbTable gives its
// tables the short method names the parsers and operators use.
type (
	fbReader = flatbuf.Reader
	// wtable is a table to write with flatbuf.Build.
	wtable = flatbuf.Fields
)

// maxExpansion bounds the reader's allocations to this many times the
// file size (plus expansionSlack). A valid model allocates about three
// times its table bytes (a 4-byte table offset becomes an fbTable).
const (
	maxExpansion   = 16
	expansionSlack = flatbuf.Slack
)

// newFBReader returns a reader of a model file.
func newFBReader(b []byte) *fbReader { return flatbuf.NewReader(b, "file", maxExpansion) }

// fbRoot returns the model's root table.
func fbRoot(r *fbReader) fbTable { return fbTable{r.Root()} }

// fbTable is one validated table; the zero value is an absent table whose
// fields all read as their defaults.
type fbTable struct{ flatbuf.Table }

func (t fbTable) present() bool                              { return t.Present() }
func (t fbTable) u8(slot int, def uint8) uint8               { return t.U8(slot, def) }
func (t fbTable) i8(slot int, def int8) int8                 { return t.I8(slot, def) }
func (t fbTable) boolean(slot int) bool                      { return t.Bool(slot) }
func (t fbTable) u32(slot int, def uint32) uint32            { return t.U32(slot, def) }
func (t fbTable) i32(slot int, def int32) int32              { return t.I32(slot, def) }
func (t fbTable) u64(slot int, def uint64) uint64            { return t.U64(slot, def) }
func (t fbTable) f32(slot int, def float32) float32          { return t.F32(slot, def) }
func (t fbTable) table(slot int) fbTable                     { return fbTable{t.Table.Table(slot)} }
func (t fbTable) vector(slot int, size uint64) (uint64, int) { return t.Vector(slot, size) }
func (t fbTable) bytes(slot int) []byte                      { return t.Bytes(slot) }
func (t fbTable) str(slot int) string                        { return t.Str(slot) }
func (t fbTable) i32s(slot int) []int32                      { return t.I32s(slot) }
func (t fbTable) i64s(slot int) []int64                      { return t.I64s(slot) }
func (t fbTable) f32s(slot int) []float32                    { return t.F32s(slot) }

// tables returns the tables of a vector of tables.
func (t fbTable) tables(slot int) []fbTable {
	return flatbuf.TablesAs(t.Table, slot, 0, "", func(t flatbuf.Table) fbTable { return fbTable{t} })
}
