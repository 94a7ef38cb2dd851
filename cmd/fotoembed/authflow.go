package main

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"html"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"

	"github.com/fotoembed/fotoembed/fotoweb/tokens"
)

// authFlow is one run of the authorization-code + PKCE flow with a
// loopback redirect URI. `login` shows the authorize URL to a person;
// `demo` hands it to headlessBrowser. Everything else is the same code.
type authFlow struct {
	cfg  tokens.AuthCodeConfig // RedirectURL is set from the listener
	opts tokens.Options        // for the code exchange
	// open sends the user to authURL; FotoWeb will then redirect the
	// browser to callback.
	open func(ctx context.Context, authURL, callback string) error
}

// callbackResult is what the redirect to the callback brought.
type callbackResult struct {
	code string
	err  error
}

// authorize serves http://ADDR/callback on ln (and closes it), sends the
// user to FotoWeb's authorize URL with a fresh state and PKCE challenge,
// waits for the redirect, checks its state and exchanges the code.
func authorize(ctx context.Context, ln net.Listener, fl authFlow) (*oauth2.Token, error) {
	callback := "http://" + ln.Addr().String() + "/callback"
	cfg := fl.cfg
	cfg.RedirectURL = callback
	if err := cfg.Validate(); err != nil {
		ln.Close()
		return nil, err
	}
	state, verifier := tokens.NewState(), tokens.NewVerifier()
	results := make(chan callbackResult, 1)
	srv := &http.Server{Handler: callbackHandler(state, results), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		if srv.Shutdown(sctx) != nil {
			srv.Close()
		}
	}()
	if err := fl.open(ctx, cfg.AuthCodeURL(state, verifier), callback); err != nil {
		return nil, err
	}
	var res callbackResult
	select {
	case res = <-results:
	case <-ctx.Done():
		return nil, fmt.Errorf("login: waiting for the redirect to %s: %w", callback, ctx.Err())
	}
	if res.err != nil {
		return nil, res.err
	}
	return cfg.Exchange(ctx, res.code, verifier, fl.opts)
}

// callbackHandler answers the redirect from FotoWeb's authorize endpoint
// and delivers its outcome on results. It takes one redirect: any later
// one, even while the code is being exchanged, is answered 409 and
// changes nothing.
func callbackHandler(state string, results chan<- callbackResult) http.Handler {
	mux := http.NewServeMux()
	var used atomic.Bool
	mux.HandleFunc("GET /callback", func(w http.ResponseWriter, r *http.Request) {
		if !used.CompareAndSwap(false, true) {
			writePage(w, http.StatusConflict, "This login has already been handled. You can close this window.")
			return
		}
		q := r.URL.Query()
		var res callbackResult
		switch {
		case subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(state)) != 1:
			res.err = errors.New("login: the redirect's state does not match this login (an old browser tab, or a forged request); run `fotoembed login` again")
		case q.Get("error") != "":
			res.err = fmt.Errorf("login: FotoWeb did not authorize: %s", oauthError(q.Get("error"), q.Get("error_description")))
		case q.Get("code") == "":
			res.err = errors.New("login: the redirect carries neither a code nor an error")
		default:
			res.code = q.Get("code")
		}
		results <- res // buffered for the one redirect taken
		if res.err != nil {
			writePage(w, http.StatusBadRequest, strings.TrimPrefix(res.err.Error(), "login: "))
			return
		}
		writePage(w, http.StatusOK, "fotoembed received the authorization. You can close this window and return to the terminal.")
	})
	return mux
}

// oauthError formats an OAuth error code and description from a redirect,
// stripped of control characters and bounded in length.
func oauthError(code, desc string) string {
	clean := func(s string, n int) string {
		s = strings.Map(func(r rune) rune {
			if r < 0x20 || r == 0x7f {
				return ' '
			}
			return r
		}, s)
		return truncate(strings.TrimSpace(s), n)
	}
	s := clean(code, 64)
	if d := clean(desc, 300); d != "" {
		s += " (" + d + ")"
	}
	return s
}

// writePage writes a tiny HTML page for the browser that was redirected.
func writePage(w http.ResponseWriter, status int, msg string) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>fotoembed login</title></head>\n"+
		"<body><h1>fotoembed login</h1><p>%s</p></body></html>\n", html.EscapeString(msg))
}
