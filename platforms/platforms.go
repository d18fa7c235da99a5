package platforms

import (
	"fmt"
	goruntime "runtime"
	"strings"
)

// Board kinds Detect recognises.
const (
	KindRaspberryPi4 = "rpi4"
	KindRaspberryPi5 = "rpi5"
	KindJetson       = "jetson"
	KindGenericARM64 = "generic-arm64"
	KindGenericARMv7 = "generic-armv7"
	KindGenericARMv6 = "generic-armv6"
	KindX86          = "x86"
	KindOther        = "other"
)

// Profile is what the agent knows about its device.
type Profile struct {
	// Board is the board's own name (device tree model or DMI product),
	// empty when the system does not say.
	Board string `json:"board"`
	// Kind is one of the Kind constants.
	Kind string `json:"kind"`
	OS   string `json:"os"`
	Arch string `json:"arch"`
	CPU  CPU    `json:"cpu"`
	// MemoryBytes is the memory the agent may use: the smaller of the
	// machine's RAM and the cgroup limit. 0 when unknown.
	MemoryBytes uint64 `json:"memory_bytes"`
	// CgroupMemoryLimit is the cgroup's memory limit, 0 when there is none.
	CgroupMemoryLimit uint64        `json:"cgroup_memory_limit,omitempty"`
	Thermal           []ThermalZone `json:"thermal,omitempty"`
	Defaults          Defaults      `json:"defaults"`
}

// CPU describes the processor.
type CPU struct {
	Model string `json:"model"`
	// Cores is the number of cores the agent may use (online cores, cut by a
	// cgroup CPU quota).
	Cores    int      `json:"cores"`
	Features []string `json:"features"`
}

// Has reports whether the CPU lists a feature (cpuinfo spelling: "asimddp",
// "avx2").
func (c CPU) Has(feature string) bool {
	for _, f := range c.Features {
		if f == feature {
			return true
		}
	}
	return false
}

// ThermalZone is one sensor, in degrees Celsius.
type ThermalZone struct {
	Name string  `json:"name"`
	Temp float64 `json:"temp_c"`
	// Critical is the zone's first critical or hot trip point, 0 if none.
	Critical float64 `json:"critical_c,omitempty"`
}

// Defaults are the settings the agent uses unless configured otherwise.
type Defaults struct {
	// Threads each session splits heavy operators across.
	Threads int `json:"threads"`
	// Sessions is the number of sessions per model (concurrent inferences).
	Sessions int `json:"sessions"`
	// CacheBytes caps the result cache.
	CacheBytes int64 `json:"cache_bytes"`
}

// Hot reports whether any thermal zone is at or above 80 °C (where Pi-class
// boards start to throttle) or within 5 °C of its critical trip point:
// time to run with fewer threads.
func (p Profile) Hot() bool {
	for _, z := range p.Thermal {
		if z.Temp >= 80 || (z.Critical > 0 && z.Temp >= z.Critical-5) {
			return true
		}
	}
	return false
}

// Hottest is the highest temperature of the profile's thermal zones; ok is
// false when it has none.
func (p Profile) Hottest() (celsius float64, ok bool) {
	for _, z := range p.Thermal {
		if !ok || z.Temp > celsius {
			celsius, ok = z.Temp, true
		}
	}
	return celsius, ok
}

// Temperature reads the current temperature of the hottest thermal zone
// in degrees Celsius, as Detect().Hottest() would, but reads the zones'
// temperatures alone: the rest of a profile does not change while the
// agent runs, so detect it once and call Temperature when the temperature
// is wanted (each telemetry upload, each scrape). ok is false when the
// system has no thermal zone.
func Temperature() (celsius float64, ok bool) { return hottestZone() }

// String is a one-line summary.
func (p Profile) String() string {
	board := p.Board
	if board == "" {
		board = p.Kind
	}
	return fmt.Sprintf("%s (%s/%s, %d cores, %s RAM, %s)", board, p.OS, p.Arch, p.CPU.Cores, humanBytes(p.MemoryBytes), strings.TrimSpace(p.CPU.Model))
}

func humanBytes(n uint64) string {
	switch {
	case n == 0:
		return "unknown"
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	default:
		return fmt.Sprintf("%d MiB", n>>20)
	}
}

// goarch is the architecture Detect reports; tests set it to the board's.
var goarch = goruntime.GOARCH

// Detect builds the profile of the running device.
func Detect() Profile {
	p := Profile{OS: goruntime.GOOS, Arch: goarch}
	detectOS(&p)
	if len(p.CPU.Features) == 0 && goarch == goruntime.GOARCH && nativeRoots() {
		p.CPU.Features = goFeatures()
	}
	if p.CPU.Cores <= 0 {
		p.CPU.Cores = goruntime.NumCPU()
	}
	if p.Kind == "" {
		p.Kind = classify(p.Board, p.Arch, p.CPU)
	}
	p.Defaults = defaultsFor(p)
	return p
}

// classify maps a board name and CPU to a Kind.
func classify(board, arch string, cpu CPU) string {
	b := strings.ToLower(board)
	switch {
	case strings.Contains(b, "raspberry pi 5"):
		return KindRaspberryPi5
	case strings.Contains(b, "raspberry pi 4"), strings.Contains(b, "raspberry pi compute module 4"):
		return KindRaspberryPi4
	case strings.Contains(b, "jetson"):
		return KindJetson
	}
	switch arch {
	case "arm64":
		return KindGenericARM64
	case "arm":
		if strings.Contains(strings.ToLower(cpu.Model), "armv6") {
			return KindGenericARMv6
		}
		return KindGenericARMv7
	case "amd64", "386":
		return KindX86
	}
	return KindOther
}

// defaultsFor picks engine settings that leave the device responsive: one
// core stays free for the system on boards with more than two, sessions
// grow with cores, and the cache takes at most 1/32 of memory (64 MiB cap).
func defaultsFor(p Profile) Defaults {
	// With SIMD kernels one core runs an inference well, and requests in
	// parallel (sessions) use the cores better than splitting each one
	// (threads): on a 2-core amd64 VM, 1 thread x 2 sessions served about
	// twice the requests of 2 threads x 1 session (make bench-agent). Half
	// the cores go to each inference, to keep a lone caller's latency low
	// on boards with more cores.
	cores := max(p.CPU.Cores, 1)
	d := Defaults{Threads: min(max(cores/2, 1), 4), CacheBytes: 64 << 20}
	d.Sessions = min(max(cores/d.Threads, 1), 4)
	if p.MemoryBytes > 0 {
		d.CacheBytes = min(d.CacheBytes, int64(p.MemoryBytes/32))
	}
	return d
}
