package platforms

import (
	"bufio"
	"math"
	"slices"
	"strconv"
	"strings"
)

type cpuInfo struct {
	model      string
	board      string
	features   []string
	processors int
}

// armParts names ARM Ltd. (implementer 0x41) core part numbers.
var armParts = map[string]string{
	"0xb76": "ARM1176", "0xc07": "Cortex-A7", "0xc08": "Cortex-A8", "0xc09": "Cortex-A9",
	"0xc0f": "Cortex-A15", "0xd03": "Cortex-A53", "0xd04": "Cortex-A35", "0xd05": "Cortex-A55",
	"0xd07": "Cortex-A57", "0xd08": "Cortex-A72", "0xd09": "Cortex-A73", "0xd0a": "Cortex-A75",
	"0xd0b": "Cortex-A76", "0xd0c": "Neoverse-N1", "0xd0d": "Cortex-A77", "0xd40": "Neoverse-V1",
	"0xd41": "Cortex-A78", "0xd42": "Cortex-A78AE", "0xd49": "Neoverse-N2", "0xd4f": "Neoverse-V2",
}

// parseCPUInfo reads /proc/cpuinfo as written by arm, arm64, x86 and riscv
// kernels.
func parseCPUInfo(s string) cpuInfo {
	var c cpuInfo
	var implementer, part string
	scanLines(s, func(k, v string) {
		switch k {
		case "processor":
			c.processors++
		case "model name", "cpu model":
			if c.model == "" {
				c.model = v
			}
		case "Features", "flags", "isa":
			if c.features == nil {
				c.features = strings.Fields(v)
			}
		case "CPU implementer":
			implementer = v
		case "CPU part":
			if part == "" {
				part = v
			}
		case "Model":
			c.board = v
		}
	})
	if c.model == "" && implementer == "0x41" {
		if name, ok := armParts[part]; ok {
			c.model = "ARM " + name
		}
	}
	if c.model == "" && part != "" {
		c.model = "implementer " + implementer + " part " + part
	}
	return c
}

// onlineCores counts a CPU list such as "0-3" or "0,2-5".
func onlineCores(s string) int {
	n := 0
	for _, r := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(r), "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			continue
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil || b < a {
				continue
			}
		}
		n += b - a + 1
	}
	return n
}

// cgroupCPUs turns a cgroup v2 cpu.max ("150000 100000") into whole cores,
// 0 when unlimited or unknown.
func cgroupCPUs(s string) int {
	f := strings.Fields(s)
	if len(f) != 2 || f[0] == "max" {
		return 0
	}
	quota, err1 := strconv.ParseFloat(f[0], 64)
	period, err2 := strconv.ParseFloat(f[1], 64)
	if err1 != nil || err2 != nil || period <= 0 || quota <= 0 {
		return 0
	}
	return int(math.Ceil(quota / period))
}

// memTotal reads MemTotal from /proc/meminfo, in bytes.
func memTotal(s string) uint64 {
	var total uint64
	scanLines(s, func(k, v string) {
		if k == "MemTotal" {
			kb, err := strconv.ParseUint(strings.TrimSuffix(v, " kB"), 10, 64)
			if err == nil {
				total = kb * 1024
			}
		}
	})
	return total
}

// cgroupMemory returns the memory limit from cgroup v2 memory.max or v1
// memory.limit_in_bytes, 0 when unlimited.
func cgroupMemory(v2, v1 string) uint64 {
	for _, s := range []string{v2, v1} {
		n, err := strconv.ParseUint(s, 10, 64)
		if err == nil && n > 0 && n < 1<<60 {
			return n
		}
	}
	return 0
}

// cgroupPaths reads /proc/self/cgroup: the process's cgroup v2 path (the
// "0::" line) and its cgroup v1 memory controller's path, "" for each the
// file does not give.
func cgroupPaths(s string) (v2, v1mem string) {
	for _, line := range strings.Split(s, "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		switch {
		case parts[0] == "0" && parts[1] == "":
			v2 = parts[2]
		case slices.Contains(strings.Split(parts[1], ","), "memory"):
			v1mem = parts[2]
		}
	}
	return v2, v1mem
}

// scanLines calls f for each "key : value" line of s.
func scanLines(s string, f func(key, value string)) {
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok {
			f(strings.TrimSpace(k), strings.TrimSpace(v))
		}
	}
}
