package kernels

// SpaceGeom is the geometry of SPACE_TO_BATCH_ND and BATCH_TO_SPACE_ND on
// [batch, height, width, depth] tensors (a rank-3 tensor is width 1) of
// elements of ES bytes: Batch is the batch of the spatial tensor, H and W
// its height and width after padding (SPACE_TO_BATCH) or before cropping
// (BATCH_TO_SPACE) less the pad or crop, BH and BW the block shape, Top and
// Left the padding or cropping before each spatial dimension, and Depth the
// elements of the innermost dimension.
type SpaceGeom struct {
	ES, Batch, Depth int
	H, W             int // spatial tensor
	OH, OW           int // batched tensor
	BH, BW           int
	Top, Left        int
}

// SpaceToBatch moves each BH x BW block of positions of the spatial tensor
// in into the batches of out: out batch (offH*BW + offW)*Batch + b, row y,
// column x reads in batch b, row y*BH + offH - Top, column x*BW + offW -
// Left, or pad (one element) where that lies in the padding.
func SpaceToBatch(g *SpaceGeom, in, out, pad []byte) {
	row := g.Depth * g.ES
	for ob := range g.Batch * g.BH * g.BW {
		b, so := ob%g.Batch, ob/g.Batch
		offH, offW := so/g.BW, so%g.BW
		for y := range g.OH {
			ih := y*g.BH + offH - g.Top
			for x := range g.OW {
				iw := x*g.BW + offW - g.Left
				dst := out[((ob*g.OH+y)*g.OW+x)*row:][:row]
				if ih < 0 || ih >= g.H || iw < 0 || iw >= g.W {
					FillBytes(dst, pad)
					continue
				}
				copy(dst, in[((b*g.H+ih)*g.W+iw)*row:][:row])
			}
		}
	}
}

// BatchToSpace is the inverse of SpaceToBatch: in is the batched tensor,
// out the spatial one, and the positions that fall in the crop are dropped.
func BatchToSpace(g *SpaceGeom, in, out []byte) {
	row := g.Depth * g.ES
	for ib := range g.Batch * g.BH * g.BW {
		b, so := ib%g.Batch, ib/g.Batch
		offH, offW := so/g.BW, so%g.BW
		for y := range g.OH {
			oh := y*g.BH + offH - g.Top
			if oh < 0 || oh >= g.H {
				continue
			}
			for x := range g.OW {
				ow := x*g.BW + offW - g.Left
				if ow < 0 || ow >= g.W {
					continue
				}
				copy(out[((b*g.H+oh)*g.W+ow)*row:][:row], in[((ib*g.OH+y)*g.OW+x)*row:][:row])
			}
		}
	}
}
