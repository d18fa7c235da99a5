package tflite

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/runtime"
)

// Sparsity tables for tests: DimensionMetadata of a dense level and of a
// CSR level with index vectors of type typ (1 int32, 2 uint16, 3 uint8).
func denseDim(n int32) fbt { return fbt{0: int8(dimDense), 1: n} }

func csrDim(typ uint8, segments, indices []int32) fbt {
	vec := func(v []int32) fbt {
		switch typ {
		case 2:
			u := make([]uint16, len(v))
			for i, x := range v {
				u[i] = uint16(x)
			}
			return fbt{0: u}
		case 3:
			u := make([]byte, len(v))
			for i, x := range v {
				u[i] = byte(x)
			}
			return fbt{0: u}
		}
		return fbt{0: v}
	}
	return fbt{0: int8(dimSparseCSR), 2: typ, 3: vec(segments), 4: typ, 5: vec(indices)}
}

func sparsityOf(order, blockMap []int32, dims ...fbt) fbt {
	t := fbt{0: order, 2: dims}
	if blockMap != nil {
		t[1] = blockMap
	}
	return t
}

// encodeSparse stores a rows×cols matrix of elem-byte values the way
// TFLite's converter sparsifies FULLY_CONNECTED weights: rows dense, then
// blocks of 1×block along each row compressed (CSR, indices of type typ),
// a block kept when any of its values is not zero.
func encodeSparse(dense []byte, rows, cols, block, elem int, typ uint8) (values []byte, sp fbt) {
	zero := make([]byte, block*elem)
	segments := []int32{0}
	var indices []int32
	for r := range rows {
		for b := range cols / block {
			v := dense[(r*cols+b*block)*elem : (r*cols+(b+1)*block)*elem]
			if !bytes.Equal(v, zero) {
				indices = append(indices, int32(b))
				values = append(values, v...)
			}
		}
		segments = append(segments, int32(len(indices)))
	}
	if block == 1 {
		return values, sparsityOf([]int32{0, 1}, nil, denseDim(int32(rows)), csrDim(typ, segments, indices))
	}
	return values, sparsityOf([]int32{0, 1, 2, 3}, []int32{0, 1},
		denseDim(int32(rows)), csrDim(typ, segments, indices), denseDim(1), denseDim(int32(block)))
}

// densifyModel is y = DENSIFY(w) for a sparse constant w.
func densifyModel(typ int8, shape []int32, values []byte, sp fbt) testModel {
	return testModel{
		tensors: []testTensor{
			{name: "w", typ: typ, shape: shape, data: values, sparsity: sp},
			{name: "y", typ: typ, shape: shape},
		},
		outputs: []int32{1},
		ops:     []testOp{{builtin: 124, ins: []int32{0}, outs: []int32{1}}},
	}
}

