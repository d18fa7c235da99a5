package cross

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/md5"
	"embed"
	"fmt"
	"io"
	"maps"
	"path"
	"slices"
	"strings"
	"time"
)

// packaging holds the files the .deb installs besides the binary, and its
// maintainer scripts.
//
//go:embed packaging
var packaging embed.FS

// DefaultMaintainer is the Maintainer field of a Deb that names none.
const DefaultMaintainer = "edgeinfer authors <maintainers@edgeinfer.invalid>"

// Paths the package installs (without the leading slash, as in the data
// archive), and where each comes from in packaging/.
const (
	debBinary    = "usr/bin/edgeinfer"
	debUnit      = "lib/systemd/system/edgeinfer.service"
	debConfig    = "etc/edgeinfer/agent.yaml"
	debCopyright = "usr/share/doc/edgeinfer/copyright"
)

var debSources = map[string]string{
	debUnit:      "packaging/edgeinfer.service",
	debConfig:    "packaging/agent.yaml",
	debCopyright: "packaging/copyright",
}

// debModes are the permission bits of the files that are not 0644: the
// configuration may hold the broker password and collector token, so only
// root and (after postinst gives it the group edgeinfer) the agent read it.
var debModes = map[string]int64{debConfig: 0o640}

// debConffiles are the files dpkg keeps an administrator's edits of.
var debConffiles = []string{debConfig}

// debScripts are the maintainer scripts, in packaging/ under the same name.
var debScripts = []string{"postinst", "prerm", "postrm"}

// DebArch is Debian's name for the target's architecture, "" when Debian
// has none. armv7 is armhf (hard-float ABI, ARMv7); armv6 is armel, the
// Debian architecture that runs on ARMv6 (Raspberry Pi Zero and 1). A
// static binary has no ABI dependency, so on Raspberry Pi OS for those
// boards (which calls itself armhf but is ARMv6) the armel package
// installs after `dpkg --add-architecture armel`.
func (t Target) DebArch() string {
	if t.GOOS != "linux" {
		return ""
	}
	switch t.GOARCH + t.GOARM {
	case "amd64", "arm64", "riscv64":
		return t.GOARCH
	case "arm7":
		return "armhf"
	case "arm6":
		return "armel"
	}
	return ""
}

// Deb is the edgeinfer Debian package for one target: the static binary,
// the systemd unit edgeinfer.service, the default configuration
// /etc/edgeinfer/agent.yaml (a conffile) and the maintainer scripts that
// create the edgeinfer user and manage the service.
type Deb struct {
	// Target decides the Architecture field (see Target.DebArch).
	Target Target
	// Version is the Debian version (see DebVersion).
	Version string
	// Maintainer is "Name <email>" ("" = DefaultMaintainer).
	Maintainer string
	// Date is the modification time of every file in the package, so that
	// the same inputs give the same bytes (see SourceDate).
	Date time.Time
	// Binary is the edgeinfer executable built for Target.
	Binary []byte
}

// FileName is the package's conventional file name,
// edgeinfer_VERSION_ARCH.deb.
func (d Deb) FileName() string {
	return fmt.Sprintf("edgeinfer_%s_%s.deb", d.Version, d.Target.DebArch())
}

// debFile is one member of a tar archive in the package.
type debFile struct {
	name string // relative, without "./"
	mode int64
	data []byte
}

// Write writes the package: an ar archive of debian-binary,
// control.tar.gz and data.tar.gz, with sorted entries owned by root and
// dated d.Date.
func (d Deb) Write(w io.Writer) error {
	arch := d.Target.DebArch()
	switch {
	case arch == "":
		return fmt.Errorf("cross: deb for %s: Debian has no architecture for it", d.Target.Name())
	case !debVersionRE.MatchString(d.Version):
		return fmt.Errorf("cross: deb for %s: version %q is not a Debian version (digits first, then letters, digits, . + ~)", d.Target.Name(), d.Version)
	case len(d.Binary) == 0:
		return fmt.Errorf("cross: deb for %s: no binary", d.Target.Name())
	case strings.ContainsAny(d.Maintainer, "\n\r"):
		return fmt.Errorf("cross: deb for %s: maintainer %q spans lines", d.Target.Name(), d.Maintainer)
	}
	data := []debFile{{name: debBinary, mode: 0o755, data: d.Binary}}
	for _, dst := range slices.Sorted(maps.Keys(debSources)) {
		b, err := packaging.ReadFile(debSources[dst])
		if err != nil {
			return fmt.Errorf("cross: deb: %w", err)
		}
		mode := int64(0o644)
		if m, ok := debModes[dst]; ok {
			mode = m
		}
		data = append(data, debFile{name: dst, mode: mode, data: b})
	}
	dataTgz, kib, err := tarGz(data, d.Date)
	if err != nil {
		return fmt.Errorf("cross: deb data.tar.gz: %w", err)
	}
	control := []debFile{
		{name: "control", mode: 0o644, data: d.control(arch, kib)},
		{name: "conffiles", mode: 0o644, data: []byte("/" + strings.Join(debConffiles, "\n/") + "\n")},
		{name: "md5sums", mode: 0o644, data: md5sums(data)},
	}
	for _, s := range debScripts {
		b, err := packaging.ReadFile("packaging/" + s)
		if err != nil {
			return fmt.Errorf("cross: deb: %w", err)
		}
		control = append(control, debFile{name: s, mode: 0o755, data: b})
	}
	controlTgz, _, err := tarGz(control, d.Date)
	if err != nil {
		return fmt.Errorf("cross: deb control.tar.gz: %w", err)
	}
	return writeAr(w, d.Date, []debFile{
		{name: "debian-binary", data: []byte("2.0\n")},
		{name: "control.tar.gz", data: controlTgz},
		{name: "data.tar.gz", data: dataTgz},
	})
}

