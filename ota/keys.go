package ota

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
)

// Keyring is the set of public keys a device trusts, by key id. Several
// keys make rotation possible: sign with the new key once every device
// trusts both.
type Keyring map[string]ed25519.PublicKey

// KeyID names a public key: the first 8 bytes of its sha256, in hex.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// Add trusts pub.
func (k Keyring) Add(pub ed25519.PublicKey) { k[KeyID(pub)] = pub }

// LoadKeyring reads public key files (see WriteKeyPair) into a keyring.
func LoadKeyring(paths ...string) (Keyring, error) {
	k := Keyring{}
	for _, p := range paths {
		pub, err := ReadPublicKey(p)
		if err != nil {
			return nil, err
		}
		k.Add(pub)
	}
	return k, nil
}

// GenerateKey makes a new ed25519 signing key.
func GenerateKey() (ed25519.PrivateKey, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("ota: generate key: %w", err)
	}
	return priv, nil
}

// WriteKeyPair writes priv as prefix.key (PEM "PRIVATE KEY", PKCS #8,
// mode 0600) and its public key as prefix.pub (PEM "PUBLIC KEY", PKIX,
// mode 0644). It refuses to overwrite an existing key file.
func WriteKeyPair(prefix string, priv ed25519.PrivateKey) (keyFile, pubFile string, err error) {
	keyDER, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return "", "", fmt.Errorf("ota: encode private key: %w", err)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(priv.Public())
	if err != nil {
		return "", "", fmt.Errorf("ota: encode public key: %w", err)
	}
	keyFile, pubFile = prefix+".key", prefix+".pub"
	for _, p := range []string{keyFile, pubFile} {
		if _, err := os.Stat(p); err == nil {
			return "", "", fmt.Errorf("ota: %s exists; refusing to overwrite a key", p)
		}
	}
	if err := writeNew(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return "", "", err
	}
	if err := writeNew(pubFile, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}), 0o644); err != nil {
		return "", "", err
	}
	return keyFile, pubFile, nil
}

func writeNew(path string, b []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return fmt.Errorf("ota: %w", err)
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("ota: write %s: %w", path, err)
	}
	return nil
}

// ReadPrivateKey reads a signing key written by WriteKeyPair.
func ReadPrivateKey(path string) (ed25519.PrivateKey, error) {
	der, err := readPEM(path, "PRIVATE KEY")
	if err != nil {
		return nil, err
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("ota: %s: %w", path, err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("ota: %s: a %T, want an ed25519 key", path, k)
	}
	return priv, nil
}

// ReadPublicKey reads a public key written by WriteKeyPair.
func ReadPublicKey(path string) (ed25519.PublicKey, error) {
	der, err := readPEM(path, "PUBLIC KEY")
	if err != nil {
		return nil, err
	}
	k, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, fmt.Errorf("ota: %s: %w", path, err)
	}
	pub, ok := k.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("ota: %s: a %T, want an ed25519 key", path, k)
	}
	return pub, nil
}

func readPEM(path, typ string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("ota: key: %w", err)
	}
	blk, _ := pem.Decode(b)
	switch {
	case blk == nil:
		return nil, fmt.Errorf("ota: %s: no PEM block; want a %q file from edgeinfer keygen", path, typ)
	case blk.Type != typ:
		return nil, fmt.Errorf("ota: %s: a %q PEM block, want %q", path, blk.Type, typ)
	}
	return blk.Bytes, nil
}

var errNoKeys = errors.New("ota: no trusted keys: give at least one public key file")
