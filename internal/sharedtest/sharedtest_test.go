package sharedtest

import (
	"fmt"
	"strings"
	"testing"
)

// logTB records what a test logs.
type logTB struct {
	testing.TB
	logs []string
}

func (l *logTB) Log(args ...any) { l.logs = append(l.logs, fmt.Sprint(args...)) }

// TestOptionalSaysSoLoudly: without the shared folder Optional returns ""
// and logs that the test runs on fewer models; with it, it says nothing.
func TestOptionalSaysSoLoudly(t *testing.T) {
	found := Find()
	if found == "" {
		t.Fatal("this test needs the shared folder to compare with its absence")
	}
	tb := &logTB{TB: t}
	if d := Optional(tb); d != found || len(tb.logs) != 0 {
		t.Errorf("with the folder: %q, logs %q; want %q and no log", d, tb.logs, found)
	}
	t.Chdir(t.TempDir())
	t.Setenv(EnvVar, "")
	tb = &logTB{TB: t}
	if d := Optional(tb); d != "" || len(tb.logs) != 1 || !strings.Contains(tb.logs[0], "SHRUNK") {
		t.Errorf("without the folder: %q, logs %q; want \"\" and one SHRUNK line", d, tb.logs)
	}
}
