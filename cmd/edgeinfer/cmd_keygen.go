//go:build !noota

package main

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"io"

	"github.com/edgeinfer/edgeinfer/ota"
)

func cmdKeygen(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("keygen", "keygen --out PREFIX", `
Keygen makes an ed25519 key pair for signing model updates: PREFIX.key,
the private key (PEM PKCS #8, mode 0600; keep it with the operator), and
PREFIX.pub, the public key (PEM PKIX) that devices trust with
--trusted-key. It prints the key id, the first 8 bytes of the public key's
sha256 in hex, which every signed manifest names. It never overwrites a key.`, `
edgeinfer keygen --out ops-2026
edgeinfer agent --trusted-key ops-2026.pub ...`)
	out := f.String("out", "", "`prefix` of the two files to write (required)")
	if _, err := f.parse(args, stdout, 0, 0); err != nil {
		return helpDone(err)
	}
	if *out == "" {
		return usagef("--out PREFIX is required")
	}
	priv, err := ota.GenerateKey()
	if err != nil {
		return err
	}
	keyFile, pubFile, err := ota.WriteKeyPair(*out, priv)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "key id %s\nprivate key %s (keep it secret)\npublic key  %s (give it to devices with --trusted-key)\n",
		ota.KeyID(priv.Public().(ed25519.PublicKey)), keyFile, pubFile)
	return nil
}

func init() {
	addCommands(command{"keygen", "make an ed25519 key pair for signing model updates", cmdKeygen})
}
