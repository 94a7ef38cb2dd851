package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fotoembed/fotoembed/embed"
	"github.com/fotoembed/fotoembed/fotoweb"
	"github.com/fotoembed/fotoembed/server"
	"github.com/fotoembed/fotoembed/urlsig"
)

// class is a kind of request the soak sends.
type class int

// Request classes, with their share of the load in classWeights.
const (
	classCached    class = iota // signed URL of an asset cached before the load
	classCold                   // signed URL of an asset first requested during the load
	classEmbed                  // GET /v1/embed of a cached asset
	classNoKey                  // GET /v1/embed without an API key
	classBadSig                 // signed URL with a wrong signature
	classExpired                // correctly signed URL past its expiry
	classUnknown                // correctly signed URL of an asset FotoWeb does not have
	classMalformed              // not a signed URL at all
	numClasses
)

var (
	classNames   = [numClasses]string{"cached", "cold", "embed", "no API key", "bad signature", "expired", "unknown asset", "malformed"}
	classWeights = [numClasses]int{60, 15, 8, 3, 5, 3, 3, 3}
)

// allowed returns the statuses the design gives a request of class c:
// an image answer (302 in redirect delivery, 200 in proxy), or the error
// statuses of design.md's "Errors". FotoWeb failing may turn a fetch
// into 502 or 504, but never for an asset already cached (checked
// apart) and never into 500.
func allowed(c class, proxy bool) []int {
	img := http.StatusFound
	if proxy {
		img = http.StatusOK
	}
	switch c {
	case classCached:
		return []int{img}
	case classCold:
		return []int{img, http.StatusBadGateway, http.StatusGatewayTimeout}
	case classEmbed:
		return []int{http.StatusOK}
	case classNoKey:
		return []int{http.StatusUnauthorized}
	case classBadSig:
		return []int{http.StatusForbidden}
	case classExpired:
		return []int{http.StatusGone}
	case classUnknown:
		return []int{http.StatusNotFound, http.StatusBadGateway, http.StatusGatewayTimeout}
	}
	return []int{http.StatusBadRequest}
}

// target is one request the soak can send.
type target struct {
	path  string
	asset string // the asset href, "" for requests about no real asset
	key   bool   // send the API key
}

// load is the soak's load generator and its observations.
type load struct {
	cfg     SoakConfig
	svc     *Service
	fake    *Fake
	proxy   bool
	client  *http.Client
	targets [numClasses][]target
	rng     *rand.Rand // used by the sending goroutine only
	t0      time.Time
	wg      sync.WaitGroup
	sent    atomic.Int64
	done    atomic.Int64

	mu         sync.Mutex
	okSince    map[string]time.Time // asset -> when it was first answered with an image
	statuses   [numClasses]map[int]int
	latency    [numClasses][]time.Duration
	violations []string // the first few, for the report
	nViolation int
	cached5xx  int
	transport  int
	tokens     map[string]time.Duration // access token in a redirect -> first seen (offset)
	revokedAt  time.Duration            // 0 before the revocation
	deadTokens int                      // redirects after the revocation carrying an older token
	lastDead   time.Duration
}

