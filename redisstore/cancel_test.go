package redisstore

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/fotoembed/fotoembed/exports"
	"github.com/fotoembed/fotoembed/exports/ledgertest"
	"github.com/fotoembed/fotoembed/fotoweb/tokens"
	"github.com/fotoembed/fotoembed/internal/redistest"
	"github.com/fotoembed/fotoembed/internal/testutil"
	"github.com/fotoembed/fotoembed/usage"
)

// The tests here freeze Redis (SIGSTOP) under a Store whose Timeout, lock
// TTLs and waits are an hour away, so that only the caller's context can
// end a call, and check that each method returns when that context is
// cancelled, with its error, and without counting a Redis error.

// hangBound is how long a call may go on after its context was cancelled
// before the test calls it a hang. It only guards against hangs.
const hangBound = 30 * time.Second

// frozenConfig makes every bound but the caller's context an hour long.
// No health pings: a frozen Redis must not be reported down meanwhile.
var frozenConfig = Config{KeyPrefix: "cx:", Timeout: time.Hour, HealthInterval: time.Hour,
	FillLockTTL: time.Hour, FillWait: time.Hour, TokenLockTTL: time.Hour}

// newFrozenStore starts a Redis and a Store on it with frozenConfig. The
// Redis is resumed at cleanup, before the Store closes.
func newFrozenStore(t *testing.T) (*redistest.Server, *Store) {
	t.Helper()
	r := redistest.Start(t)
	s := newStore(t, r, frozenConfig)
	t.Cleanup(r.Resume)
	return r, s
}

// cancelFrozen freezes r and runs call on s with a context cancelled once
// call has taken a connection to the frozen Redis (so it waits for an
// answer that cannot come), and returns call's error. It resumes r before
// returning; the test fails if call still waits hangBound after the
// cancellation.
func cancelFrozen(t *testing.T, r *redistest.Server, s *Store, call func(ctx context.Context) error) error {
	t.Helper()
	// Calls an earlier cancellation abandoned finish first: they would
	// take connections too.
	testutil.WaitFor(t, hangBound, "earlier calls to finish", func() bool { return !connsInUse(s) })
	r.Pause()
	defer r.Resume()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	asked := connsTaken(s)
	done := make(chan error, 1)
	go func() { done <- call(ctx) }()
	testutil.WaitFor(t, 10*time.Second, "the call to take a connection to the frozen Redis", func() bool {
		return connsTaken(s) > asked
	})
	cancel()
	select {
	case err := <-done:
		return err
	case <-time.After(hangBound):
		t.Fatalf("still waiting for the frozen Redis %v after its context was cancelled", hangBound)
		return nil
	}
}

// connsTaken counts the connections s's pools (commands, pipelines)
// handed out.
func connsTaken(s *Store) uint32 {
	st := s.rdb.PoolStats()
	n := st.Hits + st.Misses
	if p := st.PipelineStats; p != nil {
		n += p.Hits + p.Misses
	}
	return n
}

// connsInUse reports whether a connection of s's pools is in use.
func connsInUse(s *Store) bool {
	st := s.rdb.PoolStats()
	if p := st.PipelineStats; p != nil && p.TotalConns != p.IdleConns {
		return true
	}
	return st.TotalConns != st.IdleConns
}

// call is one method call under test.
type call struct {
	name string
	call func(ctx context.Context) error
}

// checkCancelled runs each call with cancelFrozen and checks it returns
// context.Canceled in an error containing want.
func checkCancelled(t *testing.T, r *redistest.Server, s *Store, want string, calls []call) {
	t.Helper()
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			err := cancelFrozen(t, r, s, c.call)
			if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), want) {
				t.Errorf("with its context cancelled while Redis is frozen: %v; want context.Canceled in an error naming %q", err, want)
			}
		})
	}
}

// checkErrors checks the Store counted no Redis error since before.
func checkErrors(t *testing.T, s *Store, before uint64) {
	t.Helper()
	if n := s.Stats().Errors; n != before {
		t.Errorf("%d Redis errors counted, want %d: a cancelled context is not a Redis error", n, before)
	}
}

