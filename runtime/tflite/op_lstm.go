package tflite

import (
	"math"

	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/kernels"
)

func init() {
	register("UNIDIRECTIONAL_SEQUENCE_LSTM", prepareSequenceLSTM)
	register("LSTM", prepareLSTM)
}

// The four gates of an LSTM cell, in the order TFLite lists their tensors.
const (
	gateInput = iota
	gateForget
	gateCell
	gateOutput
)

// lstmTensors are the input positions of one LSTM direction in its
// operator (TFLite's lstm::full layout; BIDIRECTIONAL_SEQUENCE_LSTM has one
// such set per direction).
type lstmTensors struct {
	w, r, bias, ln [4]int
	peep           [4]int // -1 for the cell gate, which has none
	proj, projBias int
	h, c           int // output state and cell state (variables)
}

// lstmFull is the layout of UNIDIRECTIONAL_SEQUENCE_LSTM and LSTM.
var lstmFull = lstmTensors{
	w:    [4]int{1, 2, 3, 4},
	r:    [4]int{5, 6, 7, 8},
	peep: [4]int{9, 10, -1, 11},
	bias: [4]int{12, 13, 14, 15},
	proj: 16, projBias: 17,
	h: 18, c: 19,
	ln: [4]int{20, 21, 22, 23},
}

// lstmArity checks for the 20 or 24 inputs (without or with layer norm
// coefficients) and one output of the full LSTM kernel; most inputs are
// optional, readLSTMCell checks which.
func lstmArity(c *opCtx) error {
	if n := c.numInputs(); n != 20 && n != 24 {
		return c.invalid("has %d inputs, want 20 or 24", n)
	}
	return c.arity(1, 24, 1)
}

// lstmOptions are the options both LSTM option tables share: fused
// activation (slot 0), cell_clip (1), proj_clip (2).
type lstmOptions struct {
	act      kernels.Activation
	cellClip float32
	projClip float32
}

func readLSTMOptions(c *opCtx) (lstmOptions, error) {
	o := lstmOptions{act: kernels.Activation(c.n.opts.u8(0, 0)), cellClip: c.n.opts.f32(1, 0), projClip: c.n.opts.f32(2, 0)}
	if o.act > kernels.ActTanh {
		return o, c.unsupported("activation %d", o.act)
	}
	if math.IsNaN(float64(o.cellClip)) || math.IsNaN(float64(o.projClip)) || o.cellClip < 0 || o.projClip < 0 {
		return o, c.invalid("cell_clip %v and proj_clip %v must be non-negative numbers", o.cellClip, o.projClip)
	}
	return o, nil
}

// lstmDims are the sizes of one LSTM run. The input holds batch×time rows
// of n values (time×batch when timeMajor); the output holds the same rows
// of outStride values, this direction's at outOffset.
type lstmDims struct {
	batch, time         int
	input, cell, output int
	timeMajor, reverse  bool
	outStride, outOff   int
}

// row returns the input and output row of batch b at time t.
func (d *lstmDims) row(b, t int) int {
	if d.reverse {
		t = d.time - 1 - t
	}
	if d.timeMajor {
		return t*d.batch + b
	}
	return b*d.time + t
}

// lstmCell is what a prepared LSTM direction knows of its tensors.
type lstmCell struct {
	d                    lstmDims
	w, r, bias, ln       [4]*tensor
	peep                 [4]*tensor
	in, proj, projBias   *tensor
	h, c, out            *tensor
	cifg, diag, layerNrm bool
}

// prepareSequenceLSTM reads UnidirectionalSequenceLSTMOptions: activation
// 0, cell_clip 1, proj_clip 2, time_major 3, asymmetric_quantize_inputs 4,
// diagonal_recurrent_tensors 5.
func prepareSequenceLSTM(c *opCtx) (kernel, error) {
	if err := lstmArity(c); err != nil {
		return nil, err
	}
	opts, err := readLSTMOptions(c)
	if err != nil {
		return nil, err
	}
	in := c.input(0)
	if len(in.shape) != 3 {
		return nil, c.invalid("input %s must be 3-D", in)
	}
	timeMajor := c.n.opts.boolean(3)
	d := lstmDims{batch: in.shape[0], time: in.shape[1], input: in.shape[2], timeMajor: timeMajor}
	if timeMajor {
		d.batch, d.time = d.time, d.batch
	}
	return prepareLSTMCell(c, lstmFull, in, d, opts, c.n.opts.boolean(4))
}

