package kernels

import (
	"math/rand/v2"
	"testing"
	"unsafe"
)

func runAddQ8(q *AddQ8, a, b []int8) []int8 {
	p, _ := NewBroadcast([]int{len(a)}, []int{len(b)}, []int{max(len(a), len(b))})
	out := make([]int8, p.Len())
	AddQ8Run(q, a, b, out, &p, 0, p.Len())
	return out
}

func TestAddQ8(t *testing.T) {
	tests := []struct {
		name    string
		sub     bool
		a, b, o QParams
		lo, hi  int32
		xnn     bool
		x, y    []int8
		want    []int8
	}{
		{
			// 0.5*x + 0.25*y; XNNPACK rounds ties up (toward +inf).
			name: "xnnpack", a: QParams{0.5, 0}, b: QParams{0.25, 0}, o: QParams{1, 0}, lo: -128, hi: 127, xnn: true,
			x: []int8{3, -3, 1, -1, 127, -128}, y: []int8{5, -5, 0, 0, 127, -128},
			want: []int8{3, -3, 1, 0, 95, -96},
		},
		{
			// The same sum with a zero point and the output clamped by RELU.
			name: "xnnpack zero points relu", a: QParams{0.5, 4}, b: QParams{0.25, -2}, o: QParams{1, -10}, lo: -10, hi: 127, xnn: true,
			x: []int8{7, 1, 5}, y: []int8{3, -7, -2}, want: []int8{-7, -10, -9},
		},
		{
			// 0.5*x - 0.25*y.
			name: "xnnpack sub", sub: true, a: QParams{0.5, 0}, b: QParams{0.25, 0}, o: QParams{1, 0}, lo: -128, hi: 127, xnn: true,
			x: []int8{3, -3, 0}, y: []int8{-5, 5, 2}, want: []int8{3, -3, 0},
		},
		{
			// b's scale is under 2^-10 of the output's: TFLite's fixed-point
			// path, which rounds -0.5 away from zero.
			name: "tflite", a: QParams{1, 0}, b: QParams{0.0004, 0}, o: QParams{2, 0}, lo: -128, hi: 127,
			x: []int8{3, -3, 1, -1, 0}, y: []int8{0, 0, 0, 0, 100}, want: []int8{2, -2, 1, -1, 0},
		},
		{
			name: "tflite sub", sub: true, a: QParams{1, -128}, b: QParams{1e-6, 0}, o: QParams{1, -128}, lo: -128, hi: 127,
			x: []int8{-128, 0, 127}, y: []int8{127, -97, 80}, want: []int8{-128, 0, 127},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := NewAddQ8(true, tc.sub, tc.a, tc.b, tc.o, tc.lo, tc.hi)
			if q.XNNPACK() != tc.xnn {
				t.Fatalf("XNNPACK() = %v, want %v", q.XNNPACK(), tc.xnn)
			}
			got := runAddQ8(&q, tc.x, tc.y)
			for i := range tc.want {
				if got[i] != tc.want[i] {
					t.Errorf("%d op %d = %d, want %d", tc.x[i], tc.y[i], got[i], tc.want[i])
				}
			}
		})
	}
}

func TestAddQ8Broadcast(t *testing.T) {
	q := NewAddQ8(false, false, QParams{1, 10}, QParams{1, 20}, QParams{1, 0}, 0, 255)
	got := make([]uint8, 3)
	p, _ := NewBroadcast([]int{3}, nil, []int{3})
	AddQ8Run(&q, []uint8{10, 11, 200}, []uint8{25}, got, &p, 0, 3)
	want := []uint8{5, 6, 195}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("out[%d] = %d, want %d", i, got[i], want[i])
		}
	}
}