// awaitSet waits for the SET sets counts to be answered and fails the
// test unless it took its key: the abandoned call did take it.
func awaitSet(t *testing.T, sets *setCounter) {
	t.Helper()
	select {
	case err := <-sets.answers:
		if err != nil {
			t.Fatalf("the abandoned SET NX of %s did not take it: %v", sets.key, err)
		}
	case <-time.After(hangBound):
		t.Fatalf("the abandoned SET NX of %s was not answered after Resume", sets.key)
	}
}

// TestLedgerCallerCancel: every export-ledger call returns when its
// context is cancelled while Redis is frozen, naming the asset, and it is
// not a Redis error; when Redis answers again the ledger works, and the
// export lock the abandoned Lock may have taken is not held until
// ExportLockTTL.
func TestLedgerCallerCancel(t *testing.T) {
	r, s := newFrozenStore(t)
	l := s.Ledger()
	bg := context.Background()
	k := exports.Key{Asset: "/c.info", Width: 800}
	if err := l.Put(bg, k, ledgertest.Record("r")); err != nil {
		t.Fatal(err)
	}
	before := s.Stats().Errors
	checkCancelled(t, r, s, "/c.info", []call{
		{"Get", func(ctx context.Context) error { _, _, err := l.Get(ctx, k); return err }},
		{"Put", func(ctx context.Context) error { return l.Put(ctx, k, ledgertest.Record("r2")) }},
		{"Lock", func(ctx context.Context) error {
			unlock, err := l.Lock(ctx, k)
			if err == nil {
				unlock()
			}
			return err
		}},
		{"DeleteAsset", func(ctx context.Context) error { _, err := l.DeleteAsset(ctx, k.Asset); return err }},
	})
	checkErrors(t, s, before)

	ctx, cancel := context.WithTimeout(bg, hangBound)
	defer cancel()
	unlock, err := l.Lock(ctx, k)
	if err != nil {
		t.Fatalf("Lock after Redis answers again: %v", err)
	}
	unlock()
	k2 := exports.Key{Asset: "/d.info", Width: 800}
	if err := l.Put(ctx, k2, ledgertest.Record("r3")); err != nil {
		t.Fatalf("Put after Redis answers again: %v", err)
	}
	if got, ok, err := l.Get(ctx, k2); err != nil || !ok || got.URL != ledgertest.Record("r3").URL {
		t.Fatalf("Get after Redis answers again: %v %v", ok, err)
	}
	checkErrors(t, s, before)
}

// TestUsageCallerCancel: every where-used call returns when its context
// is cancelled while Redis is frozen, naming the asset, and it is not a
// Redis error; when Redis answers again the record works.
func TestUsageCallerCancel(t *testing.T) {
	r, s := newFrozenStore(t)
	u := s.Usage(usage.Options{Logger: quiet})
	bg := context.Background()
	before := s.Stats().Errors
	checkCancelled(t, r, s, "/u.info", []call{
		{"Record", func(ctx context.Context) error { return u.Record(ctx, "/u.info", "/p") }},
		{"Pages", func(ctx context.Context) error { _, err := u.Pages(ctx, "/u.info"); return err }},
		{"Forget", func(ctx context.Context) error { return u.Forget(ctx, "/u.info") }},
	})
	checkErrors(t, s, before)

	if err := u.Record(bg, "/v.info", "/q"); err != nil {
		t.Fatalf("Record after Redis answers again: %v", err)
	}
	if uses, err := u.Pages(bg, "/v.info"); err != nil || len(uses) != 1 || uses[0].Page != "/q" {
		t.Fatalf("Pages after Redis answers again: %v, %v", uses, err)
	}
	checkErrors(t, s, before)
}

// ctxStore is a token store that refuses to save under an ended context.
type ctxStore struct{ *tokens.MemoryStore }

func (c ctxStore) Save(ctx context.Context, tok *oauth2.Token) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return c.MemoryStore.Save(ctx, tok)
}

