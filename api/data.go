package api

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/edgeinfer/edgeinfer/runtime"
)

var le = binary.LittleEndian

// DecodeData converts a tensor's JSON data (the flat row-major list of the
// protocol, or a nested list, which is read in row-major order) to raw
// little-endian bytes of dtype dt. want is the element count the tensor's
// shape gives. It returns the bytes and the number of elements the data
// holds; the bytes are nil when that count differs from want. A value that
// does not fit dt (300 for UINT8, 1.5 for INT32, 1e39 for FP32) is an
// error naming the element.
func DecodeData(dt runtime.DType, data []byte, want int) ([]byte, int, error) {
	size := dt.Size()
	if size == 0 {
		return nil, 0, fmt.Errorf("datatype %s cannot be sent as JSON data", Datatype(dt))
	}
	if want < 0 {
		return nil, 0, fmt.Errorf("negative element count %d", want)
	}
	i := skipSpace(data, 0)
	if i == len(data) {
		return nil, 0, errors.New("no data: give \"data\" or parameters.binary_data_size")
	}
	if data[i] != '[' {
		return nil, 0, errors.New("data is not a list")
	}
	if !json.Valid(data) {
		return nil, 0, errors.New("data is not valid JSON")
	}
	// Every element takes at least two bytes of text ("1,"), which bounds
	// the allocation whatever the shape claims.
	out := make([]byte, 0, min(want, len(data)/2+1)*size)
	n := 0
	for i < len(data) {
		c := data[i]
		switch {
		case c == '[' || c == ']' || c == ',' || isSpace(c):
			i++
			continue
		case c == '"':
			return nil, n, fmt.Errorf("element %d is a string, not a number", n)
		case c == '{':
			return nil, n, fmt.Errorf("element %d is an object, not a number", n)
		case c == 'n':
			return nil, n, fmt.Errorf("element %d is null, not a number", n)
		}
		j := i
		for j < len(data) && !isDelim(data[j]) {
			j++
		}
		if n < want {
			var err error
			if out, err = appendValue(out, dt, string(data[i:j])); err != nil {
				return nil, n, fmt.Errorf("element %d: %w", n, err)
			}
		}
		n++
		i = j
	}
	if n != want {
		return nil, n, nil
	}
	return out, n, nil
}

