package ota

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Limits on what a manifest may hold.
const (
	// MaxEnvelopeBytes caps a desired-state MQTT payload.
	MaxEnvelopeBytes = 1 << 20
	// MaxModelBytes caps the size a manifest may announce.
	MaxModelBytes = 4 << 30
	maxURLs       = 8
	maxURLLen     = 2048
	maxOps        = 256
	maxSmokeTens  = 16
	maxDevices    = 1000
)

var (
	nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	opRE   = regexp.MustCompile(`^[A-Za-z0-9_:.-]{1,64}$`)
	hexRE  = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// Manifest describes one version of one model for the fleet. Its JSON is
// what the operator signs; the field names below are the wire format.
type Manifest struct {
	// Name is the model's name on the device: 1 to 64 of A-Z a-z 0-9 . _ -
	// starting with a letter or digit.
	Name string `json:"name"`
	// Version is 1 to 4 dot-separated numbers; versions only go up
	// unless Rollback is set.
	Version string `json:"version"`
	// SHA256 is the model file's digest, 64 lowercase hex digits.
	SHA256 string `json:"sha256"`
	// Size is the model file's size in bytes.
	Size int64 `json:"size"`
	// URLs are where to download the file (http or https), tried in order.
	URLs []string `json:"urls"`
	// MinAgentVersion, when set, is the oldest agent that may take it.
	MinAgentVersion string `json:"min_agent_version,omitempty"`
	// RequiredOps lists the operators the model uses; a device whose
	// engine lacks one refuses the manifest before downloading.
	RequiredOps []string `json:"required_ops,omitempty"`
	// Target names the devices the manifest is for: a fleet group or a
	// list of device ids. A device refuses a manifest that does not name
	// it, whatever topic it came on, so a manifest cannot be re-published
	// to devices it was not signed for.
	Target *Target `json:"target"`
	// Rollout, when set, limits the manifest to a share of its target;
	// absent means every device. It applies on whatever topic the
	// manifest arrives.
	Rollout *Rollout `json:"rollout,omitempty"`
	// Rollback allows a lower version than the active one, and only on a
	// device whose active version is RollbackFrom.
	Rollback     bool   `json:"rollback,omitempty"`
	RollbackFrom string `json:"rollback_from,omitempty"`
	// Smoke is the test run against the new version before it serves;
	// absent means one run on zero-filled inputs.
	Smoke *Smoke `json:"smoke,omitempty"`
	// Created is when the manifest was signed (RFC 3339). A device
	// refuses a manifest of a model older than the newest it has taken
	// for that model, so a captured manifest cannot be replayed.
	Created time.Time `json:"created"`
	// Expires, when set, is when the manifest stops being valid: a device
	// refuses it from then on.
	Expires time.Time `json:"expires,omitzero"`
}

// Target is who a manifest is for: one fleet group, or listed devices.
type Target struct {
	Fleet   string   `json:"fleet,omitempty"`
	Devices []string `json:"devices,omitempty"`
}

// Names reports whether the target includes the device id of fleet.
func (t *Target) Names(deviceID, fleet string) bool {
	if t == nil {
		return false
	}
	if t.Fleet != "" {
		return t.Fleet == fleet
	}
	for _, d := range t.Devices {
		if d == deviceID {
			return true
		}
	}
	return false
}

func (t *Target) String() string {
	if t.Fleet != "" {
		return "fleet " + t.Fleet
	}
	if len(t.Devices) > 3 {
		return fmt.Sprintf("devices %s and %d more", strings.Join(t.Devices[:3], ", "), len(t.Devices)-3)
	}
	return "devices " + strings.Join(t.Devices, ", ")
}

// Rollout is a staged rollout: a device takes the manifest when its
// RolloutBucket for Salt is under Percent of the buckets.
type Rollout struct {
	Percent float64 `json:"percent"`
	Salt    string  `json:"salt,omitempty"`
}

// Smoke is a test vector for a new model version: inputs to run and,
// optionally, the outputs expected within Tolerance.
type Smoke struct {
	Inputs []SmokeTensor `json:"inputs"`
	// Outputs are matched to the model's outputs by name, or by position
	// when names are empty. Absent: the run only has to succeed.
	Outputs []SmokeTensor `json:"outputs,omitempty"`
	// Tolerance is the largest absolute difference allowed per element,
	// in the tensor's own units (quantized steps for int8 and uint8).
	Tolerance float64 `json:"tolerance,omitempty"`
}

// SmokeTensor is one tensor of a smoke test. Data is the raw
// little-endian bytes, base64 in JSON.
type SmokeTensor struct {
	Name     string `json:"name,omitempty"`
	DataType string `json:"datatype"`
	Shape    []int  `json:"shape"`
	Data     []byte `json:"data"`
}

// Envelope is the signed form of a manifest: the payload of a
// desired-state MQTT message.
type Envelope struct {
	// Manifest is the exact manifest JSON that was signed (base64 in JSON).
	Manifest []byte `json:"manifest"`
	// KeyID names the signing key (see KeyID).
	KeyID string `json:"key_id"`
	// Signature is ed25519 over Manifest (base64 in JSON).
	Signature []byte `json:"signature"`
}

// Sign marshals m and signs it with key.
func Sign(m *Manifest, key ed25519.PrivateKey) ([]byte, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	body, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("ota: encode manifest: %w", err)
	}
	return SignBytes(body, key)
}