// newLoad builds the targets and warms the cache with every cached one.
func newLoad(ctx context.Context, cfg SoakConfig, fake *Fake, svc *Service) (*load, error) {
	ld := &load{cfg: cfg, svc: svc, fake: fake, proxy: cfg.Delivery == server.DeliveryProxy,
		rng: rand.New(rand.NewPCG(7, 7)), okSince: map[string]time.Time{}, tokens: map[string]time.Duration{},
		client: &http.Client{Timeout: 40 * time.Second,
			Transport:     &http.Transport{MaxIdleConnsPerHost: 1024, IdleConnTimeout: 5 * time.Second},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	for i := range ld.statuses {
		ld.statuses[i] = map[int]int{}
	}
	t, err := BuildTargets(ctx, svc)
	if err != nil {
		return nil, err
	}
	if err := ld.cachedTargets(t); err != nil {
		return nil, err
	}
	if err := ld.otherTargets(); err != nil {
		return nil, err
	}
	for _, c := range []class{classCached, classEmbed} {
		for _, tg := range ld.targets[c] {
			if code, _, err := ld.send(ctx, tg); err != nil || !contains(allowed(c, ld.proxy), code) {
				return nil, fmt.Errorf("bench: warming %s: status %d, %v", redactQuery(tg.path), code, err)
			}
			ld.okSince[tg.asset] = time.Now()
		}
	}
	return ld, nil
}

// cachedTargets are the warm set's signed paths (in proxy delivery only
// previews up to 400 pixels wide, so that the fake generates few images)
// and /v1/embed calls.
func (ld *load) cachedTargets(t *Targets) error {
	for _, p := range t.Redirect {
		v, err := ld.svc.Signer.Verify(p, time.Now())
		if err != nil {
			return err
		}
		if ld.proxy && (v.Options.Width > 400 || v.Options.Width == 0) {
			continue
		}
		ld.targets[classCached] = append(ld.targets[classCached], target{path: p, asset: v.Asset})
	}
	for _, p := range t.Embed {
		u, err := url.Parse(p)
		if err != nil {
			return err
		}
		ld.targets[classEmbed] = append(ld.targets[classEmbed], target{path: p, asset: u.Query().Get("ref"), key: true})
		ld.targets[classNoKey] = append(ld.targets[classNoKey], target{path: p})
	}
	return nil
}

// otherTargets are the cold assets (whose representations the fake builds
// now, before the baseline is measured), the unknown ones and the
// invalid requests.
func (ld *load) otherTargets() error {
	sign := func(o urlsig.Options, href string) string { return ld.svc.Signer.Sign(o, href, "") }
	w800 := urlsig.Options{Width: 800}
	tok := ld.fake.UserToken()
	for _, href := range ld.fake.Assets() {
		if len(ld.targets[classCold]) == ld.cfg.ColdAssets {
			break
		}
		if strings.Contains(href, "/Synthetic/") {
			if err := ld.touchCold(href, tok, w800); err != nil {
				return err
			}
			ld.targets[classCold] = append(ld.targets[classCold], target{path: sign(w800, href), asset: href})
		}
	}
	for i := range 50 {
		href := fmt.Sprintf("/fotoweb/archives/5001-Photos/Synthetic/missing-%05d.jpg.info", i)
		ld.targets[classUnknown] = append(ld.targets[classUnknown], target{path: sign(w800, href)})
	}
	for _, tg := range ld.targets[classCached][:10] {
		p := []byte(tg.path)
		i := len(ld.svc.Signer.Prefix()) + 1
		p[i] = map[bool]byte{true: 'B', false: 'A'}[p[i] == 'A'] // still base64url, now wrong
		ld.targets[classBadSig] = append(ld.targets[classBadSig], target{path: string(p)})
		expired := urlsig.Options{Width: 800, Expires: time.Unix(1_700_000_000, 0)}
		ld.targets[classExpired] = append(ld.targets[classExpired], target{path: sign(expired, tg.asset)})
	}
	ld.targets[classMalformed] = []target{{path: ld.svc.Signer.Prefix() + "/not-a-signed-path"}}
	return nil
}

// touchCold makes the fake build what a cold asset will cost it before
// the soak's baseline is measured, since the fake runs in the same
// process: the asset's representation, and in proxy delivery the preview
// the signed URL o means.
func (ld *load) touchCold(href, tok string, o urlsig.Options) error {
	b, err := fetch(ld.fake.URL+href, tok, "application/vnd.fotoware.asset+json")
	if err != nil || !ld.proxy {
		return err
	}
	var a fotoweb.Asset
	if err := json.Unmarshal(b, &a); err != nil {
		return err
	}
	p, err := embed.NewInfo(href, &a, embed.Fields{}).PreviewFor(o)
	if err != nil {
		return err
	}
	_, err = fetch(ld.fake.URL+p.Href, tok, "*/*")
	return err
}

// fetch GETs u from the fake with a bearer token and returns the body.
func fetch(u, tok, accept string) ([]byte, error) {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Accept", accept)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err == nil && res.StatusCode != http.StatusOK {
		err = fmt.Errorf("bench: fake answered %d for %s", res.StatusCode, redactQuery(u))
	}
	return b, err
}

// since is the offset from the start of the load.
func (ld *load) since() time.Duration { return time.Since(ld.t0) }

// sampleEvery is how often the soak reads its counters.
const sampleEvery = 250 * time.Millisecond

// run sends cfg.Rate requests per second (open loop) for cfg.Duration,
// carrying out the schedule, calling sample every sampleEvery, and waits
// for the requests in flight.
func (ld *load) run(ctx context.Context, sch Schedule, sample func(time.Duration), event func(string)) {
	events := []struct {
		at time.Duration
		do func()
	}{
		{sch.FaultsOn, func() {
			for p, f := range faults(ld.proxy) {
				ld.fake.SetFault(p, f)
			}
			event("faults on")
		}},
		{sch.Revoke, func() {
			ld.fake.RevokeTokens()
			ld.mu.Lock()
			ld.revokedAt = ld.since()
			ld.mu.Unlock()
			event("access tokens revoked")
		}},
		{sch.OutageStart, func() { ld.fake.SetTokenEndpointDown(true); event("token endpoint down") }},
		{sch.OutageEnd, func() { ld.fake.SetTokenEndpointDown(false); event("token endpoint up") }},
		{sch.FaultsOff, func() { ld.fake.ClearFaults(); event("faults cleared") }},
	}
	ld.t0 = time.Now()
	sample(0)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	next := sampleEvery
	for ctx.Err() == nil {
		<-tick.C
		t := ld.since()
		for len(events) > 0 && t >= events[0].at {
			events[0].do()
			events = events[1:]
		}
		if t >= sch.End {
			break
		}
		for due := int64(t.Seconds() * float64(ld.cfg.Rate)); ld.sent.Load() < due; {
			c, tg := ld.pick()
			ld.fire(ctx, c, tg)
		}
		if t >= next {
			sample(t)
			next += sampleEvery
		}
	}
	if len(events) > 0 { // cancelled: leave the fake without faults
		ld.fake.ClearFaults()
		ld.fake.SetTokenEndpointDown(false)
	}
	ld.wg.Wait()
	sample(ld.since())
}

// pick chooses the next request.
func (ld *load) pick() (class, target) {
	total := 0
	for _, w := range classWeights {
		total += w
	}
	n := ld.rng.IntN(total)
	c := class(0)
	for ; n >= classWeights[c]; c++ {
		n -= classWeights[c]
	}
	ts := ld.targets[c]
	return c, ts[ld.rng.IntN(len(ts))]
}

// fire sends one request in its own goroutine and records the answer.
func (ld *load) fire(ctx context.Context, c class, tg target) {
	ld.sent.Add(1)
	ld.wg.Add(1)
	go func() {
		defer ld.wg.Done()
		start := time.Now()
		code, loc, err := ld.send(ctx, tg)
		ld.record(c, tg, start, code, loc, err)
		ld.done.Add(1)
	}()
}

// send makes one request and reads the whole answer.
func (ld *load) send(ctx context.Context, tg target) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ld.svc.URL+tg.path, nil)
	if err != nil {
		return 0, "", err
	}
	if tg.key {
		req.Header.Set("X-API-Key", ld.svc.Config.APIKey)
	}
	res, err := ld.client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	if _, err := io.Copy(io.Discard, res.Body); err != nil {
		return 0, "", err
	}
	return res.StatusCode, res.Header.Get("Location"), nil
}

