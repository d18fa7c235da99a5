package tflite

import (
	"context"
	"fmt"
	"unsafe"

	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/kernels"
)

// A model may hold more than one subgraph: the main one (index 0) runs;
// the others run when a control-flow operator of a running subgraph calls
// them (WHILE: condition and body, IF: two branches, CALL_ONCE: an
// initializer, STABLEHLO_COMPOSITE: its decomposition). Each subgraph is loaded as a Model of its own (tensors,
// operators, arena plan) whose top is the main Model; each session binds
// one arena per called subgraph per calling operator.

// maxSubgraphs caps the subgraphs of a file; the tensors and operators of
// all of them together stay within the main subgraph's caps.
const maxSubgraphs = 1 << 10

// parseSubgraphs loads subgraphs 1… of the file into m.subs (m.subs[0] is
// m) and refuses calls to a missing subgraph and recursion.
func (m *Model) parseSubgraphs(r *fbReader, tabs []fbTable, codes []opcode, bufs [][]byte) error {
	if len(tabs) > maxSubgraphs {
		return invalid("%d subgraphs, more than the %d this engine accepts", len(tabs), maxSubgraphs)
	}
	m.subs = []*Model{m}
	tensors, ops := len(m.tensors), len(m.nodes)
	for i, sg := range tabs[1:] {
		i++
		s := &Model{file: m.file, opCount: m.opCount, top: m, index: i}
		if err := s.parseGraph(r, sg, codes, bufs); err != nil {
			return fmt.Errorf("subgraph %d: %w", i, err)
		}
		tensors += len(s.tensors)
		ops += len(s.nodes)
		if tensors > maxTensors || ops > maxOperators {
			return invalid("subgraphs hold %d tensors and %d operators, more than the %d and %d this engine accepts", tensors, ops, maxTensors, maxOperators)
		}
		m.subs = append(m.subs, s)
	}
	for _, s := range m.subs {
		for _, n := range s.nodes {
			for _, callee := range calls(n) {
				if callee < 0 || callee >= len(m.subs) {
					return invalid("subgraph %d: operator %d (%s) calls subgraph %d of %d", s.index, n.index, n.name, callee, len(m.subs))
				}
			}
		}
	}
	return m.checkRecursion()
}

// parseGraph reads one subgraph's tensors, inputs, outputs and operators.
func (m *Model) parseGraph(r *fbReader, sg fbTable, codes []opcode, bufs [][]byte) error {
	if err := m.parseTensors(r, sg, bufs); err != nil {
		return err
	}
	var err error
	if m.inputs, err = m.tensorList(r, sg, 1, "subgraph inputs"); err != nil {
		return err
	}
	if m.outputs, err = m.tensorList(r, sg, 2, "subgraph outputs"); err != nil {
		return err
	}
	for _, x := range m.outputs {
		m.tensors[x].output = true
	}
	if err := m.parseOperators(r, sg, codes, m.file); err != nil {
		return err
	}
	m.initWritable()
	return m.checkGraph()
}

// calls lists the subgraphs an operator runs (from its options).
func calls(n *node) []int {
	switch n.name {
	case "WHILE", "IF": // WhileOptions cond 0, body 1; IfOptions then 0, else 1
		return []int{int(n.opts.i32(0, 0)), int(n.opts.i32(1, 0))}
	case "CALL_ONCE": // CallOnceOptions init_subgraph_index 0
		return []int{int(n.opts.i32(0, 0))}
	case "STABLEHLO_COMPOSITE": // StableHLOCompositeOptions decomposition_subgraph_index 1
		return []int{int(n.opts2.i32(1, -1))}
	}
	return nil
}

// checkRecursion refuses a subgraph that calls itself, directly or through
// others (TFLite would recurse without end), naming the operator that
// closes the cycle.
func (m *Model) checkRecursion() error {
	const (
		unseen = iota
		open
		done
	)
	state := make([]int, len(m.subs))
	var visit func(i int) error
	visit = func(i int) error {
		state[i] = open
		for _, n := range m.subs[i].nodes {
			for _, callee := range calls(n) {
				switch state[callee] {
				case open:
					return fmt.Errorf("%w: subgraph %d: operator %d (%s) calls subgraph %d, which is already running (recursion)", runtime.ErrUnsupported, i, n.index, n.name, callee)
				case unseen:
					if err := visit(callee); err != nil {
						return err
					}
				}
			}
		}
		state[i] = done
		return nil
	}
	for i := range m.subs {
		if state[i] == unseen {
			if err := visit(i); err != nil {
				return err
			}
		}
	}
	return nil
}

// prepareCalled prepares, callees first, every subgraph the main one
// calls (directly or not), folding its constants and planning its arena;
// subgraphs nothing calls are left alone.
func (m *Model) prepareCalled() error {
	seen := make([]bool, len(m.subs))
	for _, n := range m.nodes {
		if err := m.prepareCallees(n, seen); err != nil {
			return err
		}
	}
	return m.checkInstances()
}

// maxInstances caps the subgraph arenas one session binds: each calling
// operator binds its callees (and theirs) anew, so subgraphs that call
// the same one twice, level after level, would multiply without bound.
const maxInstances = 1 << 12

