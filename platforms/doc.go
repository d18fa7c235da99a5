// Package platforms describes the device the agent runs on: board model,
// CPU (architecture, cores, features), memory (cgroup limits included) and
// thermal zones, and maps that profile to sane defaults for the engine
// (threads, session pool size, result-cache size).
//
// Detection reads /proc and /sys through the package variables ProcRoot and
// SysRoot, so tests point them at captured trees under testdata/<board>/.
// Only Linux has detection; other systems get a profile from the Go
// runtime alone.
package platforms
