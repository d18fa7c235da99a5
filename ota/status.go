package ota

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// TopicRoot prefixes every edgeinfer MQTT topic.
const TopicRoot = "edgeinfer/v1"

// FleetModelTopic is where the desired state of model for a fleet group is
// published, retained.
func FleetModelTopic(group, model string) string {
	return TopicRoot + "/fleet/" + group + "/models/" + model
}

// DeviceModelTopic is where a per-device desired state of model is
// published, retained; it is taken when newer than the fleet's.
func DeviceModelTopic(device, model string) string {
	return TopicRoot + "/devices/" + device + "/models/" + model
}

// StatusTopic carries a device's retained Status.
func StatusTopic(device string) string { return TopicRoot + "/devices/" + device + "/status" }

// EventTopic carries a device's progress Events.
func EventTopic(device string) string { return TopicRoot + "/devices/" + device + "/ota" }

// StatusFilter matches every device's status topic.
const StatusFilter = TopicRoot + "/devices/+/status"

// OfflineStatus is a device's retained last will, also published when
// it stops: {"online":false,"device":ID,"fleet":GROUP}.
func OfflineStatus(device, fleet string) []byte {
	b, _ := json.Marshal(Status{Online: false, Device: device, Fleet: fleet})
	return b
}

// checkTopicName refuses a device id, group or model name that would
// break a topic (empty, or holding / + # or a NUL).
func checkTopicName(what, s string) error {
	if s == "" || len(s) > 128 || strings.ContainsAny(s, "/+#\x00") {
		return fmt.Errorf("ota: %s %q: want 1 to 128 characters without / + # or NUL", what, s)
	}
	return nil
}

// Status is a device's retained report on StatusTopic.
type Status struct {
	Online       bool                  `json:"online"`
	Device       string                `json:"device,omitempty"`
	Fleet        string                `json:"fleet,omitempty"`
	AgentVersion string                `json:"agent_version,omitempty"`
	Platform     string                `json:"platform,omitempty"`
	Models       map[string]ModelState `json:"models,omitempty"`
	Time         time.Time             `json:"time,omitzero"`
}

// ModelState is one model in a Status: its active version and OTA state.
type ModelState struct {
	Version string `json:"version,omitempty"`
	State   string `json:"state"`
}

// The states of an update, in Event.State.
const (
	StepDownloading = "downloading"
	StepVerifying   = "verifying"
	StepStaging     = "staging"
	StepSmoke       = "smoke"
	StepActive      = "active"
	StepFailed      = "failed"
	StepRolledBack  = "rolled back"
	// StepSkipped: a manifest's rollout leaves this device out.
	StepSkipped = "skipped"
)

// Event is one progress report of an update, published on EventTopic.
type Event struct {
	Device  string `json:"device"`
	Model   string `json:"model"`
	Version string `json:"version,omitempty"`
	// State is one of the Step constants.
	State string `json:"state"`
	// Percent is the download's progress while downloading.
	Percent int `json:"percent,omitempty"`
	// Reason says why, for failed and rolled back.
	Reason string    `json:"reason,omitempty"`
	Time   time.Time `json:"time"`
}

// String renders the event as the model's state word: "downloading 40%",
// "verifying", "failed: reason".
func (e Event) String() string {
	switch {
	case e.State == StepDownloading:
		return fmt.Sprintf("%s %d%%", e.State, e.Percent)
	case e.Reason != "":
		return e.State + ": " + e.Reason
	}
	return e.State
}
