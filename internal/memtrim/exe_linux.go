package memtrim

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"syscall"
)

// procSelf is the process's /proc directory; tests point it at files of
// their own.
var procSelf = "/proc/self"

// releaseExecutable advises MADV_DONTNEED on every read-only private
// mapping of the executable's file (its code, read-only data and tables)
// that holds no page of its own: such pages were never written, so
// dropping them loses nothing, and a later touch maps the same bytes again
// from the page cache. A mapping with private copies (relocations that a
// loader wrote before making it read-only) and the writable data segment
// are never advised.
func releaseExecutable() (int64, error) {
	var st syscall.Stat_t
	if err := syscall.Stat(procSelf+"/exe", &st); err != nil {
		return 0, fmt.Errorf("memtrim: the executable: %w", err)
	}
	smaps, err := os.ReadFile(procSelf + "/smaps")
	if err != nil {
		return 0, fmt.Errorf("memtrim: %w", err)
	}
	var total int64
	for _, r := range cleanMappings(smaps, uint64(st.Ino)) {
		if _, _, errno := syscall.Syscall(syscall.SYS_MADVISE, r.start, r.end-r.start, syscall.MADV_DONTNEED); errno != 0 {
			return total, fmt.Errorf("memtrim: madvise %#x-%#x: %w", r.start, r.end, errno)
		}
		total += int64(r.end - r.start)
	}
	return total, nil
}

// mapping is one address range of /proc/PID/smaps.
type mapping struct{ start, end uintptr }

// cleanMappings returns the ranges of smaps (the text of /proc/PID/smaps)
// that map the file of inode ino private and not writable, and whose
// "Anonymous:" line says 0 kB: no page of theirs is a private copy. A
// mapping whose lines do not read is left out.
func cleanMappings(smaps []byte, ino uint64) []mapping {
	var out []mapping
	var cur mapping
	candidate := false
	for line := range bytes.Lines(smaps) {
		f := bytes.Fields(line)
		if len(f) == 0 {
			continue
		}
		if r, ok := header(f); ok {
			// start-end perms offset dev inode [path]
			cur, candidate = r, false
			perms := f[1]
			if len(perms) == 4 && perms[0] == 'r' && perms[1] == '-' && perms[3] == 'p' {
				n, err := strconv.ParseUint(string(f[4]), 10, 64)
				candidate = err == nil && n != 0 && n == ino
			}
			continue
		}
		if candidate && string(f[0]) == "Anonymous:" {
			if len(f) == 3 && string(f[1]) == "0" && string(f[2]) == "kB" {
				out = append(out, cur)
			}
			candidate = false
		}
	}
	return out
}

// header reads the fields of a mapping's first line in smaps; false for
// the other lines ("Rss: 4 kB").
func header(f [][]byte) (mapping, bool) {
	if len(f) < 5 {
		return mapping{}, false
	}
	lo, hi, ok := bytes.Cut(f[0], []byte("-"))
	if !ok {
		return mapping{}, false
	}
	start, err1 := strconv.ParseUint(string(lo), 16, 64)
	end, err2 := strconv.ParseUint(string(hi), 16, 64)
	if err1 != nil || err2 != nil || end <= start || uint64(uintptr(end)) != end {
		return mapping{}, false
	}
	return mapping{uintptr(start), uintptr(end)}, true
}
