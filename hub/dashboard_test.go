package hub

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/edgeinfer/edgeinfer/store"
	"github.com/edgeinfer/edgeinfer/telemetry"
)

var keepScreenshot = flag.String("keep-screenshot", "", "also copy the dashboard screenshot to this file")

const chromiumPath = "/usr/bin/chromium"

// TestDashboardInChromium fills a hub with two devices' telemetry over
// half an hour, opens the dashboard in real headless Chromium, and checks
// the fleet table and the plotted latency paths.
func TestDashboardInChromium(t *testing.T) {
	if _, err := exec.LookPath(chromiumPath); err != nil {
		t.Fatalf("this test needs Chromium at %s (Debian: apt-get install chromium): %v", chromiumPath, err)
	}
	h := startHub(t, "127.0.0.1:0", Options{DataDir: t.TempDir(), Token: "tok", ReadToken: "see"})
	fillHub(t, h.URL)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1300, 1000),
	)
	defer cancelAlloc()
	browser, cancelBrowser := chromedp.NewContext(alloc)
	defer cancelBrowser()

	// A wrong read token (after #token= in the URL) shows no data and
	// asks for the token; the right one, typed in, shows the fleet.
	err := chromedp.Do(browser,
		chromedp.Navigate(h.URL+"/#token=wrong"),
		chromedp.WaitVisible(chromedp.CSS(`body[data-ready="login"]`)),
	)
	if err != nil {
		t.Fatalf("loading the dashboard with a wrong token in Chromium: %v", err)
	}
	shown, err := chromedp.Run(browser, chromedp.Evaluate[[]string](
		`[String(document.querySelectorAll("#fleet tbody tr").length), document.getElementById("status").textContent, String(document.getElementById("login").hidden)]`))
	if err != nil {
		t.Fatal(err)
	}
	if shown[0] != "0" || !strings.Contains(shown[1], "401") || shown[2] != "false" {
		t.Fatalf("with a wrong token: %q rows, status %q, login hidden %s; want no rows, a 401 and the login form", shown[0], shown[1], shown[2])
	}
	err = chromedp.Do(browser,
		chromedp.SetValue(chromedp.CSS("#token"), "see"),
		chromedp.Click(chromedp.CSS(`#login button`)),
		chromedp.WaitVisible(chromedp.CSS(`body[data-ready="true"]`)),
	)
	if err != nil {
		t.Fatalf("logging in to the dashboard in Chromium: %v", err)
	}
	rows, err := chromedp.Run(browser, chromedp.Evaluate[[][]string](
		`Array.from(document.querySelectorAll("#fleet tbody tr")).map(tr => Array.from(tr.cells).map(c => c.textContent))`))
	if err != nil {
		t.Fatalf("reading the fleet table: %v", err)
	}
	paths, err := chromedp.Run(browser, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll("figure path.series")).map(p => p.closest("figure").dataset.device + " " + p.closest("figure").dataset.model + " " + p.getAttribute("d"))`))
	if err != nil {
		t.Fatalf("reading the plots: %v", err)
	}
	png, err := chromedp.Run(browser, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	shot := filepath.Join(t.TempDir(), "dashboard.png")
	if err := os.WriteFile(shot, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes)", shot, len(png))
	if *keepScreenshot != "" {
		if err := os.WriteFile(*keepScreenshot, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if len(png) < 1000 || string(png[1:4]) != "PNG" {
		t.Errorf("the screenshot is not a PNG (%d bytes)", len(png))
	}

	// One row per device and model version: dev-a runs kws v1 and v2, dev-b
	// runs detect v7.
	if len(rows) != 3 {
		t.Fatalf("fleet table has %d rows, want 3: %v", len(rows), rows)
	}
	want := map[string][]string{
		"dev-a kws 1":    {"dev-a", "rpi4", "online", "kws", "1", "120", "0"},
		"dev-a kws 2":    {"dev-a", "rpi4", "online", "kws", "2", "60", "6"},
		"dev-b detect 7": {"dev-b", "rpi5", "online", "detect", "7", "180", "0"},
	}
	for _, r := range rows {
		if len(r) != 12 {
			t.Fatalf("row %v has %d cells, want 12", r, len(r))
		}
		key := r[0] + " " + r[6] + " " + r[7]
		w, ok := want[key]
		if !ok {
			t.Errorf("unexpected row %v", r)
			continue
		}
		got := []string{r[0], r[1], r[2], r[6], r[7], r[8], r[9]}
		if fmt.Sprint(got) != fmt.Sprint(w) {
			t.Errorf("row %s: %v, want %v", key, got, w)
		}
	}
	// Text from devices is text.
	injected, err := chromedp.Run(browser, chromedp.Evaluate[[]string](
		`[String(document.getElementById("injected") !== null), String(document.body.dataset.pwned), Array.from(document.querySelectorAll("#fleet tbody tr")).map(tr => tr.cells[4].textContent).join("|")]`))
	if err != nil {
		t.Fatal(err)
	}
	if injected[0] != "false" || injected[1] != "undefined" || !strings.Contains(injected[2], injection) {
		t.Errorf("uploaded markup: element created %s, onerror ran %s, agent cells %q; want the markup shown as text", injected[0], injected[1], injected[2])
	}
	// Two paths (p50, p99) per device and model, each through every point.
	if len(paths) != 4 {
		t.Fatalf("%d plotted paths, want 4: %v", len(paths), paths)
	}
	for _, p := range paths {
		if n := strings.Count(p, "L") + strings.Count(p, "M"); n != 6 {
			t.Errorf("path %.80s… has %d points, want 6", p, n)
		}
	}
}

// injection is markup a device uploads as its agent version: the
// dashboard must show it as text and never create the element.
const injection = `0.3.0<img src=x id=injected onerror="document.body.dataset.pwned=1">`

// fillHub has two agents upload six batches each, a minute apart, ending
// now: dev-a switches kws from version 1 to 2 half way.
func fillHub(t *testing.T, url string) {
	t.Helper()
	ctx := context.Background()
	start := time.Now().Add(-6 * time.Minute)
	for _, dev := range []struct{ id, platform string }{{"dev-a", "rpi4"}, {"dev-b", "rpi5"}} {
		st, err := store.Open(filepath.Join(t.TempDir(), dev.id+".db"), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		rec := telemetry.NewRecorder()
		version := "0.3.0"
		if dev.id == "dev-b" {
			version = injection // uploaded text, shown as text
		}
		rec.SetDevice(telemetry.Device{ID: dev.id, AgentVersion: version, Platform: dev.platform,
			Temperature: func() (float64, bool) { return 47.5, true }})
		clock := start
		up, err := telemetry.NewUploader(rec, st, telemetry.UploaderOptions{Config: telemetry.Config{Collector: url, Token: "tok"}, Now: func() time.Time { return clock }})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 6 {
			clock = start.Add(time.Duration(i+1) * time.Minute)
			for j := range 30 {
				d := time.Duration(2000+300*i+40*j) * time.Microsecond
				switch {
				case dev.id == "dev-b":
					rec.Model("detect", "7").Observe(telemetry.Observation{Compute: 4 * d, Total: 4 * d, Batch: 2})
				case i < 4:
					rec.Model("kws", "1").Observe(telemetry.Observation{Compute: d, Total: d, Batch: 1})
				default:
					rec.Model("kws", "2").Observe(telemetry.Observation{Compute: d / 2, Total: d / 2, Batch: 1, Error: j < 3})
				}
			}
			if err := up.Tick(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if s, _ := up.Stats(); s.Sent != 6 {
			t.Fatalf("%s sent %d batches, want 6", dev.id, s.Sent)
		}
	}
}
