package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/edgeinfer/edgeinfer/platforms"
	"github.com/edgeinfer/edgeinfer/runtime/kernels"
)

// kernelVariants names the SIMD kernels the engine picks on this CPU (the
// running machine's, whatever profile is shown), by kind.
func kernelVariants() string {
	v := kernels.Variants()
	var parts []string
	for _, kind := range []string{"int8", "float32", "depthwise"} {
		names := "generic Go"
		if len(v[kind]) > 0 {
			names = strings.Join(v[kind], ", ")
		}
		parts = append(parts, kind+" "+names)
	}
	return strings.Join(parts, "; ")
}

func cmdPlatform(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("platform", "platform [--json]", `
Platform prints what edgeinfer detects about this device: the board (device
tree model or DMI product), CPU model, cores it may use (online cores cut by
a cgroup CPU quota), features, memory (RAM cut by a cgroup memory limit),
thermal zones, and the defaults the engine and agent derive from them
(threads per session, sessions per model, result-cache size). A zone at or
above 80 °C, or within 5 °C of its critical trip point, marks the device
hot.`, `
edgeinfer platform
# board     Raspberry Pi 5 Model B Rev 1.0 (rpi5)
# cpu       ARM Cortex-A76, 4 cores, linux/arm64
# ...
edgeinfer platform --json`)
	asJSON := f.Bool("json", false, "print the profile as one JSON object")
	if _, err := f.parse(args, stdout, 0, 0); err != nil {
		return helpDone(err)
	}
	p := platforms.Detect()
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(p)
	}
	board := p.Board
	if board == "" {
		board = "(not reported)"
	}
	fmt.Fprintf(stdout, "board     %s (%s)\n", board, p.Kind)
	fmt.Fprintf(stdout, "cpu       %s, %d cores, %s/%s\n", orUnknown(p.CPU.Model), p.CPU.Cores, p.OS, p.Arch)
	fmt.Fprintf(stdout, "features  %s\n", orUnknown(strings.Join(p.CPU.Features, " ")))
	mem := "unknown"
	if p.MemoryBytes > 0 {
		mem = fmt.Sprintf("%.1f MiB", float64(p.MemoryBytes)/(1<<20))
	}
	if p.CgroupMemoryLimit > 0 {
		mem += " (cgroup limit)"
	}
	fmt.Fprintf(stdout, "memory    %s\n", mem)
	for _, z := range p.Thermal {
		crit := ""
		if z.Critical > 0 {
			crit = fmt.Sprintf(", critical %.0f °C", z.Critical)
		}
		fmt.Fprintf(stdout, "thermal   %s %.1f °C%s\n", z.Name, z.Temp, crit)
	}
	if p.Hot() {
		fmt.Fprintln(stdout, "state     hot: expect throttling")
	}
	d := p.Defaults
	fmt.Fprintf(stdout, "defaults  threads per session %d, sessions per model %d, result cache %.0f MiB\n", d.Threads, d.Sessions, float64(d.CacheBytes)/(1<<20))
	fmt.Fprintf(stdout, "kernels   %s\n", kernelVariants())
	return nil
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
