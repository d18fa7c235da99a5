package memtrim

import (
	"bufio"
	"bytes"
	"os"
	"slices"
	"strconv"
	"syscall"
	"testing"
)

// TestCleanMappings reads a recorded smaps: only the executable's private
// read-only mappings without private copies are advised, including one
// whose file was replaced on disk; not a mapping with relocated pages, the
// data segment, anonymous memory, another file or a shared mapping, nor a
// mapping whose Anonymous line is missing.
func TestCleanMappings(t *testing.T) {
	smaps, err := os.ReadFile("testdata/smaps")
	if err != nil {
		t.Fatal(err)
	}
	got := cleanMappings(smaps, 9978101)
	want := []mapping{{0x400000, 0xa7e000}, {0xa7e000, 0x10e8000}, {0x7f5b8000, 0x7f5b9000}}
	if !slices.Equal(got, want) {
		t.Errorf("cleanMappings = %#x, want %#x", got, want)
	}
	if got := cleanMappings(smaps, 0); len(got) != 0 {
		t.Errorf("inode 0 (anonymous memory): %#x, want none", got)
	}
	if got := cleanMappings([]byte("garbage\n1-0 r--p 0 0:0 9978101\nAnonymous: 0 kB\n"), 9978101); len(got) != 0 {
		t.Errorf("unreadable lines: %#x, want none", got)
	}
}

// TestReleaseExecutable releases the test binary's own pages: their
// resident size, read right after (the code that runs in between maps its
// pages back), falls to a fraction, and the process goes on running code
// and reading its data.
func TestReleaseExecutable(t *testing.T) {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 1<<20)
	read := func() []byte {
		n, err := syscall.Pread(int(f.Fd()), buf, 0)
		if err != nil {
			t.Fatal(err)
		}
		return bytes.Clone(buf[:n])
	}
	before := read()
	n, err := releaseExecutable()
	after := read()
	if err != nil {
		t.Fatal(err)
	}
	b, a := exeResident(t, before), exeResident(t, after)
	t.Logf("executable mappings %d KiB; resident %d KiB before, %d KiB after", n>>10, b>>10, a>>10)
	if b == 0 {
		t.Skip("SKIPPED: smaps shows no resident page of the executable (qemu-user emulates it)")
	}
	if n == 0 {
		t.Fatal("no mapping of the executable was advised")
	}
	if a*2 > b {
		t.Errorf("resident pages of the executable: %d KiB before, %d KiB after; want less than half", b>>10, a>>10)
	}
	// Code and read-only data come back intact.
	if got := strconv.Itoa(12345) + string(bytes.ToUpper([]byte("ok"))); got != "12345OK" {
		t.Errorf("after the release: %q", got)
	}
}

// exeResident sums the Rss lines of the test binary's read-only mappings
// in smaps.
func exeResident(t *testing.T, smaps []byte) int64 {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Stat("/proc/self/exe", &st); err != nil {
		t.Fatal(err)
	}
	var total int64
	in := false
	sc := bufio.NewScanner(bytes.NewReader(smaps))
	for sc.Scan() {
		f := bytes.Fields(sc.Bytes())
		if _, ok := header(f); ok {
			in = len(f) >= 5 && string(f[4]) == strconv.FormatUint(uint64(st.Ino), 10) && f[1][1] == '-'
			continue
		}
		if in && len(f) == 3 && string(f[0]) == "Rss:" {
			kb, err := strconv.ParseInt(string(f[1]), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			total += kb << 10
		}
	}
	return total
}
