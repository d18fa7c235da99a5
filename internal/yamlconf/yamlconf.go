// Package yamlconf reads configuration files written in YAML into Go
// structs and writes them back with comments. Keys are matched to fields
// by their yaml tags (",inline" merges a struct's keys into its parent's);
// an unknown key, a duplicate key or a value of the wrong kind is an error
// that names the file, the line and the key's YAML path
// ("agent.yaml:12: models.face.max_batchh: unknown key"), never a Go type.
// Durations (time.Duration) are written like "30s" or "2ms".
package yamlconf

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Error is a problem at one place of a file.
type Error struct {
	// File is the file's name as given to Decode; Line is 1-based (0 =
	// unknown).
	File string
	Line int
	// Path is the key's YAML path ("ota.broker"; "" when Err names it).
	Path string
	Err  error
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d", e.Line)
		}
		b.WriteString(": ")
	} else if e.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// ErrUnknownKey is the error of a key that no field has.
var ErrUnknownKey = errors.New("unknown key")

// Lines maps the YAML path of every key read from a file to its line.
type Lines map[string]int

// maxNodes bounds the nodes a document may expand to through aliases.
const maxNodes = 100_000

var durationType = reflect.TypeFor[time.Duration]()

// Decode reads the YAML document data (the content of the file named file)
// into the struct v points to. Keys the document does not name keep v's
// values. An empty document is not an error. It returns the line of every
// key read, for Locate.
func Decode(file string, data []byte, v any) (Lines, error) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		return nil, fmt.Errorf("yamlconf: Decode needs a pointer to a struct, not %T", v)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return Lines{}, nil
		}
		return nil, syntaxError(file, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, &Error{File: file, Line: extra.Line, Err: errors.New("more than one YAML document; the configuration is one")}
	}
	d := &decoder{file: file, lines: Lines{}, budget: maxNodes}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return d.lines, nil
		}
		root = root.Content[0]
	}
	if err := d.value(root, rv.Elem(), ""); err != nil {
		return nil, err
	}
	return d.lines, nil
}

