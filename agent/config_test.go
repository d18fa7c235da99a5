package agent

import (
	"strings"
	"testing"
	"time"

	"github.com/edgeinfer/edgeinfer/platforms"
)

func TestResolve(t *testing.T) {
	on := true
	c := Config{
		Defaults: ModelConfig{Queue: 8},
		Models: map[string]ModelConfig{
			"face":       {Path: "/m/face.tflite"},
			"classifier": {Path: "/m/c.tflite", MaxBatch: 4, Cache: &on, CacheTTL: 10 * time.Minute, Threads: 2},
		},
	}
	r := c.Resolve(platforms.Defaults{Threads: 3, Sessions: 2, CacheBytes: 128 << 20})
	cl := r.Models["classifier"]
	if cl.Threads != 2 || cl.Sessions != 2 || cl.MaxBatch != 4 || !*cl.Cache || cl.CacheTTL != 10*time.Minute || cl.Queue != 8 || cl.BatchDelay != DefaultBatchDelay {
		t.Errorf("classifier resolved to %+v", cl)
	}
	f := r.Models["face"]
	if f.Threads != 3 || *f.Cache || f.Timeout != DefaultTimeout || f.SequenceIdleTimeout != DefaultSequenceIdleTimeout {
		t.Errorf("face resolved to %+v", f)
	}
	if r.CacheBytes != 128<<20 || r.DataDir == "" || r.DrainTimeout != DefaultDrainTimeout || r.MaxInstallBytes != DefaultMaxInstall {
		t.Errorf("resolved %+v", r)
	}
	if c.Models["face"].Threads != 0 {
		t.Error("Resolve changed its receiver's models")
	}
	if again := r.Resolve(platforms.Defaults{Threads: 7}); again.Models["face"].Threads != 3 {
		t.Errorf("resolving twice changed threads to %d", again.Models["face"].Threads)
	}
	if z := (Config{}).Resolve(platforms.Defaults{}); z.Defaults.Threads != 1 || z.Defaults.Sessions != 1 || z.Defaults.MaxBatch != 1 {
		t.Errorf("an unknown board resolved to %+v", z.Defaults)
	}
}

// TestValidate: each error names the field as its YAML path and says what
// is wrong.
func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    Config
		want string
	}{
		{"defaults", Config{}, ""},
		{"negative drain", Config{DrainTimeout: -time.Second}, "drain_timeout: -1s is negative"},
		{"negative install cap", Config{MaxInstallBytes: -1}, "max_install_bytes: -1 is negative"},
		{"negative cache", Config{CacheBytes: -1}, "cache_bytes: -1 is negative"},
		{"path in defaults", Config{Defaults: ModelConfig{Path: "/x.tflite"}}, "defaults: path and version belong to a model"},
		{"batch too big", Config{Defaults: ModelConfig{MaxBatch: 1000}}, "defaults.max_batch: 1000 is outside 1..256"},
		{"no path", Config{Models: map[string]ModelConfig{"m": {}}}, "models.m.path: missing"},
		{"threads", Config{Models: map[string]ModelConfig{"m": {Path: "/m", Threads: -1}}}, "models.m.threads: -1 is outside 1..256"},
		{"cache ttl", Config{Models: map[string]ModelConfig{"m": {Path: "/m", CacheTTL: time.Millisecond}}}, "models.m.cache_ttl"},
		{"version", Config{Models: map[string]ModelConfig{"m": {Path: "/m", Version: "1 2"}}}, "models.m.version"},
		{"media face", Config{Models: map[string]ModelConfig{"m": {Path: "/m", Media: faceMedia("labels.txt")}}}, ""},
		{"media in defaults", Config{Defaults: ModelConfig{Media: MediaConfig{TopK: 3}}}, "defaults.media: media options belong to a model"},
		{"media kind", Config{Models: map[string]ModelConfig{"m": {Path: "/m", Media: MediaConfig{Kind: "boxes"}}}}, "models.m.media.kind: \"boxes\" is none of classification"},
		{"media mean alone", Config{Models: map[string]ModelConfig{"m": {Path: "/m", Media: MediaConfig{Mean: []float32{127.5}}}}}, "models.m.media: mean and std go together"},
		{"media mean count", Config{Models: map[string]ModelConfig{"m": {Path: "/m", Media: MediaConfig{Mean: []float32{1, 2}, Std: []float32{1, 2}}}}}, "models.m.media.mean: 2 values"},
		{"media std zero", Config{Models: map[string]ModelConfig{"m": {Path: "/m", Media: MediaConfig{Mean: []float32{0}, Std: []float32{0}}}}}, "models.m.media.std[0]: 0 divides by zero"},
		{"media fit", Config{Models: map[string]ModelConfig{"m": {Path: "/m", Media: MediaConfig{Fit: "fill"}}}}, "models.m.media.fit: \"fill\": want stretch, crop or letterbox"},
		{"media resize", Config{Models: map[string]ModelConfig{"m": {Path: "/m", Media: MediaConfig{Resize: "cubic"}}}}, "models.m.media.resize"},
		{"media top_k", Config{Models: map[string]ModelConfig{"m": {Path: "/m", Media: MediaConfig{TopK: 5000}}}}, "models.m.media.top_k: 5000 is outside 1..1000"},
		{"media min_score", Config{Models: map[string]ModelConfig{"m": {Path: "/m", Media: MediaConfig{MinScore: 2}}}}, "models.m.media.min_score: 2 is outside 0..1"},
		{"ssd without strides", Config{Models: map[string]ModelConfig{"m": {Path: "/m", Media: MediaConfig{Kind: "ssd"}}}}, "models.m.media.ssd.strides: missing"},
		{"ssd options of another kind", Config{Models: map[string]ModelConfig{"m": {Path: "/m", Media: MediaConfig{Kind: "classification", SSD: SSDConfig{IoU: 0.5}}}}}, "models.m.media.ssd: anchor and decoding options are for kind ssd"},
		{"ssd stride", Config{Models: map[string]ModelConfig{"m": {Path: "/m", Media: MediaConfig{Kind: "ssd", SSD: SSDConfig{Strides: []int{8, 0}}}}}}, "models.m.media.ssd.strides[1]: 0 is outside 1..1024"},
		{"ssd scales", Config{Models: map[string]ModelConfig{"m": {Path: "/m", Media: MediaConfig{Kind: "ssd", SSD: SSDConfig{Strides: []int{8}, MinScale: 0.7, MaxScale: 0.1}}}}}, "models.m.media.ssd: min_scale 0.7 and max_scale 0.1"},
		{"ssd iou", Config{Models: map[string]ModelConfig{"m": {Path: "/m", Media: MediaConfig{Kind: "ssd", SSD: SSDConfig{Strides: []int{8}, IoU: 1.5}}}}}, "models.m.media.ssd.iou: 1.5 is outside 0..1"},
		{"ssd coords", Config{Models: map[string]ModelConfig{"m": {Path: "/m", Media: MediaConfig{Kind: "ssd", SSD: SSDConfig{Strides: []int{8}, NumKeypoints: 6, NumCoords: 8}}}}}, "models.m.media.ssd.num_coords: 8 is fewer than"},
		{"model name", Config{Models: map[string]ModelConfig{"bad/name": {Path: "/m"}}}, "models.bad/name: model name"},
		{"sequence idle", Config{Models: map[string]ModelConfig{"m": {Path: "/m", SequenceIdleTimeout: 48 * time.Hour}}}, "models.m.sequence_idle_timeout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.c.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("error %v, want one starting with %q", err, tc.want)
			}
		})
	}
}
