package ota

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// testKey derives a fixed key from a seed byte, so envelopes are stable.
func testKey(seed byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed([]byte(strings.Repeat(string(rune('a'+seed)), ed25519.SeedSize)))
}

func validManifest() *Manifest {
	return &Manifest{
		Name:    "kws",
		Version: "2",
		SHA256:  strings.Repeat("ab", 32),
		Size:    1234,
		URLs:    []string{"https://hub.example/v1/blobs/sha256/" + strings.Repeat("ab", 32)},
		Target:  &Target{Fleet: "lab"},
		Rollout: &Rollout{Percent: 50, Salt: "kws-2"},
		Smoke: &Smoke{
			Inputs:    []SmokeTensor{{Name: "x", DataType: "float32", Shape: []int{1, 1}, Data: make([]byte, 4)}},
			Outputs:   []SmokeTensor{{DataType: "float32", Shape: []int{1, 1}, Data: make([]byte, 4)}},
			Tolerance: 0.05,
		},
		Created: time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC),
	}
}

// manifestCases are the table of Verify; FuzzParseManifest starts from them.
var manifestCases = []struct {
	name string
	// edit changes the manifest JSON (as a map) before signing.
	edit func(map[string]any)
	// raw, when set, replaces the manifest bytes.
	raw    string
	signer byte // key seed that signs
	// tamper changes the envelope after signing.
	tamper func(*Envelope)
	want   error
	field  string // the error must name it
}{
	{name: "valid", want: nil},
	{name: "signed by the second trusted key (rotation)", signer: 1},
	{name: "unknown key", signer: 7, want: ErrUnknownKey},
	{name: "bad signature", tamper: func(e *Envelope) { e.Signature[0] ^= 1 }, want: ErrBadSignature},
	{name: "manifest changed after signing", tamper: func(e *Envelope) { e.Manifest[len(e.Manifest)-2] ^= 1 }, want: ErrBadSignature},
	{name: "short signature", tamper: func(e *Envelope) { e.Signature = e.Signature[:10] }, want: ErrMalformed, field: "signature"},
	{name: "no key id", tamper: func(e *Envelope) { e.KeyID = "" }, want: ErrMalformed, field: "key_id"},
	{name: "unknown field", edit: func(m map[string]any) { m["colour"] = "red" }, want: ErrMalformed, field: "colour"},
	{name: "bad name", edit: func(m map[string]any) { m["name"] = "../etc" }, want: ErrMalformed, field: "name"},
	{name: "bad version", edit: func(m map[string]any) { m["version"] = "2-beta" }, want: ErrMalformed, field: "version"},
	{name: "version too long", edit: func(m map[string]any) { m["version"] = "1.2.3.4.5" }, want: ErrMalformed, field: "version"},
	{name: "sha256 upper case", edit: func(m map[string]any) { m["sha256"] = strings.Repeat("AB", 32) }, want: ErrMalformed, field: "sha256"},
	{name: "negative size", edit: func(m map[string]any) { m["size"] = -1 }, want: ErrMalformed, field: "size"},
	{name: "oversize size", edit: func(m map[string]any) { m["size"] = int64(MaxModelBytes) + 1 }, want: ErrMalformed, field: "size"},
	{name: "size is a string", edit: func(m map[string]any) { m["size"] = "12" }, want: ErrMalformed, field: "size"},
	{name: "no urls", edit: func(m map[string]any) { m["urls"] = []string{} }, want: ErrMalformed, field: "urls"},
	{name: "ftp url", edit: func(m map[string]any) { m["urls"] = []string{"ftp://x/y"} }, want: ErrMalformed, field: "urls[0]"},
	{name: "oversize url", edit: func(m map[string]any) { m["urls"] = []string{"https://x/" + strings.Repeat("a", 3000)} }, want: ErrMalformed, field: "urls[0]"},
	{name: "bad op", edit: func(m map[string]any) { m["required_ops"] = []string{"CONV 2D"} }, want: ErrMalformed, field: "required_ops[0]"},
	{name: "percent over 100", edit: func(m map[string]any) { m["rollout"] = map[string]any{"percent": 101} }, want: ErrMalformed, field: "rollout.percent"},
	{name: "smoke data size", edit: func(m map[string]any) {
		m["smoke"] = map[string]any{"inputs": []any{map[string]any{"datatype": "float32", "shape": []int{1, 2}, "data": "AAAAAA=="}}}
	}, want: ErrMalformed, field: "smoke.inputs[0].data"},
	{name: "smoke dtype", edit: func(m map[string]any) {
		m["smoke"] = map[string]any{"inputs": []any{map[string]any{"datatype": "string", "shape": []int{1}, "data": "AA=="}}}
	}, want: ErrMalformed, field: "smoke.inputs[0].datatype"},
	{name: "no created", edit: func(m map[string]any) { delete(m, "created") }, want: ErrMalformed, field: "created"},
	{name: "not JSON", raw: "{name: kws", want: ErrMalformed},
	{name: "trailing data", raw: `{"name":"kws"} {}`, want: ErrMalformed},
	{name: "no target", edit: func(m map[string]any) { delete(m, "target") }, want: ErrMalformed, field: "target"},
	{name: "target fleet and devices", edit: func(m map[string]any) { m["target"] = map[string]any{"fleet": "lab", "devices": []string{"d1"}} }, want: ErrMalformed, field: "target"},
	{name: "target empty", edit: func(m map[string]any) { m["target"] = map[string]any{} }, want: ErrMalformed, field: "target"},
	{name: "target device id", edit: func(m map[string]any) { m["target"] = map[string]any{"devices": []string{"d/+"}} }, want: ErrMalformed, field: "target.devices[0]"},
	{name: "target devices", edit: func(m map[string]any) { m["target"] = map[string]any{"devices": []string{"d1", "d2"}} }},
	{name: "rollback without from", edit: func(m map[string]any) { m["rollback"] = true }, want: ErrMalformed, field: "rollback_from"},
	{name: "rollback from a lower version", edit: func(m map[string]any) { m["rollback"], m["rollback_from"] = true, "1" }, want: ErrMalformed, field: "rollback_from"},
	{name: "rollback from", edit: func(m map[string]any) { m["rollback"], m["rollback_from"] = true, "3" }},
	{name: "rollback_from without rollback", edit: func(m map[string]any) { m["rollback_from"] = "3" }, want: ErrMalformed, field: "rollback_from"},
	{name: "expires before created", edit: func(m map[string]any) { m["expires"] = "2026-11-27T00:00:00Z" }, want: ErrMalformed, field: "expires"},
	{name: "expires", edit: func(m map[string]any) { m["expires"] = "2026-12-28T00:00:00Z" }},
	{name: "min agent version", edit: func(m map[string]any) { m["min_agent_version"] = "v0.x" }, want: ErrMalformed, field: "min_agent_version"},
}