func TestMulQ8(t *testing.T) {
	tests := []struct {
		name    string
		a, b, o QParams
		xnn     bool
		x, y    []int8
		want    []int8
	}{
		{
			// (x-1)*(y+2)*0.5: XNNPACK rounds ties to even (1.5 -> 2, 2.5 -> 2).
			name: "xnnpack", a: QParams{0.5, 1}, b: QParams{0.25, -2}, o: QParams{0.25, 0}, xnn: true,
			x: []int8{4, 6, 1, 127, -128}, y: []int8{-1, -1, 50, 127, 127}, want: []int8{2, 2, 0, 127, -128},
		},
		{
			name: "xnnpack zero point", a: QParams{0.5, 0}, b: QParams{0.25, 0}, o: QParams{0.125, 3}, xnn: true,
			x: []int8{2, 2}, y: []int8{2, -1}, want: []int8{7, 1},
		},
		{
			// A product-to-output ratio of 256 is beyond XNNPACK's range.
			name: "tflite", a: QParams{16, 0}, b: QParams{16, 0}, o: QParams{1, 0},
			x: []int8{0, 1, -1}, y: []int8{5, 0, 1}, want: []int8{0, 0, -128},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := NewMulQ8(tc.a, tc.b, tc.o, -128, 127)
			if q.XNNPACK() != tc.xnn {
				t.Fatalf("XNNPACK() = %v, want %v", q.XNNPACK(), tc.xnn)
			}
			p, _ := NewBroadcast([]int{len(tc.x)}, []int{len(tc.y)}, []int{len(tc.x)})
			got := make([]int8, len(tc.x))
			MulQ8Run(&q, tc.x, tc.y, got, &p, 0, len(got))
			for i := range tc.want {
				if got[i] != tc.want[i] {
					t.Errorf("%d * %d = %d, want %d", tc.x[i], tc.y[i], got[i], tc.want[i])
				}
			}
		})
	}
}

func TestMaxMin8(t *testing.T) {
	p, _ := NewBroadcast([]int{2, 2}, []int{2}, []int{2, 2})
	a, b := []int8{-5, 7, 3, -128}, []int8{0, 4}
	got := make([]int8, 4)
	MaxMin8(OpMaximum, a, b, got, &p, 0, 4)
	if want := []int8{0, 7, 3, 4}; string(toBytes(got)) != string(toBytes(want)) {
		t.Errorf("maximum = %v, want %v", got, want)
	}
	MaxMin8(OpMinimum, a, b, got, &p, 0, 4)
	if want := []int8{-5, 4, 0, -128}; string(toBytes(got)) != string(toBytes(want)) {
		t.Errorf("minimum = %v, want %v", got, want)
	}
}

func toBytes(v []int8) []byte {
	b := make([]byte, len(v))
	for i, x := range v {
		b[i] = byte(x)
	}
	return b
}

// TestQ8SIMD runs the SIMD ADD, SUB and MUL of this CPU (if any) against
// the generic ones, bit for bit: both types, lengths around the
// 16-element blocks, same shapes and one-value operands on either side,
// random scales and zero points (the XNNPACK schemes).
func TestQ8SIMD(t *testing.T) {
	if addQ8SIMD == nil || mulQ8SIMD == nil {
		t.Skip("no SIMD ADD or MUL on this CPU or build; the generic kernels run alone")
	}
	r := rand.New(rand.NewPCG(7, 7))
	checked := 0
	for i := range 600 {
		n := 1 + i%70
		op := i % 3 // add, sub, mul
		signed := i%6 < 3
		sa, sb := []int{n}, []int{n}
		switch i % 5 {
		case 1:
			sb = []int{1}
		case 2:
			sa = []int{1}
		case 3:
			sa, sb = []int{3, n}, []int{n}
		}
		lo, hi := TypeRange(signed)
		zp := func() int32 { return lo + r.Int32N(hi-lo+1) }
		a, b, o := QParams{0.01 + r.Float32(), zp()}, QParams{0.01 + r.Float32(), zp()}, QParams{0.02 + r.Float32(), zp()}
		alo, ahi := lo+r.Int32N(20), hi-r.Int32N(20)
		add := NewAddQ8(signed, op == 1, a, b, o, alo, ahi)
		mul := NewMulQ8(a, b, QParams{o.Scale / 50, o.Zero}, alo, ahi)
		if (op < 2 && !add.XNNPACK()) || (op == 2 && !mul.XNNPACK()) {
			continue
		}
		checked++
		out := []int{n}
		if len(sa) == 2 {
			out = []int{3, n}
		}
		p, err := NewBroadcast(sa, sb, out)
		if err != nil {
			t.Fatal(err)
		}
		x, y := randBytes(r, p.Len()), randBytes(r, p.Len())
		want, got := make([]uint8, p.Len()+1), make([]uint8, p.Len()+1)
		want[p.Len()], got[p.Len()] = 0x5a, 0x5a // must stay untouched
		run := func(out []uint8) {
			out = out[:p.Len()]
			switch {
			case op < 2 && signed:
				AddQ8Run(&add, i8s(x), i8s(y), i8s(out), &p, 0, p.Len())
			case op < 2:
				AddQ8Run(&add, x, y, out, &p, 0, p.Len())
			case signed:
				MulQ8Run(&mul, i8s(x), i8s(y), i8s(out), &p, 0, p.Len())
			default:
				MulQ8Run(&mul, x, y, out, &p, 0, p.Len())
			}
		}
		simdAdd, simdMul := addQ8SIMD, mulQ8SIMD
		addQ8SIMD, mulQ8SIMD = nil, nil
		run(want)
		addQ8SIMD, mulQ8SIMD = simdAdd, simdMul
		run(got)
		for j := range want {
			if want[j] != got[j] {
				t.Fatalf("case %d (op %d, shapes %v %v, signed %v): output %d = %d, generic %d", i, op, sa, sb, signed, j, got[j], want[j])
			}
		}
	}
	if checked < 450 {
		t.Errorf("only %d of 600 cases used the XNNPACK schemes", checked)
	}
}

