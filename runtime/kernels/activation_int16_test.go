package kernels

import "testing"

// TestSigmoidTable16 checks entries of the generated table against values
// TFLite publishes in its table.
func TestSigmoidTable16(t *testing.T) {
	for i, want := range map[int]uint32{
		0: 32768, 1: 33451, 2: 34133, 3: 34813, 4: 35493, 5: 36169, 6: 36843,
		7: 37513, 8: 38180, 9: 38841, 10: 39498, 255: 65535,
	} {
		if got := sigmoidTable16[i]; got != want {
			t.Errorf("entry %d is %d, want %d", i, got, want)
		}
	}
}
