package platforms

import "testing"

func TestOnlineCores(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int
	}{{"0-3", 4}, {"0", 1}, {"0,2-5", 5}, {"", 0}, {"3-1", 0}, {"0-1,x", 2}} {
		if got := onlineCores(c.in); got != c.want {
			t.Errorf("onlineCores(%q) = %d, want %d", c.in, got, c.want)
		}
	}
}

func TestCgroupLimits(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int
	}{{"max 100000", 0}, {"150000 100000", 2}, {"50000 100000", 1}, {"", 0}, {"x y", 0}} {
		if got := cgroupCPUs(c.in); got != c.want {
			t.Errorf("cgroupCPUs(%q) = %d, want %d", c.in, got, c.want)
		}
	}
	for _, c := range []struct {
		v2, v1 string
		want   uint64
	}{{"max", "", 0}, {"1048576", "", 1 << 20}, {"", "9223372036854771712", 0}, {"", "268435456", 256 << 20}} {
		if got := cgroupMemory(c.v2, c.v1); got != c.want {
			t.Errorf("cgroupMemory(%q, %q) = %d, want %d", c.v2, c.v1, got, c.want)
		}
	}
}

func TestDefaults(t *testing.T) {
	for _, c := range []struct {
		cores int
		mem   uint64
		want  Defaults
	}{
		{1, 512 << 20, Defaults{Threads: 1, Sessions: 1, CacheBytes: 16 << 20}},
		{2, 0, Defaults{Threads: 1, Sessions: 2, CacheBytes: 64 << 20}},
		{4, 4 << 30, Defaults{Threads: 2, Sessions: 2, CacheBytes: 64 << 20}},
		{6, 8 << 30, Defaults{Threads: 3, Sessions: 2, CacheBytes: 64 << 20}},
		{16, 64 << 30, Defaults{Threads: 4, Sessions: 4, CacheBytes: 64 << 20}},
	} {
		got := defaultsFor(Profile{CPU: CPU{Cores: c.cores}, MemoryBytes: c.mem})
		if got != c.want {
			t.Errorf("%d cores, %d bytes: %+v, want %+v", c.cores, c.mem, got, c.want)
		}
	}
}

func TestClassifyARMv6(t *testing.T) {
	if k := classify("", "arm", CPU{Model: "ARMv6-compatible processor rev 7 (v6l)"}); k != KindGenericARMv6 {
		t.Errorf("got %s", k)
	}
	if k := classify("", "riscv64", CPU{}); k != KindOther {
		t.Errorf("got %s", k)
	}
}

func TestCgroupPaths(t *testing.T) {
	for _, c := range []struct {
		in     string
		v2, v1 string
	}{
		{"0::/system.slice/edgeinfer.service\n", "/system.slice/edgeinfer.service", ""},
		{"12:cpu,cpuacct:/a\n4:memory:/docker/abc\n0::/\n", "/", "/docker/abc"},
		{"5:blkio:/x\n", "", ""},
		{"", "", ""},
		{"garbage", "", ""},
	} {
		if v2, v1 := cgroupPaths(c.in); v2 != c.v2 || v1 != c.v1 {
			t.Errorf("cgroupPaths(%q) = %q, %q, want %q, %q", c.in, v2, v1, c.v2, c.v1)
		}
	}
}
