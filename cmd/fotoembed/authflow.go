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
	// standby asks FotoWeb a second time, right after the first answer
	// (the browser is redirected on), for a second, independent token
	// family: the standby login (see tokens.Standby).
	standby bool
	// note, when set, is told that the first authorization succeeded and
	// the second is under way.
	note func()
}

// login is what authorize obtained: the token and, when asked for and
// given, the standby token.
type login struct {
	tok, standby *oauth2.Token
	// standbyErr says why there is no standby when one was asked for.
	standbyErr error
}

// saved is the token to store: tok carrying the standby's refresh token.
func (l login) saved() *oauth2.Token {
	if l.standby == nil || l.standby.RefreshToken == "" {
		return l.tok
	}
	return tokens.WithStandby(l.tok, l.standby.RefreshToken, l.standby.Expiry.Add(-time.Duration(l.standby.ExpiresIn)*time.Second))
}

// callbackRequest is a redirect to the callback: what it brought, and
// where the handler waits to be told what to answer.
type callbackRequest struct {
	code  string
	err   error
	reply chan<- callbackReply
}

// callbackReply is the answer to the browser: a redirect to the next
// authorization, or a page with a message.
type callbackReply struct {
	next   string // the URL to redirect to; "" for a page
	status int
	msg    string
}

// authorize serves http://ADDR/callback on ln (and closes it), sends the
// user to FotoWeb's authorize URL with a fresh state and PKCE challenge,
// waits for the redirect, checks its state and exchanges the code; with
// fl.standby it then redirects the browser to a second authorization
// (its own state and challenge) and does the same again. A failed second
// round is not a failed login: it is reported in login.standbyErr.
func authorize(ctx context.Context, ln net.Listener, fl authFlow) (login, error) {
	callback := "http://" + ln.Addr().String() + "/callback"
	cfg := fl.cfg
	cfg.RedirectURL = callback
	if err := cfg.Validate(); err != nil {
		ln.Close()
		return login{}, err
	}
	rounds := 1
	if fl.standby {
		rounds = 2
	}
	states, verifiers := make([]string, rounds), make([]string, rounds)
	for i := range rounds {
		states[i], verifiers[i] = tokens.NewState(), tokens.NewVerifier()
	}
	requests := make(chan callbackRequest)
	srv := &http.Server{Handler: callbackHandler(ctx, states, requests), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		if srv.Shutdown(sctx) != nil {
			srv.Close()
		}
	}()
	// open may return at once (a person opens the URL) or only once the
	// whole exchange is over (a headless browser following redirects).
	opened := make(chan error, 1)
	go func() { opened <- fl.open(ctx, cfg.AuthCodeURL(states[0], verifiers[0]), callback) }()
	var out login
	for i := range rounds {
		req, err := nextCallback(ctx, requests, &opened)
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
				err = fmt.Errorf("login: waiting for the redirect to %s: %w", callback, err)
			}
			if i == 0 {
				return login{}, err
			}
			out.standbyErr = err
			return out, nil
		}
		var t *oauth2.Token
		if err = req.err; err == nil {
			t, err = cfg.Exchange(ctx, req.code, verifiers[i], fl.opts)
		}
		if err != nil {
			req.reply <- callbackReply{status: http.StatusBadRequest, msg: strings.TrimPrefix(err.Error(), "login: ")}
			if i == 0 {
				return login{}, err
			}
			out.standbyErr = err
			return out, nil
		}
		if i == 0 {
			out.tok = t
		} else {
			out.standby = t
		}
		if i+1 < rounds {
			if fl.note != nil {
				fl.note()
			}
			req.reply <- callbackReply{next: cfg.AuthCodeURL(states[i+1], verifiers[i+1])}
			continue
		}
		req.reply <- callbackReply{status: http.StatusOK, msg: "fotoembed received the authorization. You can close this window and return to the terminal."}
	}
	return out, nil
}

// nextCallback waits for the next redirect to the callback. Its error
// comes from open (a headless browser that failed) or from ctx; a
// redirect that brought an error is a request with err set.
func nextCallback(ctx context.Context, requests <-chan callbackRequest, opened *chan error) (callbackRequest, error) {
	for {
		select {
		case err := <-*opened:
			*opened = nil // a nil channel is never ready again
			if err != nil {
				return callbackRequest{}, err
			}
		case req := <-requests:
			return req, nil
		case <-ctx.Done():
			return callbackRequest{}, ctx.Err()
		}
	}
}

// callbackHandler answers the redirects from FotoWeb's authorize
// endpoint, one per state in order, delivering each on requests and
// answering the browser as it is told. Each state is taken once: any
// later redirect, even while the code is being exchanged, is answered
// 409 and changes nothing.
func callbackHandler(ctx context.Context, states []string, requests chan<- callbackRequest) http.Handler {
	mux := http.NewServeMux()
	var round atomic.Int32 // the next state expected
	mux.HandleFunc("GET /callback", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		i := int(round.Load())
		if i >= len(states) {
			writePage(w, http.StatusConflict, "This login has already been handled. You can close this window.")
			return
		}
		var req callbackRequest
		switch {
		case subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(states[i])) != 1:
			for j := range i {
				if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(states[j])) == 1 {
					writePage(w, http.StatusConflict, "This login has already been handled. You can close this window.")
					return
				}
			}
			req.err = errors.New("login: the redirect's state does not match this login (an old browser tab, or a forged request); run `fotoembed login` again")
		case q.Get("error") != "":
			req.err = fmt.Errorf("login: FotoWeb did not authorize: %s", oauthError(q.Get("error"), q.Get("error_description")))
		case q.Get("code") == "":
			req.err = errors.New("login: the redirect carries neither a code nor an error")
		default:
			req.code = q.Get("code")
		}
		if !round.CompareAndSwap(int32(i), int32(i+1)) {
			writePage(w, http.StatusConflict, "This login has already been handled. You can close this window.")
			return
		}
		reply := make(chan callbackReply, 1)
		req.reply = reply
		select {
		case requests <- req:
		case <-ctx.Done():
			writePage(w, http.StatusGatewayTimeout, "The login timed out; run `fotoembed login` again.")
			return
		}
		var rep callbackReply
		select {
		case rep = <-reply:
		case <-ctx.Done():
			writePage(w, http.StatusGatewayTimeout, "The login timed out; run `fotoembed login` again.")
			return
		}
		if rep.next != "" {
			http.Redirect(w, r, rep.next, http.StatusFound)
			return
		}
		writePage(w, rep.status, rep.msg)
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
