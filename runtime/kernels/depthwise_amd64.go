//go:build !purego

package kernels

//go:generate go run gen_depthwise512.go

// dwF32Tile is the AVX-512 f32Cols (and f32Row): groups of 8 and 4 output
// pixels share each weight load (depthwise512_amd64.s).
//
//go:noescape
func dwF32Tile(x *float32, rowStep, colStep int, w *float32, kh, kw, wSkip, nc, cs int, bias *float32, lo, hi float32, out *float32, n, xStep, outStep int)

// dwQTile and dwQTileU are the AVX-512 VNNI qTile and qTileU: VPDPBUSD
// on four taps at a time.
//
//go:noescape
func dwQTile(x *byte, offs *int, ng int, w *byte, nc, cs int, add *int32, scale *float32, lo, hi float32, zp, xflip, oflip, wzp int32, out *byte, n, xStep int)

//go:noescape
func dwQTileU(x *byte, offs *int, ng int, w *byte, nc, cs int, add *int32, scale *float32, lo, hi float32, zp, xflip, oflip, wzp int32, out *byte, n, xStep int)
