package hub_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"time"

	"github.com/edgeinfer/edgeinfer/hub"
	"github.com/edgeinfer/edgeinfer/telemetry"
)

func Example() {
	dir, err := os.MkdirTemp("", "hub")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	srv, err := hub.Open(hub.Options{DataDir: dir, Token: "upload-secret", ReadToken: "read-secret"})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()

	// One agent's batch, as its uploader would send it.
	rec := telemetry.NewRecorder()
	m := rec.Model("kws", "3")
	for range 10 {
		m.Observe(telemetry.Observation{Compute: 2 * time.Millisecond, Total: 2 * time.Millisecond, Batch: 1})
	}
	end := time.Now()
	p, err := telemetry.Encode(&telemetry.Batch{
		Device: telemetry.Device{ID: "dev-1", Platform: "rpi4"}, Start: end.Add(-time.Minute), End: end, Interval: time.Minute,
		Models: []telemetry.ModelDelta{{Name: "kws", Version: "3", Snapshot: m.Snapshot()}},
	})
	if err != nil {
		log.Fatal(err)
	}
	for range 2 { // a retry with the same key counts once
		req, _ := http.NewRequest(http.MethodPost, ts.URL+"/v1/metrics", bytes.NewReader(telemetry.Gzip(p)))
		req.Header.Set("Content-Type", "application/x-protobuf")
		req.Header.Set("Content-Encoding", "gzip")
		req.Header.Set("Idempotency-Key", "dev-1-1")
		req.Header.Set("Authorization", "Bearer upload-secret")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			log.Fatal(err)
		}
		resp.Body.Close()
		fmt.Println(resp.Status)
	}

	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/api/devices", nil)
	req.Header.Set("Authorization", "Bearer read-secret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	var devices []struct {
		ID     string `json:"id"`
		Online bool   `json:"online"`
		Models []struct {
			Name     string `json:"name"`
			Version  string `json:"version"`
			Requests int    `json:"requests"`
		} `json:"models"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&devices); err != nil {
		log.Fatal(err)
	}
	for _, d := range devices {
		fmt.Println(d.ID, d.Online, d.Models[0].Name, d.Models[0].Version, d.Models[0].Requests)
	}
	// Output:
	// 200 OK
	// 200 OK
	// dev-1 true kws 3 10
}
