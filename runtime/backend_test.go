package runtime

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// magicBackend takes files that start with its magic; its models have one
// input, named by what follows the magic, with the batch they were opened
// for as its shape.
type magicBackend struct{ magic string }

type magicModel struct {
	input string
	batch int
}

func (m *magicModel) Inputs() []TensorInfo {
	return []TensorInfo{{Name: m.input, DType: Int8, Shape: []int{m.batch}}}
}
func (m *magicModel) Outputs() []TensorInfo               { return nil }
func (m *magicModel) NewSession(Options) (Session, error) { return nil, ErrUnsupported }
func (m *magicModel) Close() error                        { return nil }

func (b magicBackend) Identify(header []byte) error {
	if !strings.HasPrefix(string(header), b.magic) {
		return errors.New("no " + b.magic)
	}
	return nil
}

func (b magicBackend) Open(path string, o OpenOptions) (Model, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return b.Load(data, o)
}

func (b magicBackend) Load(data []byte, o OpenOptions) (Model, error) {
	if err := b.Identify(data); err != nil {
		return nil, ErrInvalidModel
	}
	return &magicModel{input: string(data[len(b.magic):]), batch: max(o.Batch, 1)}, nil
}

func init() {
	Register("test-one", magicBackend{"ONE"})
	Register("test-two", magicBackend{"TWO"})
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "model")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestOpenPicksTheBackend(t *testing.T) {
	if got := Backends(); !slices.Equal(got, []string{"test-one", "test-two"}) {
		t.Errorf("Backends() = %v", got)
	}
	for _, tc := range []struct {
		name, content string
		o             OpenOptions
		input         string
		batch         int
		err           error
		say           string
	}{
		{"identified", "TWOx", OpenOptions{}, "x", 1, nil, ""},
		{"named", "ONEy", OpenOptions{Backend: "test-one", Batch: 4}, "y", 4, nil, ""},
		{"named, another format", "TWOy", OpenOptions{Backend: "test-one"}, "", 0, ErrInvalidModel, ""},
		{"no backend takes it", "text", OpenOptions{}, "", 0, ErrInvalidModel, "no backend takes it (test-one: no ONE; test-two: no TWO)"},
		{"empty file", "", OpenOptions{}, "", 0, ErrInvalidModel, "no backend takes it"},
		{"unknown backend", "ONEy", OpenOptions{Backend: "onnx"}, "", 0, ErrUnsupported, `no backend "onnx" (registered: test-one, test-two)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, tc.content)
			for _, open := range []func() (Model, error){
				func() (Model, error) { return Open(path, tc.o) },
				func() (Model, error) { return Load([]byte(tc.content), tc.o) },
			} {
				m, err := open()
				if tc.err != nil {
					if !errors.Is(err, tc.err) || !strings.Contains(err.Error(), tc.say) {
						t.Fatalf("error %v, want %v saying %q", err, tc.err, tc.say)
					}
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				mm := m.(*magicModel)
				if mm.input != tc.input || mm.batch != tc.batch {
					t.Errorf("model %+v, want input %q batch %d", mm, tc.input, tc.batch)
				}
			}
		})
	}
	if _, err := Open(filepath.Join(t.TempDir(), "missing"), OpenOptions{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a missing file: %v", err)
	}
}

func TestRegisterRefusesMistakes(t *testing.T) {
	for _, tc := range []struct {
		name    string
		backend Backend
	}{
		{"test-one", magicBackend{"X"}},
		{"", magicBackend{"X"}},
		{"test-nil", nil},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Register(%q, %v) did not panic", tc.name, tc.backend)
				}
			}()
			Register(tc.name, tc.backend)
		}()
	}
}
