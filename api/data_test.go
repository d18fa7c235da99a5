package api

import (
	"bytes"
	"encoding/binary"
	"math"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/runtime"
)

var decodeCases = []struct {
	name  string
	dt    runtime.DType
	data  string
	want  int
	raw   []byte // nil: the count or an error is expected
	count int
	err   string
}{
	{"fp32 flat", runtime.Float32, "[1, -2.5, 0]", 3, f32(1, -2.5, 0), 3, ""},
	{"fp32 nested", runtime.Float32, "[[1,2],[3,4]]", 4, f32(1, 2, 3, 4), 4, ""},
	{"fp32 too few", runtime.Float32, "[1,2]", 3, nil, 2, ""},
	{"fp32 too many", runtime.Float32, "[1,2,3,4]", 3, nil, 4, ""},
	{"fp32 out of range", runtime.Float32, "[1e39]", 1, nil, 0, "element 0: 1e39 is out of range for FP32"},
	{"fp64", runtime.Float64, "[1e39]", 1, binary.LittleEndian.AppendUint64(nil, math.Float64bits(1e39)), 1, ""},
	{"fp16", runtime.Float16, "[1, -0.5, 65504]", 3, []byte{0x00, 0x3c, 0x00, 0xb8, 0xff, 0x7b}, 3, ""},
	{"fp16 out of range", runtime.Float16, "[70000]", 1, nil, 0, "70000 is out of range for FP16"},
	{"uint8", runtime.UInt8, "[0, 255, 3.0]", 3, []byte{0, 255, 3}, 3, ""},
	{"uint8 too big", runtime.UInt8, "[1, 300]", 2, nil, 1, "element 1: 300 is out of range for UINT8 [0, 255]"},
	{"uint8 negative", runtime.UInt8, "[-1]", 1, nil, 0, "-1 is out of range for UINT8"},
	{"int8", runtime.Int8, "[-128, 127]", 2, []byte{0x80, 0x7f}, 2, ""},
	{"int8 too small", runtime.Int8, "[-129]", 1, nil, 0, "-129 is out of range for INT8 [-128, 127]"},
	{"int32 fraction", runtime.Int32, "[1.5]", 1, nil, 0, "1.5 is not an integer"},
	{"int64", runtime.Int64, "[-1, 1e3]", 2, append(binary.LittleEndian.AppendUint64(nil, math.MaxUint64), 0xe8, 3, 0, 0, 0, 0, 0, 0), 2, ""},
	{"uint64 max", runtime.UInt64, "[18446744073709551615]", 1, bytes.Repeat([]byte{0xff}, 8), 1, ""},
	{"bool", runtime.Bool, "[true, false, 1, 0]", 4, []byte{1, 0, 1, 0}, 4, ""},
	{"bool not", runtime.Bool, "[2]", 1, nil, 0, "2 is not a BOOL"},
	{"string element", runtime.Float32, `["a"]`, 1, nil, 0, "element 0 is a string"},
	{"object element", runtime.Float32, `[{}]`, 1, nil, 0, "element 0 is an object"},
	{"null element", runtime.Float32, `[1, null]`, 2, nil, 1, "element 1 is null"},
	{"not a list", runtime.Float32, `3`, 1, nil, 0, "data is not a list"},
	{"null data", runtime.Float32, `null`, 1, nil, 0, "data is not a list"},
	{"no data", runtime.Float32, ``, 1, nil, 0, "no data"},
	{"invalid JSON", runtime.Float32, `[1,,2]`, 2, nil, 0, "not valid JSON"},
	{"bytes", runtime.String, `["x"]`, 1, nil, 0, "BYTES cannot be sent as JSON data"},
	{"empty", runtime.Float32, `[]`, 0, []byte{}, 0, ""},
	{"negative count", runtime.Float32, `[1]`, -1, nil, 0, "negative element count -1"},
}

func f32(v ...float32) []byte {
	var b []byte
	for _, f := range v {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(f))
	}
	return b
}

func TestDecodeData(t *testing.T) {
	for _, tc := range decodeCases {
		t.Run(tc.name, func(t *testing.T) {
			raw, n, err := DecodeData(tc.dt, []byte(tc.data), tc.want)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if n != tc.count {
				t.Errorf("count %d, want %d", n, tc.count)
			}
			if !bytes.Equal(raw, tc.raw) || (raw == nil) != (tc.raw == nil) {
				t.Errorf("bytes %v, want %v", raw, tc.raw)
			}
		})
	}
}

// FuzzDecodeData checks that no data text panics the decoder and that
// whatever it accepts encodes back to the same bytes.
func FuzzDecodeData(f *testing.F) {
	for _, tc := range decodeCases {
		f.Add(uint8(tc.dt), []byte(tc.data), tc.want)
	}
	f.Fuzz(func(t *testing.T, dt uint8, data []byte, want int) {
		if want > 1<<16 {
			return
		}
		d := runtime.DType(dt % 14)
		raw, n, err := DecodeData(d, data, want)
		if err != nil || raw == nil {
			return
		}
		if n != want || len(raw) != want*d.Size() {
			t.Fatalf("%d elements, %d bytes for want %d", n, len(raw), want)
		}
		js, err := EncodeData(d, raw)
		if err != nil {
			t.Fatal(err)
		}
		again, _, err := DecodeData(d, js, want)
		if err != nil {
			t.Fatalf("re-decoding %s: %v", js, err)
		}
		if d != runtime.Float16 && d != runtime.Float32 && d != runtime.Float64 && !bytes.Equal(again, raw) {
			t.Fatalf("round trip %v -> %s -> %v", raw, js, again)
		}
	})
}

