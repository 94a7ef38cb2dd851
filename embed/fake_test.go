package embed

import (
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/fotoweb"
	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/fotoweb/tokens"
	"github.com/fotoembed/fotoembed/internal/testutil"
)

// The FotoWeb client is the resolver's source.
var _ AssetSource = (*fotoweb.Client)(nil)

// env is a fake FotoWeb with the real client, token source, resolver and
// embedder wired as the service wires them.
type env struct {
	fake   *fotowebtest.Server
	tokens *tokens.Source
	client *fotoweb.Client
	clock  *testutil.Clock
	res    *Resolver
	emb    *Embedder
}

// fakeFlavour is the flavour of the fakes newEnv starts; TestFlavours
// runs tests with the others.
var fakeFlavour = fotowebtest.FlavourSaaS2024

// newEnv starts a fake FotoWeb (in fakeFlavour) and wires everything to
// it. rc tunes the resolver (Source and Now are filled in).
func newEnv(t testing.TB, rc ResolverConfig) *env {
	t.Helper()
	fake := fotowebtest.NewServer(fotowebtest.Options{Flavour: fakeFlavour})
	t.Cleanup(fake.Close)
	ts, err := tokens.ClientCredentials(tokens.ClientCredentialsConfig{
		BaseURL: fake.URL, ClientID: fotowebtest.ServiceClientID, ClientSecret: fotowebtest.ServiceClientSecret,
	}, tokens.Options{})
	if err != nil {
		t.Fatal(err)
	}
	client, err := fotoweb.New(fotoweb.Config{BaseURL: fake.URL, Tokens: ts, MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	c := testutil.NewClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	rc.Source, rc.Now = client, c.Now
	res, err := NewResolver(rc)
	if err != nil {
		t.Fatal(err)
	}
	emb, err := New(Config{Resolver: res, Signer: testSigner(t), BaseURL: "https://img.example.com",
		Origin: fake.URL, Tokens: ts})
	if err != nil {
		t.Fatal(err)
	}
	return &env{fake: fake, tokens: ts, client: client, clock: c, res: res, emb: emb}
}