// record checks one answer against the invariants.
func (ld *load) record(c class, tg target, start time.Time, code int, loc string, err error) {
	d := time.Since(start)
	ld.mu.Lock()
	defer ld.mu.Unlock()
	if err != nil {
		ld.transport++
		ld.violate("%s %s: no answer: %v", classNames[c], redactQuery(tg.path), err)
		return
	}
	ld.statuses[c][code]++
	if !contains(allowed(c, ld.proxy), code) {
		ld.violate("%s %s: status %d, the design gives %v", classNames[c], redactQuery(tg.path), code, allowed(c, ld.proxy))
	}
	if since, ok := ld.okSince[tg.asset]; ok && tg.asset != "" && code >= 500 && since.Before(start) {
		ld.cached5xx++
		ld.violate("%s %s: %d for an asset cached since %s", classNames[c], redactQuery(tg.path), code, since.Sub(ld.t0).Round(time.Millisecond))
	}
	if code == http.StatusFound || code == http.StatusOK {
		if _, ok := ld.okSince[tg.asset]; !ok && tg.asset != "" {
			ld.okSince[tg.asset] = time.Now()
		}
		ld.latency[c] = append(ld.latency[c], d)
	}
	if code == http.StatusFound {
		ld.watchToken(loc)
	}
}

// watchToken notes the access token a redirect carries, and counts
// redirects after the revocation that still carry a token first seen
// before it (a visitor's browser would get 401 from FotoWeb).
func (ld *load) watchToken(loc string) {
	u, err := url.Parse(loc)
	if err != nil {
		return
	}
	tok := u.Query().Get("access_token")
	now := ld.since()
	first, ok := ld.tokens[tok]
	if !ok {
		ld.tokens[tok] = now
		return
	}
	if ld.revokedAt > 0 && first < ld.revokedAt && now > ld.revokedAt {
		ld.deadTokens++
		ld.lastDead = now
	}
}

// violate notes a broken invariant; ld.mu is held.
func (ld *load) violate(format string, args ...any) {
	ld.nViolation++
	if len(ld.violations) < 10 {
		ld.violations = append(ld.violations, fmt.Sprintf(format, args...))
	}
}

// contains reports whether v is in list.
func contains(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
