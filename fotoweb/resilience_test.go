package fotoweb

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
)

const landscape = fotowebtest.LandscapeAsset

// landscapePath is landscape decoded: the fake matches fault prefixes
// against the decoded request path.
const landscapePath = "/fotoweb/archives/5001-Photos/Folder 19/harbour.jpg.info"

func TestUnauthorizedInvalidatesAndRetriesOnce(t *testing.T) {
	e := newEnv(t, fotowebtest.Options{}, Config{})
	ctx := context.Background()
	if _, err := e.c.Asset(ctx, landscape); err != nil {
		t.Fatal(err)
	}
	e.fake.RevokeTokens()
	e.fake.ResetCounters()
	a, err := e.c.Asset(ctx, landscape)
	if err != nil {
		t.Fatalf("after revocation: %v", err)
	}
	if a.Href != landscape {
		t.Errorf("Href = %q", a.Href)
	}
	if n := e.fake.Count(landscape); n != 2 {
		t.Errorf("asset requests = %d, want 2 (401, then the retry)", n)
	}
	if n := e.fake.TokenRequests("client_credentials"); n != 1 {
		t.Errorf("token requests after revocation = %d, want 1", n)
	}
	if e.tokens.invalidated.Load() != 1 || e.tokens.fetches.Load() != 2 {
		t.Errorf("invalidated %d fetches %d, want 1 and 2", e.tokens.invalidated.Load(), e.tokens.fetches.Load())
	}
}

func TestUnauthorizedRetriedOnlyOnce(t *testing.T) {
	e := newEnv(t, fotowebtest.Options{}, Config{})
	e.fake.SetFault(landscapePath, fotowebtest.Fault{Status: http.StatusUnauthorized})
	_, err := e.c.Asset(context.Background(), landscape)
	if !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("err = %v, want ErrUnauthorized", err)
	}
	if n := e.fake.Count(landscape); n != 2 {
		t.Errorf("requests = %d, want 2", n)
	}
	if e.tokens.invalidated.Load() != 1 {
		t.Errorf("invalidated %d times, want 1", e.tokens.invalidated.Load())
	}
}

func TestUnauthorizedWithoutInvalidatorFails(t *testing.T) {
	e := newEnv(t, fotowebtest.Options{}, Config{})
	e.c.cfg.Tokens = plainTokens{e.tokens}
	if _, err := e.c.Asset(context.Background(), landscape); err != nil {
		t.Fatal(err)
	}
	e.fake.RevokeTokens()
	e.fake.ResetCounters()
	_, err := e.c.Asset(context.Background(), landscape)
	var fe *Error
	if !errors.As(err, &fe) || fe.Status != 401 || !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("err = %v, want a 401 *Error", err)
	}
	if fe.RequestID == "" || fe.Method != "GET" || fe.Path != landscape {
		t.Errorf("error fields %+v", fe)
	}
	if n := e.fake.Count(landscape); n != 1 {
		t.Errorf("requests = %d, want 1", n)
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	e := newEnv(t, fotowebtest.Options{}, Config{})
	e.fake.SetFault(landscapePath, fotowebtest.Fault{Status: http.StatusTooManyRequests, RetryAfter: time.Second, Times: 2})
	if _, err := e.c.Asset(context.Background(), landscape); err != nil {
		t.Fatal(err)
	}
	if n := e.fake.Count(landscape); n != 3 {
		t.Errorf("requests = %d, want 3", n)
	}
	if got := e.sleeps.list(); !slices.Equal(got, []time.Duration{time.Second, time.Second}) {
		t.Errorf("pauses = %v, want the server's Retry-After twice", got)
	}
}

func TestRetryAfterCapped(t *testing.T) {
	e := newEnv(t, fotowebtest.Options{}, Config{MaxRetryAfter: 300 * time.Millisecond})
	e.fake.SetFault(landscapePath, fotowebtest.Fault{Status: http.StatusServiceUnavailable, RetryAfter: 5 * time.Second, Times: 1})
	if _, err := e.c.Asset(context.Background(), landscape); err != nil {
		t.Fatal(err)
	}
	if got := e.sleeps.list(); !slices.Equal(got, []time.Duration{300 * time.Millisecond}) {
		t.Errorf("pauses = %v, want [300ms]", got)
	}
}

func TestRateLimitedExhausted(t *testing.T) {
	e := newEnv(t, fotowebtest.Options{}, Config{MaxAttempts: 3})
	e.fake.SetFault(landscapePath, fotowebtest.Fault{Status: http.StatusTooManyRequests, RetryAfter: time.Second})
	_, err := e.c.Asset(context.Background(), landscape)
	if !errors.Is(err, ErrRateLimited) {
		t.Fatalf("err = %v, want ErrRateLimited", err)
	}
	if n := e.fake.Count(landscape); n != 3 {
		t.Errorf("requests = %d, want MaxAttempts = 3", n)
	}
}

