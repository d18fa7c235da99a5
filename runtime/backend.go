package runtime

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
)

// Backend opens the models of one file format. Backends register
// themselves with Register, usually from an init function, so a program
// links the formats it imports and no others.
type Backend interface {
	// Identify returns nil when header, the first bytes of a file (up to
	// HeaderSize), is in this backend's format, and otherwise an error
	// saying why not (Open reports it when no backend takes a file).
	Identify(header []byte) error
	// Open opens the model file at path.
	Open(path string, o OpenOptions) (Model, error)
	// Load opens a model held in memory; the model may keep b, which must
	// not change afterwards.
	Load(b []byte, o OpenOptions) (Model, error)
}

// HeaderSize is how many leading bytes of a file Backend.Identify sees.
const HeaderSize = 64

// OpenOptions say how to open a model.
type OpenOptions struct {
	// Backend names the registered backend to open the model with ("tflite");
	// empty picks the one whose Identify takes the file.
	Backend string
	// Batch, above 1, re-shapes the graph to run Batch inputs at once,
	// stacked along the leading dimension of every input and output. A
	// backend or graph that cannot returns an error wrapping ErrUnsupported.
	Batch int
}

var (
	backendsMu sync.RWMutex
	backends   = map[string]Backend{}
)

// Register makes a backend available under name. It panics when name is
// empty or taken, or b is nil: both are programming errors.
func Register(name string, b Backend) {
	backendsMu.Lock()
	defer backendsMu.Unlock()
	if name == "" || b == nil {
		panic("runtime: Register needs a name and a backend")
	}
	if _, dup := backends[name]; dup {
		panic("runtime: backend registered twice: " + name)
	}
	backends[name] = b
}

// Backends returns the names of the registered backends, sorted.
func Backends() []string {
	backendsMu.RLock()
	defer backendsMu.RUnlock()
	return backendNames()
}

func backendNames() []string {
	names := make([]string, 0, len(backends))
	for n := range backends {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Identify returns the name of the backend that takes a file starting
// with header (see HeaderSize). When none does, the error wraps
// ErrInvalidModel and gives each backend's reason.
func Identify(header []byte) (string, error) {
	backendsMu.RLock()
	defer backendsMu.RUnlock()
	if len(backends) == 0 {
		return "", fmt.Errorf("%w: no backend is registered to open it", ErrUnsupported)
	}
	var why []string
	for _, name := range backendNames() {
		err := backends[name].Identify(header)
		if err == nil {
			return name, nil
		}
		why = append(why, name+": "+err.Error())
	}
	return "", fmt.Errorf("%w: no backend takes it (%s)", ErrInvalidModel, strings.Join(why, "; "))
}

// IdentifyFile is Identify on the first bytes of the file at path.
func IdentifyFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	header := make([]byte, HeaderSize)
	n, err := io.ReadFull(f, header)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("reading %s: %w", path, err)
	}
	name, err := Identify(header[:n])
	if err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return name, nil
}

// backend returns the backend called name.
func backend(name string) (Backend, error) {
	backendsMu.RLock()
	defer backendsMu.RUnlock()
	b, ok := backends[name]
	if !ok {
		return nil, fmt.Errorf("%w: no backend %q (registered: %s)", ErrUnsupported, name, strings.Join(backendNames(), ", "))
	}
	return b, nil
}

// Open opens the model file at path with the backend o names, or else
// the one that identifies the file.
func Open(path string, o OpenOptions) (Model, error) {
	if o.Backend == "" {
		name, err := IdentifyFile(path)
		if err != nil {
			return nil, err
		}
		o.Backend = name
	}
	b, err := backend(o.Backend)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return b.Open(path, o)
}

// Load opens a model held in memory with the backend o names, or else the
// one that identifies it. The model may keep b, which must not change
// afterwards.
func Load(b []byte, o OpenOptions) (Model, error) {
	if o.Backend == "" {
		name, err := Identify(b[:min(len(b), HeaderSize)])
		if err != nil {
			return nil, err
		}
		o.Backend = name
	}
	be, err := backend(o.Backend)
	if err != nil {
		return nil, err
	}
	return be.Load(b, o)
}