// prepareLSTM reads LSTMOptions: activation 0, cell_clip 1, proj_clip 2,
// kernel_type 3 (0 full, 1 basic), asymmetric_quantize_inputs 4. The input
// is [batch, input], one time step.
func prepareLSTM(c *opCtx) (kernel, error) {
	if c.n.opts.u8(3, 0) != 0 {
		return nil, c.unsupported("the basic LSTM kernel type")
	}
	if err := lstmArity(c); err != nil {
		return nil, err
	}
	opts, err := readLSTMOptions(c)
	if err != nil {
		return nil, err
	}
	in := c.input(0)
	if len(in.shape) != 2 {
		return nil, c.invalid("input %s must be 2-D", in)
	}
	d := lstmDims{batch: in.shape[0], time: 1, input: in.shape[1]}
	return prepareLSTMCell(c, lstmFull, in, d, opts, c.n.opts.boolean(4))
}

// prepareLSTMCell checks one LSTM direction's tensors against the sizes
// its input gives and picks the float32 or integer kernel.
func prepareLSTMCell(c *opCtx, lt lstmTensors, in *tensor, d lstmDims, opts lstmOptions, asymmetric bool) (kernel, error) {
	cell, err := readLSTMCell(c, lt, in, d)
	if err != nil {
		return nil, err
	}
	outShape := append([]int(nil), in.shape...)
	outShape[len(outShape)-1] = cell.d.output
	if err := c.settleOutput(0, in.dtype, outShape); err != nil {
		return nil, err
	}
	cell.out = c.output(0)
	if !sameShape(cell.out.shape, outShape) || cell.out.dtype != in.dtype {
		return nil, c.invalid("output %s should be %s%v", cell.out, in.dtype, outShape)
	}
	cell.d.outStride = cell.d.output
	wt := cell.w[gateOutput].dtype
	switch {
	case in.dtype == runtime.Float32 && wt == runtime.Float32:
		return newLSTMF32(c, cell, opts)
	case in.dtype == runtime.Int8 && wt == runtime.Int8:
		return newLSTMQ(c, cell, opts)
	case in.dtype == runtime.Float32 && (wt == runtime.Int8 || wt == runtime.UInt8):
		return newLSTMHybrid(c, cell, opts, asymmetric)
	}
	return nil, c.unsupported("input %s with weights %s", in.dtype, wt)
}

