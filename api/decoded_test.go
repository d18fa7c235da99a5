package api

import "testing"

func TestSniffMediaType(t *testing.T) {
	for _, c := range []struct {
		name string
		b    string
		want string
	}{
		{"jpeg", "\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"},
		{"png", "\x89PNG\r\n\x1a\n\x00\x00", "image/png"},
		{"bmp", "BM\x36\x00", "image/bmp"},
		{"wav", "RIFF\x24\x00\x00\x00WAVEfmt ", "audio/wav"},
		{"riff not wave", "RIFF\x24\x00\x00\x00AVI LIST", ""},
		{"short png", "\x89PNG", ""},
		{"text", "hello", ""},
		{"empty", "", ""},
	} {
		if got := SniffMediaType([]byte(c.b)); got != c.want {
			t.Errorf("%s: SniffMediaType = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestMediaKind(t *testing.T) {
	for _, ct := range MediaTypes {
		if _, ok := MediaKind(ct); !ok {
			t.Errorf("MediaKind(%q): not a kind, but it is one of MediaTypes", ct)
		}
	}
	for _, c := range []struct {
		ct, kind string
		ok       bool
	}{
		{"image/jpeg", "image", true},
		{"IMAGE/PNG", "image", true},
		{" audio/x-wav ; rate=16000", "audio", true},
		{"audio/wave", "audio", true},
		{"image/gif", "", false},
		{"", "", false},
		{"application/octet-stream", "", false},
	} {
		kind, ok := MediaKind(c.ct)
		if kind != c.kind || ok != c.ok {
			t.Errorf("MediaKind(%q) = %q, %v; want %q, %v", c.ct, kind, ok, c.kind, c.ok)
		}
	}
}
