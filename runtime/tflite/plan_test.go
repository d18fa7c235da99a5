package tflite

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/edgeinfer/edgeinfer/internal/sharedtest"
	"github.com/edgeinfer/edgeinfer/runtime"
)

// lifetimes returns, per tensor, the first and last step at which it must
// hold its value: -1 is before the first operator, len(nodes) after the
// last. Unused tensors get (0, -1), an empty span.
func lifetimes(m *Model) (first, last []int) {
	end := len(m.nodes)
	first, last = make([]int, len(m.tensors)), make([]int, len(m.tensors))
	for i := range first {
		first[i], last[i] = end+1, -2
	}
	use := func(t, at int) {
		first[t], last[t] = min(first[t], at), max(last[t], at)
	}
	for _, t := range m.inputs {
		use(t, -1)
		use(t, end)
	}
	for k, n := range m.nodes {
		for _, t := range n.inputs {
			if t >= 0 {
				use(t, k)
			}
		}
		for _, t := range n.outputs {
			use(t, k)
		}
	}
	for _, t := range m.outputs {
		use(t, end)
	}
	for i, t := range m.tensors {
		if t.variable && last[i] >= first[i] {
			first[i], last[i] = -1, end
		}
	}
	return first, last
}

// checkPlan verifies an arena plan independently of the planner: every
// run-time tensor an operator touches has aligned arena memory inside the
// arena, and no two tensors alive at the same step share a byte.
func checkPlan(m *Model, p arenaPlan) error {
	first, last := lifetimes(m)
	var placed []int
	for i, t := range m.tensors {
		off := p.offsets[i]
		needs := last[i] >= first[i] && (!t.isConst() || m.isGraphOutput(i)) && !t.resource
		switch {
		case off < 0 && needs:
			return fmt.Errorf("%s is used but has no arena memory", t)
		case off < 0:
			continue
		case off%arenaAlign != 0:
			return fmt.Errorf("%s at offset %d is not %d-aligned", t, off, arenaAlign)
		case off+t.byteSize() > p.size:
			return fmt.Errorf("%s at %d+%d overruns the %d-byte arena", t, off, t.byteSize(), p.size)
		}
		placed = append(placed, i)
	}
	for x, a := range placed {
		for _, b := range placed[x+1:] {
			ta, tb := m.tensors[a], m.tensors[b]
			if ta.byteSize() == 0 || tb.byteSize() == 0 {
				continue
			}
			together := first[a] <= last[b] && first[b] <= last[a]
			oa, ob := p.offsets[a], p.offsets[b]
			overlap := oa < ob+tb.byteSize() && ob < oa+ta.byteSize()
			if together && overlap {
				return fmt.Errorf("%s [%d,%d) and %s [%d,%d) are alive together and overlap", ta, oa, oa+ta.byteSize(), tb, ob, ob+tb.byteSize())
			}
		}
	}
	return nil
}

func mustParse(t *testing.T, b []byte) *Model {
	t.Helper()
	m, err := parse(b)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return m
}

func TestPlanArena(t *testing.T) {
	tests := []struct {
		name string
		tm   testModel
		// maxSize bounds the arena; 0 means no bound is checked.
		maxSize int
	}{
		// A chain of 8 layers keeps at most the input and two activations
		// alive: 3 slots of 64 bytes instead of 9.
		{"chain", chainModel(8, 16), 3 * 64},
		{"one layer", fcModel(), 2 * 64},
		{"wide chain", chainModel(5, 100), 3 * 448},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := mustParse(t, tc.tm.bytes())
			p, err := planArena(m)
			if err != nil {
				t.Fatal(err)
			}
			if err := checkPlan(m, p); err != nil {
				t.Fatal(err)
			}
			sum := 0
			for i, t := range m.tensors {
				if p.offsets[i] >= 0 {
					sum += t.byteSize()
				}
			}
			if tc.maxSize > 0 && p.size > tc.maxSize {
				t.Errorf("arena is %d bytes, want at most %d (sum of tensors %d)", p.size, tc.maxSize, sum)
			}
			if len(m.nodes) > 2 && p.size >= sum {
				t.Errorf("arena of %d bytes is not smaller than the %d bytes of all tensors", p.size, sum)
			}
			t.Logf("arena %d bytes, tensors %d bytes", p.size, sum)
		})
	}
}

// TestPlanArenaSharedModels plans the shared models: every conformance
// model and tflite-ref test model must parse, fold and plan, and its plan
// must hold; a unit model may instead be refused as unsupported or
// invalid (the LiteRT suite has string, sparse and broken models), never
// fail otherwise; negative models may fail at any stage, and those that
// plan are checked too. The test counts what it checked, so that models
// failing early, or a pattern that stops matching, cannot pass in silence.
func TestPlanArenaSharedModels(t *testing.T) {
	dir := sharedtest.Dir(t)
	glob := func(pats ...string) []string {
		var out []string
		for _, pat := range pats {
			m, _ := filepath.Glob(filepath.Join(dir, pat))
			out = append(out, m...)
		}
		return out
	}
	required := glob("conformance/*/model.tflite", "tools/tflite-ref/testmodels/*.tflite")
	unit := glob("models/unit/*/*.tflite", "models/unit/*.tflite")
	negative := glob("models/negative/*")
	plan := func(path string) error {
		m, err := parseFile(path)
		if err != nil {
			return fmt.Errorf("parse: %w", err)
		}
		if err := m.foldConstants(); err != nil {
			return fmt.Errorf("fold: %w", err)
		}
		p, err := planArena(m)
		if err != nil {
			return fmt.Errorf("plan: %w", err)
		}
		if err := checkPlan(m, p); err != nil {
			return fmt.Errorf("%w: %w", errBadPlan, err)
		}
		return nil
	}
	checked, refused, negChecked := 0, 0, 0
	for _, path := range required {
		if err := plan(path); err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		checked++
	}
	for _, path := range unit {
		switch err := plan(path); {
		case err == nil:
			checked++
		case errors.Is(err, errBadPlan) || !errors.Is(err, runtime.ErrUnsupported) && !errors.Is(err, runtime.ErrInvalidModel):
			t.Errorf("%s: %v", path, err)
		default:
			refused++
		}
	}
	for _, path := range negative {
		switch err := plan(path); {
		case err == nil:
			negChecked++
		case errors.Is(err, errBadPlan):
			t.Errorf("%s: %v", path, err)
		}
	}
	t.Logf("checked the arena plans of %d models (%d conformance and test models, %d of %d unit models; %d refused as unsupported or invalid) and of %d of %d negative models",
		checked, len(required), checked-len(required), len(unit), refused, negChecked, len(negative))
	if len(required) < minConformancePlans || checked < minSharedPlans {
		t.Errorf("checked %d models, %d of them conformance and test models; want at least %d and %d (has the shared folder's layout changed?)",
			checked, len(required), minSharedPlans, minConformancePlans)
	}
}

// errBadPlan marks a plan that checkPlan rejected.
var errBadPlan = errors.New("bad arena plan")

// minSharedPlans and minConformancePlans are a little below what the
// shared folder holds (263 models that plan, 24 of them conformance and
// test models): a glob that stops matching, or models that stop loading,
// fail the test instead of leaving less checked.
const (
	minSharedPlans      = 250
	minConformancePlans = 20
)

func parseFile(path string) (*Model, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parse(b)
}