// envelopeFor builds the signed envelope of one table case.
func envelopeFor(t testing.TB, i int) []byte {
	tc := manifestCases[i]
	body := []byte(tc.raw)
	if tc.raw == "" {
		b, _ := json.Marshal(validManifest())
		var m map[string]any
		json.Unmarshal(b, &m)
		if tc.edit != nil {
			tc.edit(m)
		}
		body, _ = json.Marshal(m)
	}
	env, err := SignBytes(body, testKey(tc.signer))
	if err != nil {
		t.Fatal(err)
	}
	if tc.tamper != nil {
		var e Envelope
		json.Unmarshal(env, &e)
		tc.tamper(&e)
		env, _ = json.Marshal(e)
	}
	return env
}

func trusted() Keyring {
	k := Keyring{}
	k.Add(testKey(0).Public().(ed25519.PublicKey))
	k.Add(testKey(1).Public().(ed25519.PublicKey))
	return k
}

func TestVerify(t *testing.T) {
	for i, tc := range manifestCases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Verify(envelopeFor(t, i), trusted())
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if m.Name != "kws" || m.Version != "2" || m.Rollout.Percent != 50 {
					t.Errorf("manifest %+v", m)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("Verify = %v, want %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.field) {
				t.Errorf("error %q does not name the field %q", err, tc.field)
			}
		})
	}
}

func TestVerifyOversizeEnvelope(t *testing.T) {
	_, err := Verify(make([]byte, MaxEnvelopeBytes+1), trusted())
	if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "envelope") {
		t.Fatalf("Verify of an oversize payload = %v", err)
	}
}

func FuzzParseManifest(f *testing.F) {
	for i := range manifestCases {
		f.Add(envelopeFor(f, i))
		var e Envelope
		if json.Unmarshal(envelopeFor(f, i), &e) == nil {
			f.Add(e.Manifest)
		}
	}
	keys := trusted()
	f.Fuzz(func(t *testing.T, b []byte) {
		if m, err := Parse(b); err == nil {
			if err := m.Validate(); err != nil {
				t.Fatalf("Parse accepted a manifest Validate refuses: %v", err)
			}
		}
		if m, err := Verify(b, keys); err == nil && m == nil {
			t.Fatal("Verify returned neither a manifest nor an error")
		}
	})
}