var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): `)

// syntaxError turns the YAML parser's "yaml: line 3: ..." into "file:3: ...".
func syntaxError(file string, err error) error {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		var line int
		fmt.Sscan(m[1], &line)
		return &Error{File: file, Line: line, Err: errors.New(msg[len(m[0]):])}
	}
	return &Error{File: file, Err: errors.New(strings.TrimPrefix(msg, "yaml: "))}
}

// Locate gives each error of err (one, or several joined with errors.Join)
// whose text starts with a YAML path ("ota.broker: ...") the file name and
// the line of that key, or of its nearest parent that the file names.
func (l Lines) Locate(file string, err error) error {
	if err == nil {
		return nil
	}
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	out := make([]error, len(errs))
	for i, e := range errs {
		path, _, _ := strings.Cut(e.Error(), ": ")
		line := 0
		for p := path; p != "" && line == 0; {
			line = l[p]
			j := strings.LastIndexAny(p, ".[")
			if j < 0 {
				break
			}
			p = p[:j]
		}
		out[i] = &Error{File: file, Line: line, Err: e}
	}
	if len(out) == 1 {
		return out[0]
	}
	return errors.Join(out...)
}

type decoder struct {
	file   string
	lines  Lines
	budget int
}

func (d *decoder) fail(n *yaml.Node, path, format string, args ...any) error {
	return &Error{File: d.file, Line: n.Line, Path: path, Err: fmt.Errorf(format, args...)}
}

func (d *decoder) value(n *yaml.Node, v reflect.Value, path string) error {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if d.budget--; d.budget < 0 {
		return d.fail(n, path, "the document expands to more than %d values (aliases?)", maxNodes)
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	if v.Type() == durationType {
		if n.Kind != yaml.ScalarNode {
			return d.fail(n, path, "want a duration like \"30s\" or \"2ms\", not a %s", kind(n))
		}
		t, err := time.ParseDuration(n.Value)
		if err != nil {
			return d.fail(n, path, "%q is not a duration like \"30s\" or \"2ms\"", n.Value)
		}
		v.SetInt(int64(t))
		return nil
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		return d.value(n, v.Elem(), path)
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return d.fail(n, path, "want keys with values (a mapping), not a %s", kind(n))
		}
		fields := structFields(v.Type())
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			key := k.Value
			p := join(path, key)
			if k.Kind != yaml.ScalarNode {
				return d.fail(k, path, "a key must be a plain name, not a %s", kind(k))
			}
			f, ok := fields[key]
			if !ok {
				return &Error{File: d.file, Line: k.Line, Path: p, Err: unknownKey(key, fields)}
			}
			if seen[key] {
				return d.fail(k, p, "set twice (line %d first)", d.lines[p])
			}
			seen[key] = true
			d.lines[p] = k.Line
			if err := d.value(val, v.FieldByIndex(f.Index), p); err != nil {
				return err
			}
		}
		return nil
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			return fmt.Errorf("yamlconf: %s: map keys must be strings", path)
		}
		if n.Kind != yaml.MappingNode {
			return d.fail(n, path, "want names with values (a mapping), not a %s", kind(n))
		}
		if v.IsNil() {
			v.Set(reflect.MakeMap(v.Type()))
		}
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				return d.fail(k, path, "a name must be plain text, not a %s", kind(k))
			}
			p := join(path, k.Value)
			if seen[k.Value] {
				return d.fail(k, p, "set twice (line %d first)", d.lines[p])
			}
			seen[k.Value] = true
			d.lines[p] = k.Line
			key := reflect.ValueOf(k.Value).Convert(v.Type().Key())
			elem := reflect.New(v.Type().Elem()).Elem()
			if old := v.MapIndex(key); old.IsValid() {
				elem.Set(old)
			}
			if err := d.value(val, elem, p); err != nil {
				return err
			}
			v.SetMapIndex(key, elem)
		}
		return nil
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return d.fail(n, path, "want a list like [a, b], not a %s", kind(n))
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, item := range n.Content {
			if err := d.value(item, s.Index(i), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		v.Set(s)
		return nil
	}
	if n.Kind != yaml.ScalarNode {
		return d.fail(n, path, "want a single value, not a %s", kind(n))
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(n.Value)
		return nil
	case reflect.Bool:
		var b bool
		if n.Tag != "!!bool" || n.Decode(&b) != nil {
			return d.fail(n, path, "%q is not true or false", n.Value)
		}
		v.SetBool(b)
		return nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		p := reflect.New(v.Type())
		if n.Tag != "!!int" || n.Decode(p.Interface()) != nil {
			return d.fail(n, path, "%q is not a whole number in range", n.Value)
		}
		v.Set(p.Elem())
		return nil
	case reflect.Float32, reflect.Float64:
		p := reflect.New(v.Type())
		if (n.Tag != "!!float" && n.Tag != "!!int") || n.Decode(p.Interface()) != nil {
			return d.fail(n, path, "%q is not a number", n.Value)
		}
		v.Set(p.Elem())
		return nil
	}
	return fmt.Errorf("yamlconf: %s: fields of type %s are not supported", path, v.Type())
}

// unknownKey says that key is unknown and suggests the closest known key.
func unknownKey(key string, fields map[string]reflect.StructField) error {
	best, bestDist := "", 3
	for k := range fields {
		if dist := editDistance(key, k); dist < bestDist || (dist == bestDist && best != "" && k < best) {
			best, bestDist = k, dist
		}
	}
	if best != "" {
		return fmt.Errorf("%w (did you mean %s?)", ErrUnknownKey, best)
	}
	return ErrUnknownKey
}

// editDistance is the Levenshtein distance of a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

func kind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	case yaml.ScalarNode:
		return fmt.Sprintf("single value (%q)", n.Value)
	}
	return "node"
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// Key returns the YAML key of a struct field from its yaml tag: its name,
// "" for a field that is inlined into its parent, "-" for one that is not
// in the file.
func Key(f reflect.StructField) string {
	tag, ok := f.Tag.Lookup("yaml")
	if !ok || !f.IsExported() {
		return "-"
	}
	name, opts, _ := strings.Cut(tag, ",")
	if slices.Contains(strings.Split(opts, ","), "inline") {
		return ""
	}
	if name == "" {
		return "-"
	}
	return name
}

// structFields maps each key of struct type t, inlined fields included, to
// its field (with the index path from t).
func structFields(t reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for i := range t.NumField() {
		f := t.Field(i)
		switch key := Key(f); key {
		case "-":
		case "":
			for k, sub := range structFields(f.Type) {
				sub.Index = append([]int{i}, sub.Index...)
				out[k] = sub
			}
		default:
			out[key] = f
		}
	}
	return out
}