// TestTokenStoreCallerCancel: every TokenStore call returns when its
// context is cancelled while Redis is frozen, and it is not a Redis
// error. Save with a fallback still saves the token there (even a
// fallback that honours the context: a rotated token must not be lost)
// and succeeds. When Redis answers again the store works, and the token
// lock the abandoned calls may have taken is not held until TokenLockTTL.
func TestTokenStoreCallerCancel(t *testing.T) {
	r, s := newFrozenStore(t)
	bg := context.Background()
	base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tok := func(n int) *oauth2.Token {
		return &oauth2.Token{AccessToken: "access-" + strconv.Itoa(n), RefreshToken: "refresh-" + strconv.Itoa(n),
			TokenType: "Bearer", Expiry: base.Add(time.Duration(n) * time.Hour)}
	}
	bare := s.TokenStore("bare", nil)
	if err := bare.Save(bg, tok(1)); err != nil {
		t.Fatal(err)
	}
	file := ctxStore{tokens.NewMemoryStore(nil)}
	kept := s.TokenStore("kept", file)
	before := s.Stats().Errors
	checkCancelled(t, r, s, "redisstore: ", []call{
		{"Load", func(ctx context.Context) error { _, err := bare.Load(ctx); return err }},
		{"Save", func(ctx context.Context) error { return bare.Save(ctx, tok(2)) }},
		{"Lock", func(ctx context.Context) error {
			unlock, err := bare.Lock(ctx)
			if err == nil {
				unlock()
			}
			return err
		}},
		{"Seed", func(ctx context.Context) error { _, err := bare.Seed(ctx, tokens.NewMemoryStore(tok(3))); return err }},
		{"pushIfNewer", func(ctx context.Context) error { _, err := bare.pushIfNewer(ctx, tok(4)); return err }},
	})
	t.Run("Save with a fallback", func(t *testing.T) {
		if err := cancelFrozen(t, r, s, func(ctx context.Context) error { return kept.Save(ctx, tok(5)) }); err != nil {
			t.Errorf("Save with its context cancelled while Redis is frozen: %v; want nil: the fallback took it", err)
		}
		if got, err := file.Load(bg); err != nil || got.AccessToken != tok(5).AccessToken {
			t.Errorf("the fallback holds %v, %v; want the token saved", got, err)
		}
	})
	checkErrors(t, s, before)

	ctx, cancel := context.WithTimeout(bg, hangBound)
	defer cancel()
	unlock, err := bare.Lock(ctx)
	if err != nil {
		t.Fatalf("Lock after Redis answers again: %v", err)
	}
	unlock()
	if err := bare.Save(ctx, tok(6)); err != nil {
		t.Fatalf("Save after Redis answers again: %v", err)
	}
	if got, err := s.TokenStore("bare", nil).Load(ctx); err != nil || got.AccessToken != tok(6).AccessToken {
		t.Fatalf("Load after Redis answers again: %v, %v; want the token saved", got, err)
	}
	checkErrors(t, s, before)
}

// TestOnceCallerCancel: Once whose context is cancelled while Redis is
// frozen answers true (the work may be done twice, never not at all), not
// counted as a Redis error. The claim its abandoned SET NX makes when
// Redis answers again is withdrawn: another replica can claim the key
// rather than be told for an hour that someone does the work.
func TestOnceCallerCancel(t *testing.T) {
	r, a := newFrozenStore(t)
	b := newStore(t, r, frozenConfig)
	sets := &setCounter{key: a.onceKey("k"), answers: make(chan error, 4)}
	a.rdb.AddHook(sets)
	bg := context.Background()
	before := a.Stats().Errors
	var first bool
	if err := cancelFrozen(t, r, a, func(ctx context.Context) error { first = a.Once(ctx, "k", time.Hour); return nil }); err != nil {
		t.Fatal(err)
	}
	if !first {
		t.Error("Once whose context was cancelled answered false, want true")
	}
	checkErrors(t, a, before)

	awaitSet(t, sets)
	testutil.WaitFor(t, hangBound, "the abandoned claim to be withdrawn", func() bool { return b.Once(bg, "k", time.Hour) })
	if a.Once(bg, "k", time.Hour) {
		t.Error("after Redis answers again: a key claimed twice")
	}
	checkErrors(t, a, before)
}

