package main

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"

	"github.com/edgeinfer/edgeinfer/agent"
	"github.com/edgeinfer/edgeinfer/agent/server"
	"github.com/edgeinfer/edgeinfer/internal/yamlconf"
	"github.com/edgeinfer/edgeinfer/platforms"
	"github.com/edgeinfer/edgeinfer/telemetry"
)

// fileConfig is the agent's configuration file: the composition of the
// Config of each package, plus the keys of the process itself. Every key
// is optional; the zero value is the all-defaults configuration.
type fileConfig struct {
	// Server holds the socket API's keys (socket, limits, admins).
	Server server.Config `yaml:",inline"`
	// DeviceID names this device to the fleet (updates and telemetry);
	// "" = generated once and kept in the state file.
	DeviceID string `yaml:"device_id"`
	// LogFormat is the format of the agent's log on stderr: text or json.
	LogFormat string `yaml:"log_format"`
	// LogLevel is the least level logged: debug, info, warn or error.
	LogLevel string `yaml:"log_level"`
	// Agent holds the agent's keys (state, cache, models).
	Agent agent.Config `yaml:",inline"`
	// OTA configures model updates over MQTT; off while broker is "".
	OTA otaConfig `yaml:"ota"`
	// Telemetry configures latency uploads to an OTLP/HTTP collector; off
	// while collector is "".
	Telemetry telemetry.Config `yaml:"telemetry"`
}

// Environment variables that carry secrets, so that they need not sit in
// the config file or on the command line (readable in /proc/PID/cmdline).
// Each overrides its key and file.
const (
	envMQTTPassword   = "EDGEINFER_MQTT_PASSWORD"
	envTelemetryToken = "EDGEINFER_TELEMETRY_TOKEN"
)

// loadConfigFile reads and checks the configuration file at path. Unknown
// keys are errors, so a misspelt key does not silently keep its default;
// every error names the file, the line and the key's YAML path.
func loadConfigFile(path string) (fileConfig, error) {
	var c fileConfig
	b, err := os.ReadFile(path)
	if err != nil {
		return c, fmt.Errorf("config: %w", err)
	}
	return parseConfigFile(path, b)
}

// parseConfigFile decodes and validates the content of the file named
// name.
func parseConfigFile(name string, b []byte) (fileConfig, error) {
	var c fileConfig
	lines, err := yamlconf.Decode(name, b, &c)
	if err != nil {
		return fileConfig{}, err
	}
	return c, lines.Locate(name, c.validate())
}

// validate checks every key; each error names its YAML path.
func (c fileConfig) validate() error {
	var errs []error
	if c.LogFormat != "" && c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("log_format: %q is not text or json", c.LogFormat))
	}
	if c.LogLevel != "" && !slices.Contains([]string{"debug", "info", "warn", "error"}, c.LogLevel) {
		errs = append(errs, fmt.Errorf("log_level: %q is not debug, info, warn or error", c.LogLevel))
	}
	if c.DeviceID != "" && !agent.ValidModelName(c.DeviceID) {
		errs = append(errs, fmt.Errorf("device_id: %q must be 1-64 letters, digits, '_', '.' or '-'", c.DeviceID))
	}
	for _, err := range []error{c.Server.Validate(), c.Agent.Validate(), c.OTA.Validate(), c.Telemetry.Validate()} {
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			errs = append(errs, j.Unwrap()...)
		} else if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// withDefaults gives every unset key its fixed default (not those that
// depend on the device or the user).
func (c fileConfig) withDefaults() fileConfig {
	if c.LogFormat == "" {
		c.LogFormat = "text"
	}
	if c.LogLevel == "" {
		c.LogLevel = "info"
	}
	c.Server = c.Server.WithDefaults()
	c.Agent = c.Agent.WithDefaults()
	c.OTA = c.OTA.WithDefaults()
	c.Telemetry = c.Telemetry.WithDefaults()
	return c
}

// resolve gives every unset key its default on this device: the fixed
// ones, the board's (threads, sessions, cache size, memory for request
// bodies) from p, and the user's (socket, data directory).
func (c fileConfig) resolve(p platforms.Profile) fileConfig {
	c = c.withDefaults()
	c.Server = c.Server.Resolve(int64(p.MemoryBytes))
	c.Agent = c.Agent.Resolve(p.Defaults)
	return c
}

// resolveSecrets fills ota.password and telemetry.token from, in order of
// precedence, the environment (getenv is os.Getenv outside tests), the
// files named by password_file and token_file, and the keys themselves.
func (c *fileConfig) resolveSecrets(getenv func(string) string) error {
	for _, s := range []struct {
		env, field, file string
		dst              *string
	}{
		{envMQTTPassword, "ota.password_file", c.OTA.PasswordFile, &c.OTA.Password},
		{envTelemetryToken, "telemetry.token_file", c.Telemetry.TokenFile, &c.Telemetry.Token},
	} {
		if v := getenv(s.env); v != "" {
			*s.dst = v
			continue
		}
		if s.file == "" {
			continue
		}
		v, err := readSecretFile(s.file)
		if err != nil {
			return fmt.Errorf("%s: %w", s.field, err)
		}
		*s.dst = v
	}
	return nil
}

// readSecretFile reads a secret kept alone in a file: its first line,
// without surrounding blanks. An empty secret is an error.
func readSecretFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("secret file: %w", err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	if v := strings.TrimSpace(line); v != "" {
		return v, nil
	}
	return "", fmt.Errorf("secret file %s: empty", path)
}

// printConfig writes c as a configuration file, each key under its
// documentation; secrets are replaced by "(secret)". The output loads
// back as a configuration file.
func printConfig(c fileConfig) ([]byte, error) {
	if c.OTA.Password != "" {
		c.OTA.Password = "(secret)"
	}
	if c.Telemetry.Token != "" {
		c.Telemetry.Token = "(secret)"
	}
	b, err := yamlconf.Encode(c, func(owner reflect.Type, f reflect.StructField) string { return fieldDoc(owner, f.Name) })
	if err != nil {
		return nil, err
	}
	return append([]byte(printHeader), b...), nil
}

// printHeader opens the output of --print-config.
const printHeader = `# The effective configuration of edgeinfer agent: the config file, the
# flags and this board's defaults (docs/configuration.md lists every key).

`

// fieldDoc is a field's documentation, from the doc comments of the Config
// types (configdoc.go, written by TestConfigDocs -update).
func fieldDoc(owner reflect.Type, field string) string {
	return configDocs[owner.String()+"."+field]
}
