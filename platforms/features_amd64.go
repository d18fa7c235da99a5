package platforms

import "golang.org/x/sys/cpu"

func cpuFeatures() []feature {
	x := cpu.X86
	return []feature{
		{"sse4_1", x.HasSSE41}, {"sse4_2", x.HasSSE42}, {"popcnt", x.HasPOPCNT},
		{"avx", x.HasAVX}, {"avx2", x.HasAVX2}, {"fma", x.HasFMA},
		{"avx512f", x.HasAVX512F}, {"avx512bw", x.HasAVX512BW}, {"avx512vl", x.HasAVX512VL},
		{"avx512_vnni", x.HasAVX512VNNI}, {"avx_vnni", x.HasAVXVNNI},
	}
}
