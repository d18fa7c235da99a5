package kernels

// FillBytes repeats the element v (its bytes) over out, doubling the
// filled prefix on each copy.
func FillBytes(out, v []byte) {
	if len(v) == 0 || len(out) < len(v) {
		return
	}
	n := copy(out, v)
	for n < len(out) {
		n += copy(out[n:], out[:n])
	}
}

// OneHot writes the one-hot encoding of idx, viewed as [outer, inner], into
// out, viewed as [outer, depth, inner] elements of len(on) bytes: on where
// the index equals the depth position, off elsewhere (also for every
// position of an index outside [0, depth)).
func OneHot[I ~int32 | ~int64](idx []I, out, on, off []byte, outer, depth, inner int) {
	es := len(on)
	for o := range outer {
		for d := range depth {
			row := out[(o*depth+d)*inner*es:]
			for i, v := range idx[o*inner : (o+1)*inner] {
				if int64(v) == int64(d) {
					copy(row[i*es:(i+1)*es], on)
				} else {
					copy(row[i*es:(i+1)*es], off)
				}
			}
		}
	}
}
