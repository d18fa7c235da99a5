package tflite

import (
	"encoding/binary"
	"fmt"
)

// sparsity is the TFLite sparsity metadata of a constant tensor whose
// buffer holds only its stored values: the tensor's dimensions, each
// possibly split into blocks, are walked in a traversal order, each level
// either dense (every index) or compressed (CSR: per position of the
// level above, a segment of explicit indices).
type sparsity struct {
	// order lists the levels: dimension d < rank, or rank+j for the
	// blocks of dimension blockMap[j].
	order    []int
	blockMap []int
	// blockSize[j] is the size of the blocks of dimension blockMap[j].
	blockSize []int
	levels    []sparseLevel
	// values is the number of stored values.
	values int
}

// sparseLevel is one level of the traversal.
type sparseLevel struct {
	csr bool
	// extent is the number of indices along the level.
	extent int
	// segments and indices are the CSR arrays of a compressed level.
	segments, indices []int32
}

// DimensionMetadata slots: format 0, dense_size 1, array_segments 2 (union
// type) and 3, array_indices 4 (union type) and 5. SparsityParameters:
// traversal_order 0, block_map 1, dim_metadata 2.
const (
	dimDense     = 0
	dimSparseCSR = 1
)

// parseSparsity reads and checks the sparsity metadata of a tensor of the
// given dense shape whose buffer holds n values.
func parseSparsity(r *fbReader, t fbTable, shape []int, n int) (*sparsity, error) {
	order32, map32, dims := t.i32s(0), t.i32s(1), t.tables(2)
	if r.Err() != nil {
		return nil, r.Err()
	}
	rank, k := len(shape), len(map32)
	sp := &sparsity{}
	if k > rank {
		return nil, fmt.Errorf("block_map has %d entries for rank %d", k, rank)
	}
	if len(order32) != rank+k || len(dims) != rank+k {
		return nil, fmt.Errorf("traversal_order has %d entries and dim_metadata %d, want %d (rank %d + %d block dimensions)", len(order32), len(dims), rank+k, rank, k)
	}
	seen := make([]bool, rank+k)
	for i, v := range order32 {
		if v < 0 || int(v) >= rank+k || seen[v] {
			return nil, fmt.Errorf("traversal_order %v is not a permutation of 0..%d", order32, rank+k-1)
		}
		if (i < rank) != (int(v) < rank) || (i >= rank && int(v) != i) {
			return nil, fmt.Errorf("%w: traversal_order %v: block dimensions must follow the dimensions, in order", errUnsupportedSparsity, order32)
		}
		seen[v] = true
		sp.order = append(sp.order, int(v))
	}
	for j, d := range map32 {
		if d < 0 || int(d) >= rank || (j > 0 && d <= map32[j-1]) {
			return nil, fmt.Errorf("block_map %v must name distinct dimensions below %d in increasing order", map32, rank)
		}
		sp.blockMap = append(sp.blockMap, int(d))
	}
	// blocked is the number of blocks along each dimension.
	blocked := append([]int(nil), shape...)
	for j, d := range sp.blockMap {
		b := int(dims[rank+j].i32(1, 0))
		if b < 1 || shape[d]%b != 0 {
			return nil, fmt.Errorf("block size %d does not divide dimension %d of size %d", b, d, shape[d])
		}
		sp.blockSize = append(sp.blockSize, b)
		blocked[d] = shape[d] / b
	}
	// count is the number of positions at the current level: 1 above the
	// first, and the number of stored values below the last.
	count := 1
	for l, dm := range dims {
		var lv sparseLevel
		if o := sp.order[l]; o < rank {
			lv.extent = blocked[o]
		} else {
			lv.extent = sp.blockSize[o-rank]
		}
		switch f := dm.i8(0, dimDense); f {
		case dimDense:
			if s := int(dm.i32(1, 0)); s != lv.extent {
				return nil, fmt.Errorf("dim_metadata[%d]: dense_size %d, want %d", l, s, lv.extent)
			}
			if count > maxTensorBytes/max(lv.extent, 1) {
				return nil, fmt.Errorf("dim_metadata[%d]: too many positions", l)
			}
			count *= lv.extent
		case dimSparseCSR:
			lv.csr = true
			var err error
			if lv.segments, err = indexVector(r, dm, 2); err != nil {
				return nil, fmt.Errorf("dim_metadata[%d] array_segments: %w", l, err)
			}
			if lv.indices, err = indexVector(r, dm, 4); err != nil {
				return nil, fmt.Errorf("dim_metadata[%d] array_indices: %w", l, err)
			}
			if len(lv.segments) < count+1 || lv.segments[0] != 0 {
				return nil, fmt.Errorf("dim_metadata[%d]: %d array_segments starting at %d, want %d starting at 0", l, len(lv.segments), first(lv.segments), count+1)
			}
			for p := 1; p <= count; p++ {
				if lv.segments[p] < lv.segments[p-1] {
					return nil, fmt.Errorf("dim_metadata[%d]: array_segments decrease at %d", l, p)
				}
			}
			next := int(lv.segments[count])
			if next > len(lv.indices) {
				return nil, fmt.Errorf("dim_metadata[%d]: array_segments reach %d, past the %d array_indices", l, next, len(lv.indices))
			}
			for i, x := range lv.indices[:next] {
				if x < 0 || int(x) >= lv.extent {
					return nil, fmt.Errorf("dim_metadata[%d]: array_indices[%d] is %d, outside [0, %d)", l, i, x, lv.extent)
				}
			}
			count = next
		default:
			return nil, fmt.Errorf("%w: dim_metadata[%d] format %d", errUnsupportedSparsity, l, f)
		}
		sp.levels = append(sp.levels, lv)
	}
	if count != n {
		return nil, fmt.Errorf("the metadata describes %d stored values, the buffer holds %d", count, n)
	}
	sp.values = n
	return sp, nil
}

