package media_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/media"
	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/tflite"
	"github.com/edgeinfer/edgeinfer/runtime/tflite/metadata"
)

// wav builds a RIFF WAVE file: a fmt chunk (format, channels, rate, bits;
// extensible when format is 0xFFFE, with sub-format sub) and a data chunk.
func wav(format, channels uint16, rate uint32, bits, sub uint16, data []byte) []byte {
	le := binary.LittleEndian
	fmtChunk := make([]byte, 16)
	le.PutUint16(fmtChunk, format)
	le.PutUint16(fmtChunk[2:], channels)
	le.PutUint32(fmtChunk[4:], rate)
	le.PutUint32(fmtChunk[8:], rate*uint32(channels)*uint32(bits/8))
	le.PutUint16(fmtChunk[12:], channels*bits/8)
	le.PutUint16(fmtChunk[14:], bits)
	if format == 0xFFFE {
		ext := make([]byte, 24)
		le.PutUint16(ext, 22)
		le.PutUint16(ext[8:], sub)
		fmtChunk = append(fmtChunk, ext...)
	}
	var b bytes.Buffer
	b.WriteString("RIFF")
	binary.Write(&b, le, uint32(4+8+len(fmtChunk)+8+len(data)))
	b.WriteString("WAVEfmt ")
	binary.Write(&b, le, uint32(len(fmtChunk)))
	b.Write(fmtChunk)
	b.WriteString("data")
	binary.Write(&b, le, uint32(len(data)))
	b.Write(data)
	return b.Bytes()
}

func TestDecodeWAV(t *testing.T) {
	f32 := make([]byte, 8)
	binary.LittleEndian.PutUint32(f32, math.Float32bits(0.25))
	binary.LittleEndian.PutUint32(f32[4:], math.Float32bits(-1))
	for _, tc := range []struct {
		name     string
		file     []byte
		channels int
		want     []float32
	}{
		{"16-bit", wav(1, 1, 16000, 16, 0, []byte{0, 0x40, 0, 0x80}), 1, []float32{0.5, -1}},
		{"8-bit unsigned", wav(1, 1, 8000, 8, 0, []byte{192, 0}), 1, []float32{0.5, -1}},
		{"24-bit", wav(1, 1, 48000, 24, 0, []byte{0, 0, 0x40, 0, 0, 0x80}), 1, []float32{0.5, -1}},
		{"32-bit", wav(1, 1, 48000, 32, 0, []byte{0, 0, 0, 0x40, 0, 0, 0, 0x80}), 1, []float32{0.5, -1}},
		{"float", wav(3, 1, 22050, 32, 0, f32), 1, []float32{0.25, -1}},
		{"extensible PCM", wav(0xFFFE, 1, 16000, 16, 1, []byte{0, 0x40}), 1, []float32{0.5}},
		{"stereo", wav(1, 2, 16000, 16, 0, []byte{0, 0x40, 0, 0xC0}), 2, []float32{0.5, -0.5}},
		{"odd tail dropped", wav(1, 1, 16000, 16, 0, []byte{0, 0x40, 7}), 1, []float32{0.5}},
	} {
		a, err := media.DecodeWAV(tc.file, 0)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if a.Channels != tc.channels || len(a.Samples) != len(tc.want) {
			t.Fatalf("%s: %d channels, %d samples; want %d, %d", tc.name, a.Channels, len(a.Samples), tc.channels, len(tc.want))
		}
		for i := range tc.want {
			if a.Samples[i] != tc.want[i] {
				t.Errorf("%s: samples %v, want %v", tc.name, a.Samples, tc.want)
				break
			}
		}
	}
	stereo, _ := media.DecodeWAV(wav(1, 2, 16000, 16, 0, []byte{0, 0x40, 0, 0xC0}), 0)
	if m := stereo.Mono(); len(m) != 1 || m[0] != 0 {
		t.Errorf("mono of stereo (0.5, -0.5) = %v, want [0]", m)
	}
	for _, tc := range []struct {
		name string
		file []byte
		want string
	}{
		{"empty", nil, "not a RIFF WAVE"},
		{"no data", wav(1, 1, 16000, 16, 0, nil)[:36], "no data chunk"},
		{"chunk past the end", wav(1, 1, 16000, 16, 0, []byte{1, 2, 3, 4})[:46], "runs past the file's end"},
		{"12-bit", wav(1, 1, 16000, 12, 0, []byte{1, 2}), "want PCM of 8, 16, 24 or 32 bits"},
		{"a-law", wav(6, 1, 16000, 8, 0, []byte{1, 2}), "format 6"},
		{"no channels", wav(1, 0, 16000, 16, 0, []byte{1, 2}), "0 channels"},
		{"rate zero", wav(1, 1, 0, 16, 0, []byte{1, 2}), "sample rate 0"},
		{"over the sample limit", wav(1, 1, 16000, 16, 0, make([]byte, 64)), "32 samples, over the limit of 16"},
	} {
		_, err := media.DecodeWAV(tc.file, 16)
		if !errors.Is(err, media.ErrAudio) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want ErrAudio saying %q", tc.name, err, tc.want)
		}
	}
}

func TestResample(t *testing.T) {
	x := []float32{0, 1, 2, 3}
	if got := media.Resample(x, 2, 4); len(got) != 8 || got[1] != 0.5 || got[7] != 3 {
		t.Errorf("up 2x: %v", got)
	}
	if got := media.Resample(x, 4, 2); len(got) != 2 || got[0] != 0 || got[1] != 2 {
		t.Errorf("down 2x: %v", got)
	}
	if got := media.Resample(x, 3, 3); &got[0] != &x[0] {
		t.Errorf("same rate copied")
	}
}

