package cross

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// describeRE matches `git describe --tags --always --dirty` output: a
// bare abbreviated commit hash (no tag yet), or a tag with an optional
// -N-gHASH suffix, either optionally followed by -dirty.
var describeRE = regexp.MustCompile(`^(?:([0-9a-f]{7,40})|v?([0-9][0-9A-Za-z.+~-]*?)(?:-([0-9]+)-g([0-9a-f]{4,40}))?)(-dirty)?$`)

// debVersionRE is a Debian version without epoch and revision (the
// package is native): it starts with a digit and holds only
// alphanumerics and . + ~.
var debVersionRE = regexp.MustCompile(`^[0-9][A-Za-z0-9.+~]*$`)

// DebVersion turns a version as git describe prints it into a Debian
// package version, dated by date (UTC) where it needs a date:
//
//	v1.2.3              1.2.3
//	v1.2.3-rc1          1.2.3~rc1          (sorts before 1.2.3)
//	v1.2.3-4-gabc1234   1.2.3+git20261128.4.abc1234
//	abc1234             0.0.0~git20261128.abc1234   (no tag yet: 7-40 hex digits)
//	any of them -dirty  the same with .dirty appended
//
// Anything else is an error naming the version.
func DebVersion(describe string, date time.Time) (string, error) {
	m := describeRE.FindStringSubmatch(describe)
	if m == nil {
		return "", fmt.Errorf("cross: version %q is neither a tag like v1.2.3 nor git describe output", describe)
	}
	day := date.UTC().Format("20060102")
	var v string
	switch {
	case m[1] != "":
		v = "0.0.0~git" + day + "." + m[1]
	case m[3] != "":
		v = strings.ReplaceAll(m[2], "-", "~") + "+git" + day + "." + m[3] + "." + m[4]
	default:
		v = strings.ReplaceAll(m[2], "-", "~")
	}
	if m[5] != "" {
		v += ".dirty"
	}
	if !debVersionRE.MatchString(v) {
		return "", fmt.Errorf("cross: version %q gives %q, not a valid Debian version", describe, v)
	}
	return v, nil
}

// GitDescribe returns `git describe --tags --always --dirty` of the
// working directory's repository.
func GitDescribe(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "git", "describe", "--tags", "--always", "--dirty").Output()
	if err != nil {
		return "", fmt.Errorf("git describe: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// SourceDate is the time stamped on every file of a package:
// $SOURCE_DATE_EPOCH (seconds since 1970, the reproducible-builds
// convention) when set, else the time of the working directory's last git
// commit.
func SourceDate(ctx context.Context) (time.Time, error) {
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH %q is not a count of seconds", s)
		}
		return time.Unix(n, 0).UTC(), nil
	}
	out, err := exec.CommandContext(ctx, "git", "log", "-1", "--format=%ct").Output()
	if err != nil {
		return time.Time{}, fmt.Errorf("git log (set SOURCE_DATE_EPOCH outside a git checkout): %w", err)
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("git log: commit time %q: %w", out, err)
	}
	return time.Unix(n, 0).UTC(), nil
}