// SignBytes signs manifest bytes as they are and returns the envelope JSON.
func SignBytes(manifest []byte, key ed25519.PrivateKey) ([]byte, error) {
	env := Envelope{
		Manifest:  manifest,
		KeyID:     KeyID(key.Public().(ed25519.PublicKey)),
		Signature: ed25519.Sign(key, manifest),
	}
	return json.Marshal(env)
}

// Verify checks an envelope against the trusted keys and returns its
// manifest. It refuses an oversize or malformed envelope (ErrMalformed), a
// key not in keys (ErrUnknownKey), a signature that does not match
// (ErrBadSignature), and a manifest that fails Parse.
func Verify(payload []byte, keys Keyring) (*Manifest, error) {
	if len(payload) > MaxEnvelopeBytes {
		return nil, fmt.Errorf("%w: envelope is %d bytes, at most %d", ErrMalformed, len(payload), MaxEnvelopeBytes)
	}
	var env Envelope
	if err := strictDecode(payload, &env); err != nil {
		return nil, fmt.Errorf("%w: envelope: %v", ErrMalformed, err)
	}
	switch {
	case len(env.Manifest) == 0:
		return nil, fmt.Errorf("%w: envelope: field manifest is empty", ErrMalformed)
	case env.KeyID == "":
		return nil, fmt.Errorf("%w: envelope: field key_id is empty", ErrMalformed)
	case len(env.Signature) != ed25519.SignatureSize:
		return nil, fmt.Errorf("%w: envelope: field signature is %d bytes, want %d", ErrMalformed, len(env.Signature), ed25519.SignatureSize)
	}
	pub, ok := keys[env.KeyID]
	if !ok {
		return nil, fmt.Errorf("%w: key id %q", ErrUnknownKey, env.KeyID)
	}
	if !ed25519.Verify(pub, env.Manifest, env.Signature) {
		return nil, fmt.Errorf("%w: key id %q", ErrBadSignature, env.KeyID)
	}
	return Parse(env.Manifest)
}

// Parse decodes manifest JSON strictly (unknown fields, trailing data and
// wrong types are errors) and validates every field. It does not check a
// signature; use Verify for anything received.
func Parse(b []byte) (*Manifest, error) {
	var m Manifest
	if err := strictDecode(b, &m); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return &m, nil
}

func strictDecode(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return fmt.Errorf("field %s: want %s, got %s", te.Field, te.Type, te.Value)
		}
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("data after the JSON object")
	}
	return nil
}