func TestServerErrorsBounded(t *testing.T) {
	for _, status := range []int{408, 500, 502, 503, 504} {
		e := newEnv(t, fotowebtest.Options{}, Config{MaxAttempts: 4})
		e.fake.SetFault(landscapePath, fotowebtest.Fault{Status: status})
		_, err := e.c.Asset(context.Background(), landscape)
		var fe *Error
		if !errors.As(err, &fe) || fe.Status != status || !errors.Is(err, ErrUnavailable) {
			t.Errorf("%d: err = %v", status, err)
		}
		if n := e.fake.Count(landscape); n != 4 {
			t.Errorf("%d: requests = %d, want 4", status, n)
		}
		if n := len(e.sleeps.list()); n != 3 {
			t.Errorf("%d: pauses = %d, want 3", status, n)
		}
	}
}

func TestClientErrorsFailFast(t *testing.T) {
	e := newEnv(t, fotowebtest.Options{}, Config{})
	for _, status := range []int{400, 403, 404, 406, 410, 501} {
		e.fake.ResetCounters()
		e.fake.SetFault(landscapePath, fotowebtest.Fault{Status: status})
		_, err := e.c.Asset(context.Background(), landscape)
		var fe *Error
		if !errors.As(err, &fe) || fe.Status != status {
			t.Errorf("%d: err = %v", status, err)
		}
		if n := e.fake.Count(landscape); n != 1 {
			t.Errorf("%d: requests = %d, want 1", status, n)
		}
	}
}

func TestConnectionResetRetried(t *testing.T) {
	e := newEnv(t, fotowebtest.Options{}, Config{})
	e.fake.SetFault(landscapePath, fotowebtest.Fault{Reset: true, Times: 2})
	if _, err := e.c.Asset(context.Background(), landscape); err != nil {
		t.Fatal(err)
	}
	if n := e.fake.Count(landscape); n != 3 {
		t.Errorf("requests = %d, want 3", n)
	}

	e.fresh()
	e.fake.SetFault(landscapePath, fotowebtest.Fault{Reset: true})
	_, err := e.c.Asset(context.Background(), landscape)
	if !errors.Is(err, ErrUnavailable) || errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want ErrUnavailable", err)
	}
	if n := e.fake.Count(landscape); n != 4 {
		t.Errorf("requests = %d, want 4", n)
	}
}

func TestAttemptTimeout(t *testing.T) {
	e := newEnv(t, fotowebtest.Options{}, Config{Timeout: 100 * time.Millisecond, MaxAttempts: 2})
	e.fake.SetFault(landscapePath, fotowebtest.Fault{Latency: time.Second, Times: 1})
	if _, err := e.c.Asset(context.Background(), landscape); err != nil {
		t.Fatalf("slow first attempt should be retried: %v", err)
	}
	e.fresh()
	e.fake.SetFault(landscapePath, fotowebtest.Fault{Latency: time.Second})
	_, err := e.c.Asset(context.Background(), landscape)
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ErrUnavailable) {
		t.Fatalf("err = %v, want a timeout", err)
	}
	if n := e.fake.Count(landscape); n != 2 {
		t.Errorf("requests = %d, want 2", n)
	}
}

func TestCancelStopsRetries(t *testing.T) {
	e := newEnv(t, fotowebtest.Options{}, Config{})
	ctx, cancel := context.WithCancel(context.Background())
	e.sleeps.on = func(time.Duration) { cancel() }
	e.fake.SetFault(landscapePath, fotowebtest.Fault{Status: http.StatusServiceUnavailable})
	_, err := e.c.Asset(ctx, landscape)
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrUnavailable) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if n := e.fake.Count(landscape); n != 1 {
		t.Errorf("requests = %d, want 1", n)
	}
}

func TestClientRateLimit(t *testing.T) {
	e := newEnv(t, fotowebtest.Options{}, Config{RateLimit: 0.01, Burst: 1})
	if _, err := e.c.Asset(context.Background(), landscape); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err := e.c.Asset(ctx, landscape)
	if err == nil {
		t.Fatal("second request within the limit's window succeeded")
	}
	if n := e.fake.Count(landscape); n != 1 {
		t.Errorf("requests = %d, want 1", n)
	}
}

func TestRenditionPostNotRetriedOn5xx(t *testing.T) {
	e := newEnv(t, fotowebtest.Options{}, Config{})
	a, err := e.c.Asset(context.Background(), landscape)
	if err != nil {
		t.Fatal(err)
	}
	e.fake.SetFault("/fotoweb/services/renditions", fotowebtest.Fault{Status: http.StatusServiceUnavailable})
	if _, err := e.c.Rendition(context.Background(), a.Renditions[0].Href); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("err = %v", err)
	}
	if n := e.fake.Count("/fotoweb/services/renditions"); n != 1 {
		t.Errorf("POSTs = %d, want 1", n)
	}
	e.fake.ResetCounters()
	e.fake.SetFault("/fotoweb/services/renditions", fotowebtest.Fault{Status: http.StatusTooManyRequests, RetryAfter: time.Second, Times: 1})
	b, err := e.c.Rendition(context.Background(), a.Renditions[0].Href)
	if err != nil {
		t.Fatalf("after a 429: %v", err)
	}
	b.Close()
	if n := e.fake.Count("/fotoweb/services/renditions"); n != 2 {
		t.Errorf("POSTs = %d, want 2", n)
	}
}
