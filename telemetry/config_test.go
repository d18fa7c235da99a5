package telemetry

import (
	"strings"
	"testing"
	"time"
)

// TestConfigValidate: each error names its key's YAML path.
func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    Config
		want string
	}{
		{"off", Config{}, ""},
		{"on", Config{Collector: "https://hub:4318", TokenFile: "/t", Interval: time.Minute}, ""},
		{"scheme", Config{Collector: "ftp://x"}, `telemetry.collector: "ftp://x" must be an http:// or https:// URL`},
		{"no host", Config{Collector: "hub:4318"}, "telemetry.collector"},
		{"two tokens", Config{Token: "t", TokenFile: "/t"}, "telemetry.token_file: set either token or token_file"},
		{"short interval", Config{Interval: 10 * time.Millisecond}, "telemetry.interval: 10ms is shorter than 1s"},
		{"negative interval", Config{Interval: -time.Second}, "telemetry.interval: -1s is negative"},
		{"spool", Config{SpoolBytes: -1}, "telemetry.spool_bytes: -1 is negative"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.c.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("error %v, want one starting with %q", err, tc.want)
			}
		})
	}
}