func TestCompareVersions(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"1", "2", -1}, {"2", "1", 1}, {"2", "2.0", 0}, {"1.10", "1.9", 1},
		{"10", "9", 1}, {"1.2.3", "1.2.3.1", -1}, {"x", "1", -1}, {"1", "x", 1},
	}
	for _, tc := range tests {
		if got := CompareVersions(tc.a, tc.b); got != tc.want {
			t.Errorf("CompareVersions(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
	for _, tc := range []struct {
		agent, min string
		want       bool
	}{
		{"v0.3.0", "0.2", true}, {"v0.1.9-4-gabc", "0.2", false}, {"dev", "9.9", true}, {"0.2.0+dirty", "v0.2", true}, {"1", "", true},
	} {
		if got := agentAtLeast(tc.agent, tc.min); got != tc.want {
			t.Errorf("agentAtLeast(%q, %q) = %v", tc.agent, tc.min, got)
		}
	}
}

func TestRolloutStableAndMonotone(t *testing.T) {
	if a, b := RolloutBucket("dev-1", "s"), RolloutBucket("dev-1", "s"); a != b {
		t.Fatalf("bucket not stable: %d, %d", a, b)
	}
	// Known value: the hash must not change between releases, or a fleet
	// reshuffles on upgrade.
	if got := RolloutBucket("dev-1", "salt"); got != goldenBucket {
		t.Errorf("RolloutBucket(dev-1, salt) = %d, want %d", got, goldenBucket)
	}
	const devices = 2000
	prev := map[int]bool{}
	for _, pct := range []float64{0, 1, 10, 25, 50, 75, 100} {
		in := map[int]bool{}
		for d := range devices {
			if InRollout("dev-"+strconv.Itoa(d), "salt", pct) {
				in[d] = true
			}
		}
		for d := range prev {
			if !in[d] {
				t.Fatalf("device %d was in at a lower percent but not at %v%%", d, pct)
			}
		}
		share := float64(len(in)) / devices * 100
		if share < pct-5 || share > pct+5 {
			t.Errorf("at %v%%, %.1f%% of devices are in", pct, share)
		}
		prev = in
	}
	if len(prev) != devices {
		t.Errorf("at 100%% only %d of %d devices are in", len(prev), devices)
	}
}

// goldenBucket is RolloutBucket("dev-1", "salt").
const goldenBucket = 319

func float32Bytes(v float32) []byte {
	return binary.LittleEndian.AppendUint32(nil, math.Float32bits(v))
}

func TestKeyFiles(t *testing.T) {
	dir := t.TempDir()
	priv, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	keyFile, pubFile, err := WriteKeyPair(filepath.Join(dir, "ops"), priv)
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(keyFile); st.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v, want 0600", keyFile, st.Mode().Perm())
	}
	if _, _, err := WriteKeyPair(filepath.Join(dir, "ops"), priv); err == nil {
		t.Error("WriteKeyPair overwrote an existing key")
	}
	back, err := ReadPrivateKey(keyFile)
	if err != nil || !back.Equal(priv) {
		t.Fatalf("ReadPrivateKey: %v", err)
	}
	ring, err := LoadKeyring(pubFile)
	if err != nil {
		t.Fatal(err)
	}
	env, err := Sign(validManifest(), back)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(env, ring); err != nil {
		t.Fatalf("Verify with the written public key: %v", err)
	}
	if _, err := ReadPublicKey(keyFile); err == nil || !strings.Contains(err.Error(), "PUBLIC KEY") {
		t.Errorf("ReadPublicKey of a private key file: %v", err)
	}
	if _, err := ReadPrivateKey(filepath.Join(dir, "missing.key")); err == nil {
		t.Error("ReadPrivateKey of a missing file succeeded")
	}
}

func TestSmokeCheck(t *testing.T) {
	f32 := float32Bytes
	s := &Smoke{Outputs: []SmokeTensor{{Name: "y", DataType: "float32", Shape: []int{1}, Data: f32(0.5)}}, Tolerance: 0.01}
	if err := s.Check([]SmokeTensor{{Name: "y", DataType: "float32", Shape: []int{1}, Data: f32(0.505)}}); err != nil {
		t.Errorf("within tolerance: %v", err)
	}
	if err := s.Check([]SmokeTensor{{Name: "y", DataType: "float32", Shape: []int{1}, Data: f32(0.6)}}); !errors.Is(err, ErrSmoke) {
		t.Errorf("outside tolerance: %v", err)
	}
	if err := s.Check([]SmokeTensor{{Name: "z", DataType: "float32", Data: f32(0.5)}}); !errors.Is(err, ErrSmoke) || !strings.Contains(err.Error(), "no such output") {
		t.Errorf("missing output: %v", err)
	}
	q := &Smoke{Outputs: []SmokeTensor{{DataType: "int8", Shape: []int{2}, Data: []byte{0xff, 3}}}, Tolerance: 1}
	if err := q.Check([]SmokeTensor{{DataType: "int8", Data: []byte{0xfe, 4}}}); err != nil {
		t.Errorf("int8 within one step: %v", err)
	}
	if err := q.Check([]SmokeTensor{{DataType: "uint8", Data: []byte{0xff, 3}}}); !errors.Is(err, ErrSmoke) {
		t.Errorf("dtype mismatch: %v", err)
	}
}

func ExampleVerify() {
	key := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	m := &Manifest{
		Name: "kws", Version: "3", SHA256: strings.Repeat("0", 64), Size: 18800,
		URLs:    []string{"https://models.example/kws-3.tflite"},
		Target:  &Target{Fleet: "lab"},
		Created: time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC),
	}
	env, err := Sign(m, key)
	if err != nil {
		fmt.Println(err)
		return
	}
	trusted := Keyring{}
	trusted.Add(key.Public().(ed25519.PublicKey))
	got, err := Verify(env, trusted)
	fmt.Println(got.Name, got.Version, err)
	var e Envelope
	json.Unmarshal(env, &e)
	fmt.Println(e.KeyID, base64.StdEncoding.EncodeToString(e.Manifest)[:12])
	// Output:
	// kws 3 <nil>
	// 139e3940e64b5491 eyJuYW1lIjoi
}
