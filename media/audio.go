package media

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/edgeinfer/edgeinfer/runtime"
)

// ErrAudio is wrapped by every error about an undecodable WAV file.
var ErrAudio = errors.New("media: bad audio")

// DefaultMaxSamples bounds the samples DecodeWAV takes: 10 minutes of 48
// kHz stereo.
const DefaultMaxSamples = 10 * 60 * 48000 * 2

// Audio is a decoded waveform: Samples holds Frames x Channels values in
// [-1, 1], interleaved.
type Audio struct {
	Rate     int
	Channels int
	Samples  []float32
}

// Frames is the number of samples per channel.
func (a *Audio) Frames() int { return len(a.Samples) / a.Channels }

// Mono returns the channels' average per frame.
func (a *Audio) Mono() []float32 {
	if a.Channels == 1 {
		return a.Samples
	}
	out := make([]float32, a.Frames())
	for i := range out {
		var s float64
		for c := 0; c < a.Channels; c++ {
			s += float64(a.Samples[i*a.Channels+c])
		}
		out[i] = float32(s / float64(a.Channels))
	}
	return out
}

// DecodeWAV reads a RIFF WAVE file of PCM integers (8, 16, 24 or 32 bits)
// or IEEE floats (32 or 64 bits), plain or WAVE_FORMAT_EXTENSIBLE. Integer
// samples are scaled to [-1, 1): s / 2^(bits-1) (8-bit ones are unsigned,
// centred on 128). A file of more than maxSamples samples (0 =
// DefaultMaxSamples) is refused from its header.
func DecodeWAV(data []byte, maxSamples int) (*Audio, error) {
	if maxSamples <= 0 {
		maxSamples = DefaultMaxSamples
	}
	le := binary.LittleEndian
	if len(data) < 12 || string(data[0:4]) != "RIFF" || string(data[8:12]) != "WAVE" {
		return nil, fmt.Errorf("%w: not a RIFF WAVE file", ErrAudio)
	}
	var (
		format, channels, bits uint16
		rate                   uint32
		haveFmt                bool
		pcm                    []byte
	)
	for p := 12; p+8 <= len(data); {
		id, size := string(data[p:p+4]), int64(le.Uint32(data[p+4:]))
		body := p + 8
		if size > int64(len(data)-body) {
			return nil, fmt.Errorf("%w: chunk %q of %d bytes runs past the file's end", ErrAudio, id, size)
		}
		chunk := data[body : body+int(size)]
		switch id {
		case "fmt ":
			if len(chunk) < 16 {
				return nil, fmt.Errorf("%w: fmt chunk of %d bytes (want at least 16)", ErrAudio, len(chunk))
			}
			format, channels, rate, bits = le.Uint16(chunk), le.Uint16(chunk[2:]), le.Uint32(chunk[4:]), le.Uint16(chunk[14:])
			if format == 0xFFFE && len(chunk) >= 26 {
				format = le.Uint16(chunk[24:]) // the sub-format GUID's first two bytes
			}
			haveFmt = true
		case "data":
			pcm = chunk
		}
		p = body + int(size) + int(size&1)
	}
	switch {
	case !haveFmt:
		return nil, fmt.Errorf("%w: no fmt chunk", ErrAudio)
	case pcm == nil:
		return nil, fmt.Errorf("%w: no data chunk", ErrAudio)
	case channels < 1 || channels > 16:
		return nil, fmt.Errorf("%w: %d channels (want 1..16)", ErrAudio, channels)
	case rate < 1 || rate > 384000:
		return nil, fmt.Errorf("%w: sample rate %d Hz (want 1..384000)", ErrAudio, rate)
	case format == 1 && bits != 8 && bits != 16 && bits != 24 && bits != 32,
		format == 3 && bits != 32 && bits != 64,
		format != 1 && format != 3:
		return nil, fmt.Errorf("%w: format %d with %d-bit samples (want PCM of 8, 16, 24 or 32 bits, or float of 32 or 64)", ErrAudio, format, bits)
	}
	width := int(bits) / 8
	n := len(pcm) / width / int(channels) * int(channels)
	if n > maxSamples {
		return nil, fmt.Errorf("%w: %d samples, over the limit of %d", ErrAudio, n, maxSamples)
	}
	out := &Audio{Rate: int(rate), Channels: int(channels), Samples: make([]float32, n)}
	for i := range out.Samples {
		b := pcm[i*width:]
		var v float64
		switch {
		case format == 3 && width == 4:
			v = float64(math.Float32frombits(le.Uint32(b)))
		case format == 3:
			v = math.Float64frombits(le.Uint64(b))
		case width == 1:
			v = (float64(b[0]) - 128) / 128
		case width == 2:
			v = float64(int16(le.Uint16(b))) / 32768
		case width == 3:
			v = float64(int32(uint32(b[0])<<8|uint32(b[1])<<16|uint32(b[2])<<24)>>8) / (1 << 23)
		default:
			v = float64(int32(le.Uint32(b))) / (1 << 31)
		}
		out.Samples[i] = float32(v)
	}
	return out, nil
}