func TestEncodeData(t *testing.T) {
	for _, tc := range []struct {
		dt   runtime.DType
		raw  []byte
		want string
	}{
		{runtime.Float32, f32(1, -2.5, float32(math.NaN()), 0.1), "[1,-2.5,null,0.1]"},
		{runtime.UInt8, []byte{0, 255}, "[0,255]"},
		{runtime.Int8, []byte{0x80}, "[-128]"},
		{runtime.Bool, []byte{1, 0}, "[true,false]"},
		{runtime.Float16, []byte{0x00, 0x3c, 0x00, 0xb8}, "[1,-0.5]"},
		{runtime.Int64, bytes.Repeat([]byte{0xff}, 8), "[-1]"},
		{runtime.Float32, nil, "[]"},
	} {
		got, err := EncodeData(tc.dt, tc.raw)
		if err != nil || string(got) != tc.want {
			t.Errorf("%s %v: %s, %v; want %s", tc.dt, tc.raw, got, err, tc.want)
		}
	}
	if _, err := EncodeData(runtime.Float32, make([]byte, 5)); err == nil || !strings.Contains(err.Error(), "5 bytes is not a whole number of FP32") {
		t.Errorf("ragged bytes: %v", err)
	}
}

func TestFloat16(t *testing.T) {
	for _, tc := range []struct {
		f    float32
		bits uint16
	}{
		{0, 0}, {1, 0x3c00}, {-2, 0xc000}, {65504, 0x7bff}, {65520, 0x7c00},
		{float32(math.Inf(-1)), 0xfc00}, {6.1035156e-05, 0x0400}, // smallest normal
		{5.9604645e-08, 0x0001},                         // smallest subnormal
		{1.0009765625, 0x3c01}, {1.00048828125, 0x3c00}, // a tie rounds to even
		{1e-9, 0},
	} {
		if got := Float16Bits(tc.f); got != tc.bits {
			t.Errorf("Float16Bits(%g) = %#04x, want %#04x", tc.f, got, tc.bits)
		}
	}
	for h := range uint32(0x7c00) {
		if got := Float16Bits(Float16Value(uint16(h))); got != uint16(h) {
			t.Fatalf("%#04x -> %g -> %#04x", h, Float16Value(uint16(h)), got)
		}
	}
	if !math.IsNaN(float64(Float16Value(0x7e00))) {
		t.Error("0x7e00 is not NaN")
	}
}

func TestValues(t *testing.T) {
	got, err := Values(runtime.Int8, []byte{0xff, 3})
	if err != nil || len(got) != 2 || got[0] != -1 || got[1] != 3 {
		t.Errorf("%v, %v", got, err)
	}
	if _, err := Values(runtime.Int32, []byte{1}); err == nil {
		t.Error("ragged bytes accepted")
	}
}

func TestDatatype(t *testing.T) {
	for dt, name := range datatypes {
		if got := Datatype(dt); got != name {
			t.Errorf("Datatype(%s) = %s", dt, got)
		}
		if got, err := ParseDatatype(strings.ToLower(name)); err != nil || got != dt {
			t.Errorf("ParseDatatype(%s) = %s, %v", name, got, err)
		}
	}
	if _, err := ParseDatatype("FP8"); err == nil || !strings.Contains(err.Error(), `unknown datatype "FP8"`) {
		t.Errorf("FP8: %v", err)
	}
	if got := FormatShape([]int64{1, 224, 3}); got != "[1,224,3]" {
		t.Errorf("FormatShape: %s", got)
	}
}

func TestDefaultSocket(t *testing.T) {
	env := func(m map[string]string) func(string) string {
		return func(k string) string { return m[k] }
	}
	for _, tc := range []struct {
		env    map[string]string
		euid   int
		system bool // the system service's socket exists
		want   string
	}{
		{map[string]string{SocketEnv: "/x.sock", "XDG_RUNTIME_DIR": "/run/user/1000"}, 1000, true, "/x.sock"},
		{nil, 0, false, "/run/edgeinfer/edgeinfer.sock"},
		{map[string]string{"XDG_RUNTIME_DIR": "/run/user/1000"}, 1000, true, "/run/edgeinfer/edgeinfer.sock"},
		{map[string]string{"XDG_RUNTIME_DIR": "/run/user/1000"}, 1000, false, "/run/user/1000/edgeinfer/edgeinfer.sock"},
		{nil, 1000, false, "/tmp/edgeinfer-1000/edgeinfer.sock"},
		{map[string]string{"TMPDIR": "/var/tmp"}, 1000, false, "/var/tmp/edgeinfer-1000/edgeinfer.sock"},
	} {
		if got := defaultSocket(env(tc.env), tc.euid, func(string) bool { return tc.system }); got != tc.want {
			t.Errorf("%v uid %d: %s, want %s", tc.env, tc.euid, got, tc.want)
		}
	}
}
