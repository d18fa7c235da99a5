// Package brokertest starts a real mosquitto broker for tests: on a free
// loopback port, with a configuration generated in the test's temporary
// folder (optionally with a password file and TLS certificates), waits
// until it accepts connections, and stops it when the test ends. It can
// stop and restart the broker on the same port. A test that needs it fails
// with a clear message when mosquitto is not installed.
package brokertest
