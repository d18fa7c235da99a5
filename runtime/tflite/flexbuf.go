package tflite

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
)

// FlexBuffers is the schema-less format of custom operators' options
// (custom_options). A buffer is read from its end: the last byte is the byte
// width of the root value, the byte before it the root's packed type, and
// the root value sits just before that. Values are little endian and
// 1, 2, 4 or 8 bytes wide; the width of a scalar is set by its container.
// Strings, keys, vectors, maps and indirect numbers are reached through
// unsigned offsets that point backwards from where they are stored.
//
// The reader below treats the buffer as hostile: every offset and size is
// checked against the buffer, and a bad one yields an error.

// flexType is the type part of a packed type byte (its upper six bits).
type flexType uint8

// The FlexBuffers types.
const (
	flexNull          flexType = 0
	flexInt           flexType = 1
	flexUint          flexType = 2
	flexFloat         flexType = 3
	flexKey           flexType = 4
	flexString        flexType = 5
	flexIndirectInt   flexType = 6
	flexIndirectUint  flexType = 7
	flexIndirectFloat flexType = 8
	flexMap           flexType = 9
	flexVector        flexType = 10 // untyped: one packed type byte per element follows the elements
	flexVectorInt     flexType = 11 // typed vectors carry no type bytes
	flexVectorUint    flexType = 12
	flexVectorFloat   flexType = 13
	flexVectorKey     flexType = 14
	flexVectorString  flexType = 15 // deprecated, still readable
	flexVectorInt2    flexType = 16 // fixed-length typed vectors (2, 3, 4) carry no size either
	flexVectorFloat4  flexType = 24
	flexBlob          flexType = 25
	flexBool          flexType = 26
	flexVectorBool    flexType = 36
)

var flexTypeNames = map[flexType]string{
	flexNull: "null", flexInt: "int", flexUint: "uint", flexFloat: "float", flexKey: "key",
	flexString: "string", flexIndirectInt: "indirect int", flexIndirectUint: "indirect uint",
	flexIndirectFloat: "indirect float", flexMap: "map", flexVector: "vector",
	flexVectorInt: "int vector", flexVectorUint: "uint vector", flexVectorFloat: "float vector",
	flexVectorKey: "key vector", flexVectorString: "string vector", flexBlob: "blob",
	flexBool: "bool", flexVectorBool: "bool vector",
}

func (t flexType) String() string {
	if n, ok := flexTypeNames[t]; ok {
		return n
	}
	if t >= flexVectorInt2 && t <= flexVectorFloat4 {
		return fmt.Sprintf("fixed vector type %d", uint8(t))
	}
	return fmt.Sprintf("type %d", uint8(t))
}

// flexValue is one value of a FlexBuffer: where it is stored, the width of
// that slot (set by its container), its type, and for offset types the
// byte width of what the offset points at.
type flexValue struct {
	b     []byte
	pos   uint64
	slot  uint8 // width of the slot at pos
	width uint8 // width of the pointed-at data (offset types)
	typ   flexType
}

// flexRoot returns the root value of a FlexBuffer.
func flexRoot(b []byte) (flexValue, error) {
	if len(b) < 3 {
		return flexValue{}, fmt.Errorf("flexbuffer of %d bytes is too short", len(b))
	}
	n := uint64(len(b))
	w := b[n-1]
	if !validWidth(w) {
		return flexValue{}, fmt.Errorf("flexbuffer root width %d is not 1, 2, 4 or 8", w)
	}
	if uint64(w)+2 > n {
		return flexValue{}, fmt.Errorf("flexbuffer root of %d bytes does not fit in %d bytes", w, n)
	}
	return packedValue(b, n-2-uint64(w), w, b[n-2]), nil
}

func validWidth(w uint8) bool { return w == 1 || w == 2 || w == 4 || w == 8 }

// packedValue builds the value stored at pos in a slot of the given width,
// with a packed type byte (type << 2 | log2 of the child width).
func packedValue(b []byte, pos uint64, slot, packed uint8) flexValue {
	return flexValue{b: b, pos: pos, slot: slot, width: 1 << (packed & 3), typ: flexType(packed >> 2)}
}