func TestAudioWindows(t *testing.T) {
	a := &media.Audio{Rate: 4, Channels: 1, Samples: []float32{0.5, -0.5, 0.25, 1, -1}}
	for _, tc := range []struct {
		name string
		in   media.AudioInput
		want [][]byte
	}{
		{"int16 side by side, last padded", media.AudioInput{Rate: 4, Length: 2, DType: runtime.Int16},
			[][]byte{{0, 0x40, 0, 0xC0}, {0, 0x20, 0xFF, 0x7F}, {0, 0x80, 0, 0}}},
		{"int8 quantized, overlapping", media.AudioInput{Rate: 4, Length: 4, Hop: 2, DType: runtime.Int8, Scale: 1.0 / 128},
			[][]byte{{64, 0xC0, 32, 127}, {32, 127, 0x80, 0}}},
		{"one window longer than the clip", media.AudioInput{Rate: 4, Length: 6, DType: runtime.UInt8, Scale: 1.0 / 128, ZeroPoint: 128},
			[][]byte{{192, 64, 160, 255, 0, 128}}},
	} {
		got, err := tc.in.Windows(a)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if len(got) != len(tc.want) {
			t.Fatalf("%s: %d windows %v, want %d", tc.name, len(got), got, len(tc.want))
		}
		for i := range got {
			if !bytes.Equal(got[i], tc.want[i]) {
				t.Errorf("%s: window %d = %v, want %v", tc.name, i, got[i], tc.want[i])
			}
		}
	}
	if _, err := (media.AudioInput{Rate: 4, Length: 2, DType: runtime.Int8}).Windows(a); err == nil || !strings.Contains(err.Error(), "without a quantization scale") {
		t.Errorf("int8 without a scale: %v", err)
	}
	if _, err := media.AudioInputFor(runtime.TensorInfo{Name: "x", DType: runtime.Float32, Shape: []int{2, 100}}, 16000); err == nil {
		t.Error("a batch of two waveforms taken for one")
	}
}

// TestSpeechFromWAV: the shared speech clip, cut into YAMNet's windows, is
// byte for byte the reference's two inputs (samples 0..15600 and
// 31200..46800), and YAMNet, with the labels of its own metadata, hears
// speech in the first.
func TestSpeechFromWAV(t *testing.T) {
	dir := shared(t, "conformance2", "tfls_yamnet_int8")
	a, err := media.DecodeWAV(readFile(t, filepath.Join(dir, "source", "speech.wav")), 0)
	if err != nil {
		t.Fatal(err)
	}
	if a.Rate != 16000 || a.Channels != 1 || a.Frames() != 68360 {
		t.Fatalf("speech.wav: %d Hz, %d channels, %d frames; want 16000, 1, 68360", a.Rate, a.Channels, a.Frames())
	}
	model := filepath.Join(dir, "model.tflite")
	md, err := metadata.ReadFile(model)
	if err != nil {
		t.Fatal(err)
	}
	if len(md.Inputs) == 0 || md.Inputs[0].Audio == nil || len(md.Outputs) == 0 || md.Outputs[0].Labels == nil {
		t.Fatal("YAMNet's metadata lacks the audio input or the labels")
	}
	m, err := tflite.Open(model)
	if err != nil {
		t.Fatal(err)
	}
	in, err := media.AudioInputFor(m.Inputs()[0], int(md.Inputs[0].Audio.SampleRate))
	if err != nil {
		t.Fatal(err)
	}
	in.Hop = 15600
	windows, err := in.Windows(a)
	if err != nil {
		t.Fatal(err)
	}
	if len(windows) != 5 {
		t.Errorf("%d windows of 15600 samples of 68360, want 5", len(windows))
	}
	if !bytes.Equal(windows[0], readFile(t, filepath.Join(dir, "case_0", "in_0.bin"))) || !bytes.Equal(windows[2], readFile(t, filepath.Join(dir, "case_1", "in_0.bin"))) {
		t.Fatal("the windows differ from the reference inputs")
	}
	top := classify(t, model, windows[0], md.Outputs[0].Labels.List, 3)
	if top[0].Label != "Speech" {
		t.Errorf("top 3 %+v, want Speech first", top)
	}
}

// FuzzDecodeWAV: no input makes DecodeWAV panic; what it accepts is
// consistent and within the limit.
func FuzzDecodeWAV(f *testing.F) {
	f.Add(wav(1, 1, 16000, 16, 0, []byte{0, 0x40, 0, 0x80}))
	f.Add(wav(0xFFFE, 2, 48000, 24, 1, make([]byte, 12)))
	f.Add(wav(3, 1, 8000, 64, 0, make([]byte, 16)))
	f.Add([]byte("RIFF\x00\x00\x00\x00WAVE"))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := media.DecodeWAV(data, 1<<16)
		if err != nil {
			if !errors.Is(err, media.ErrAudio) {
				t.Fatalf("error %v does not wrap ErrAudio", err)
			}
			return
		}
		if a.Channels < 1 || len(a.Samples)%a.Channels != 0 || len(a.Samples) > 1<<16 {
			t.Fatalf("%d channels, %d samples", a.Channels, len(a.Samples))
		}
	})
}