// randBytes returns n random bytes.
func randBytes(r *rand.Rand, n int) []uint8 {
	b := make([]uint8, n)
	for i := range b {
		b[i] = uint8(r.IntN(256))
	}
	return b
}

func i8s(b []uint8) []int8 { return unsafe.Slice((*int8)(unsafe.Pointer(unsafe.SliceData(b))), len(b)) }

// TestAddQ8Periodic checks the pass for an operand that repeats a few
// values (shapes [k, P] and [P]) against the same sum with that operand
// tiled to the full shape, over whole and partial ranges.
func TestAddQ8Periodic(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	for period := 1; period < simdMinRun; period++ {
		// Odd periods take XNNPACK's scheme, even ones TFLite's (b's
		// scale under 2^-10 of the output's).
		bScale := float32(0.07)
		if period%2 == 0 {
			bScale = 0.00005
		}
		q := NewAddQ8(true, true, QParams{0.1, 3}, QParams{bScale, -5}, QParams{0.12, 1}, -128, 127)
		if q.XNNPACK() != (period%2 == 1) {
			t.Fatalf("period %d: XNNPACK() = %v", period, q.XNNPACK())
		}
		for _, k := range []int{1 + r.IntN(9), 2*lutMinRun + r.IntN(lutMinRun)} {
			checkAddQ8Periodic(t, r, &q, period, k)
		}
	}
}

// checkAddQ8Periodic checks AddQ8Run on [k, period] op [period] from a
// random start in the first half to a random end in the last period.
func checkAddQ8Periodic(t *testing.T, r *rand.Rand, q *AddQ8, period, k int) {
	t.Helper()
	p, _ := NewBroadcast([]int{k, period}, []int{period}, []int{k, period})
	if _, ok := p.periodic(simdMinRun); !ok && period > 1 && k > 1 {
		t.Fatalf("period %d: [%d %d] op [%d] not seen as periodic", period, k, period, period)
	}
	n := k * period
	same, _ := NewBroadcast([]int{n}, []int{n}, []int{n})
	x, y := i8s(randBytes(r, n)), i8s(randBytes(r, period))
	tiled := make([]int8, n)
	for i := range tiled {
		tiled[i] = y[i%period]
	}
	from, to := r.IntN(max(n/2, 1)), n-r.IntN(period)
	want, got := make([]int8, n), make([]int8, n)
	AddQ8Run(q, x, tiled, want, &same, from, to)
	AddQ8Run(q, x, y, got, &p, from, to)
	for i := range want {
		if want[i] != got[i] {
			t.Fatalf("period %d, k %d, [%d, %d): output %d = %d, want %d", period, k, from, to, i, got[i], want[i])
		}
	}
}