// Validate checks every field's form and range; errors wrap ErrMalformed
// and name the field.
func (m *Manifest) Validate() error {
	bad := func(field, format string, args ...any) error {
		return fmt.Errorf("%w: field %s: %s", ErrMalformed, field, fmt.Sprintf(format, args...))
	}
	if !nameRE.MatchString(m.Name) {
		return bad("name", "%q: want 1 to 64 of A-Z a-z 0-9 . _ - starting with a letter or digit", m.Name)
	}
	if _, err := parseVersion(m.Version); err != nil {
		return bad("version", "%v", err)
	}
	if !hexRE.MatchString(m.SHA256) {
		return bad("sha256", "%q: want 64 lowercase hex digits", m.SHA256)
	}
	if m.Size <= 0 || m.Size > MaxModelBytes {
		return bad("size", "%d: want 1 to %d bytes", m.Size, int64(MaxModelBytes))
	}
	if len(m.URLs) == 0 || len(m.URLs) > maxURLs {
		return bad("urls", "%d URLs: want 1 to %d", len(m.URLs), maxURLs)
	}
	for i, s := range m.URLs {
		u, err := url.Parse(s)
		if len(s) > maxURLLen || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return bad(fmt.Sprintf("urls[%d]", i), "%.80q: want an absolute http or https URL of at most %d bytes", s, maxURLLen)
		}
	}
	if m.MinAgentVersion != "" {
		if _, err := parseVersion(strings.TrimPrefix(m.MinAgentVersion, "v")); err != nil {
			return bad("min_agent_version", "%v", err)
		}
	}
	if len(m.RequiredOps) > maxOps {
		return bad("required_ops", "%d operators: at most %d", len(m.RequiredOps), maxOps)
	}
	for i, op := range m.RequiredOps {
		if !opRE.MatchString(op) {
			return bad(fmt.Sprintf("required_ops[%d]", i), "%.80q: want an operator name like CONV_2D", op)
		}
	}
	switch t := m.Target; {
	case t == nil:
		return bad("target", "missing: want {\"fleet\": GROUP} or {\"devices\": [ID, ...]}")
	case (t.Fleet == "") == (len(t.Devices) == 0):
		return bad("target", "want exactly one of fleet or devices")
	case t.Fleet != "" && checkTopicName("fleet", t.Fleet) != nil:
		return bad("target.fleet", "%v", checkTopicName("fleet", t.Fleet))
	case len(t.Devices) > maxDevices:
		return bad("target.devices", "%d devices: at most %d", len(t.Devices), maxDevices)
	}
	for i, d := range m.Target.Devices {
		if err := checkTopicName("device id", d); err != nil {
			return bad(fmt.Sprintf("target.devices[%d]", i), "%v", err)
		}
	}
	if m.Rollback {
		if _, err := parseVersion(m.RollbackFrom); err != nil {
			return bad("rollback_from", "%v: a rollback names the version it rolls back from", err)
		}
		if CompareVersions(m.RollbackFrom, m.Version) <= 0 {
			return bad("rollback_from", "%q: want a version higher than %q", m.RollbackFrom, m.Version)
		}
	} else if m.RollbackFrom != "" {
		return bad("rollback_from", "%q without rollback: true", m.RollbackFrom)
	}
	if r := m.Rollout; r != nil {
		if !(r.Percent >= 0 && r.Percent <= 100) {
			return bad("rollout.percent", "%v: want 0 to 100", r.Percent)
		}
		if len(r.Salt) > 64 {
			return bad("rollout.salt", "%d bytes: at most 64", len(r.Salt))
		}
	}
	if s := m.Smoke; s != nil {
		if err := s.validate(); err != nil {
			return fmt.Errorf("%w: field smoke.%v", ErrMalformed, err)
		}
	}
	if m.Created.IsZero() {
		return bad("created", "missing: want an RFC 3339 time")
	}
	if !m.Expires.IsZero() && !m.Expires.After(m.Created) {
		return bad("expires", "%s: want a time after created (%s)", m.Expires.Format(time.RFC3339), m.Created.Format(time.RFC3339))
	}
	return nil
}

func (s *Smoke) validate() error {
	if len(s.Inputs) == 0 || len(s.Inputs) > maxSmokeTens {
		return fmt.Errorf("inputs: %d tensors: want 1 to %d", len(s.Inputs), maxSmokeTens)
	}
	if len(s.Outputs) > maxSmokeTens {
		return fmt.Errorf("outputs: %d tensors: at most %d", len(s.Outputs), maxSmokeTens)
	}
	if !(s.Tolerance >= 0) {
		return fmt.Errorf("tolerance: %v: want 0 or more", s.Tolerance)
	}
	for _, set := range []struct {
		name string
		ts   []SmokeTensor
	}{{"inputs", s.Inputs}, {"outputs", s.Outputs}} {
		for i, t := range set.ts {
			if err := t.validate(); err != nil {
				return fmt.Errorf("%s[%d].%v", set.name, i, err)
			}
		}
	}
	return nil
}

func (t SmokeTensor) validate() error {
	size := dtypeSize[t.DataType]
	if size == 0 {
		return fmt.Errorf("datatype: %q: want a numeric type such as float32 or int8", t.DataType)
	}
	n := 1
	for _, d := range t.Shape {
		if d < 0 || d > 1<<24 {
			return fmt.Errorf("shape: %v: dimensions must be 0 to %d", t.Shape, 1<<24)
		}
		n *= d
		if n > MaxEnvelopeBytes {
			return fmt.Errorf("shape: %v: too many elements", t.Shape)
		}
	}
	if want := n * size; len(t.Data) != want {
		return fmt.Errorf("data: %d bytes, want %d for %s%v", len(t.Data), want, t.DataType, t.Shape)
	}
	return nil
}
