package tokens_test

import (
	"context"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/fotoweb/tokens"
)

// A non-interactive application's token. Such a token has full
// administrative access: keep it out of URLs that browsers see.
func ExampleClientCredentials() {
	fake := fotowebtest.NewServer(fotowebtest.Options{}) // stands in for https://<tenant>.fotoware.cloud
	defer fake.Close()

	src, err := tokens.ClientCredentials(tokens.ClientCredentialsConfig{
		BaseURL:      fake.URL,
		ClientID:     fotowebtest.ServiceClientID,
		ClientSecret: fotowebtest.ServiceClientSecret,
	}, tokens.Options{})
	if err != nil {
		log.Fatal(err)
	}
	tok, err := src.Token() // cached until a minute before it expires
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(src.Kind(), tok.Type(), time.Until(tok.Expiry).Round(time.Hour))
	// Output: client-credentials Bearer 8h0m0s
}

// The `fotoembed login` flow: authorization code + PKCE with a loopback
// redirect, the token saved in a FileStore, then kept fresh by a
// RefreshSource.
func ExampleRefreshSource() {
	fake := fotowebtest.NewServer(fotowebtest.Options{})
	defer fake.Close()
	ctx := context.Background()

	// 1. Listen on a loopback port for the redirect.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	cfg := tokens.AuthCodeConfig{
		BaseURL:     fake.URL,
		ClientID:    fotowebtest.WebClientID, // a public native application: no secret
		RedirectURL: "http://" + ln.Addr().String() + "/callback",
	}
	state, verifier := tokens.NewState(), tokens.NewVerifier()
	codes := make(chan string, 1)
	cb := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("state") != state {
			http.Error(w, "state mismatch", http.StatusBadRequest)
			return
		}
		codes <- r.URL.Query().Get("code")
		fmt.Fprintln(w, "Logged in; you can close this window.")
	})}
	go cb.Serve(ln)
	defer cb.Close()

	// 2. The user opens this URL; the fake approves User without a browser.
	resp, err := http.Get(cfg.AuthCodeURL(state, verifier))
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()

	// 3. Trade the code for a token and save it.
	tok, err := cfg.Exchange(ctx, <-codes, verifier, tokens.Options{})
	if err != nil {
		log.Fatal(err)
	}
	dir, _ := os.MkdirTemp("", "fotoembed")
	defer os.RemoveAll(dir)
	store := &tokens.FileStore{Path: filepath.Join(dir, "token.json")}
	if err := store.Save(ctx, tok); err != nil {
		log.Fatal(err)
	}

	// 4. Later, in `fotoembed serve`: a source that refreshes and re-saves.
	src, err := tokens.RefreshSource(cfg, store, tokens.Options{})
	if err != nil {
		log.Fatal(err)
	}
	access, err := src.Token()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(src.Kind(), access.AccessToken == tok.AccessToken, access.RefreshToken == "")
	// Output: user-refresh true true
}

// A Source that FotoWeb's 401 proved stale is told so; the next Token call
// fetches a new one.
func ExampleSource_Invalidate() {
	fake := fotowebtest.NewServer(fotowebtest.Options{})
	defer fake.Close()
	src, _ := tokens.ClientCredentials(tokens.ClientCredentialsConfig{
		BaseURL: fake.URL, ClientID: fotowebtest.ServiceClientID, ClientSecret: fotowebtest.ServiceClientSecret,
	}, tokens.Options{})

	tok, _ := src.Token()
	fake.RevokeTokens() // FotoWeb now answers 401 to tok
	src.Invalidate(tok)
	next, _ := src.Token()
	fmt.Println(next.AccessToken != tok.AccessToken, fake.TokenRequests("client_credentials"))
	// Output: true 2
}