// flexUintAt reads an unsigned integer of w bytes at pos.
func flexUintAt(b []byte, pos uint64, w uint8) (uint64, error) {
	if pos > uint64(len(b)) || uint64(w) > uint64(len(b))-pos {
		return 0, fmt.Errorf("flexbuffer: %d-byte value at %d lies outside the %d-byte buffer", w, pos, len(b))
	}
	switch w {
	case 1:
		return uint64(b[pos]), nil
	case 2:
		return uint64(binary.LittleEndian.Uint16(b[pos:])), nil
	case 4:
		return uint64(binary.LittleEndian.Uint32(b[pos:])), nil
	case 8:
		return binary.LittleEndian.Uint64(b[pos:]), nil
	}
	return 0, fmt.Errorf("flexbuffer: width %d at %d is not 1, 2, 4 or 8", w, pos)
}

// flexIntAt reads a signed integer of w bytes at pos.
func flexIntAt(b []byte, pos uint64, w uint8) (int64, error) {
	u, err := flexUintAt(b, pos, w)
	if err != nil {
		return 0, err
	}
	shift := 64 - 8*uint(w)
	return int64(u<<shift) >> shift, nil
}

// flexFloatAt reads a float of w bytes (4 or 8) at pos.
func flexFloatAt(b []byte, pos uint64, w uint8) (float64, error) {
	if w != 4 && w != 8 {
		return 0, fmt.Errorf("flexbuffer: float of %d bytes at %d (want 4 or 8)", w, pos)
	}
	u, err := flexUintAt(b, pos, w)
	if err != nil {
		return 0, err
	}
	if w == 4 {
		return float64(math.Float32frombits(uint32(u))), nil
	}
	return math.Float64frombits(u), nil
}

// target follows the offset stored in v's slot.
func (v flexValue) target() (uint64, error) {
	off, err := flexUintAt(v.b, v.pos, v.slot)
	if err != nil {
		return 0, err
	}
	if off > v.pos {
		return 0, fmt.Errorf("flexbuffer: offset %d at %d points before the buffer", off, v.pos)
	}
	return v.pos - off, nil
}

// isNull reports whether v is the null value (also what a missing map key
// reads as).
func (v flexValue) isNull() bool { return v.typ == flexNull }

func (v flexValue) mismatch(want string) error {
	return fmt.Errorf("flexbuffer: %s where %s was expected", v.typ, want)
}

// asInt returns v as a signed integer. Unsigned integers and booleans
// convert; floats truncate toward zero, as FlexBuffers' AsInt does.
func (v flexValue) asInt() (int64, error) {
	switch v.typ {
	case flexInt:
		return flexIntAt(v.b, v.pos, v.slot)
	case flexBool, flexUint:
		u, err := flexUintAt(v.b, v.pos, v.slot)
		if u > math.MaxInt64 {
			return 0, fmt.Errorf("flexbuffer: unsigned %d overflows int64", u)
		}
		return int64(u), err
	case flexIndirectInt:
		p, err := v.target()
		if err != nil {
			return 0, err
		}
		return flexIntAt(v.b, p, v.width)
	case flexIndirectUint:
		p, err := v.target()
		if err != nil {
			return 0, err
		}
		u, err := flexUintAt(v.b, p, v.width)
		if u > math.MaxInt64 {
			return 0, fmt.Errorf("flexbuffer: unsigned %d overflows int64", u)
		}
		return int64(u), err
	case flexFloat, flexIndirectFloat:
		f, err := v.asFloat()
		if err != nil {
			return 0, err
		}
		if math.IsNaN(f) || f >= math.MaxInt64 || f < math.MinInt64 {
			return 0, fmt.Errorf("flexbuffer: float %v is not an integer", f)
		}
		return int64(f), nil
	}
	return 0, v.mismatch("an integer")
}

