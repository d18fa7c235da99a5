package media

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/edgeinfer/edgeinfer/runtime"
)

// ImageInput says how an image becomes a model's input tensor.
type ImageInput struct {
	// Width, Height and Channels are the tensor's (NHWC, batch 1);
	// Channels is 3 (color) or 1 (grey: ITU-R BT.601 luma).
	Width, Height, Channels int
	// BGR feeds the channels blue first.
	BGR bool
	// DType is the tensor's: Float32, UInt8 or Int8.
	DType runtime.DType
	// Mean and Std normalize float inputs, (pixel - mean) / std, with one
	// value per channel or one for all; nil means none (pixels 0..255).
	// 8-bit inputs take the pixels as they are (uint8) or shifted by -128
	// (int8), as TFLite's Task Library feeds quantized image models: the
	// input's quantization maps them.
	Mean, Std []float32
	// Fit is how an image of another aspect ratio is made the input's size
	// (default FitStretch).
	Fit Fit
	// Resize is "bilinear" (default) or "nearest".
	Resize string
}

// ImageInputFor is the ImageInput of an NHWC image tensor with mean and
// std from the model's metadata (nil when it has none).
func ImageInputFor(t runtime.TensorInfo, mean, std []float32) (ImageInput, error) {
	if len(t.Shape) != 4 || t.Shape[0] != 1 || (t.Shape[3] != 3 && t.Shape[3] != 1) || t.Shape[1] < 1 || t.Shape[2] < 1 {
		return ImageInput{}, fmt.Errorf("media: input %s is not an image tensor (want shape [1, height, width, 3 or 1])", t)
	}
	in := ImageInput{Height: t.Shape[1], Width: t.Shape[2], Channels: t.Shape[3], DType: t.DType, Mean: mean, Std: std}
	return in, in.Validate()
}

// Validate checks the fields.
func (in ImageInput) Validate() error {
	switch {
	case in.Width < 1 || in.Height < 1 || in.Width > 1<<14 || in.Height > 1<<14:
		return fmt.Errorf("media: image input of %dx%d pixels (want 1..16384 each)", in.Width, in.Height)
	case in.Channels != 3 && in.Channels != 1:
		return fmt.Errorf("media: image input of %d channels (want 3 or 1)", in.Channels)
	case in.DType != runtime.Float32 && in.DType != runtime.UInt8 && in.DType != runtime.Int8:
		return fmt.Errorf("media: image input of %s (want float32, uint8 or int8)", in.DType)
	case in.Resize != "" && in.Resize != "bilinear" && in.Resize != "nearest":
		return fmt.Errorf("media: resize %q (want bilinear or nearest)", in.Resize)
	}
	for _, v := range [][]float32{in.Mean, in.Std} {
		if len(v) != 0 && len(v) != 1 && len(v) != in.Channels {
			return fmt.Errorf("media: %d normalization values for %d channels (want 1 or one per channel)", len(v), in.Channels)
		}
	}
	if (in.Mean == nil) != (in.Std == nil) {
		return fmt.Errorf("media: normalization needs both mean and std")
	}
	for _, s := range in.Std {
		if s == 0 || math.IsNaN(float64(s)) || math.IsInf(float64(s), 0) {
			return fmt.Errorf("media: normalization std %v (want finite, non-zero)", s)
		}
	}
	return nil
}

// Tensor makes m the input tensor's raw little-endian bytes and returns
// the frame that maps the input's relative coordinates back to m's pixels.
func (in ImageInput) Tensor(m *Image) ([]byte, Frame, error) {
	if err := in.Validate(); err != nil {
		return nil, Frame{}, err
	}
	resize := (*Image).ResizeBilinear
	if in.Resize == "nearest" {
		resize = (*Image).ResizeNearest
	}
	sized, frame, err := fitTo(m, in.Width, in.Height, in.Fit, resize)
	if err != nil {
		return nil, Frame{}, err
	}
	n := in.Width * in.Height
	out := make([]byte, n*in.Channels*in.DType.Size())
	at := func(v []float32, c int) float32 {
		if len(v) == 1 {
			return v[0]
		}
		return v[c]
	}
	k := 0
	for i := 0; i < n; i++ {
		px := sized.Pix[3*i : 3*i+3]
		for c := 0; c < in.Channels; c++ {
			var p uint8
			switch {
			case in.Channels == 1:
				p = uint8(math.Floor(0.299*float64(px[0]) + 0.587*float64(px[1]) + 0.114*float64(px[2]) + 0.5))
			case in.BGR:
				p = px[2-c]
			default:
				p = px[c]
			}
			switch in.DType {
			case runtime.UInt8:
				out[k] = p
			case runtime.Int8:
				out[k] = byte(int8(int(p) - 128))
			default:
				v := float32(p)
				if in.Mean != nil {
					v = (v - at(in.Mean, c)) / at(in.Std, c)
				}
				binary.LittleEndian.PutUint32(out[4*k:], math.Float32bits(v))
			}
			k++
		}
	}
	return out, frame, nil
}
