package cross

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

var debVersionCases = []struct {
	describe, want, err string
}{
	{describe: "v1.2.3", want: "1.2.3"},
	{describe: "1.2.3", want: "1.2.3"},
	{describe: "v1.2.3-rc1", want: "1.2.3~rc1"},
	{describe: "v1.2.3-4-gabc1234", want: "1.2.3+git20261128.4.abc1234"},
	{describe: "v1.2.3-rc1-4-gabc1234", want: "1.2.3~rc1+git20261128.4.abc1234"},
	{describe: "v1.2.3-dirty", want: "1.2.3.dirty"},
	{describe: "v1.2.3-4-gabc1234-dirty", want: "1.2.3+git20261128.4.abc1234.dirty"},
	{describe: "238bad0", want: "0.0.0~git20261128.238bad0"},
	{describe: "238bad0-dirty", want: "0.0.0~git20261128.238bad0.dirty"},
	{describe: "", err: "neither a tag"},
	{describe: "dev", err: "neither a tag"},
	{describe: "release-1", err: "neither a tag"},
	{describe: "v1.2_3", err: "neither a tag"},
	{describe: "v1.2.3\nPackage: evil", err: "neither a tag"},
	{describe: "1.2 3", err: "neither a tag"},
}

func TestDebVersion(t *testing.T) {
	date := time.Date(2026, 11, 28, 23, 59, 0, 0, time.UTC)
	for _, tc := range debVersionCases {
		t.Run(tc.describe, func(t *testing.T) {
			got, err := DebVersion(tc.describe, date)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("DebVersion(%q) = %q, %v; want error with %q", tc.describe, got, err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("DebVersion(%q) = %q, %v; want %q", tc.describe, got, err, tc.want)
			}
		})
	}
}

// FuzzDebVersion checks that any version text gives an error or a valid
// Debian version that cannot break the control file.
func FuzzDebVersion(f *testing.F) {
	for _, tc := range debVersionCases {
		f.Add(tc.describe)
	}
	f.Fuzz(func(t *testing.T, describe string) {
		v, err := DebVersion(describe, time.Unix(0, 0))
		if err != nil {
			return
		}
		if !debVersionRE.MatchString(v) || strings.ContainsAny(v, "\n\r: -") {
			t.Fatalf("DebVersion(%q) = %q, not a valid Debian version", describe, v)
		}
	})
}

func ExampleDebVersion() {
	date := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
	for _, describe := range []string{"v1.2.0", "v1.2.0-3-g8edfba9", "8edfba9-dirty"} {
		v, _ := DebVersion(describe, date)
		fmt.Println(v)
	}
	// Output:
	// 1.2.0
	// 1.2.0+git20261128.3.8edfba9
	// 0.0.0~git20261128.8edfba9.dirty
}

func TestDebArch(t *testing.T) {
	want := map[string]string{
		"linux-amd64": "amd64", "linux-arm64": "arm64", "linux-armv7": "armhf",
		"linux-armv6": "armel", "linux-riscv64": "riscv64",
	}
	for _, tg := range Targets {
		if got := tg.DebArch(); got != want[tg.Name()] {
			t.Errorf("%s: DebArch %q, want %q", tg.Name(), got, want[tg.Name()])
		}
	}
	for _, tg := range []Target{{GOOS: "darwin", GOARCH: "arm64"}, {GOOS: "linux", GOARCH: "arm", GOARM: "5"}, {GOOS: "linux", GOARCH: "mips"}} {
		if got := tg.DebArch(); got != "" {
			t.Errorf("%s: DebArch %q, want none", tg.Name(), got)
		}
	}
}

func TestDebWriteErrors(t *testing.T) {
	amd64, _ := Lookup("linux-amd64")
	good := Deb{Target: amd64, Version: "1.0", Date: testDate, Binary: []byte("\x7fELF")}
	for _, tc := range []struct {
		name string
		edit func(*Deb)
		err  string
	}{
		{"no Debian architecture", func(d *Deb) { d.Target = Target{GOOS: "linux", GOARCH: "mips"} }, "no architecture"},
		{"version with a hyphen", func(d *Deb) { d.Version = "1.0-1" }, "not a Debian version"},
		{"version starting with v", func(d *Deb) { d.Version = "v1.0" }, "not a Debian version"},
		{"version with a newline", func(d *Deb) { d.Version = "1.0\nDepends: evil" }, "not a Debian version"},
		{"no binary", func(d *Deb) { d.Binary = nil }, "no binary"},
		{"maintainer with a newline", func(d *Deb) { d.Maintainer = "a <a@b>\nDepends: evil" }, "spans lines"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := good
			tc.edit(&d)
			var b strings.Builder
			if err := d.Write(&b); err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("Write: %v, want an error with %q", err, tc.err)
			}
			if b.Len() != 0 {
				t.Errorf("Write wrote %d bytes before failing", b.Len())
			}
		})
	}
	var b strings.Builder
	if err := good.Write(&b); err != nil || !strings.HasPrefix(b.String(), "!<arch>\ndebian-binary   ") {
		t.Errorf("Write of a good Deb: %v, starts %q", err, b.String()[:min(b.Len(), 24)])
	}
}