// readLSTMCell finds and checks the tensors of one direction.
func readLSTMCell(c *opCtx, lt lstmTensors, in *tensor, d lstmDims) (*lstmCell, error) {
	l := &lstmCell{d: d, in: in}
	input := func(i int) *tensor {
		if i < 0 {
			return nil
		}
		return c.input(i)
	}
	for g := range 4 {
		l.w[g], l.r[g], l.bias[g] = input(lt.w[g]), input(lt.r[g]), input(lt.bias[g])
		l.ln[g], l.peep[g] = input(lt.ln[g]), input(lt.peep[g])
	}
	l.proj, l.projBias = input(lt.proj), input(lt.projBias)
	l.h, l.c = input(lt.h), input(lt.c)
	l.cifg = l.w[gateInput] == nil
	l.layerNrm = l.ln[gateForget] != nil
	for _, g := range []int{gateForget, gateCell, gateOutput} {
		if l.w[g] == nil || l.r[g] == nil {
			return nil, c.invalid("the %s gate's input and recurrent weights are required", gateNames[g])
		}
	}
	if l.cifg != (l.r[gateInput] == nil) {
		return nil, c.invalid("input-gate weights: input and recurrent must both be present or both absent")
	}
	if l.h == nil || l.c == nil {
		return nil, c.invalid("output state and cell state are required")
	}
	if !l.h.variable || !l.c.variable {
		return nil, c.invalid("output state %s and cell state %s must be variable tensors", l.h, l.c)
	}
	w := l.w[gateOutput]
	if len(w.shape) != 2 || w.shape[1] != d.input {
		return nil, c.invalid("input-to-output weights %s must be [cells, %d]", w, d.input)
	}
	l.d.cell = w.shape[0]
	r := l.r[gateOutput]
	l.diag = len(r.shape) == 1
	if l.diag {
		l.d.output = r.shape[0]
	} else if len(r.shape) == 2 {
		l.d.output = r.shape[1]
	}
	if len(r.shape) < 1 || len(r.shape) > 2 || r.shape[0] != l.d.cell {
		return nil, c.invalid("recurrent-to-output weights %s must be [%d, outputs] or [%d]", r, l.d.cell, l.d.cell)
	}
	nc, no := l.d.cell, l.d.output
	if l.d.cell == 0 || no == 0 || d.input == 0 {
		return nil, c.invalid("LSTM with %d cells, %d outputs and %d inputs", nc, no, d.input)
	}
	want := func(t *tensor, what string, dims ...int) error {
		if t == nil {
			return nil
		}
		if !t.isConst() {
			return c.unsupported("%s %s computed at run time", what, t)
		}
		if !sameShape(t.shape, dims) {
			return c.invalid("%s %s should have shape %v", what, t, dims)
		}
		return nil
	}
	for g := range 4 {
		if err := want(l.w[g], gateNames[g]+" input weights", nc, d.input); err != nil {
			return nil, err
		}
		rdims := []int{nc, no}
		if l.diag {
			rdims = []int{nc}
		}
		if err := want(l.r[g], gateNames[g]+" recurrent weights", rdims...); err != nil {
			return nil, err
		}
		if err := want(l.peep[g], gateNames[g]+" peephole weights", nc); err != nil {
			return nil, err
		}
		if err := want(l.bias[g], gateNames[g]+" bias", nc); err != nil {
			return nil, err
		}
		if err := want(l.ln[g], gateNames[g]+" layer norm coefficients", nc); err != nil {
			return nil, err
		}
		if g != gateInput || !l.cifg {
			if l.bias[g] == nil {
				return nil, c.invalid("the %s gate's bias is required", gateNames[g])
			}
			if l.layerNrm && l.ln[g] == nil {
				return nil, c.invalid("layer normalization needs the %s gate's coefficients", gateNames[g])
			}
		}
	}
	if (l.peep[gateForget] == nil) != (l.peep[gateOutput] == nil) || (!l.cifg && (l.peep[gateInput] == nil) != (l.peep[gateForget] == nil)) {
		return nil, c.invalid("peephole weights must be all present or all absent")
	}
	if err := want(l.proj, "projection weights", no, nc); err != nil {
		return nil, err
	}
	if err := want(l.projBias, "projection bias", no); err != nil {
		return nil, err
	}
	if l.proj == nil && no != nc {
		return nil, c.invalid("%d outputs without projection, want %d (the cells)", no, nc)
	}
	if rows := d.batch * d.time; rows > maxTensorBytes/(16*nc) {
		// The float kernels keep the four gates' input products of every
		// step (rows × 4 × cells float32 values).
		return nil, c.unsupported("%d steps of %d cells need more than %d bytes of gate memory", rows, nc, maxTensorBytes)
	}
	if l.h.numElements() != d.batch*no || l.c.numElements() != d.batch*nc {
		return nil, c.invalid("states %s and %s should hold %d×%d and %d×%d values", l.h, l.c, d.batch, no, d.batch, nc)
	}
	return l, nil
}

var gateNames = [4]string{"input", "forget", "cell", "output"}

// present lists the gates the cell computes (no input gate with CIFG).
func (l *lstmCell) present() []int {
	if l.cifg {
		return []int{gateForget, gateCell, gateOutput}
	}
	return []int{gateInput, gateForget, gateCell, gateOutput}
}

// stackF32 concatenates the given gates' matrices (rows of k values) and
// their biases into one packed matrix.
func stackF32(ts [4]*tensor, bias [4]*tensor, gates []int, n, k int) *kernels.PackedF32 {
	w := make([]float32, 0, len(gates)*n*k)
	var b []float32
	for _, g := range gates {
		w = append(w, f32(ts[g].data)...)
		if bias[g] != nil {
			b = append(b, f32(bias[g].data)...)
		} else {
			b = append(b, make([]float32, n)...)
		}
	}
	return kernels.PackF32(w, len(gates)*n, k, b)
}

