package tflite

import (
	"fmt"
	"maps"

	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/tflite/metadata"
)

// Description is what Describe learns of a model without running it: its
// interface, its operators and whether this engine can run each of them.
type Description struct {
	// Bytes is the size of the model file.
	Bytes int
	// SchemaVersion is the flatbuffer schema version (always 3).
	SchemaVersion uint32
	// Description is the model's description string.
	Description string
	Inputs      []runtime.TensorInfo
	Outputs     []runtime.TensorInfo
	Signatures  []Signature
	// OpCounts counts operators by name as they are in the file.
	OpCounts map[string]int
	// Ops has one entry per operator of the main subgraph, in file order.
	Ops []OpStatus
	// ArenaBytes is the activation arena a Session would allocate (0 when
	// the arena could not be planned; ArenaError says why).
	ArenaBytes int
	ArenaError error
	// Metadata is the model's TFLite Metadata, nil when it has none or
	// when it is malformed (MetadataError says why; the model itself may
	// still be valid).
	Metadata      *metadata.Metadata
	MetadataError error
}

// OpStatus tells whether one operator can run.
type OpStatus struct {
	Index   int
	Name    string
	Version int
	// Folded is true for a constant DEQUANTIZE evaluated at load.
	Folded bool
	// Err is nil when the operator has a kernel that accepts it; otherwise
	// it wraps runtime.ErrUnsupported (no kernel, or an unsupported type or
	// option) or runtime.ErrInvalidModel (the operator contradicts its
	// definition).
	Err error
}

// Supported reports whether every operator can run and the arena fits.
func (d *Description) Supported() bool { return d.LoadError() == nil }

// Unsupported returns the operators that cannot run.
func (d *Description) Unsupported() []OpStatus {
	var bad []OpStatus
	for _, o := range d.Ops {
		if o.Err != nil {
			bad = append(bad, o)
		}
	}
	return bad
}

// LoadError returns the first reason Open would refuse the model, or nil.
func (d *Description) LoadError() error {
	for _, o := range d.Ops {
		if o.Err != nil {
			return fmt.Errorf("operator %d (%s): %w", o.Index, o.Name, o.Err)
		}
	}
	return d.ArenaError
}

// Describe parses and validates the model at path and checks every
// operator against this engine's kernels, without stopping at the first
// unsupported one and without allocating an arena. It returns an error only
// when the file cannot be read or is not a valid model.
func Describe(path string) (*Description, error) {
	b, unmap, err := mapFile(path)
	if err != nil {
		return nil, fmt.Errorf("tflite: %w", err) // err names the path
	}
	defer unmap()
	d, err := describe(b)
	if err != nil {
		return nil, fmt.Errorf("tflite: %s: %w", path, err)
	}
	return d, nil
}

// DescribeBytes is Describe for a model held in memory.
func DescribeBytes(b []byte) (*Description, error) {
	d, err := describe(b)
	if err != nil {
		return nil, fmt.Errorf("tflite: %w", err)
	}
	return d, nil
}

func describe(b []byte) (*Description, error) {
	m, err := parse(b)
	if err != nil {
		return nil, err
	}
	d := &Description{
		Bytes:         len(b),
		SchemaVersion: m.version,
		Description:   m.desc,
		Inputs:        m.Inputs(),
		Outputs:       m.Outputs(),
		Signatures:    m.sigs,
		OpCounts:      maps.Clone(m.opCount),
	}
	d.Metadata, d.MetadataError = metadata.Read(b)
	all := m.nodes
	if err := m.foldConstants(); err != nil {
		return nil, err
	}
	kept := make(map[*node]bool, len(m.nodes))
	for _, n := range m.nodes {
		kept[n] = true
	}
	seen := make([]bool, len(m.subs))
	for _, n := range all {
		st := OpStatus{Index: n.index, Name: n.name, Version: n.version, Folded: !kept[n]}
		if !st.Folded {
			// A control-flow operator fails with the first subgraph it
			// calls that cannot run.
			st.Err = m.prepareCallees(n, seen)
			if st.Err == nil {
				st.Err = prepareNode(m, n)
			}
		}
		d.Ops = append(d.Ops, st)
	}
	if plan, err := planArena(m); err != nil {
		d.ArenaError = err
	} else {
		d.ArenaBytes = plan.size
	}
	return d, nil
}

// prepareNode runs the checks Model.prepare makes for one operator and
// discards the kernel.
func prepareNode(m *Model, n *node) error {
	if !Supported(n.name) {
		return fmt.Errorf("%w: no kernel for %s version %d", runtime.ErrUnsupported, n.name, n.version)
	}
	_, err := prepareKernel(m, n)
	return err
}
