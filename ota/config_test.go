package ota

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
		{"on", Config{Broker: "mqtts://b:8883", TrustedKeys: []string{"k.pub"}, Fleet: "lab"}, ""},
		{"scheme", Config{Broker: "tcp://b:1883", TrustedKeys: []string{"k.pub"}}, `ota.broker: "tcp://b:1883" must start with mqtt://`},
		{"no keys", Config{Broker: "mqtt://b:1883"}, "ota.trusted_keys: missing"},
		{"empty key", Config{TrustedKeys: []string{""}}, "ota.trusted_keys[0]: empty file name"},
		{"fleet", Config{Fleet: "a/b"}, `ota.fleet: "a/b": want 1 to 128 characters`},
		{"two passwords", Config{Password: "p", PasswordFile: "/p"}, "ota.password_file: set either password or password_file"},
		{"cert without key", Config{CertFile: "/c"}, "ota.key_file: cert_file and key_file go together"},
		{"error rate", Config{MaxErrorRate: 1.5}, "ota.max_error_rate: 1.5 is not a fraction"},
		{"download cap", Config{MaxDownloadBytes: -1}, "ota.max_download_bytes: -1 is negative"},
		{"models", Config{MaxModels: -2}, "ota.max_models: -2 is negative"},
		{"concurrent", Config{MaxConcurrent: -1}, "ota.max_concurrent_updates: -1 is negative"},
		{"idle", Config{DownloadIdleTimeout: -time.Second}, "ota.download_idle_timeout: -1s is negative"},
		{"header", Config{DownloadHeaderTimeout: -time.Second}, "ota.download_header_timeout: -1s is negative"},
		{"timeout", Config{DownloadTimeout: -time.Second}, "ota.download_timeout: -1s is negative"},
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

func TestConfigWithDefaults(t *testing.T) {
	c := Config{HealthWindow: -1, MaxConcurrent: 5}.WithDefaults()
	if c.HealthWindow != -1 || c.MaxConcurrent != 5 || c.MaxDownloadBytes != DefaultMaxDownloadBytes || c.DownloadTimeout != DefaultDownloadTimeout || c.MinRequests != DefaultMinRequests {
		t.Errorf("got %+v", c)
	}
}
