package ota

import (
	"fmt"
	"strconv"
	"strings"
)

// A model version is one to four dot-separated decimal numbers ("7",
// "1.2", "2026.11.28.1"), compared number by number; a missing part counts
// as zero.
const maxVersionParts = 4

// parseVersion splits a version into its numbers.
func parseVersion(v string) ([]uint64, error) {
	if v == "" {
		return nil, fmt.Errorf("empty")
	}
	parts := strings.Split(v, ".")
	if len(parts) > maxVersionParts {
		return nil, fmt.Errorf("%q has %d parts, at most %d", v, len(parts), maxVersionParts)
	}
	out := make([]uint64, len(parts))
	for i, p := range parts {
		if p == "" || len(p) > 9 || strings.TrimLeft(p, "0123456789") != "" {
			return nil, fmt.Errorf("%q: want dot-separated numbers of 1 to 9 digits, like 3 or 1.2.0", v)
		}
		n, err := strconv.ParseUint(p, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%q: %v", v, err)
		}
		out[i] = n
	}
	return out, nil
}

// CompareVersions returns -1, 0 or +1 as a is lower than, equal to or
// higher than b. A version that does not parse is lower than any that does.
func CompareVersions(a, b string) int {
	pa, ea := parseVersion(a)
	pb, eb := parseVersion(b)
	switch {
	case ea != nil && eb != nil:
		return strings.Compare(a, b)
	case ea != nil:
		return -1
	case eb != nil:
		return 1
	}
	for i := range max(len(pa), len(pb)) {
		var x, y uint64
		if i < len(pa) {
			x = pa[i]
		}
		if i < len(pb) {
			y = pb[i]
		}
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
	}
	return 0
}

// agentAtLeast reports whether the agent's version (a release such as
// "v0.3.1", maybe with a "-N-gHASH" or "+dirty" suffix) is at least min. A
// development build whose version does not parse counts as new enough.
func agentAtLeast(agent, min string) bool {
	if min == "" {
		return true
	}
	v := strings.TrimPrefix(agent, "v")
	if i := strings.IndexAny(v, "-+"); i >= 0 {
		v = v[:i]
	}
	if _, err := parseVersion(v); err != nil {
		return true
	}
	return CompareVersions(v, strings.TrimPrefix(min, "v")) >= 0
}
