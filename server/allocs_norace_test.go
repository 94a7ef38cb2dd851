//go:build !race

package server

// raceDetector reports a -race build, where allocation counts differ.
const raceDetector = false