// lstmF32 is a float32 LSTM direction: lstm_eval's EvalFloat. The input
// products of every time step are computed first, as one matrix product.
type lstmF32 struct {
	d        lstmDims
	gates    []int
	pos      [4]int // offset of each present gate in the stacked gates
	w        lstmMat
	r        lstmMat // absent for diagonal recurrent weights
	rDiag    [4][]float32
	peep     [4][]float32
	ln, lnB  [4][]float32
	proj     lstmMat // absent without projection
	act      kernels.Activation
	cellClip float32
	projClip float32
}

func newLSTMF32(c *opCtx, l *lstmCell, o lstmOptions) (kernel, error) {
	for _, t := range []*tensor{l.h, l.c, l.proj, l.projBias} {
		if t != nil && t.dtype != runtime.Float32 {
			return nil, c.invalid("%s should be float32", t)
		}
	}
	k := &lstmF32{d: l.d, gates: l.present(), act: o.act, cellClip: o.cellClip, projClip: o.projClip}
	nc := l.d.cell
	for i, g := range k.gates {
		k.pos[g] = i * nc
		for _, t := range []*tensor{l.w[g], l.r[g], l.peep[g], l.bias[g], l.ln[g]} {
			if t != nil && t.dtype != runtime.Float32 {
				return nil, c.invalid("%s should be float32", t)
			}
		}
		if l.peep[g] != nil {
			k.peep[g] = f32(l.peep[g].data)
		}
		if l.layerNrm {
			k.ln[g], k.lnB[g] = f32(l.ln[g].data), f32(l.bias[g].data)
		}
		if l.diag {
			k.rDiag[g] = f32(l.r[g].data)
		}
	}
	bias := l.bias
	if l.layerNrm {
		bias = [4]*tensor{}
	}
	k.w.f = stackF32(l.w, bias, k.gates, nc, l.d.input)
	if !l.diag {
		k.r.f = stackF32(l.r, [4]*tensor{}, k.gates, nc, l.d.output)
	}
	if l.proj != nil {
		k.proj.f = kernels.PackF32(f32(l.proj.data), l.d.output, nc, constF32(l.projBias))
	}
	return k, nil
}

// lstmMat is one matrix product of an LSTM, out[rows×N] = in[rows×K]·Wᵀ +
// bias: float32 weights, or int8 weights with each input row quantized on
// the fly (hybrid). The zero value is an absent product.
type lstmMat struct {
	f *kernels.PackedF32
	h *kernels.FullyConnectedHybrid
}

// bind returns the product for one session, with scratch memory for up to
// maxRows input rows.
func (m lstmMat) bind(maxRows int) func(in []float32, rows int, out []float32) {
	if m.f != nil {
		return func(in []float32, rows int, out []float32) {
			kernels.GemmF32(in, m.f.K, rows, m.f, 0, m.f.Panels(), out, m.f.N, -maxF32, maxF32)
		}
	}
	if m.h == nil {
		return nil
	}
	q := make([]int8, maxRows*m.h.W.K)
	scale, zp := make([]float32, maxRows), make([]int32, maxRows)
	return func(in []float32, rows int, out []float32) {
		m.h.Quantize(in, q, scale, zp, 0, rows)
		m.h.Run(q, scale, zp, out, 0, rows, 0, m.h.Panels())
	}
}

func (k *lstmF32) bind(b *binding) step {
	lt := lstmFull
	return k.bindDir(b.ins[0], b.ins[lt.h], b.ins[lt.c], b.outs[0])
}

// bindDir binds one direction to its input, states and output.
func (k *lstmF32) bindDir(in, h, c, out []byte) step {
	d := &k.d
	g := len(k.gates) * d.cell
	r := &lstmF32Run{
		k: k, in: f32(in), h: f32(h), c: f32(c), out: f32(out),
		xg:     make([]float32, d.batch*d.time*g),
		rg:     make([]float32, g),
		hidden: make([]float32, d.cell),
		w:      k.w.bind(d.batch * d.time),
		r:      k.r.bind(1),
		proj:   k.proj.bind(1),
	}
	return r.run
}