// checkInstances refuses a model whose sessions would bind more than
// maxInstances subgraph arenas, or arenas above maxArenaBytes in all.
func (m *Model) checkInstances() error {
	type cost struct{ n, bytes int }
	memo := map[*Model]cost{}
	var visit func(s *Model) cost
	visit = func(s *Model) cost {
		if c, ok := memo[s]; ok {
			return c
		}
		c := cost{1, s.plan.size}
		for _, n := range s.nodes {
			for _, callee := range calls(n) {
				cc := visit(m.subs[callee])
				c.n = min(c.n+cc.n, maxInstances+1)
				c.bytes = min(c.bytes+cc.bytes, maxArenaBytes+1)
			}
		}
		memo[s] = c
		return c
	}
	for _, n := range m.nodes {
		for _, callee := range calls(n) {
			if c := visit(m.subs[callee]); c.n > maxInstances || c.bytes > maxArenaBytes {
				return fmt.Errorf("%w: operator %d (%s): its subgraphs would take more than %d arenas or %d bytes per session", runtime.ErrUnsupported, n.index, n.name, maxInstances, maxArenaBytes)
			}
		}
	}
	return nil
}

// prepareCallees prepares the subgraphs n calls and theirs, skipping
// those marked in seen (and marking those it prepares).
func (m *Model) prepareCallees(n *node, seen []bool) error {
	for _, callee := range calls(n) {
		if seen[callee] {
			continue
		}
		seen[callee] = true
		s := m.subs[callee]
		for _, sn := range s.nodes {
			if err := m.prepareCallees(sn, seen); err != nil {
				return err
			}
		}
		if err := s.foldConstants(); err != nil {
			return fmt.Errorf("subgraph %d: %w", s.index, err)
		}
		if err := s.prepare(true); err != nil {
			return fmt.Errorf("subgraph %d: %w", s.index, err)
		}
		var err error
		if s.plan, err = planArena(s); err != nil {
			return fmt.Errorf("subgraph %d: %w", s.index, err)
		}
	}
	return nil
}

// subgraph returns subgraph i of the model m belongs to.
func (m *Model) subgraph(i int) *Model {
	if m.top != nil {
		return m.top.subs[i]
	}
	return m.subs[i]
}

// sessionState is what every subgraph of one session shares: the resource
// variables, the run's context, and what ResetState must reset.
type sessionState struct {
	ctx  context.Context
	vars map[string]*resourceVar
	// once marks the CALL_ONCE initializer subgraphs that have run.
	once   map[int]bool
	resets []func()
}

// reset returns the session to its initial state.
func (st *sessionState) reset() {
	clear(st.vars)
	clear(st.once)
	for _, f := range st.resets {
		f()
	}
}

// graphRun is one subgraph bound to an arena of one session.
type graphRun struct {
	m     *Model
	arena []byte
	bufs  [][]byte
	steps []step
}

// bindGraph allocates an arena for m and binds its kernels. Its variables
// start from their initial values and return to them on st.reset.
func bindGraph(m *Model, pool *kernels.Pool, generic bool, st *sessionState) *graphRun {
	g := &graphRun{m: m, bufs: make([][]byte, len(m.tensors))}
	// Over-allocate to align the arena start to arenaAlign.
	raw := make([]byte, m.plan.size+arenaAlign)
	pad := int(-uintptr(unsafe.Pointer(&raw[0])) & (arenaAlign - 1))
	g.arena = raw[pad : pad+m.plan.size : pad+m.plan.size]
	for i, t := range m.tensors {
		switch off := m.plan.offsets[i]; {
		case off >= 0:
			g.bufs[i] = g.arena[off : off+t.byteSize() : off+t.byteSize()]
			// A constant graph output, a variable or an input stored
			// with a value gets a writable copy of it (at most one of
			// data and init is set).
			copy(g.bufs[i], t.data)
			copy(g.bufs[i], t.init)
			if t.variable {
				resetVariable(t, g.bufs[i])
			}
		case t.isConst():
			g.bufs[i] = t.data
		}
	}
	st.resets = append(st.resets, g.resetVariables)
	g.steps = make([]step, len(m.nodes))
	for k, n := range m.nodes {
		b := &binding{ins: make([][]byte, len(n.inputs)), outs: make([][]byte, len(n.outputs)), pool: pool, generic: generic, state: st}
		for j, t := range n.inputs {
			if t >= 0 {
				b.ins[j] = g.bufs[t]
			}
		}
		for j, t := range n.outputs {
			b.outs[j] = g.bufs[t]
		}
		g.steps[k] = n.kernel.bind(b)
	}
	return g
}

// resetVariables gives every variable tensor its initial value.
func (g *graphRun) resetVariables() {
	for i, t := range g.m.tensors {
		if t.variable && g.m.plan.offsets[i] >= 0 {
			resetVariable(t, g.bufs[i])
		}
	}
}

// run executes a called subgraph's operators in order.
func (g *graphRun) run() error {
	for k, st := range g.steps {
		if err := st(); err != nil {
			n := g.m.nodes[k]
			return fmt.Errorf("subgraph %d: operator %d (%s): %w", g.m.index, n.index, n.name, err)
		}
	}
	return nil
}

// resetVariable gives a variable tensor its initial value, as TFLite's
// ResetVariableTensors does: the value stored in the file, or else zero,
// which for an int8 tensor is its zero point.
func resetVariable(t *tensor, b []byte) {
	switch {
	case t.init != nil:
		copy(b, t.init)
	case t.dtype == runtime.Int8:
		zp := byte(int8(t.zeroPoint()))
		for i := range b {
			b[i] = zp
		}
	default:
		clear(b)
	}
}
