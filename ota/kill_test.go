package ota

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/edgeinfer/edgeinfer/internal/mqttlink"
	"github.com/edgeinfer/edgeinfer/store"
)

// Environment of the child process the kill -9 test runs.
const (
	envChild  = "OTA_TEST_CHILD" // the step to stop at: download, stage, activate
	envBroker = "OTA_TEST_BROKER"
	envDir    = "OTA_TEST_DIR"
	envDevice = "OTA_TEST_DEVICE"
)

func TestMain(m *testing.M) {
	if step := os.Getenv(envChild); step != "" {
		if err := runChild(step); err != nil {
			fmt.Println("ERROR", err)
			os.Exit(1)
		}
		return
	}
	os.Exit(m.Run())
}

// runChild runs a device's reconciler as the agent would, printing "AT
// step" and blocking when it reaches the step the parent kills it at.
func runChild(step string) error {
	dir, id := os.Getenv(envDir), os.Getenv(envDevice)
	st, err := store.Open(filepath.Join(dir, "state.db"), store.Options{})
	if err != nil {
		return err
	}
	models, err := newEngineModels(dir)
	if err != nil {
		return err
	}
	at := func(s string) {
		fmt.Println("AT", s)
		select {} // wait for SIGKILL
	}
	if step == "activate" {
		models.afterSwap = func(string, string) { at(step) }
	}
	r, err := New(Options{
		Config:   Config{Fleet: "lab", HealthWindow: -1},
		DeviceID: id, Keys: trusted(), DataDir: dir,
		OnEvent: func(ev Event) {
			fmt.Println("EVENT", ev.String())
			if step == "stage" && ev.State == StepStaging {
				at(step)
			}
		},
	}, models, st.OTAJournal())
	if err != nil {
		return err
	}
	link, err := mqttlink.Dial(mqttlink.Options{Broker: os.Getenv(envBroker), ClientID: id, OnConnect: r.OnConnect})
	if err != nil {
		return err
	}
	return r.Run(context.Background(), link)
}

func TestKill9AtEachStep(t *testing.T) {
	for _, step := range []string{"download", "stage", "activate"} {
		t.Run(step, func(t *testing.T) { testKill9At(t, step) })
	}
}

func testKill9At(t *testing.T, step string) {
	e := newEnv(t)
	topic := FleetModelTopic(e.fleet, "vww")
	v1path, v1smoke := conformance(t, modelV1, 1e-4)
	v2path, v2smoke := conformance(t, "tiny_vww_96_float", 1e-3)
	// Version 1 is installed and serving.
	d := e.startDevice(t, "dev-k", "", nil)
	e.push(t, topic, e.manifest(t, v1path, "vww", "1", v1smoke), testKey(0))
	d.waitState(t, "vww", "1", StepActive)
	dir := d.dir
	d.stop()

	m2 := e.manifest(t, v2path, "vww", "2", v2smoke)
	var stalled <-chan struct{}
	if step == "download" {
		stalled, _ = e.hub.stallNext(m2.Size / 2)
	}
	e.push(t, topic, m2, testKey(0))
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), envChild+"="+step, envBroker+"="+e.broker.URL, envDir+"="+dir, envDevice+"=dev-k")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	reached := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		var lines []string
		for sc.Scan() {
			lines = append(lines, sc.Text())
			// At the download step the parent kills once 40% arrived (the
			// server holds the rest back).
			if strings.HasPrefix(sc.Text(), "AT ") || strings.HasPrefix(sc.Text(), "ERROR") || (step == "download" && atLeast40(sc.Text())) {
				reached <- strings.Join(lines, "\n")
				return
			}
		}
		reached <- strings.Join(lines, "\n")
	}()
	select {
	case lines := <-reached:
		last := lines[strings.LastIndexByte(lines, '\n')+1:]
		if last != "AT "+step && !(step == "download" && atLeast40(last)) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("child did not reach %s:\n%s", step, lines)
		}
	case <-time.After(waitLimit):
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("child did not reach %s within %s", step, waitLimit)
	}
	if step == "download" {
		<-stalled // the server sent half the file and holds the rest
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	servedBefore, _ := e.hub.stats()

	// Restart in-process on the same data directory and store.
	d2 := e.startDevice(t, "dev-k", dir, nil)
	if v, ok := d2.models.Active("vww"); !ok || (v != "1" && v != "2") {
		t.Fatalf("after kill -9 at %s the device serves %q (ok %v), want version 1 or 2", step, v, ok)
	} else {
		t.Logf("after kill -9 at %s the restarted device serves version %s at once", step, v)
	}
	if step == "activate" {
		// The agent recorded the activation before the new version
		// served: the restart serves it at once and has nothing to do.
		d2.waitSettled(t, 1)
		if v, _ := d2.models.Active("vww"); v != "2" {
			t.Fatalf("after kill -9 right after the activation the device serves %q, want 2", v)
		}
		// The record carries the manifest, and the journal's newest
		// created time, not yet written when the child died, is
		// recovered from it.
		rec, _, _ := d2.models.Record("vww")
		if got, err := Verify(rec.Manifest, e.keys); err != nil || got.Version != "2" {
			t.Errorf("manifest in the record after kill -9: %v, %v", got, err)
		}
		if created, err := d2.rec.journal.created("vww"); err != nil || !created.Equal(m2.Created) {
			t.Errorf("newest created after the restart %s (%v), want %s", created, err, m2.Created)
		}
	} else {
		d2.waitState(t, "vww", "2", StepActive)
	}
	served, ranges := e.hub.stats()
	t.Logf("bytes fetched after the restart: %d of %d (Range requests %q)", served-servedBefore, m2.Size, ranges)
	if step != "download" && served != servedBefore {
		t.Errorf("restart after a complete download fetched %d bytes again", served-servedBefore)
	}
	if step == "download" && len(ranges) == 0 {
		t.Errorf("restart after a cut download did not resume with a Range request")
	}
	rec, _, _ := d2.models.Record("vww")
	if rec.Active == nil || rec.Active.Version != "2" || rec.Previous == nil || rec.Previous.Version != "1" {
		t.Errorf("registry after recovery: %+v", rec)
	}
	if _, ok, _ := d2.rec.journal.download("vww"); ok {
		t.Error("download record left after recovery")
	}
	if files := modelFiles(t, dir, "vww"); !slices.Equal(files, []string{"1.tflite", "2.tflite"}) {
		t.Errorf("files after recovery %v, want 1.tflite and 2.tflite", files)
	}
}

// atLeast40 matches the child's progress line of 40% or more.
func atLeast40(line string) bool {
	var p int
	_, err := fmt.Sscanf(line, "EVENT downloading %d%%", &p)
	return err == nil && p >= 40
}