// asUint returns v as an unsigned integer; negative values are an error.
func (v flexValue) asUint() (uint64, error) {
	switch v.typ {
	case flexUint, flexBool:
		return flexUintAt(v.b, v.pos, v.slot)
	case flexIndirectUint:
		p, err := v.target()
		if err != nil {
			return 0, err
		}
		return flexUintAt(v.b, p, v.width)
	}
	i, err := v.asInt()
	if err != nil {
		return 0, err
	}
	if i < 0 {
		return 0, fmt.Errorf("flexbuffer: %d is negative where an unsigned integer was expected", i)
	}
	return uint64(i), nil
}

// asFloat returns v as a float; integers convert.
func (v flexValue) asFloat() (float64, error) {
	switch v.typ {
	case flexFloat:
		return flexFloatAt(v.b, v.pos, v.slot)
	case flexIndirectFloat:
		p, err := v.target()
		if err != nil {
			return 0, err
		}
		return flexFloatAt(v.b, p, v.width)
	case flexUint, flexIndirectUint:
		u, err := v.asUint()
		return float64(u), err
	case flexInt, flexIndirectInt, flexBool:
		i, err := v.asInt()
		return float64(i), err
	}
	return 0, v.mismatch("a number")
}

// asBool returns v as a boolean; numbers are true when not zero.
func (v flexValue) asBool() (bool, error) {
	switch v.typ {
	case flexFloat, flexIndirectFloat:
		f, err := v.asFloat()
		return f != 0, err
	case flexInt, flexIndirectInt:
		i, err := v.asInt()
		return i != 0, err
	}
	u, err := v.asUint()
	return u != 0, err
}

// asString returns the bytes of a string, key or blob (without the
// terminating zero of strings and keys).
func (v flexValue) asString() (string, error) {
	switch v.typ {
	case flexKey:
		p, err := v.target()
		if err != nil {
			return "", err
		}
		return flexCString(v.b, p)
	case flexString, flexBlob:
		p, err := v.target()
		if err != nil {
			return "", err
		}
		n, err := flexSize(v.b, p, v.width)
		if err != nil {
			return "", err
		}
		if n > uint64(len(v.b))-p {
			return "", fmt.Errorf("flexbuffer: %d-byte %s at %d runs past the %d-byte buffer", n, v.typ, p, len(v.b))
		}
		return string(v.b[p : p+n]), nil
	}
	return "", v.mismatch("a string")
}

// flexCString reads a zero-terminated key at p.
func flexCString(b []byte, p uint64) (string, error) {
	if p >= uint64(len(b)) {
		return "", fmt.Errorf("flexbuffer: key at %d lies outside the %d-byte buffer", p, len(b))
	}
	n := bytes.IndexByte(b[p:], 0)
	if n < 0 {
		return "", fmt.Errorf("flexbuffer: key at %d has no terminating zero", p)
	}
	return string(b[p : p+uint64(n)]), nil
}

// flexSize reads the element count stored just before the data at p.
func flexSize(b []byte, p uint64, w uint8) (uint64, error) {
	if p < uint64(w) {
		return 0, fmt.Errorf("flexbuffer: size of the data at %d lies before the buffer", p)
	}
	return flexUintAt(b, p-uint64(w), w)
}

// flexVec is a vector (or the values of a map): n elements of width bytes
// from pos. elem is the element type of a typed vector; untyped vectors
// have flexNull there and a type byte per element after the elements.
type flexVec struct {
	b     []byte
	pos   uint64
	n     uint64
	width uint8
	elem  flexType
	typed bool
}