// TestSparseDensify checks densified sparse constants against hand-made
// dense contents. (The LiteRT builds of tflite-ref fail on a graph of
// DENSIFY alone; conformance2/mp_face_detection_full_range_sparse checks
// DENSIFY of float16 weights against the real TFLite.)
func TestSparseDensify(t *testing.T) {
	// m is a 3×8 matrix with a zero row and zero blocks of 4.
	m := []float32{
		0, 1, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0,
		2, 0, 0, 3, 4, 5, 0, 6,
	}
	dense := f32bytes(m...)
	for _, c := range []struct {
		name   string
		typ    int8
		shape  []int32
		values []byte
		sp     fbt
		want   []byte
	}{
		{name: "csr_int32", typ: tensorFloat32, shape: []int32{3, 8}, want: dense},
		{name: "csr_uint16", typ: tensorFloat32, shape: []int32{3, 8}, want: dense},
		{name: "csr_uint8", typ: tensorFloat32, shape: []int32{3, 8}, want: dense},
		{name: "block4_int32", typ: tensorFloat32, shape: []int32{3, 8}, want: dense},
		{name: "block4_uint8", typ: tensorFloat32, shape: []int32{3, 8}, want: dense},
		{name: "int8_csr", typ: tensorInt8, shape: []int32{2, 3}, values: i8bytes(-5, 7),
			sp:   sparsityOf([]int32{0, 1}, nil, denseDim(2), csrDim(1, []int32{0, 1, 2}, []int32{2, 0})),
			want: i8bytes(0, 0, -5, 7, 0, 0)},
		{name: "float16_column_major", typ: tensorFloat16, shape: []int32{2, 3}, values: []byte{0x00, 0x3c, 0x00, 0xc0},
			// traversal [1 0]: columns outermost, rows compressed.
			sp:   sparsityOf([]int32{1, 0}, nil, denseDim(3), csrDim(3, []int32{0, 1, 1, 2}, []int32{1, 0})),
			want: []byte{0, 0, 0, 0, 0x00, 0xc0, 0x00, 0x3c, 0, 0, 0, 0}},
		{name: "all_dense_3d", typ: tensorInt8, shape: []int32{1, 2, 2}, values: i8bytes(1, 2, 3, 4),
			sp:   sparsityOf([]int32{0, 1, 2}, nil, denseDim(1), denseDim(2), denseDim(2)),
			want: i8bytes(1, 2, 3, 4)},
		{name: "block2x2", typ: tensorInt8, shape: []int32{4, 4}, values: i8bytes(1, 2, 3, 4, 5, 6, 7, 8),
			// 2×2 blocks: block (0,1) and block (1,0).
			sp: sparsityOf([]int32{0, 1, 2, 3}, []int32{0, 1},
				denseDim(2), csrDim(1, []int32{0, 1, 2}, []int32{1, 0}), denseDim(2), denseDim(2)),
			want: i8bytes(0, 0, 1, 2, 0, 0, 3, 4, 5, 6, 0, 0, 7, 8, 0, 0)},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.sp == nil {
				block, typ := 1, uint8(1)
				switch {
				case strings.HasPrefix(c.name, "block4"):
					block = 4
				}
				switch {
				case strings.HasSuffix(c.name, "uint16"):
					typ = 2
				case strings.HasSuffix(c.name, "uint8"):
					typ = 3
				}
				c.values, c.sp = encodeSparse(dense, 3, 8, block, 4, typ)
			}
			m, err := Load(densifyModel(c.typ, c.shape, c.values, c.sp).bytes())
			if err != nil {
				t.Fatalf("load: %v", err)
			}
			outs, err := m.Run(context.Background(), runtime.Options{}, nil)
			if err != nil {
				t.Fatalf("run: %v", err)
			}
			if !bytes.Equal(outs[0], c.want) {
				t.Errorf("densified % x, want % x", outs[0], c.want)
			}
		})
	}
}

