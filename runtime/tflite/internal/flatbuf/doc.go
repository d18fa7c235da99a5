// Package flatbuf reads and writes FlatBuffers for the engine: the model
// reader and the metadata reader read untrusted files through it, and
// `edgeinfer compress` and the tests write models with it.
//
// Reading is safe on any bytes. Every access is bounds checked; tables and
// their vtables are validated (aligned, inside the buffer, fields inside
// their object); the first problem is kept and later reads return their
// defaults, so a parser reads straight through and checks Err once. What
// the reader allocates for strings, vectors and table lists is charged to
// a budget proportional to the buffer, since FlatBuffers let any number of
// references share one vector.
//
// Writing lays objects out front to back (a table's vtable, the table,
// then what it refers to), so every offset points forward; byte vectors
// start 16-byte aligned, as TFLite expects of buffer data; a raw table
// keeps its position modulo 8; a Shared object is written once however
// many fields refer to it.
package flatbuf
