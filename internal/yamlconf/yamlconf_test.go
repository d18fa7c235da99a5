package yamlconf

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

type inner struct {
	Port  int           `yaml:"port"`
	Delay time.Duration `yaml:"delay"`
}

type common struct {
	Name string `yaml:"name"`
}

type testConfig struct {
	Common  common           `yaml:",inline"`
	On      *bool            `yaml:"on"`
	Rate    float64          `yaml:"rate"`
	Count   uint64           `yaml:"count"`
	Tags    []string         `yaml:"tags"`
	Section inner            `yaml:"section"`
	Items   map[string]inner `yaml:"items"`
	Hidden  string
}

// decodeCases are documents with the value or the error they give; they
// also seed FuzzDecode.
var decodeCases = []struct {
	name, doc, want string
}{
	{"empty", "", "{}"},
	{"inline and nested", "name: a\nsection: {port: 8, delay: 2ms}\n", "name=a port=8 delay=2ms"},
	{"map entries", "items:\n  x: {port: 1}\n  y:\n    delay: 1m\n", "x=1/0s y=0/1m0s"},
	{"null section", "section:\n", "{}"},
	{"alias", "section: &s {port: 3}\nitems: {a: *s}\n", "a=3/0s"},
	{"unknown key", "name: a\nsection:\n  portt: 8\n", "f.yaml:3: section.portt: unknown key (did you mean port?)"},
	{"unknown key in map entry", "items:\n  face:\n    dely: 1s\n", "f.yaml:3: items.face.dely: unknown key (did you mean delay?)"},
	{"unknown top key", "zzz: 1\n", "f.yaml:1: zzz: unknown key"},
	{"untagged field", "Hidden: x\n", "f.yaml:1: Hidden: unknown key"},
	{"duplicate", "name: a\nname: b\n", "f.yaml:2: name: set twice (line 1 first)"},
	{"bad duration", "section: {delay: soon}\n", `f.yaml:1: section.delay: "soon" is not a duration like "30s" or "2ms"`},
	{"duration without unit", "section: {delay: 30}\n", `section.delay: "30" is not a duration`},
	{"bad int", "section:\n  port: 1.5\n", `f.yaml:2: section.port: "1.5" is not a whole number in range`},
	{"negative uint", "count: -1\n", `f.yaml:1: count: "-1" is not a whole number in range`},
	{"bad bool", "on: maybe\n", `f.yaml:1: on: "maybe" is not true or false`},
	{"bad float", "rate: high\n", `f.yaml:1: rate: "high" is not a number`},
	{"scalar for section", "section: 3\n", `f.yaml:1: section: want keys with values (a mapping), not a single value ("3")`},
	{"list for scalar", "name: [a]\n", "f.yaml:1: name: want a single value, not a list"},
	{"scalar for list", "tags: a\n", "f.yaml:1: tags: want a list like [a, b]"},
	{"bad list item", "tags: [a, [b]]\n", "f.yaml:1: tags[1]: want a single value, not a list"},
	{"two documents", "name: a\n---\nname: b\n", "f.yaml:2: more than one YAML document"},
	{"syntax", "name: a\n  b: c\n", "f.yaml:2: mapping values are not allowed"},
	{"top is a list", "- a\n", "f.yaml:1: want keys with values (a mapping), not a list"},
}

func summary(c testConfig) string {
	var s []string
	if c.Common.Name != "" {
		s = append(s, "name="+c.Common.Name)
	}
	if c.Section != (inner{}) {
		s = append(s, fmt.Sprintf("port=%d delay=%v", c.Section.Port, c.Section.Delay))
	}
	for _, k := range []string{"a", "x", "y"} {
		if v, ok := c.Items[k]; ok {
			s = append(s, fmt.Sprintf("%s=%d/%v", k, v.Port, v.Delay))
		}
	}
	if len(s) == 0 {
		return "{}"
	}
	return strings.Join(s, " ")
}

func TestDecode(t *testing.T) {
	for _, tc := range decodeCases {
		t.Run(tc.name, func(t *testing.T) {
			var c testConfig
			_, err := Decode("f.yaml", []byte(tc.doc), &c)
			got := ""
			if err != nil {
				got = err.Error()
				var e *Error
				if !errors.As(err, &e) {
					t.Errorf("error %q is not an *Error", err)
				}
			} else {
				got = summary(c)
			}
			if !strings.Contains(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestTooManyValues(t *testing.T) {
	doc := "section: &s {port: 1}\nitems: {" + strings.Repeat("k: *s, ", 1) + "}\ntags: [" + strings.Repeat("*v, ", maxNodes) + "]\n"
	doc = "name: &v x\n" + doc
	var c testConfig
	_, err := Decode("f.yaml", []byte(doc), &c)
	if err == nil || !strings.Contains(err.Error(), "expands to more than") {
		t.Fatalf("got %v, want the value budget's error", err)
	}
}

func TestLocate(t *testing.T) {
	var c testConfig
	lines, err := Decode("f.yaml", []byte("name: a\nitems:\n  face:\n    port: 1\n"), &c)
	if err != nil {
		t.Fatal(err)
	}
	err = lines.Locate("f.yaml", errors.Join(
		errors.New("items.face.port: 1 is too small"),
		errors.New("items.face.delay: missing"),
		errors.New("section.port: missing"),
	))
	want := "f.yaml:4: items.face.port: 1 is too small\nf.yaml:3: items.face.delay: missing\nf.yaml: section.port: missing"
	if err == nil || err.Error() != want {
		t.Errorf("got\n%v\nwant\n%s", err, want)
	}
}

func TestEncodeRoundTrip(t *testing.T) {
	on := true
	c := testConfig{Common: common{Name: "n"}, On: &on, Rate: 0.5, Count: 7, Tags: []string{"a", "b"},
		Section: inner{Port: 80, Delay: 90 * time.Second}, Items: map[string]inner{"z": {Port: 1}, "a": {Delay: time.Millisecond}}}
	doc := func(owner reflect.Type, f reflect.StructField) string {
		return owner.Name() + "." + f.Name + " says\nhello"
	}
	b, err := Encode(c, doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# common.Name says\n# hello\nname: n\n", "  # inner.Delay says\n  # hello\n  delay: 1m30s\n", "tags: [a, b]\n"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("output lacks %q:\n%s", want, b)
		}
	}
	if strings.Index(string(b), "  a:") > strings.Index(string(b), "  z:") {
		t.Errorf("map entries not sorted:\n%s", b)
	}
	var back testConfig
	if _, err := Decode("out.yaml", b, &back); err != nil {
		t.Fatalf("%v in:\n%s", err, b)
	}
	if !reflect.DeepEqual(back, c) {
		t.Errorf("round trip gave %+v, want %+v", back, c)
	}
}

func TestFields(t *testing.T) {
	var got []string
	for _, f := range Fields(reflect.TypeFor[testConfig]()) {
		got = append(got, f.Path)
	}
	want := "name on rate count tags section section.port section.delay items items.<name>.port items.<name>.delay"
	if strings.Join(got, " ") != want {
		t.Errorf("got %q, want %q", strings.Join(got, " "), want)
	}
}

func FuzzDecode(f *testing.F) {
	for _, tc := range decodeCases {
		f.Add([]byte(tc.doc))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		var c testConfig
		if _, err := Decode("f.yaml", doc, &c); err != nil {
			return
		}
		b, err := Encode(c, nil)
		if err != nil {
			t.Fatal(err)
		}
		var back testConfig
		if _, err := Decode("again.yaml", b, &back); err != nil {
			t.Fatalf("re-reading the encoded value: %v\n%s", err, b)
		}
	})
}
