// Package testenv decides what a test does when something it needs from
// the machine (a browser, a Redis server, an HTML validator) is missing:
// skip with the reason locally, fail when FOTOEMBED_REQUIRE_INTEGRATION=1
// (as CI sets it), so an integration test can never pass by not running.
package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// RequireEnv is the environment variable that turns skips into failures.
const RequireEnv = "FOTOEMBED_REQUIRE_INTEGRATION"

// Required reports whether missing integration dependencies must fail tests.
func Required() bool {
	return os.Getenv(RequireEnv) == "1"
}

// Missing skips t with reason, or fails it when integration is required.
func Missing(t testing.TB, reason string) {
	t.Helper()
	if Required() {
		t.Fatalf("%s (required because %s=1)", reason, RequireEnv)
	}
	t.Skipf("skipping: %s (set %s=1 to make this a failure)", reason, RequireEnv)
}

// LookPath returns the path of the first of names found on PATH, or calls
// Missing naming what to install.
func LookPath(t testing.TB, install string, names ...string) string {
	t.Helper()
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	Missing(t, "none of "+joinNames(names)+" is on PATH; install "+install)
	return ""
}

func joinNames(names []string) string {
	s := ""
	for i, n := range names {
		if i > 0 {
			s += ", "
		}
		s += n
	}
	return s
}
