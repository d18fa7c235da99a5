package agent

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/edgeinfer/edgeinfer/api"
	"github.com/edgeinfer/edgeinfer/media"
)

// MediaRequest asks a model to take an encoded image or WAV file, prepared
// as the model's metadata says, and to answer with what its outputs say.
type MediaRequest struct {
	// Model names the model; Version, when set, must be the active one.
	Model, Version string
	// ContentType is one of api.MediaTypes; Data the file's bytes.
	ContentType string
	Data        []byte
	// TopK classes are listed (0 = 5); Mask asks for a segmentation's
	// mask as a PNG.
	TopK int
	Mask bool
	// NoCache and Caller are as in Request.
	NoCache bool
	Caller  string
}

// MediaResponse is what a model's outputs said of a file.
type MediaResponse struct {
	Model, Version string
	Decoded        api.Decoded
	// Queue and Compute add up over the runs (one per audio window).
	Queue, Compute time.Duration
}

// Bounds of the memory decoding takes: at most mediaDecodes files are
// decoded at once, each of at most mediaMaxPixels pixels (a 12-megapixel
// photo takes about 85 MB while it is decoded).
const (
	mediaDecodes   = 2
	mediaMaxPixels = 12 << 20
)

// mediaTask is a loaded version's media task, or why it has none.
type mediaTask struct {
	in   *instance
	task *media.Task
	err  error
}

// task returns the version e serves and its media task, deriving the task
// on first use from the model's description (its metadata) and the media
// options of its configuration; ErrNotReady when e serves no version. It
// reads only the version's fixed fields: the server asks it of every
// binary request (TakesMedia).
func (a *Agent) task(e *entry) (in *instance, task *media.Task, err error) {
	in = e.cur.Load()
	if in == nil {
		return nil, nil, fmt.Errorf("%w: model %s has no version serving", ErrNotReady, e.name)
	}
	if t := e.media.Load(); t != nil && t.in == in {
		return in, t.task, t.err
	}
	t := &mediaTask{in: in}
	field := "models." + e.name + ".media"
	o, err := in.cfg.Media.options(field, in.path, in.inputs, in.outputs)
	if err == nil {
		t.task, err = media.NewTask(in.inputs, in.outputs, in.desc, o)
	}
	if err != nil {
		t.err = fmt.Errorf("%w: model %s takes no encoded files: %w", ErrBadRequest, e.name, err)
	}
	e.media.Store(t)
	return in, t.task, t.err
}

// InferMedia decodes an encoded image or WAV file, prepares it as the
// model's metadata says (size, normalization; sample rate, windows), runs
// the model through Infer (once per audio window, all on one version) and
// reads its outputs: classes with labels, detections, a segmentation or
// landmarks. Undecodable files, and models whose metadata does not say
// how to take them, get ErrBadRequest.
func (a *Agent) InferMedia(ctx context.Context, req *MediaRequest) (*MediaResponse, error) {
	e, ok := a.entry(req.Model)
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrNoModel, req.Model)
	}
	kind, ok := api.MediaKind(req.ContentType)
	if !ok {
		return nil, fmt.Errorf("%w: content type %q: the agent prepares %s", ErrBadRequest, req.ContentType, strings.Join(api.MediaTypes, ", "))
	}
	cur, task, err := a.task(e)
	if err != nil {
		return nil, err
	}
	if (kind == "audio") != (task.Audio != nil) {
		want := "an image"
		if task.Audio != nil {
			want = "a WAV file"
		}
		return nil, fmt.Errorf("%w: model %s takes %s, not %s", ErrBadRequest, cur.name, want, req.ContentType)
	}
	if req.TopK > 0 {
		t := *task
		t.TopK = req.TopK
		task = &t
	}
	// Decoding takes far more memory than the file (an image's pixels
	// twice over): at most mediaDecodes at once, each within
	// mediaMaxPixels.
	select {
	case a.decodes <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: waiting to decode %s: %w", ErrDeadline, req.ContentType, ctx.Err())
	}
	p, err := task.Prepare(req.Data, mediaMaxPixels)
	<-a.decodes
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrBadRequest, req.ContentType, err)
	}
	version := cmp.Or(req.Version, cur.version)
	resp := &MediaResponse{Model: cur.name, Version: version}
	var runs [][][]byte
	for _, tensor := range p.Tensors {
		in := cur.inputs[task.Input]
		r, err := a.Infer(ctx, &Request{Model: cur.name, Version: version, NoCache: req.NoCache, Caller: req.Caller,
			Inputs: []Tensor{{Name: in.Name, DType: in.DType, Shape: slices.Clone(in.Shape), Data: tensor}}})
		if err != nil {
			return nil, err
		}
		outs := make([][]byte, len(r.Outputs))
		for i, o := range r.Outputs {
			outs[i] = o.Data
		}
		runs = append(runs, outs)
		resp.Queue += r.Queue
		resp.Compute += r.Compute
	}
	res, err := task.Read(cur.outputs, runs, p)
	if err != nil {
		return nil, fmt.Errorf("model %s: %w", cur.name, err)
	}
	resp.Decoded = res.Decoded
	if req.Mask {
		if res.Mask == nil {
			return nil, fmt.Errorf("%w: model %s gives no mask (it is %s)", ErrBadRequest, cur.name, res.Kind)
		}
		var b bytes.Buffer
		if err := res.Mask.WritePNG(&b, p.Frame, p.Width, p.Height); err != nil {
			return nil, fmt.Errorf("model %s: mask: %w", cur.name, err)
		}
		resp.Decoded.MaskPNG = b.Bytes()
	}
	return resp, nil
}

// TakesMedia reports whether model name's active version can take encoded
// files: its metadata says how to prepare them.
func (a *Agent) TakesMedia(name string) bool {
	e, ok := a.entry(name)
	if !ok {
		return false
	}
	_, _, err := a.task(e)
	return err == nil
}
