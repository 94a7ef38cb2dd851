//go:build !race

package urlsig

const raceEnabled = false
