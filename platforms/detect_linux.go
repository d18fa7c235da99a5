//go:build linux

package platforms

import (
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// The roots detection reads from; tests point them at testdata/<board>/.
var (
	ProcRoot = "/proc"
	SysRoot  = "/sys"
	// ReadFile reads every file detection reads; tests wrap it to count
	// or fail reads.
	ReadFile = os.ReadFile
)

func readTrim(path string) string {
	b, err := ReadFile(path)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(strings.TrimRight(string(b), "\x00\n"))
}

func detectOS(p *Profile) {
	info := parseCPUInfo(readTrim(filepath.Join(ProcRoot, "cpuinfo")))
	p.CPU.Model = info.model
	p.CPU.Features = info.features
	p.Board = firstNonEmpty(
		readTrim(filepath.Join(ProcRoot, "device-tree", "model")),
		readTrim(filepath.Join(SysRoot, "firmware", "devicetree", "base", "model")),
		info.board,
		dmiProduct(),
	)
	p.CPU.Cores = onlineCores(readTrim(filepath.Join(SysRoot, "devices", "system", "cpu", "online")))
	if p.CPU.Cores == 0 {
		p.CPU.Cores = info.processors
	}
	if q := cgroupCPUs(readTrim(filepath.Join(SysRoot, "fs", "cgroup", "cpu.max"))); q > 0 && (p.CPU.Cores == 0 || q < p.CPU.Cores) {
		p.CPU.Cores = q
	}
	p.MemoryBytes = memTotal(readTrim(filepath.Join(ProcRoot, "meminfo")))
	p.CgroupMemoryLimit = cgroupMemoryLimit()
	if l := p.CgroupMemoryLimit; l > 0 && (p.MemoryBytes == 0 || l < p.MemoryBytes) {
		p.MemoryBytes = l
	}
	p.Thermal = thermalZones(filepath.Join(SysRoot, "class", "thermal"))
}

// cgroupMemoryLimit is the smallest memory limit of the process's cgroup
// and its ancestors up to the root (a systemd service's MemoryMax= sits on
// its own cgroup, a slice's on the parent), cgroup v2 or v1; 0 when none.
func cgroupMemoryLimit() uint64 {
	v2, v1 := cgroupPaths(readTrim(filepath.Join(ProcRoot, "self", "cgroup")))
	var limit uint64
	for _, d := range cgroupAncestors(v2) {
		limit = minLimit(limit, cgroupMemory(readTrim(filepath.Join(SysRoot, "fs", "cgroup", d, "memory.max")), ""))
	}
	for _, d := range cgroupAncestors(v1) {
		limit = minLimit(limit, cgroupMemory("", readTrim(filepath.Join(SysRoot, "fs", "cgroup", "memory", d, "memory.limit_in_bytes"))))
	}
	return limit
}

// cgroupAncestors lists a cgroup path and its ancestors, the root ("/")
// last; a path that is empty or not absolute gives the root alone.
func cgroupAncestors(path string) []string {
	if !strings.HasPrefix(path, "/") {
		return []string{"/"}
	}
	var out []string
	for d := filepath.Clean(path); ; d = filepath.Dir(d) {
		out = append(out, d)
		if d == "/" {
			return out
		}
	}
}

// minLimit is the smaller of two limits where 0 means none.
func minLimit(a, b uint64) uint64 {
	if a == 0 || (b != 0 && b < a) {
		return b
	}
	return a
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

func dmiProduct() string {
	dmi := filepath.Join(SysRoot, "class", "dmi", "id")
	vendor, product := readTrim(filepath.Join(dmi, "sys_vendor")), readTrim(filepath.Join(dmi, "product_name"))
	return strings.TrimSpace(vendor + " " + product)
}

func thermalZones(dir string) []ThermalZone {
	paths, _ := filepath.Glob(filepath.Join(dir, "thermal_zone*"))
	sort.Strings(paths)
	var zones []ThermalZone
	for _, z := range paths {
		milli, err := strconv.ParseInt(readTrim(filepath.Join(z, "temp")), 10, 64)
		if err != nil {
			continue
		}
		tz := ThermalZone{Name: readTrim(filepath.Join(z, "type")), Temp: float64(milli) / 1000}
		if tz.Name == "" {
			tz.Name = filepath.Base(z)
		}
		for i := 0; ; i++ {
			kind := readTrim(filepath.Join(z, "trip_point_"+strconv.Itoa(i)+"_type"))
			if kind == "" {
				break
			}
			if kind != "critical" && kind != "hot" {
				continue
			}
			if t, err := strconv.ParseInt(readTrim(filepath.Join(z, "trip_point_"+strconv.Itoa(i)+"_temp")), 10, 64); err == nil && t > 0 {
				tz.Critical = float64(t) / 1000
				break
			}
		}
		zones = append(zones, tz)
	}
	return zones
}

// hottestZone reads the temperature of every thermal zone, and nothing
// else, and returns the highest.
func hottestZone() (celsius float64, ok bool) {
	paths, _ := filepath.Glob(filepath.Join(SysRoot, "class", "thermal", "thermal_zone*"))
	for _, z := range paths {
		milli, err := strconv.ParseInt(readTrim(filepath.Join(z, "temp")), 10, 64)
		if err != nil {
			continue
		}
		if c := float64(milli) / 1000; !ok || c > celsius {
			celsius, ok = c, true
		}
	}
	return celsius, ok
}

// nativeRoots reports whether Detect reads this machine's own /proc and
// /sys (not a captured tree), so Go's view of the CPU may fill gaps.
func nativeRoots() bool { return ProcRoot == "/proc" && SysRoot == "/sys" }