// Resample converts a mono waveform from one rate to another by linear
// interpolation (no low-pass filter: going down, frequencies above the
// new Nyquist fold back).
func Resample(x []float32, from, to int) []float32 {
	if from == to || len(x) == 0 {
		return x
	}
	n := int(int64(len(x)) * int64(to) / int64(from))
	out := make([]float32, n)
	step := float64(from) / float64(to)
	for i := range out {
		pos := float64(i) * step
		j := int(pos)
		f := pos - float64(j)
		a := x[min(j, len(x)-1)]
		b := x[min(j+1, len(x)-1)]
		out[i] = float32(float64(a)*(1-f) + float64(b)*f)
	}
	return out
}

// AudioInput says how a waveform becomes a model's input tensors: windows
// of Length samples at Rate Hz, Hop samples apart.
type AudioInput struct {
	Rate   int
	Length int
	// Hop is the distance between windows' starts (0 = Length: windows
	// side by side). The last window is zero-padded.
	Hop int
	// DType is the tensor's: Float32, or Int16 (samples x 32768), or Int8
	// or UInt8 quantized with Scale and ZeroPoint.
	DType     runtime.DType
	Scale     float32
	ZeroPoint int64
}

// AudioInputFor is the AudioInput of a waveform tensor ([N] or [1, N])
// at the rate of the model's metadata.
func AudioInputFor(t runtime.TensorInfo, rate int) (AudioInput, error) {
	n := t.NumElements()
	if len(t.Shape) == 0 || len(t.Shape) > 2 || (len(t.Shape) == 2 && t.Shape[0] != 1) || n < 1 {
		return AudioInput{}, fmt.Errorf("media: input %s is not a waveform tensor (want shape [samples] or [1, samples])", t)
	}
	in := AudioInput{Rate: rate, Length: n, DType: t.DType}
	if q := t.Quant; q != nil && len(q.Scale) == 1 {
		in.Scale = q.Scale[0]
		if len(q.ZeroPoint) == 1 {
			in.ZeroPoint = q.ZeroPoint[0]
		}
	}
	return in, in.validate()
}

func (in AudioInput) validate() error {
	switch {
	case in.Rate < 1 || in.Rate > 384000:
		return fmt.Errorf("media: audio input at %d Hz (want 1..384000)", in.Rate)
	case in.Length < 1 || in.Hop < 0:
		return fmt.Errorf("media: audio windows of %d samples, hop %d", in.Length, in.Hop)
	case (in.DType == runtime.Int8 || in.DType == runtime.UInt8) && !(in.Scale > 0):
		return fmt.Errorf("media: %s audio input without a quantization scale", in.DType)
	case in.DType != runtime.Float32 && in.DType != runtime.Int16 && in.DType != runtime.Int8 && in.DType != runtime.UInt8:
		return fmt.Errorf("media: audio input of %s (want float32, int16, int8 or uint8)", in.DType)
	}
	return nil
}

// Windows resamples a (mixed to mono) to the input's rate and cuts it
// into input tensors' raw bytes, one per window, at least one.
func (in AudioInput) Windows(a *Audio) ([][]byte, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	x := Resample(a.Mono(), a.Rate, in.Rate)
	hop := in.Hop
	if hop == 0 {
		hop = in.Length
	}
	var out [][]byte
	for start := 0; start == 0 || start < len(x); start += hop {
		w := make([]byte, in.Length*in.DType.Size())
		for i := 0; i < in.Length; i++ {
			var s float32
			if start+i < len(x) {
				s = x[start+i]
			}
			switch in.DType {
			case runtime.Float32:
				binary.LittleEndian.PutUint32(w[4*i:], math.Float32bits(s))
			case runtime.Int16:
				binary.LittleEndian.PutUint16(w[2*i:], uint16(int16(min(max(math.Round(float64(s)*32768), -32768), 32767))))
			case runtime.Int8:
				w[i] = byte(int8(min(max(math.Round(float64(s)/float64(in.Scale))+float64(in.ZeroPoint), -128), 127)))
			case runtime.UInt8:
				w[i] = uint8(min(max(math.Round(float64(s)/float64(in.Scale))+float64(in.ZeroPoint), 0), 255))
			}
		}
		out = append(out, w)
		if start+in.Length >= len(x) {
			break
		}
	}
	return out, nil
}
