package ota

import (
	"crypto/sha256"
	"encoding/binary"
)

// rolloutBuckets is the resolution of a rollout: a device falls in one of
// 10000 buckets, so percents step by 0.01.
const rolloutBuckets = 10000

// RolloutBucket is the device's stable place in a rollout salted with
// salt: a number in [0, 10000) from sha256(salt, 0, device id). The same
// device and salt always give the same bucket; a new salt reshuffles the
// fleet.
func RolloutBucket(deviceID, salt string) int {
	h := sha256.New()
	h.Write([]byte(salt))
	h.Write([]byte{0})
	h.Write([]byte(deviceID))
	sum := h.Sum(nil)
	return int(binary.BigEndian.Uint64(sum[:8]) % rolloutBuckets)
}

// InRollout reports whether the device takes a manifest rolled out to
// percent of the fleet with salt. Raising the percent keeps every device
// that was in and adds more.
func InRollout(deviceID, salt string, percent float64) bool {
	return float64(RolloutBucket(deviceID, salt)) < percent*rolloutBuckets/100
}