// errUnsupportedSparsity marks valid sparsity metadata this engine does not
// read.
var errUnsupportedSparsity = constErr("unsupported sparsity")

func first(s []int32) int32 {
	if len(s) == 0 {
		return 0
	}
	return s[0]
}

// indexVector reads a SparseIndexVector union (type at slot, table at
// slot+1): Int32Vector, Uint16Vector or Uint8Vector, each a table whose
// field 0 is the vector.
func indexVector(r *fbReader, t fbTable, slot int) ([]int32, error) {
	typ, v := t.u8(slot, 0), t.table(slot+1)
	if r.Err() != nil {
		return nil, r.Err()
	}
	if !v.present() {
		return nil, fmt.Errorf("absent")
	}
	size := map[uint8]uint64{1: 4, 2: 2, 3: 1}[typ]
	if size == 0 {
		return nil, fmt.Errorf("index vector type %d, want 1 (int32), 2 (uint16) or 3 (uint8)", typ)
	}
	start, n := v.vector(0, size)
	if r.Err() != nil {
		return nil, r.Err()
	}
	if !r.Charge(n, 4) {
		return nil, r.Err()
	}
	out := make([]int32, n)
	b := r.Bytes()[start:]
	for i := range out {
		switch size {
		case 4:
			out[i] = int32(binary.LittleEndian.Uint32(b[4*i:]))
		case 2:
			out[i] = int32(binary.LittleEndian.Uint16(b[2*i:]))
		default:
			out[i] = int32(b[i])
		}
	}
	return out, nil
}

// densify expands stored values of size bytes each into the dense tensor
// of the given shape (zeros elsewhere), as TFLite's FormatConverter does.
func (sp *sparsity) densify(values []byte, size int, shape []int) []byte {
	elems := 1
	for _, d := range shape {
		elems *= d
	}
	out := make([]byte, elems*size)
	rank := len(shape)
	strides := make([]int, rank)
	for d, s := rank-1, 1; d >= 0; d-- {
		strides[d], s = s, s*shape[d]
	}
	idx := make([]int, len(sp.levels))
	coord := make([]int, rank)
	src := 0
	var walk func(level, pos int)
	walk = func(level, pos int) {
		if level == len(sp.levels) {
			for l := range rank {
				coord[sp.order[l]] = idx[l]
			}
			for l := rank; l < len(idx); l++ {
				j := sp.order[l] - rank
				d := sp.blockMap[j]
				coord[d] = coord[d]*sp.blockSize[j] + idx[l]
			}
			off := 0
			for d, c := range coord {
				off += c * strides[d]
			}
			copy(out[off*size:(off+1)*size], values[src*size:(src+1)*size])
			src++
			return
		}
		lv := &sp.levels[level]
		if !lv.csr {
			for i := range lv.extent {
				idx[level] = i
				walk(level+1, pos*lv.extent+i)
			}
			return
		}
		for i := lv.segments[pos]; i < lv.segments[pos+1]; i++ {
			idx[level] = int(lv.indices[i])
			walk(level+1, int(i))
		}
	}
	walk(0, 0)
	return out
}

// densifyTensor reads the sparsity metadata of constant tt, whose buffer
// holds its stored values, and gives tt its dense contents.
func densifyTensor(r *fbReader, tt *tensor, t fbTable, values []byte) error {
	size := tt.dtype.Size()
	if len(values)%size != 0 {
		return fmt.Errorf("buffer of %d bytes is not a whole number of %s values", len(values), tt.dtype)
	}
	sp, err := parseSparsity(r, t, tt.shape, len(values)/size)
	if err != nil {
		return err
	}
	if !r.Charge(tt.numElements(), uint64(size)) {
		return r.Err()
	}
	tt.data, tt.sparse = sp.densify(values, size, tt.shape), sp
	return nil
}
