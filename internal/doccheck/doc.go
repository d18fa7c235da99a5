// Package doccheck holds the tests that keep the documentation usable: the
// README stays a front door of at most 300 lines, every relative link in
// README.md and docs/*.md reaches an existing file and heading, the
// operator list of docs/engine.md is the engine's, and every test that
// docs/security.md cites exists in the package it names. It has no code
// of its own besides the tests.
package doccheck