// lstmF32Run is one session's binding of an lstmF32.
type lstmF32Run struct {
	k              *lstmF32
	in, h, c, out  []float32
	xg, rg, hidden []float32
	w, r, proj     func(in []float32, rows int, out []float32)
}

const maxF32 = math.MaxFloat32

func (r *lstmF32Run) run() error {
	k, d := r.k, &r.k.d
	g := len(k.gates) * d.cell
	rows := d.batch * d.time
	r.w(r.in, rows, r.xg)
	nc, no := d.cell, d.output
	for b := range d.batch {
		h, c := r.h[b*no:(b+1)*no], r.c[b*nc:(b+1)*nc]
		for t := range d.time {
			row := d.row(b, t)
			pre := r.xg[row*g : (row+1)*g]
			if r.r != nil {
				r.r(h, 1, r.rg)
				for i, v := range r.rg {
					pre[i] += v
				}
			} else {
				for _, gt := range k.gates {
					gp := pre[k.pos[gt] : k.pos[gt]+nc]
					for j, w := range k.rDiag[gt] {
						gp[j] += w * h[j]
					}
				}
			}
			gate := func(gt int) []float32 { return pre[k.pos[gt] : k.pos[gt]+nc] }
			if !k.cifg() {
				k.finishGate(gateInput, gate(gateInput), c, kernels.Sigmoid)
			}
			f := gate(gateForget)
			k.finishGate(gateForget, f, c, kernels.Sigmoid)
			cg := gate(gateCell)
			k.finishGate(gateCell, cg, nil, k.activate)
			for j := range c {
				in := float32(0)
				if k.cifg() {
					in = 1 - f[j]
				} else {
					in = pre[k.pos[gateInput]+j]
				}
				c[j] = f[j]*c[j] + in*cg[j]
				if k.cellClip > 0 {
					c[j] = min(max(c[j], -k.cellClip), k.cellClip)
				}
			}
			o := gate(gateOutput)
			k.finishGate(gateOutput, o, c, kernels.Sigmoid)
			for j := range c {
				r.hidden[j] = o[j] * k.activate(c[j])
			}
			if r.proj != nil {
				r.proj(r.hidden, 1, h)
				if k.projClip > 0 {
					for j := range h {
						h[j] = min(max(h[j], -k.projClip), k.projClip)
					}
				}
			} else {
				copy(h, r.hidden)
			}
			o0 := row*d.outStride + d.outOff
			copy(r.out[o0:o0+no], h)
		}
	}
	return nil
}

func (k *lstmF32) cifg() bool { return k.gates[0] != gateInput }

// finishGate adds the peephole term (cell state c) and layer normalization
// to gate gt's pre-activation v and applies f.
func (k *lstmF32) finishGate(gt int, v, c []float32, f func(float32) float32) {
	if p := k.peep[gt]; p != nil && c != nil {
		for j := range v {
			v[j] += p[j] * c[j]
		}
	}
	if k.ln[gt] != nil {
		var sum float32
		for _, x := range v {
			sum += x
		}
		mean := sum / float32(len(v))
		var sq float32
		for _, x := range v {
			sq += (x - mean) * (x - mean)
		}
		inv := 1 / float32(math.Sqrt(float64(sq/float32(len(v))+1e-8)))
		for j, x := range v {
			v[j] = (x-mean)*inv*k.ln[gt][j] + k.lnB[gt][j]
		}
	}
	for j, x := range v {
		v[j] = f(x)
	}
}

// activate applies the cell's activation (the options' fused activation).
func (k *lstmF32) activate(x float32) float32 { return activateF32(k.act, x) }

// activateF32 applies a fused activation to one value, as TFLite's
// ApplyActivationToVector does.
func activateF32(act kernels.Activation, x float32) float32 {
	switch act {
	case kernels.ActTanh:
		return kernels.Tanh(x)
	case kernels.ActNone:
		return x
	}
	lo, hi := act.FloatRange()
	return min(max(x, lo), hi)
}
