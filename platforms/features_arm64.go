package platforms

import "golang.org/x/sys/cpu"

func cpuFeatures() []feature {
	a := cpu.ARM64
	return []feature{
		{"fp", a.HasFP}, {"asimd", a.HasASIMD}, {"fphp", a.HasFPHP}, {"asimdhp", a.HasASIMDHP},
		{"asimddp", a.HasASIMDDP}, {"asimdfhm", a.HasASIMDFHM}, {"i8mm", a.HasI8MM},
		{"sve", a.HasSVE}, {"sve2", a.HasSVE2},
	}
}
