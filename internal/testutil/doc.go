// Package testutil holds the small helpers that the tests of several
// packages share: a settable clock ([Clock]), a goroutine-safe buffer for
// logs and command output ([SyncBuffer]), a polling wait ([WaitFor]) and
// a copy of a testdata tree ([CopyTree]).
//
// It imports only the standard library, so the tests of every package in
// the module (fotowebtest's own included) can use it without an import
// cycle.
package testutil
