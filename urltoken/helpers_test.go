package urltoken_test

import (
	"testing"

	"github.com/fotoembed/fotoembed/fotoweb"
	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/fotoweb/tokens"
	"github.com/fotoembed/fotoembed/urltoken"
)

// env is a fake FotoWeb with a client acting for one of its users.
type env struct {
	fake   *fotowebtest.Server
	client *fotoweb.Client
	tokens *tokens.Source
}

// newEnv starts a fake whose previews follow rule; the client acts for
// the user whose token tok returns.
func newEnv(t *testing.T, rule fotowebtest.PreviewAuthMode, tok func(*fotowebtest.Server) string) *env {
	t.Helper()
	srv := fotowebtest.NewServer(fotowebtest.Options{PreviewAuth: rule})
	t.Cleanup(srv.Close)
	ts := tokens.Static(tok(srv))
	c, err := fotoweb.New(fotoweb.Config{BaseURL: srv.URL, Tokens: ts, MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	return &env{fake: srv, client: c, tokens: ts}
}

func viewer(s *fotowebtest.Server) string { return s.ReadOnlyUserToken() }
func editor(s *fotowebtest.Server) string { return s.UserToken() }
func admin(s *fotowebtest.Server) string  { return s.ServiceToken() }

// prober returns a prober over e with cfg's other fields.
func (e *env) prober(t *testing.T, cfg urltoken.Config) *urltoken.Prober {
	t.Helper()
	cfg.Client, cfg.Tokens = e.client, e.tokens
	p, err := urltoken.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
