package api

import (
	"encoding/json"
	"testing"
)

func TestSequenceParameters(t *testing.T) {
	for _, tc := range []struct {
		js, id     string
		start, end bool
		bad        bool
	}{
		{js: `{"sequence_id": "mic-1", "sequence_start": true}`, id: "mic-1", start: true},
		{js: `{"sequence_id": 18446744073709551615, "sequence_end": true}`, id: "18446744073709551615", end: true},
		{js: `{"sequence_id": 7}`, id: "7"},
		{js: `{}`},
		{js: `{"sequence_id": -1}`, bad: true},
		{js: `{"sequence_id": 1.5}`, bad: true},
		{js: `{"sequence_id": [1]}`, bad: true},
	} {
		var p Parameters
		err := json.Unmarshal([]byte(tc.js), &p)
		if tc.bad {
			if err == nil {
				t.Errorf("%s: accepted as %q", tc.js, p.SequenceID)
			}
			continue
		}
		if err != nil || string(p.SequenceID) != tc.id || p.SequenceStart != tc.start || p.SequenceEnd != tc.end {
			t.Errorf("%s: %+v, %v", tc.js, p, err)
		}
	}
}
