// Package platforms describes the device the agent runs on: board model,
// CPU (architecture, cores, features), memory (cgroup limits included) and
// thermal zones, and maps that profile to sane defaults for the engine
// (threads, session pool size, result-cache size).
//
// Detect runs once, at start: board, CPU and memory do not change while the
// agent runs. Temperature reads the thermal zones' temperatures alone, for
// the figures that want the current one.
//
// Detection reads /proc and /sys through the package variables ProcRoot,
// SysRoot and ReadFile, so tests point them at captured trees under
// testdata/<board>/ (and count reads).
// Only Linux has detection; other systems get a profile from the Go
// runtime alone.
package platforms
