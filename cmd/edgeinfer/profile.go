package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/runtime/tflite"
)

// opProfile is bench --profile's result: each operator's mean wall time
// over the profiled runs, like TFLite's benchmark_model op profiling.
type opProfile struct {
	Runs int `json:"runs"`
	// TotalMS is the sum of the operators' mean times (a little below a
	// run's latency, which also counts the hand-offs between operators).
	TotalMS float64     `json:"total_ms"`
	Ops     []opTime    `json:"ops"`
	ByType  []typeTotal `json:"by_type"`
}

// opTime is one operator's line, in run order.
type opTime struct {
	Index   int          `json:"index"`
	Type    string       `json:"type"`
	Inputs  []tensorDesc `json:"inputs"`
	Outputs []tensorDesc `json:"outputs"`
	MS      float64      `json:"ms"`
	// MinMS is the operator's shortest run: on a busy machine, where
	// other processes inflate the mean, the figure to compare.
	MinMS float64 `json:"min_ms"`
	// Share is MS over TotalMS, in [0, 1].
	Share float64 `json:"share"`
}

// typeTotal sums the operators of one type, largest first.
type typeTotal struct {
	Type  string  `json:"type"`
	Count int     `json:"count"`
	MS    float64 `json:"ms"`
	Share float64 `json:"share"`
}

type tensorDesc struct {
	DType string `json:"dtype"`
	Shape []int  `json:"shape"`
}

func (t tensorDesc) String() string {
	dims := make([]string, len(t.Shape))
	for i, d := range t.Shape {
		dims[i] = fmt.Sprint(d)
	}
	return t.DType + "[" + strings.Join(dims, ",") + "]"
}

func describeTensors(infos []runtime.TensorInfo) []tensorDesc {
	out := make([]tensorDesc, len(infos))
	for i, t := range infos {
		out[i] = tensorDesc{DType: t.DType.String(), Shape: t.Shape}
	}
	return out
}

// profileOps times each operator of s over runs runs.
func profileOps(ctx context.Context, m *tflite.Model, s *tflite.Session, runs int) (*opProfile, error) {
	ops := m.Operators()
	times, run := make([]time.Duration, len(ops)), make([]time.Duration, len(ops))
	mins := make([]time.Duration, len(ops))
	for i := range runs {
		clear(run)
		if err := s.RunProfiled(ctx, run); err != nil {
			return nil, err
		}
		for k, d := range run {
			times[k] += d
			if i == 0 || d < mins[k] {
				mins[k] = d
			}
		}
	}
	p := &opProfile{Runs: runs, Ops: make([]opTime, len(ops))}
	byType := map[string]*typeTotal{}
	for k, op := range ops {
		ms := msf(times[k]) / float64(runs)
		p.TotalMS += ms
		p.Ops[k] = opTime{Index: op.Index, Type: op.Name, Inputs: describeTensors(op.Inputs), Outputs: describeTensors(op.Outputs), MS: ms, MinMS: msf(mins[k])}
		t := byType[op.Name]
		if t == nil {
			t = &typeTotal{Type: op.Name}
			byType[op.Name] = t
		}
		t.Count++
		t.MS += ms
	}
	for k := range p.Ops {
		p.Ops[k].Share = share(p.Ops[k].MS, p.TotalMS)
	}
	for _, t := range byType {
		t.Share = share(t.MS, p.TotalMS)
		p.ByType = append(p.ByType, *t)
	}
	slices.SortFunc(p.ByType, func(a, b typeTotal) int {
		if a.MS != b.MS {
			if a.MS > b.MS {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Type, b.Type)
	})
	return p, nil
}

func share(part, total float64) float64 {
	if total <= 0 {
		return 0
	}
	return part / total
}

// writeText prints the operators in run order, then the totals by type.
func (p *opProfile) writeText(w io.Writer) {
	fmt.Fprintf(w, "\noperator profile: mean of %d runs, %.3f ms in operators\n", p.Runs, p.TotalMS)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "index\ttype\tms\tmin ms\tshare\tinputs -> outputs")
	for _, o := range p.Ops {
		fmt.Fprintf(tw, "%d\t%s\t%.4f\t%.4f\t%.1f%%\t%s -> %s\n", o.Index, o.Type, o.MS, o.MinMS, 100*o.Share, joinTensors(o.Inputs), joinTensors(o.Outputs))
	}
	tw.Flush()
	fmt.Fprintln(w, "\nby operator type:")
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "type\tcount\tms\tshare")
	for _, t := range p.ByType {
		fmt.Fprintf(tw, "%s\t%d\t%.4f\t%.1f%%\n", t.Type, t.Count, t.MS, 100*t.Share)
	}
	tw.Flush()
}

func joinTensors(ts []tensorDesc) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = t.String()
	}
	return strings.Join(s, " ")
}
