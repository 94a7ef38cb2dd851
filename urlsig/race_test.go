//go:build race

package urlsig

const raceEnabled = true
