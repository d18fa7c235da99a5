package api

import "strings"

// DatatypeBytes is the datatype of an input that carries an encoded file
// (an image or a WAV file) instead of a tensor; its parameters name the
// file's content type.
const DatatypeBytes = "BYTES"

// MediaTypes are the content types of the encoded inputs the agent
// prepares itself.
var MediaTypes = []string{"image/jpeg", "image/png", "image/bmp", "audio/wav"}

// mediaKinds maps each content type the agent takes, MediaTypes and the
// other names WAV files go by, to the kind of input it feeds.
var mediaKinds = map[string]string{
	"image/jpeg": "image", "image/png": "image", "image/bmp": "image",
	"audio/wav": "audio", "audio/x-wav": "audio", "audio/wave": "audio",
}

// MediaKind names the kind of input ("image" or "audio") a content type
// feeds, ignoring case and parameters ("audio/WAV; codec=1" is audio);
// ok is false for a type the agent does not prepare.
func MediaKind(contentType string) (kind string, ok bool) {
	ct, _, _ := strings.Cut(strings.ToLower(contentType), ";")
	kind, ok = mediaKinds[strings.TrimSpace(ct)]
	return kind, ok
}

// Decoded is what a model's outputs say, read as the model's metadata (or
// its configuration) describes them: the answer to a request that sent an
// encoded image or WAV file.
type Decoded struct {
	// Kind is classification, detection, ssd, segmentation or landmarks.
	Kind string `json:"kind"`
	// Classes are the top classes of a classifier, best first (audio:
	// scores averaged over Windows).
	Classes []Class `json:"classes,omitempty"`
	// Detections are boxes in the original image's pixels, best first.
	Detections []Detection `json:"detections,omitempty"`
	// Segments are the classes of a segmentation with the share of pixels
	// each holds, largest first; MaskPNG is the mask, when asked for, as a
	// PNG of the original image's size (base64 in JSON).
	Segments []Segment `json:"segments,omitempty"`
	MaskPNG  []byte    `json:"mask_png,omitempty"`
	// Landmarks are points in the original image's pixels.
	Landmarks []Point `json:"landmarks,omitempty"`
	// Width and Height are the original image's size; Windows the number
	// of audio windows the model ran on.
	Width   int `json:"width,omitempty"`
	Height  int `json:"height,omitempty"`
	Windows int `json:"windows,omitempty"`
}

// Class is one class of a classification: its index along the scores,
// its label ("" when the model has none for it) and its score.
type Class struct {
	Index int     `json:"index"`
	Label string  `json:"label,omitempty"`
	Score float32 `json:"score"`
}

// Point is a position in the original image's pixels.
type Point struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

// Detection is one object found in an image: its box in the original
// image's pixels, its class and label, its score and its keypoints (for
// detectors that give them).
type Detection struct {
	XMin      float64 `json:"xmin"`
	YMin      float64 `json:"ymin"`
	XMax      float64 `json:"xmax"`
	YMax      float64 `json:"ymax"`
	Class     int     `json:"class"`
	Label     string  `json:"label,omitempty"`
	Score     float32 `json:"score"`
	Keypoints []Point `json:"keypoints,omitempty"`
}

// Segment is the share of a segmentation's pixels one class holds.
type Segment struct {
	Class int     `json:"class"`
	Label string  `json:"label,omitempty"`
	Share float64 `json:"share"`
}

// SniffMediaType names the content type of an encoded file from its first
// bytes (JPEG, PNG, BMP or RIFF WAVE), not its name; "" when it is none of
// MediaTypes.
func SniffMediaType(b []byte) string {
	switch {
	case len(b) >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF:
		return "image/jpeg"
	case len(b) >= 8 && string(b[:8]) == "\x89PNG\r\n\x1a\n":
		return "image/png"
	case len(b) >= 2 && string(b[:2]) == "BM":
		return "image/bmp"
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WAVE":
		return "audio/wav"
	}
	return ""
}
