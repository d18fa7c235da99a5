package cross

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// scriptStubs are shell stand-ins (shell builtins only) for the commands
// the maintainer scripts call: each logs its command line to $STUB_LOG;
// getent answers from the users and groups the other stubs created in
// $STUB_STATE.
var scriptStubs = map[string]string{
	"getent":   `[ -e "$STUB_STATE/$1" ]`,
	"adduser":  `: >"$STUB_STATE/passwd"; case "$*" in *--group*) : >"$STUB_STATE/group";; esac`,
	"groupadd": `: >"$STUB_STATE/group"`,
	"useradd":  `: >"$STUB_STATE/passwd"`,
	"install":  ``, "rm": ``, "chown": ``, "chmod": ``,
	"dpkg-statoverride": `[ -e "$STUB_STATE/statoverride" ]`, "systemctl": ``, "deb-systemd-helper": ``, "deb-systemd-invoke": ``,
}

// runScript runs a maintainer script with /bin/sh and a PATH holding only
// the stubs (minus those in without), so it cannot touch this machine's
// users or services, and returns the stubs' log.
func runScript(t *testing.T, state string, without []string, script string, args ...string) string {
	t.Helper()
	bin := t.TempDir()
	for name, body := range scriptStubs {
		if slices.Contains(without, name) {
			continue
		}
		sh := "#!/bin/sh\necho \"" + name + " $*\" >>\"$STUB_LOG\"\n" + body + "\n"
		if err := os.WriteFile(filepath.Join(bin, name), []byte(sh), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	b, err := packaging.ReadFile("packaging/" + script)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), script)
	if err := os.WriteFile(file, b, 0o755); err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(t.TempDir(), "log")
	cmd := exec.Command("/bin/sh", append([]string{file}, args...)...)
	cmd.Env = []string{"PATH=" + bin, "STUB_LOG=" + log, "STUB_STATE=" + state, "DPKG_ROOT=" + state + "/root"}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", script, strings.Join(args, " "), err, out)
	}
	got, _ := os.ReadFile(log)
	return string(got)
}

// TestMaintainerScripts runs the scripts against stub commands: the
// first configure creates the user and group and enables the unit, a
// second creates nothing (idempotent), the useradd fallback works
// without adduser, remove keeps the state and purge deletes it.
func TestMaintainerScripts(t *testing.T) {
	_, err := os.Stat("/run/systemd/system")
	systemd := err == nil
	_, err = os.Stat("/var/lib/edgeinfer")
	haveState := err == nil
	type check struct {
		has, lacks []string
	}
	state := t.TempDir()
	for _, tc := range []struct {
		name    string
		without []string
		script  string
		args    []string
		check   check
	}{
		{"first install", nil, "postinst", []string{"configure"}, check{
			has: []string{
				"getent passwd edgeinfer", "getent group edgeinfer",
				"adduser --quiet --system --group --home /var/lib/edgeinfer --no-create-home --gecos edgeinfer agent edgeinfer",
				"deb-systemd-helper unmask edgeinfer.service", "deb-systemd-helper --quiet was-enabled edgeinfer.service",
				"deb-systemd-helper enable edgeinfer.service",
			},
		}},
		{"configure again", nil, "postinst", []string{"configure", "1.0"}, check{
			has:   []string{"getent passwd edgeinfer", "deb-systemd-helper enable edgeinfer.service"},
			lacks: []string{"adduser", "useradd", "groupadd"},
		}},
		{"prerm upgrade", nil, "prerm", []string{"upgrade", "1.1"}, check{lacks: []string{"stop"}}},
		{"postrm remove", nil, "postrm", []string{"remove"}, check{
			has: []string{"deb-systemd-helper mask edgeinfer.service"}, lacks: []string{"rm "},
		}},
		{"postrm purge", nil, "postrm", []string{"purge"}, check{
			has: []string{"deb-systemd-helper purge edgeinfer.service", "rm -rf /var/lib/edgeinfer"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			log := runScript(t, state, tc.without, tc.script, tc.args...)
			for _, want := range tc.check.has {
				if !strings.Contains(log, want+"\n") {
					t.Errorf("no %q in the commands run:\n%s", want, log)
				}
			}
			for _, bad := range tc.check.lacks {
				if strings.Contains(log, bad) {
					t.Errorf("%q run:\n%s", bad, log)
				}
			}
			if tc.name == "first install" && !haveState && !strings.Contains(log, "install -d -o edgeinfer -g edgeinfer -m 0750 /var/lib/edgeinfer\n") {
				t.Errorf("/var/lib/edgeinfer not created:\n%s", log)
			}
		})
	}

	t.Run("useradd fallback", func(t *testing.T) {
		state := t.TempDir()
		log := runScript(t, state, []string{"adduser", "deb-systemd-helper", "deb-systemd-invoke"}, "postinst", "configure")
		for _, want := range []string{
			"groupadd --system edgeinfer",
			"useradd --system --gid edgeinfer --home-dir /var/lib/edgeinfer --no-create-home --shell /usr/sbin/nologin --comment edgeinfer agent edgeinfer",
			"systemctl enable edgeinfer.service",
		} {
			if !strings.Contains(log, want+"\n") {
				t.Errorf("no %q in the commands run:\n%s", want, log)
			}
		}
	})

	t.Run("prerm remove", func(t *testing.T) {
		log := runScript(t, state, nil, "prerm", "remove")
		if stopped := strings.Contains(log, "deb-systemd-invoke stop edgeinfer.service\n"); stopped != systemd {
			t.Errorf("stop run %v with /run/systemd/system present %v:\n%s", stopped, systemd, log)
		}
	})

	t.Run("config readable by the group edgeinfer only", func(t *testing.T) {
		for _, tc := range []struct {
			name                 string
			config, statoverride bool
			protected            bool
		}{
			{"installed", true, false, true},
			{"statoverride", true, true, false},
			{"deleted by the administrator", false, false, false},
		} {
			state := t.TempDir()
			config := filepath.Join(state, "root", "etc", "edgeinfer", "agent.yaml")
			if tc.config {
				os.MkdirAll(filepath.Dir(config), 0o755)
				os.WriteFile(config, []byte("{}\n"), 0o644)
			}
			if tc.statoverride {
				os.WriteFile(filepath.Join(state, "statoverride"), nil, 0o644)
			}
			log := runScript(t, state, nil, "postinst", "configure")
			for _, cmd := range []string{"chown root:edgeinfer " + config + "\n", "chmod 0640 " + config + "\n"} {
				if strings.Contains(log, cmd) != tc.protected {
					t.Errorf("%s: %q run %v, want %v:\n%s", tc.name, strings.TrimSpace(cmd), !tc.protected, tc.protected, log)
				}
			}
		}
	})
}
