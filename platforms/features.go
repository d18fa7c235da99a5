package platforms

// goFeatures lists the CPU features Go's golang.org/x/sys/cpu detects on
// this machine, named as Linux's /proc/cpuinfo names them (cpuFeatures is
// the per-architecture table). Detect uses it when the system lists none:
// outside Linux, or where /proc/cpuinfo hides its flags.
func goFeatures() []string {
	var out []string
	for _, f := range cpuFeatures() {
		if f.has {
			out = append(out, f.name)
		}
	}
	return out
}

// feature is one CPU feature and whether this CPU has it.
type feature struct {
	name string
	has  bool
}
