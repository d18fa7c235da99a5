package cross

import (
	"slices"
	"testing"
)

func TestTargets(t *testing.T) {
	seen := map[string]bool{}
	for _, tg := range Targets {
		if seen[tg.Name()] {
			t.Errorf("target %s listed twice", tg.Name())
		}
		seen[tg.Name()] = true
		if tg.Test && tg.Qemu == "" && !tg.Native() {
			t.Errorf("%s is tested but names no emulator", tg.Name())
		}
		if (tg.GOARCH == "arm") != (tg.GOARM != "") {
			t.Errorf("%s: GOARM %q with GOARCH %s", tg.Name(), tg.GOARM, tg.GOARCH)
		}
		got, err := Lookup(tg.Name())
		if err != nil || got != tg {
			t.Errorf("Lookup(%s) = %v, %v", tg.Name(), got, err)
		}
	}
	for _, want := range []string{"linux-amd64", "linux-arm64", "linux-armv7", "linux-armv6", "linux-riscv64"} {
		if !seen[want] {
			t.Errorf("no target %s", want)
		}
	}
	armv7, _ := Lookup("linux-armv7")
	if env := armv7.Env(); !slices.Contains(env, "GOARM=7") || !slices.Contains(env, "CGO_ENABLED=0") {
		t.Errorf("linux-armv7 env %v", env)
	}
	if _, err := Lookup("plan9-mips"); err == nil {
		t.Error("Lookup of an unknown target succeeded")
	}
}
