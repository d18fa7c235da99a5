package telemetry

import (
	"maps"
	"sort"
)

// Device describes the device the figures come from. The wiring fills it
// from the detected platform profile; this package knows nothing of
// platforms.
type Device struct {
	// ID is the device id (the store's, or configured).
	ID string
	// AgentVersion is the edgeinfer version running.
	AgentVersion string
	// Platform names the board or device profile, for example
	// "raspberrypi-4b".
	Platform string
	// Attributes are further descriptive attributes, with OpenTelemetry
	// style keys such as "host.arch", "edgeinfer.board", "edgeinfer.cores".
	Attributes map[string]string
	// Temperature reads the current SoC temperature in degrees Celsius;
	// ok is false when it is unknown. Nil means unknown.
	Temperature func() (celsius float64, ok bool)
}

// SetDevice sets the description of the device, for WritePrometheus and
// the uploads. Safe to call at any time.
func (r *Recorder) SetDevice(d Device) {
	d.Attributes = maps.Clone(d.Attributes)
	r.device.Store(&d)
}

// device returns the current device description (zero when unset).
func (r *Recorder) deviceInfo() Device {
	if d := r.device.Load(); d != nil {
		return *d
	}
	return Device{}
}

// temperature reads the device temperature, if known.
func (d Device) temperature() (float64, bool) {
	if d.Temperature == nil {
		return 0, false
	}
	return d.Temperature()
}

// sortedKeys returns the keys of m in order.
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