// control is the package's control file; installedKiB is the size of
// its files.
func (d Deb) control(arch string, installedKiB int64) []byte {
	maint := d.Maintainer
	if maint == "" {
		maint = DefaultMaintainer
	}
	return fmt.Appendf(nil, `Package: edgeinfer
Version: %s
Architecture: %s
Maintainer: %s
Installed-Size: %d
Section: science
Priority: optional
Description: TensorFlow Lite inference agent for small Linux devices
 edgeinfer runs TensorFlow Lite models with its own inference engine,
 written in pure Go, and serves them to local apps on a Unix socket with
 the KServe v2 / Open Inference Protocol HTTP API.
 .
 This package installs the static edgeinfer binary, the systemd service
 edgeinfer.service (running as the system user edgeinfer) and its
 configuration /etc/edgeinfer/agent.yaml, which names the models to serve.
`, d.Version, arch, maint, installedKiB)
}

// md5sums lists the MD5 digest of every file but the conffiles, for
// dpkg --verify.
func md5sums(files []debFile) []byte {
	var b bytes.Buffer
	for _, f := range files {
		if !slices.Contains(debConffiles, f.name) {
			fmt.Fprintf(&b, "%x  %s\n", md5.Sum(f.data), f.name)
		}
	}
	return b.Bytes()
}

// tarGz writes files, and every directory above them, as a gzipped tar
// archive with entries named "./path", sorted, owned by root:root and
// dated date. It returns the archive and the installed size in KiB as
// dpkg counts it (each file rounded up to a KiB, one per directory).
func tarGz(files []debFile, date time.Time) ([]byte, int64, error) {
	entries := map[string]debFile{"./": {mode: 0o755}}
	for _, f := range files {
		entries["./"+f.name] = f
		for dir := path.Dir(f.name); dir != "."; dir = path.Dir(dir) {
			entries["./"+dir+"/"] = debFile{mode: 0o755}
		}
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, 0, err
	}
	tw := tar.NewWriter(zw)
	var kib int64
	for _, name := range slices.Sorted(maps.Keys(entries)) {
		e := entries[name]
		h := &tar.Header{
			Name: name, Mode: e.mode, Size: int64(len(e.data)), Typeflag: tar.TypeReg,
			Uname: "root", Gname: "root", ModTime: date.Truncate(time.Second), Format: tar.FormatUSTAR,
		}
		if strings.HasSuffix(name, "/") {
			h.Typeflag, h.Size = tar.TypeDir, 0
			kib++
		} else {
			kib += (h.Size + 1023) / 1024
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, 0, fmt.Errorf("%s: %w", name, err)
		}
		if _, err := tw.Write(e.data); err != nil {
			return nil, 0, fmt.Errorf("%s: %w", name, err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, 0, err
	}
	if err := zw.Close(); err != nil {
		return nil, 0, err
	}
	return buf.Bytes(), kib, nil
}

// writeAr writes members as a Unix ar archive, the container of a .deb:
// the "!<arch>\n" magic, then per member a 60-byte header (name, mtime,
// uid, gid, octal mode, size) and the data padded to an even length.
func writeAr(w io.Writer, date time.Time, members []debFile) error {
	var b bytes.Buffer
	b.WriteString("!<arch>\n")
	for _, m := range members {
		fmt.Fprintf(&b, "%-16s%-12d%-6d%-6d%-8o%-10d`\n", m.name, date.Unix(), 0, 0, 0o100644, len(m.data))
		b.Write(m.data)
		if len(m.data)%2 == 1 {
			b.WriteByte('\n')
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}