// asVector returns v as a vector: untyped, typed or fixed length.
func (v flexValue) asVector() (flexVec, error) {
	if !v.typ.isVector() {
		return flexVec{}, v.mismatch("a vector")
	}
	p, err := v.target()
	if err != nil {
		return flexVec{}, err
	}
	vec := flexVec{b: v.b, pos: p, width: v.width}
	switch t := v.typ; {
	case t >= flexVectorInt2 && t <= flexVectorFloat4:
		vec.n = uint64(t-flexVectorInt2)/3 + 2
		vec.elem, vec.typed = flexInt+(t-flexVectorInt2)%3, true
	default:
		if vec.n, err = flexSize(v.b, p, v.width); err != nil {
			return flexVec{}, err
		}
		switch t {
		case flexVectorInt, flexVectorUint, flexVectorFloat, flexVectorKey:
			vec.elem, vec.typed = flexInt+(t-flexVectorInt), true
		case flexVectorString:
			vec.elem, vec.typed = flexString, true
		case flexVectorBool:
			vec.elem, vec.typed = flexBool, true
		}
	}
	// The elements, and the type bytes of an untyped vector, must fit.
	need := vec.n * uint64(vec.width)
	if !vec.typed {
		need += vec.n
	}
	if vec.n > uint64(len(v.b)) || need > uint64(len(v.b))-p {
		return flexVec{}, fmt.Errorf("flexbuffer: %s of %d elements at %d runs past the %d-byte buffer", v.typ, vec.n, p, len(v.b))
	}
	return vec, nil
}

func (t flexType) isVector() bool {
	return t == flexMap || (t >= flexVector && t <= flexVectorFloat4) || t == flexVectorBool
}

func (vec flexVec) len() int { return int(vec.n) }

// at returns element i.
func (vec flexVec) at(i int) (flexValue, error) {
	if i < 0 || uint64(i) >= vec.n {
		return flexValue{}, fmt.Errorf("flexbuffer: element %d of a %d-element vector", i, vec.n)
	}
	pos := vec.pos + uint64(i)*uint64(vec.width)
	if vec.typed {
		// The string vector's elements point at strings with their own size.
		return flexValue{b: vec.b, pos: pos, slot: vec.width, width: vec.width, typ: vec.elem}, nil
	}
	packed := vec.b[vec.pos+vec.n*uint64(vec.width)+uint64(i)]
	return packedValue(vec.b, pos, vec.width, packed), nil
}

// flexMapValue is a map: a vector of keys (sorted) and a vector of values
// of the same length.
type flexMapValue struct {
	keys, values flexVec
}

// asMap returns v as a map. The values are an untyped vector preceded by
// its size, and before that by the byte width of the keys vector and the
// offset to it.
func (v flexValue) asMap() (flexMapValue, error) {
	if v.typ != flexMap {
		return flexMapValue{}, v.mismatch("a map")
	}
	values, err := v.asVector()
	if err != nil {
		return flexMapValue{}, err
	}
	w := uint64(values.width)
	if values.pos < 3*w {
		return flexMapValue{}, fmt.Errorf("flexbuffer: map at %d has no room for its keys' offset", values.pos)
	}
	keysRef := flexValue{b: v.b, pos: values.pos - 3*w, slot: values.width, typ: flexVectorKey}
	kw, err := flexUintAt(v.b, values.pos-2*w, values.width)
	if err != nil {
		return flexMapValue{}, err
	}
	if kw > 8 || !validWidth(uint8(kw)) {
		return flexMapValue{}, fmt.Errorf("flexbuffer: map at %d: key width %d is not 1, 2, 4 or 8", values.pos, kw)
	}
	keysRef.width = uint8(kw)
	keys, err := keysRef.asVector()
	if err != nil {
		return flexMapValue{}, fmt.Errorf("map keys: %w", err)
	}
	if keys.n != values.n {
		return flexMapValue{}, fmt.Errorf("flexbuffer: map at %d has %d keys but %d values", values.pos, keys.n, values.n)
	}
	return flexMapValue{keys: keys, values: values}, nil
}

func (m flexMapValue) len() int { return m.values.len() }

// key returns the i-th key.
func (m flexMapValue) key(i int) (string, error) {
	k, err := m.keys.at(i)
	if err != nil {
		return "", err
	}
	return k.asString()
}

// get returns the value of key, or the null value when the map lacks it.
func (m flexMapValue) get(key string) (flexValue, error) {
	for i := 0; i < m.len(); i++ {
		k, err := m.key(i)
		if err != nil {
			return flexValue{}, err
		}
		if k == key {
			return m.values.at(i)
		}
	}
	return flexValue{}, nil
}
