//go:build !noota

package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/edgeinfer/edgeinfer/hub/hubclient"
	"github.com/edgeinfer/edgeinfer/internal/httpx"
	"github.com/edgeinfer/edgeinfer/internal/mqttlink"
	"github.com/edgeinfer/edgeinfer/ota"
	"github.com/edgeinfer/edgeinfer/runtime/tflite"
)

// hubTokenEnv holds the hub's upload token when --token is not given.
const hubTokenEnv = "EDGEINFER_HUB_TOKEN"

func cmdPush(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("push", "push MODEL.tflite --name N --version V (--fleet G | --device D) --key PREFIX.key (--url URL | --upload HUB_URL) --broker mqtt://HOST:PORT", `
Push sends a model version to a fleet group or one device. It first checks
the model with this engine (a model with an operator the engine lacks is
refused with the engine's message), computes its sha256 and size, uploads
it to the hub with --upload (PUT HUB_URL/v1/blobs/sha256/HEX with the bearer
token of --token or $EDGEINFER_HUB_TOKEN) or takes --url as where devices
download it, signs the manifest with the ed25519 key, and publishes it
retained (QoS 1) on edgeinfer/v1/fleet/G/models/N or
edgeinfer/v1/devices/D/models/N. Devices that are offline take it when they
connect. The manifest names its target (the fleet group or the device id),
and devices refuse one that does not name them, whatever topic it comes
on. --rollout limits it to a stable share of the fleet; publishing again
with a higher percent (same --salt) widens it. --rollback --rollback-from V
lets devices serving version V go down to this version; devices refuse any
manifest signed before the newest they have taken, so an old one cannot be
replayed. --expires ends the manifest's validity.

A smoke test is the files of --smoke-input (one per model input, raw
little-endian bytes in input order) and, optionally, --smoke-output (the
expected outputs), compared within --tolerance. Without it, devices run
the model once on zero-filled inputs before it serves.`, `
edgeinfer push kws.tflite --name kws --version 7 --fleet lab --key ops.key \
    --upload https://hub.example:8443 --broker mqtts://broker.example:8883
edgeinfer push kws.tflite --name kws --version 8 --fleet lab --key ops.key \
    --url https://cdn.example/kws-8.tflite --broker mqtt://10.0.0.2:1883 --rollout 10`)
	name := f.String("name", "", "model `name` on the devices (required)")
	ver := f.String("version", "", "model `version`: dot-separated numbers, higher than the active one (required)")
	fleet := f.String("fleet", "", "fleet `group` to publish to")
	device := f.String("device", "", "single device `id` to publish to")
	keyFile := f.String("key", "", "signing key `file` from edgeinfer keygen (required)")
	url := f.String("url", "", "`URL` devices download the model from (the file must already be there)")
	upload := f.String("upload", "", "hub base `URL` to upload the model to")
	token := f.String("token", "", "hub upload bearer `token` (default $"+hubTokenEnv+")")
	broker := f.String("broker", "", "MQTT broker `URL`, mqtt://HOST:PORT or mqtts://HOST:PORT (required)")
	user := f.String("username", "", "MQTT `username`")
	pass := f.String("password", "", "MQTT `password` (visible to every local user: prefer $"+envMQTTPassword+")")
	ca := f.String("ca-file", "", "PEM `file` of the CA that signed the broker's certificate")
	cert := f.String("cert-file", "", "client certificate PEM `file` for mqtts")
	certKey := f.String("cert-key-file", "", "client certificate key PEM `file` for mqtts")
	rollout := f.Float64("rollout", 100, "`percent` of the fleet that takes it")
	salt := f.String("salt", "", "rollout `salt` (default: NAME-VERSION; keep it when widening)")
	rollback := f.Bool("rollback", false, "allow devices to go back to this lower version (with --rollback-from)")
	rollbackFrom := f.String("rollback-from", "", "the `version` a rollback replaces: only devices serving it take the rollback")
	expires := f.Duration("expires", 0, "how long the manifest stays valid, e.g. 720h (default: no end)")
	minAgent := f.String("min-agent", "", "oldest agent `version` that may take it")
	var smokeIn, smokeOut stringList
	f.Var(&smokeIn, "smoke-input", "smoke test input `file` (repeat per input)")
	f.Var(&smokeOut, "smoke-output", "expected smoke test output `file` (repeat per output)")
	tol := f.Float64("tolerance", 0, "largest difference allowed per smoke output element")
	pos, err := f.parse(args, stdout, 1, 1)
	if err != nil {
		return helpDone(err)
	}
	switch {
	case *name == "" || *ver == "" || *keyFile == "" || *broker == "":
		return usagef("--name, --version, --key and --broker are required")
	case (*fleet == "") == (*device == ""):
		return usagef("give one of --fleet GROUP or --device ID")
	case (*url == "") == (*upload == ""):
		return usagef("give one of --url URL or --upload HUB_URL")
	case len(smokeOut) > 0 && len(smokeIn) == 0:
		return usagef("--smoke-output needs --smoke-input")
	case *rollback != (*rollbackFrom != ""):
		return usagef("--rollback and --rollback-from VERSION go together: a rollback names the version it replaces")
	case *expires < 0:
		return usagef("--expires %s: want a positive duration", *expires)
	}
	if *salt == "" {
		*salt = *name + "-" + *ver
	}
	path := pos[0]
	key, err := ota.ReadPrivateKey(*keyFile)
	if err != nil {
		return err
	}
	d, err := tflite.Describe(path)
	if err != nil {
		return err
	}
	if lerr := d.LoadError(); lerr != nil {
		return fmt.Errorf("%s cannot run on this engine, so devices would refuse it: %w", path, lerr)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	m := &ota.Manifest{
		Name: *name, Version: *ver, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(data)),
		MinAgentVersion: *minAgent, Rollback: *rollback, RollbackFrom: *rollbackFrom, Created: time.Now().UTC().Truncate(time.Second),
		Target: &ota.Target{Fleet: *fleet},
	}
	if *device != "" {
		m.Target = &ota.Target{Devices: []string{*device}}
	}
	if *expires > 0 {
		m.Expires = m.Created.Add(*expires)
	}
	if *rollout < 100 {
		m.Rollout = &ota.Rollout{Percent: *rollout, Salt: *salt}
	}
	for _, op := range d.Ops {
		if !op.Folded && !slices.Contains(m.RequiredOps, op.Name) {
			m.RequiredOps = append(m.RequiredOps, op.Name)
		}
	}
	slices.Sort(m.RequiredOps)
	if len(smokeIn) > 0 {
		if m.Smoke, err = smokeFromFiles(d, smokeIn, smokeOut, *tol); err != nil {
			return err
		}
	}
	if *upload != "" {
		tok := *token
		if tok == "" {
			tok = os.Getenv(hubTokenEnv)
		}
		if strings.HasPrefix(*upload, "http://") {
			fmt.Fprintf(stderr, "warning: the hub token is sent in clear over %s; use https://\n", *upload)
		}
		u, err := uploadBlob(ctx, *upload, tok, data, stderr)
		if err != nil {
			return err
		}
		m.URLs = []string{u}
	} else {
		m.URLs = []string{*url}
	}
	env, err := ota.Sign(m, key)
	if err != nil {
		return err
	}
	topic := ota.FleetModelTopic(*fleet, *name)
	if *device != "" {
		topic = ota.DeviceModelTopic(*device, *name)
	}
	if *pass == "" {
		*pass = os.Getenv(envMQTTPassword)
	}
	if err := publishRetained(ctx, mqttlink.Options{Broker: *broker, Username: *user, Password: *pass, CAFile: *ca, CertFile: *cert, KeyFile: *certKey}, topic, env); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "pushed %s %s (%d bytes, sha256 %s, %d operators) to %s, signed by key %s\n",
		m.Name, m.Version, m.Size, m.SHA256[:16], len(m.RequiredOps), topic, ota.KeyID(key.Public().(ed25519.PublicKey)))
	return nil
}

