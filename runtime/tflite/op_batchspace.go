package tflite

import (
	"github.com/edgeinfer/edgeinfer/runtime/kernels"
)

// maxBlock bounds block sizes, paddings and spatial sizes, which keeps the
// size arithmetic within 32-bit ints; real models use far smaller ones.
const maxBlock = 1 << 16

func init() {
	register("SPACE_TO_BATCH_ND", func(c *opCtx) (kernel, error) { return prepareBatchSpace(c, true) })
	register("BATCH_TO_SPACE_ND", func(c *opCtx) (kernel, error) { return prepareBatchSpace(c, false) })
}

// prepareBatchSpace handles SPACE_TO_BATCH_ND (toBatch) and
// BATCH_TO_SPACE_ND on rank-3 or rank-4 tensors with a constant block
// shape and constant paddings (or crops), as TFLite does. Padding takes
// the output's zero point; every output element of BATCH_TO_SPACE_ND comes
// from exactly one input element.
func prepareBatchSpace(c *opCtx, toBatch bool) (kernel, error) {
	if err := c.arity(3, 3, 1); err != nil {
		return nil, err
	}
	in := c.input(0)
	block, ok1 := shapeOpInts(c.input(1))
	pads, ok2 := shapeOpInts(c.input(2))
	if len(in.shape) != 3 && len(in.shape) != 4 {
		return nil, c.unsupported("input %s: rank %d, want 3 or 4", in, len(in.shape))
	}
	m := len(in.shape) - 2
	if !ok1 || !ok2 || len(block) != m || len(pads) != 2*m {
		return nil, c.unsupported("block shape %s and paddings %s must be constants of %d and %dx2 values", c.input(1), c.input(2), m, m)
	}
	for len(block) < 2 {
		block, pads = append(block, 1), append(pads, 0, 0)
	}
	sh := append([]int(nil), in.shape...)
	if m == 1 {
		sh = []int{sh[0], sh[1], 1, sh[2]}
	}
	for i, v := range block {
		if v < 1 || pads[2*i] < 0 || pads[2*i+1] < 0 {
			return nil, c.invalid("block shape %v and paddings %v", block, pads)
		}
		// Limits that keep the size arithmetic below within 32 bits.
		if v > maxBlock || pads[2*i] > maxBlock || pads[2*i+1] > maxBlock || sh[i+1] > maxBlock {
			return nil, c.unsupported("block shape %v, paddings %v and input %s exceed %d", block, pads, in, maxBlock)
		}
	}
	bh, bw := block[0], block[1]
	if uint64(sh[0])*uint64(bh)*uint64(bw) > maxTensorBytes {
		return nil, c.invalid("batch %d times block %dx%d is too large", sh[0], bh, bw)
	}
	g := &kernels.SpaceGeom{ES: in.dtype.Size(), Depth: sh[3], BH: bh, BW: bw, Top: pads[0], Left: pads[2]}
	var outShape []int
	if toBatch {
		ph, pw := sh[1]+pads[0]+pads[1], sh[2]+pads[2]+pads[3]
		if ph%bh != 0 || pw%bw != 0 {
			return nil, c.invalid("padded spatial size %dx%d of %s is not a multiple of the block %dx%d", ph, pw, in, bh, bw)
		}
		g.Batch, g.H, g.W, g.OH, g.OW = sh[0], sh[1], sh[2], ph/bh, pw/bw
		outShape = []int{sh[0] * bh * bw, g.OH, g.OW, sh[3]}
	} else {
		if sh[0]%(bh*bw) != 0 {
			return nil, c.invalid("batch of %s is not a multiple of the block %dx%d", in, bh, bw)
		}
		g.Batch, g.OH, g.OW = sh[0]/(bh*bw), sh[1], sh[2]
		g.H, g.W = sh[1]*bh-pads[0]-pads[1], sh[2]*bw-pads[2]-pads[3]
		if g.H < 0 || g.W < 0 {
			return nil, c.invalid("crops %v exceed %s", pads, in)
		}
		outShape = []int{g.Batch, g.H, g.W, sh[3]}
	}
	if m == 1 {
		outShape = []int{outShape[0], outShape[1], outShape[3]}
	}
	if err := settleShapeOut(c, in.dtype, outShape); err != nil {
		return nil, err
	}
	out := c.output(0)
	if err := checkMove(c, in, out); err != nil {
		return nil, err
	}
	if !toBatch {
		return kernelFunc(func(b *binding) error {
			kernels.BatchToSpace(g, b.ins[0], b.outs[0])
			return nil
		}), nil
	}
	pad := make([]byte, g.ES)
	if shapeOpIs8Bit(out.dtype) {
		pad[0] = byte(out.zeroPoint())
	}
	return kernelFunc(func(b *binding) error {
		kernels.SpaceToBatch(g, b.ins[0], b.outs[0], pad)
		return nil
	}), nil
}
