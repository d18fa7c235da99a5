// Package sharedtest finds the project's shared test material (the
// ../shared folder beside the checkout: conformance models with reference
// outputs, negative and unit models) for tests. It is imported only by
// tests; a test that needs the folder and cannot find it skips loudly, and
// one that runs on with fewer models without it says so as loudly.
package sharedtest

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// EnvVar overrides where the shared folder is looked for.
const EnvVar = "EDGEINFER_SHARED"

// Find returns the shared folder: $EDGEINFER_SHARED, or the first "shared"
// folder holding conformance/ found beside the working directory or one of
// its parents. It returns "" when there is none.
func Find() string {
	if d := os.Getenv(EnvVar); d != "" {
		return d
	}
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	for d := wd; ; d = filepath.Dir(d) {
		cand := filepath.Join(d, "shared")
		if st, err := os.Stat(filepath.Join(cand, "conformance")); err == nil && st.IsDir() {
			return cand
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

// Dir returns the shared folder, or skips the test with a message on
// stderr that cannot be missed.
func Dir(tb testing.TB) string {
	tb.Helper()
	d := Find()
	if d == "" {
		msg := fmt.Sprintf("!!! %s: SKIPPED: the shared test folder (../shared beside the checkout, or $%s) was not found; conformance and model tests did not run", tb.Name(), EnvVar)
		fmt.Fprintln(os.Stderr, msg)
		tb.Skip(msg)
	}
	return d
}

// Optional returns the shared folder for a test that can run without it
// on a smaller set of models, or "" after saying on stderr, in a way that
// cannot be missed, that the test runs with fewer models.
func Optional(tb testing.TB) string {
	tb.Helper()
	d := Find()
	if d == "" {
		msg := fmt.Sprintf("!!! %s: SHRUNK: the shared test folder (../shared beside the checkout, or $%s) was not found; running without its models", tb.Name(), EnvVar)
		fmt.Fprintln(os.Stderr, msg)
		tb.Log(msg)
	}
	return d
}