// TestLockCallerCancel: LockFill whose context is cancelled while Redis
// is frozen returns at once with the context's error and a usable unlock
// (a fallback, not a Redis error). The fill lock its abandoned SET NX
// takes when Redis answers again is released: another replica takes it
// without waiting out FillLockTTL.
func TestLockCallerCancel(t *testing.T) {
	r, a := newFrozenStore(t)
	b := newStore(t, r, frozenConfig)
	sets := &setCounter{key: a.lockKey("fill:/f.info"), answers: make(chan error, 4)}
	a.rdb.AddHook(sets)
	bg := context.Background()
	before := a.Stats()
	var unlock func()
	err := cancelFrozen(t, r, a, func(ctx context.Context) error {
		var err error
		unlock, err = a.LockFill(ctx, "/f.info")
		return err
	})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "/f.info") || unlock == nil {
		t.Fatalf("LockFill with its context cancelled while Redis is frozen: %v (unlock %v); want context.Canceled naming the key, and an unlock",
			err, unlock != nil)
	}
	unlock()
	after := a.Stats()
	if after.Errors != before.Errors || after.FillFallbacks != before.FillFallbacks+1 || after.FillLocks != before.FillLocks {
		t.Errorf("stats %+v, before %+v: want one more fallback, no error, no lock", after, before)
	}

	awaitSet(t, sets)
	ctx, cancel := context.WithTimeout(bg, hangBound)
	defer cancel()
	unlockB, err := b.LockFill(ctx, "/f.info")
	if err != nil {
		t.Fatalf("another replica's LockFill after Redis answers again: %v", err)
	}
	unlockB()
	unlockA, err := a.LockFill(ctx, "/f.info")
	if err != nil {
		t.Fatalf("LockFill after Redis answers again: %v", err)
	}
	unlockA()
	if st := a.Stats(); st.Errors != before.Errors || st.FillLocks != before.FillLocks+1 {
		t.Errorf("stats %+v after Redis answers again, before %+v: want one lock, no error", st, before)
	}
}

// TestCheckCallerCancel: Check (a readiness probe) whose context is
// cancelled while Redis is frozen returns at once with the context's
// error, not counted as a Redis error; after Resume it passes again.
func TestCheckCallerCancel(t *testing.T) {
	r, s := newFrozenStore(t)
	before := s.Stats().Errors
	checkCancelled(t, r, s, "redisstore: Redis at", []call{{"check", s.Check}})
	checkErrors(t, s, before)
	testutil.WaitFor(t, hangBound, "Check to pass after Redis answers again", func() bool { return s.Check(context.Background()) == nil })
}

// TestHandoff: whatever the order, of a call that took something and a
// caller that went away, exactly the second learns it must give it back;
// a call whose caller never went keeps it, and nothing is given back
// when the call took nothing.
func TestHandoff(t *testing.T) {
	var tookFirst, goneFirst, kept, nothing handoff
	if tookFirst.took() || !tookFirst.gone() {
		t.Error("call took, then caller went: the caller, and only it, must give it back")
	}
	if goneFirst.gone() || !goneFirst.took() {
		t.Error("caller went, then call took: the call, and only it, must give it back")
	}
	if kept.took() {
		t.Error("call took, caller waiting: nothing to give back")
	}
	if nothing.gone() {
		t.Error("caller went, call took nothing: nothing to give back")
	}
	for range 100 {
		var h handoff
		var wg sync.WaitGroup
		var tookBack, goneBack bool
		wg.Go(func() { tookBack = h.took() })
		wg.Go(func() { goneBack = h.gone() })
		wg.Wait()
		if tookBack == goneBack {
			t.Fatalf("concurrent: call gives back %v, caller %v; want exactly one", tookBack, goneBack)
		}
	}
}