// maxTextBytes is the most one element of dt takes as EncodeData writes
// it, its comma included, so that the output is allocated once.
func maxTextBytes(dt runtime.DType) int {
	switch dt {
	case runtime.Bool:
		return 6
	case runtime.Int8, runtime.UInt8:
		return 5
	case runtime.Int16, runtime.UInt16:
		return 7
	case runtime.Int32, runtime.UInt32:
		return 12
	case runtime.Float16, runtime.Float32:
		return 16
	}
	return 25
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isDelim(c byte) bool { return c == ',' || c == ']' || c == '[' || isSpace(c) }

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// appendValue appends one element, written as JSON text, as dt.
func appendValue(out []byte, dt runtime.DType, tok string) ([]byte, error) {
	name := Datatype(dt)
	switch dt {
	case runtime.Bool:
		switch tok {
		case "true", "1":
			return append(out, 1), nil
		case "false", "0":
			return append(out, 0), nil
		}
		return nil, fmt.Errorf("%s is not a BOOL (true, false, 1 or 0)", tok)
	case runtime.Float16, runtime.Float32, runtime.Float64:
		f, err := strconv.ParseFloat(tok, 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return nil, fmt.Errorf("%s is not a number", tok)
		}
		switch dt {
		case runtime.Float16:
			if math.IsInf(f, 0) || math.Abs(f) > maxFloat16 {
				return nil, fmt.Errorf("%s is out of range for FP16 (at most %g)", tok, maxFloat16)
			}
			return le.AppendUint16(out, Float16Bits(float32(f))), nil
		case runtime.Float32:
			if math.IsInf(f, 0) || math.Abs(f) > math.MaxFloat32 {
				return nil, fmt.Errorf("%s is out of range for FP32", tok)
			}
			return le.AppendUint32(out, math.Float32bits(float32(f))), nil
		}
		if math.IsInf(f, 0) {
			return nil, fmt.Errorf("%s is out of range for FP64", tok)
		}
		return le.AppendUint64(out, math.Float64bits(f)), nil
	case runtime.Int8, runtime.Int16, runtime.Int32, runtime.Int64:
		bits := 8 * dt.Size()
		v, err := parseInt(tok)
		if err != nil {
			return nil, fmt.Errorf("%s is not an integer", tok)
		}
		lo, hi := int64(-1)<<(bits-1), int64(1)<<(bits-1)-1
		if bits == 64 {
			lo, hi = math.MinInt64, math.MaxInt64
		}
		if v < lo || v > hi || errors.Is(err, strconv.ErrRange) {
			return nil, fmt.Errorf("%s is out of range for %s [%d, %d]", tok, name, lo, hi)
		}
		return appendUint(out, uint64(v), dt.Size()), nil
	case runtime.UInt8, runtime.UInt16, runtime.UInt32, runtime.UInt64:
		bits := 8 * dt.Size()
		v, err := parseUint(tok)
		if err != nil {
			if _, ierr := parseInt(tok); ierr == nil {
				return nil, fmt.Errorf("%s is out of range for %s [0, %d]", tok, name, uint64(math.MaxUint64)>>(64-bits))
			}
			return nil, fmt.Errorf("%s is not an integer", tok)
		}
		if bits < 64 && v >= 1<<bits {
			return nil, fmt.Errorf("%s is out of range for %s [0, %d]", tok, name, uint64(1)<<bits-1)
		}
		return appendUint(out, v, dt.Size()), nil
	}
	return nil, fmt.Errorf("datatype %s cannot be sent as JSON data", name)
}

// parseInt reads an integer, also written as 3.0 or 1e3.
func parseInt(tok string) (int64, error) {
	v, err := strconv.ParseInt(tok, 10, 64)
	if err == nil {
		return v, nil
	}
	f, ferr := strconv.ParseFloat(tok, 64)
	if ferr != nil || f != math.Trunc(f) || f < math.MinInt64 || f >= math.MaxInt64 {
		return 0, errors.New("not an integer")
	}
	return int64(f), nil
}

// parseUint reads a non-negative integer, also written as 3.0 or 1e3.
func parseUint(tok string) (uint64, error) {
	v, err := strconv.ParseUint(tok, 10, 64)
	if err == nil {
		return v, nil
	}
	f, ferr := strconv.ParseFloat(tok, 64)
	if ferr != nil || f != math.Trunc(f) || f < 0 || f >= math.MaxUint64 {
		return 0, errors.New("not a non-negative integer")
	}
	return uint64(f), nil
}

func appendUint(out []byte, v uint64, size int) []byte {
	switch size {
	case 1:
		return append(out, byte(v))
	case 2:
		return le.AppendUint16(out, uint16(v))
	case 4:
		return le.AppendUint32(out, uint32(v))
	}
	return le.AppendUint64(out, v)
}

// EncodeData converts raw little-endian bytes of dtype dt to the
// protocol's flat JSON list. Floats that JSON cannot hold (NaN, ±Inf) are
// written as null; the binary extension carries them exactly.
func EncodeData(dt runtime.DType, raw []byte) ([]byte, error) {
	size := dt.Size()
	if size == 0 {
		return nil, fmt.Errorf("datatype %s cannot be sent as JSON data", Datatype(dt))
	}
	if len(raw)%size != 0 {
		return nil, fmt.Errorf("%d bytes is not a whole number of %s elements (%d bytes each)", len(raw), Datatype(dt), size)
	}
	out := make([]byte, 0, 2+len(raw)/size*maxTextBytes(dt))
	out = append(out, '[')
	for i := 0; i < len(raw); i += size {
		if i > 0 {
			out = append(out, ',')
		}
		b := raw[i:]
		switch dt {
		case runtime.Bool:
			out = strconv.AppendBool(out, b[0] != 0)
		case runtime.Float16:
			out = appendFloat(out, float64(Float16Value(le.Uint16(b))), 32)
		case runtime.Float32:
			out = appendFloat(out, float64(math.Float32frombits(le.Uint32(b))), 32)
		case runtime.Float64:
			out = appendFloat(out, math.Float64frombits(le.Uint64(b)), 64)
		case runtime.Int8:
			out = strconv.AppendInt(out, int64(int8(b[0])), 10)
		case runtime.Int16:
			out = strconv.AppendInt(out, int64(int16(le.Uint16(b))), 10)
		case runtime.Int32:
			out = strconv.AppendInt(out, int64(int32(le.Uint32(b))), 10)
		case runtime.Int64:
			out = strconv.AppendInt(out, int64(le.Uint64(b)), 10)
		case runtime.UInt8:
			out = strconv.AppendUint(out, uint64(b[0]), 10)
		case runtime.UInt16:
			out = strconv.AppendUint(out, uint64(le.Uint16(b)), 10)
		case runtime.UInt32:
			out = strconv.AppendUint(out, uint64(le.Uint32(b)), 10)
		case runtime.UInt64:
			out = strconv.AppendUint(out, le.Uint64(b), 10)
		}
	}
	return append(out, ']'), nil
}

func appendFloat(out []byte, f float64, bits int) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(out, "null"...)
	}
	return strconv.AppendFloat(out, f, 'g', -1, bits)
}