// smokeFromFiles builds a smoke test from raw tensor files, with dtypes
// and shapes from the model.
func smokeFromFiles(d *tflite.Description, in, out []string, tol float64) (*ota.Smoke, error) {
	if len(in) != len(d.Inputs) {
		return nil, usagef("%d --smoke-input files, the model has %d inputs", len(in), len(d.Inputs))
	}
	if len(out) > len(d.Outputs) {
		return nil, usagef("%d --smoke-output files, the model has %d outputs", len(out), len(d.Outputs))
	}
	s := &ota.Smoke{Tolerance: tol}
	for i, p := range in {
		info := d.Inputs[i]
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		if len(b) != info.ByteSize() {
			return nil, fmt.Errorf("smoke input %s: %d bytes, input %d (%s) takes %d", p, len(b), i, info, info.ByteSize())
		}
		s.Inputs = append(s.Inputs, ota.SmokeTensor{Name: info.Name, DataType: info.DType.String(), Shape: info.Shape, Data: b})
	}
	for j, p := range out {
		info := d.Outputs[j]
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		if len(b) != info.ByteSize() {
			return nil, fmt.Errorf("smoke output %s: %d bytes, output %d (%s) has %d", p, len(b), j, info, info.ByteSize())
		}
		s.Outputs = append(s.Outputs, ota.SmokeTensor{Name: info.Name, DataType: info.DType.String(), Shape: info.Shape, Data: b})
	}
	return s, nil
}

// uploadBlob stores data in the hub's blob store, showing the upload's
// progress on stderr, and returns the URL the hub serves it at.
func uploadBlob(ctx context.Context, hub, token string, data []byte, stderr io.Writer) (string, error) {
	if token == "" {
		return "", usagef("--upload needs --token or $%s", hubTokenEnv)
	}
	p := newProgress(stderr, "uploading", int64(len(data)))
	defer p.finish()
	c := hubclient.Client{BaseURL: hub, Token: token, HTTP: httpx.Options{RetryMax: 3}}
	b, err := c.UploadBlob(ctx, data, p.add)
	if err != nil {
		return "", err
	}
	return b.URL, nil
}

// publishRetained connects, publishes one retained QoS 1 message and
// disconnects.
func publishRetained(ctx context.Context, o mqttlink.Options, topic string, payload []byte) error {
	o.ClientID = "edgeinfer-push-" + randomID()
	link, err := mqttlink.Dial(o)
	if err != nil {
		return err
	}
	defer link.Close()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := link.WaitConnected(ctx); err != nil {
		return fmt.Errorf("broker %s: %w", o.Broker, err)
	}
	return link.Publish(ctx, topic, 1, true, payload)
}

func randomID() string {
	var b [6]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func init() {
	addCommands(command{"push", "sign a model version and publish it to a fleet or a device over MQTT", cmdPush})
}