// TestSparseRefusesMalformed: hostile sparsity metadata is refused at load
// with the tensor named and what is wrong, never a panic or a read out of
// range.
func TestSparseRefusesMalformed(t *testing.T) {
	csr := func(seg, idx []int32) fbt {
		return sparsityOf([]int32{0, 1}, nil, denseDim(3), csrDim(1, seg, idx))
	}
	vals := f32bytes(1, 2)
	for _, c := range []struct {
		name   string
		values []byte
		sp     fbt
		is     error
		want   string
	}{
		{"order length", vals, sparsityOf([]int32{0}, nil, denseDim(3)), runtime.ErrInvalidModel, "traversal_order has 1 entries and dim_metadata 1, want 2"},
		{"order not a permutation", vals, sparsityOf([]int32{0, 0}, nil, denseDim(3), denseDim(4)), runtime.ErrInvalidModel, "not a permutation"},
		{"order out of range", vals, sparsityOf([]int32{0, 7}, nil, denseDim(3), denseDim(4)), runtime.ErrInvalidModel, "not a permutation"},
		{"block dimension first", vals, sparsityOf([]int32{2, 0, 1}, []int32{1}, denseDim(3), denseDim(4), denseDim(2)), runtime.ErrUnsupported, "block dimensions must follow"},
		{"block map out of range", vals, sparsityOf([]int32{0, 1, 2}, []int32{5}, denseDim(3), denseDim(4), denseDim(2)), runtime.ErrInvalidModel, "block_map [5]"},
		{"block size zero", vals, sparsityOf([]int32{0, 1, 2}, []int32{1}, denseDim(3), denseDim(4), denseDim(0)), runtime.ErrInvalidModel, "block size 0 does not divide"},
		{"block size not a divisor", vals, sparsityOf([]int32{0, 1, 2}, []int32{1}, denseDim(3), denseDim(1), denseDim(3)), runtime.ErrInvalidModel, "block size 3 does not divide dimension 1 of size 4"},
		{"dense size", vals, sparsityOf([]int32{0, 1}, nil, denseDim(3), denseDim(5)), runtime.ErrInvalidModel, "dense_size 5, want 4"},
		{"format", vals, sparsityOf([]int32{0, 1}, nil, denseDim(3), fbt{0: int8(7)}), runtime.ErrUnsupported, "format 7"},
		{"segments short", vals, csr([]int32{0, 1}, []int32{0, 1}), runtime.ErrInvalidModel, "2 array_segments starting at 0, want 4"},
		{"segments start", vals, csr([]int32{1, 1, 2, 2}, []int32{0, 1}), runtime.ErrInvalidModel, "starting at 1"},
		{"segments decrease", vals, csr([]int32{0, 2, 1, 2}, []int32{0, 1}), runtime.ErrInvalidModel, "array_segments decrease at 2"},
		{"segments past indices", vals, csr([]int32{0, 1, 2, 9}, []int32{0, 1}), runtime.ErrInvalidModel, "reach 9, past the 2 array_indices"},
		{"index out of range", vals, csr([]int32{0, 1, 2, 2}, []int32{0, 4}), runtime.ErrInvalidModel, "array_indices[1] is 4, outside [0, 4)"},
		{"negative index", vals, csr([]int32{0, 1, 2, 2}, []int32{-1, 0}), runtime.ErrInvalidModel, "array_indices[0] is -1"},
		{"value count", f32bytes(1, 2, 3), csr([]int32{0, 1, 2, 2}, []int32{0, 1}), runtime.ErrInvalidModel, "describes 2 stored values, the buffer holds 3"},
		{"partial value", vals[:7], csr([]int32{0, 1, 2, 2}, []int32{0, 1}), runtime.ErrInvalidModel, "not a whole number of float32 values"},
		{"index vector type", vals, sparsityOf([]int32{0, 1}, nil, denseDim(3), fbt{0: int8(1), 2: uint8(9), 3: fbt{0: []int32{0}}, 4: uint8(1), 5: fbt{0: []int32{0}}}), runtime.ErrInvalidModel, "index vector type 9"},
		{"absent segments", vals, sparsityOf([]int32{0, 1}, nil, denseDim(3), fbt{0: int8(1), 4: uint8(1), 5: fbt{0: []int32{0}}}), runtime.ErrInvalidModel, "array_segments: absent"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load(densifyModel(tensorFloat32, []int32{3, 4}, c.values, c.sp).bytes())
			if !errors.Is(err, c.is) || !strings.Contains(err.Error(), `tensor 0 "w": sparsity: `) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("load error\n  %v\nwant one wrapping %v naming tensor 0 \"w\" and containing\n  %s", err, c.is, c.want)
			}
		})
	}
	t.Run("run-time tensor", func(t *testing.T) {
		tm := fcModel()
		tm.tensors[0].sparsity = csr([]int32{0, 0, 0, 0}, nil)
		_, err := Load(tm.bytes())
		if !errors.Is(err, runtime.ErrInvalidModel) || !strings.Contains(err.Error(), `tensor 0 "x": sparsity parameters on a tensor without contents`) {
			t.Fatalf("load error %v", err)
		}
	})
}