// Values returns a tensor's raw little-endian elements as float64, for
// display (top-k of a classifier, first values of any output).
func Values(dt runtime.DType, raw []byte) ([]float64, error) {
	size := dt.Size()
	if size == 0 || len(raw)%size != 0 {
		return nil, fmt.Errorf("%d bytes is not a whole number of %s elements", len(raw), Datatype(dt))
	}
	out := make([]float64, 0, len(raw)/size)
	for i := 0; i < len(raw); i += size {
		b := raw[i:]
		var v float64
		switch dt {
		case runtime.Bool, runtime.UInt8:
			v = float64(b[0])
		case runtime.Int8:
			v = float64(int8(b[0]))
		case runtime.Float16:
			v = float64(Float16Value(le.Uint16(b)))
		case runtime.Float32:
			v = float64(math.Float32frombits(le.Uint32(b)))
		case runtime.Float64:
			v = math.Float64frombits(le.Uint64(b))
		case runtime.Int16:
			v = float64(int16(le.Uint16(b)))
		case runtime.Int32:
			v = float64(int32(le.Uint32(b)))
		case runtime.Int64:
			v = float64(int64(le.Uint64(b)))
		case runtime.UInt16:
			v = float64(le.Uint16(b))
		case runtime.UInt32:
			v = float64(le.Uint32(b))
		case runtime.UInt64:
			v = float64(le.Uint64(b))
		}
		out = append(out, v)
	}
	return out, nil
}

// maxFloat16 is the largest finite half-precision value.
const maxFloat16 = 65504.0

// Float16Bits converts a float32 to IEEE 754 half precision, rounding to
// nearest even; values beyond the half range become ±Inf.
func Float16Bits(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int(b>>23) & 0xff
	mant := b & 0x7fffff
	if exp == 0xff {
		if mant != 0 {
			return sign | 0x7e00
		}
		return sign | 0x7c00
	}
	e := exp - 127 + 15
	switch {
	case e >= 0x1f:
		return sign | 0x7c00
	case e < -10:
		return sign
	case e <= 0:
		mant |= 0x800000
		shift := uint(14 - e)
		h := mant >> shift
		rem, mid := mant&(1<<shift-1), uint32(1)<<(shift-1)
		if rem > mid || rem == mid && h&1 == 1 {
			h++
		}
		return sign | uint16(h)
	}
	h := uint32(e)<<10 | mant>>13
	rem := mant & 0x1fff
	if rem > 0x1000 || rem == 0x1000 && h&1 == 1 {
		h++
	}
	return sign | uint16(h)
}

// Float16Value converts IEEE 754 half precision bits to a float32.
func Float16Value(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h & 0x3ff)
	switch {
	case exp == 0x1f:
		return math.Float32frombits(sign | 0x7f800000 | mant<<13)
	case exp == 0:
		f := float32(mant) / (1 << 24)
		if sign != 0 {
			f = -f
		}
		return f
	}
	return math.Float32frombits(sign | (exp+112)<<23 | mant<<13)
}
