package yamlconf

import (
	"bytes"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Field is one key of a configuration type.
type Field struct {
	// Path is the key's YAML path; the keys of a map's entries have
	// "<name>" for the entry's name ("models.<name>.path").
	Path string
	// Owner is the struct type that declares the field.
	Owner reflect.Type
	Field reflect.StructField
}

// Fields lists every key of the struct type t in declaration order, a
// section's keys right after the section's own entry.
func Fields(t reflect.Type) []Field {
	var out []Field
	var walk func(t reflect.Type, path string)
	walk = func(t reflect.Type, path string) {
		for i := range t.NumField() {
			f := t.Field(i)
			key := Key(f)
			switch key {
			case "-":
				continue
			case "":
				walk(f.Type, path)
				continue
			}
			p := join(path, key)
			out = append(out, Field{Path: p, Owner: t, Field: f})
			ft := f.Type
			if ft.Kind() == reflect.Map {
				p, ft = p+".<name>", ft.Elem()
			}
			if ft.Kind() == reflect.Struct && ft != durationType {
				walk(ft, p)
			}
		}
	}
	walk(t, "")
	return out
}

// Doc gives the comment to write above a field's key ("" = none).
type Doc func(owner reflect.Type, f reflect.StructField) string

// Encode writes the struct v as a YAML document, each key preceded by its
// comment from doc. Map entries are sorted by name; durations are written
// like "1m0s".
func Encode(v any, doc Doc) ([]byte, error) {
	n, err := node(reflect.ValueOf(v), doc)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(n); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func node(v reflect.Value, doc Doc) (*yaml.Node, error) {
	if v.Type() == durationType {
		return scalar("!!str", time.Duration(v.Int()).String()), nil
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return scalar("!!null", "null"), nil
		}
		return node(v.Elem(), doc)
	case reflect.Struct:
		m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		if err := structNode(m, v, doc); err != nil {
			return nil, err
		}
		return m, nil
	case reflect.Map:
		m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		for _, k := range keys {
			val, err := node(v.MapIndex(k), doc)
			if err != nil {
				return nil, err
			}
			m.Content = append(m.Content, scalar("!!str", k.String()), val)
		}
		return m, nil
	case reflect.Slice:
		s := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle}
		for i := range v.Len() {
			item, err := node(v.Index(i), doc)
			if err != nil {
				return nil, err
			}
			s.Content = append(s.Content, item)
		}
		return s, nil
	case reflect.String:
		return scalar("!!str", v.String()), nil
	case reflect.Bool:
		return scalar("!!bool", strconv.FormatBool(v.Bool())), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return scalar("!!int", strconv.FormatInt(v.Int(), 10)), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return scalar("!!int", strconv.FormatUint(v.Uint(), 10)), nil
	case reflect.Float32, reflect.Float64:
		return scalar("!!float", strconv.FormatFloat(v.Float(), 'g', -1, 64)), nil
	}
	return nil, fmt.Errorf("yamlconf: values of type %s are not supported", v.Type())
}

func structNode(m *yaml.Node, v reflect.Value, doc Doc) error {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		switch key := Key(f); key {
		case "-":
		case "":
			if err := structNode(m, v.Field(i), doc); err != nil {
				return err
			}
		default:
			k := scalar("!!str", key)
			if doc != nil {
				k.HeadComment = doc(t, f)
			}
			val, err := node(v.Field(i), doc)
			if err != nil {
				return err
			}
			m.Content = append(m.Content, k, val)
		}
	}
	return nil
}

func scalar(tag, value string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: value}
}
