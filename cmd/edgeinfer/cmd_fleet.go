//go:build !noota

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/edgeinfer/edgeinfer/internal/mqttlink"
	"github.com/edgeinfer/edgeinfer/ota"
)

func cmdFleet(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("fleet", "fleet status --broker mqtt://HOST:PORT [--fleet G] [--wait 2s] [--json]", `
Fleet status subscribes to every device's retained status
(edgeinfer/v1/devices/+/status) for --wait and prints one row per device
and model: whether the device is online, its fleet group, agent version and
platform, and each model's active version and update state (downloading
40%, active, failed: reason, rolled back: reason, ...). A device that went
away without stopping shows online "no" (its last will). --fleet keeps the
devices of one group.`, `
edgeinfer fleet status --broker mqtt://10.0.0.2:1883 --fleet lab
edgeinfer fleet status --broker mqtts://broker.example:8883 --ca-file ca.pem --json | jq '.[] | select(.online)'`)
	broker := f.String("broker", "", "MQTT broker `URL` (required)")
	group := f.String("fleet", "", "show only this fleet `group`")
	wait := f.Duration("wait", 2*time.Second, "how long to collect statuses")
	asJSON := f.Bool("json", false, "print a JSON array of statuses")
	user := f.String("username", "", "MQTT `username`")
	pass := f.String("password", "", "MQTT `password` (visible to every local user: prefer $"+envMQTTPassword+")")
	ca := f.String("ca-file", "", "PEM `file` of the CA that signed the broker's certificate")
	cert := f.String("cert-file", "", "client certificate PEM `file` for mqtts")
	certKey := f.String("cert-key-file", "", "client certificate key PEM `file` for mqtts")
	pos, err := f.parse(args, stdout, 1, 1)
	if err != nil {
		return helpDone(err)
	}
	if pos[0] != "status" {
		return usagef("unknown fleet subcommand %q; want: fleet status", pos[0])
	}
	if *broker == "" {
		return usagef("--broker is required")
	}
	if *pass == "" {
		*pass = os.Getenv(envMQTTPassword)
	}
	link, err := mqttlink.Dial(mqttlink.Options{Broker: *broker, ClientID: "edgeinfer-fleet-" + randomID(), Username: *user, Password: *pass, CAFile: *ca, CertFile: *cert, KeyFile: *certKey, MaxPayloadBytes: maxStatusBytes})
	if err != nil {
		return err
	}
	defer link.Close()
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := link.WaitConnected(cctx); err != nil {
		return fmt.Errorf("broker %s: %w", *broker, err)
	}
	var mu sync.Mutex
	seen := map[string]ota.Status{}
	err = link.Subscribe(cctx, ota.StatusFilter, 1, func(m mqttlink.Message) {
		var s ota.Status
		if json.Unmarshal(m.Payload, &s) != nil {
			return
		}
		if parts := strings.Split(m.Topic, "/"); len(parts) == 5 {
			s.Device = parts[3] // edgeinfer/v1/devices/ID/status
		}
		mu.Lock()
		seen[s.Device] = s
		mu.Unlock()
	})
	if err != nil {
		return err
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(*wait):
	}
	mu.Lock()
	var list []ota.Status
	for _, id := range slices.Sorted(maps.Keys(seen)) {
		if s := seen[id]; *group == "" || s.Fleet == *group {
			list = append(list, s)
		}
	}
	mu.Unlock()
	if *asJSON {
		if list == nil {
			list = []ota.Status{}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(list)
	}
	writeFleetTable(stdout, list)
	return nil
}

// maxStatusBytes caps a device's status message; a larger one is dropped.
const maxStatusBytes = 256 << 10

// writeFleetTable prints one row per device and model, every field that
// came from a device escaped.
func writeFleetTable(w io.Writer, list []ota.Status) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "DEVICE\tONLINE\tFLEET\tAGENT\tPLATFORM\tMODEL\tVERSION\tSTATE")
	dash := func(s string) string {
		if s == "" {
			return "-"
		}
		return printable(s)
	}
	for _, s := range list {
		online := "no"
		if s.Online {
			online = "yes"
		}
		head := fmt.Sprintf("%s\t%s\t%s\t%s\t%s", dash(s.Device), online, dash(s.Fleet), dash(s.AgentVersion), dash(s.Platform))
		if len(s.Models) == 0 {
			fmt.Fprintf(tw, "%s\t-\t-\t-\n", head)
		}
		for _, name := range slices.Sorted(maps.Keys(s.Models)) {
			m := s.Models[name]
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", head, dash(name), dash(m.Version), dash(m.State))
		}
	}
	if len(list) == 0 {
		fmt.Fprintln(tw, "(no devices)")
	}
	tw.Flush()
}

func init() {
	addCommands(command{"fleet", "show every device's status and model versions (fleet status)", cmdFleet})
}
