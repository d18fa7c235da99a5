// Package cross is edgeinfer's build tooling, never linked into the
// edgeinfer binary: the platforms it is released for as data (Targets),
// the environment that cross-compiles for each, and the qemu user-mode
// emulator that runs each target's tests on a build machine of another
// architecture. The cross command (cross/cmd/cross) builds release
// binaries and runs the emulated tests from this table, and writes the
// Debian packages (Deb) with the systemd unit and default configuration
// kept in packaging/.
package cross

import (
	"fmt"
	goruntime "runtime"
)

// Target is one platform edgeinfer is built for.
type Target struct {
	GOOS   string
	GOARCH string
	// GOARM is the ARM architecture version for GOARCH=arm ("6", "7").
	GOARM string
	// Qemu is the qemu user-mode emulator binary that runs this target's
	// programs on another architecture ("" when none is used).
	Qemu string
	// Test marks the targets whose tests `make test` runs (under Qemu when
	// the build machine has another architecture).
	Test bool
}

// Targets is every release platform. armv6 (Raspberry Pi Zero/1) and
// riscv64 are only cross-compiled; arm64 and armv7 cover the same kernels
// and run the tests.
var Targets = []Target{
	{GOOS: "linux", GOARCH: "amd64"},
	{GOOS: "linux", GOARCH: "arm64", Qemu: "qemu-aarch64-static", Test: true},
	{GOOS: "linux", GOARCH: "arm", GOARM: "7", Qemu: "qemu-arm-static", Test: true},
	{GOOS: "linux", GOARCH: "arm", GOARM: "6", Qemu: "qemu-arm-static"},
	{GOOS: "linux", GOARCH: "riscv64", Qemu: "qemu-riscv64-static"},
}

// Name is the target's short name, as used in file names: "linux-arm64",
// "linux-armv7".
func (t Target) Name() string {
	if t.GOARM != "" {
		return fmt.Sprintf("%s-%sv%s", t.GOOS, t.GOARCH, t.GOARM)
	}
	return t.GOOS + "-" + t.GOARCH
}

// Env is the environment (appended to the build machine's) that builds a
// static binary for the target.
func (t Target) Env() []string {
	env := []string{"CGO_ENABLED=0", "GOOS=" + t.GOOS, "GOARCH=" + t.GOARCH}
	if t.GOARM != "" {
		env = append(env, "GOARM="+t.GOARM)
	}
	return env
}

// Native reports whether the build machine runs the target's programs
// without an emulator.
func (t Target) Native() bool {
	return t.GOOS == goruntime.GOOS && t.GOARCH == goruntime.GOARCH
}

// Lookup returns the target with the given name.
func Lookup(name string) (Target, error) {
	for _, t := range Targets {
		if t.Name() == name {
			return t, nil
		}
	}
	return Target{}, fmt.Errorf("cross: unknown target %q", name)
}
