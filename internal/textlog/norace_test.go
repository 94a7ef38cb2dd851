//go:build !race

package textlog

// raceDetector reports whether the race detector is on.
const raceDetector = false
