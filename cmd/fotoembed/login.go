package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"golang.org/x/oauth2"

	"github.com/fotoembed/fotoembed/fotoweb/tokens"
)

// loginConfig configures `login`.
type loginConfig struct {
	FotoWeb      fotowebConfig
	CallbackPort int
	Timeout      time.Duration
	Standby      bool
}

// Validate reports every problem with c at once.
func (c *loginConfig) Validate() error {
	errs := []error{c.FotoWeb.validateURL()}
	if c.FotoWeb.ClientID == "" {
		errs = append(errs, errors.New("--client-id is required (or set FOTOEMBED_CLIENT_ID): the client ID of a FotoWeb native "+
			"application (PKCE) whose redirect URIs include http://127.0.0.1/callback"))
	}
	if c.FotoWeb.TokenFile == "" {
		errs = append(errs, errors.New("--token-file is required (or set FOTOEMBED_TOKEN_FILE): no user configuration directory is known"))
	}
	return errors.Join(errs...)
}

// loginFlags returns login's flags, filling c.
func loginFlags(env lookupFunc, c *loginConfig) *flagSet {
	f := newFlagSet("login", "",
		"Log in to FotoWeb as the (least-privilege) user the service should act as: open the printed\n"+
			"URL in a browser, sign in, and the token, with its refresh token, is saved in --token-file\n"+
			"(mode 0600) for `fotoembed serve --auth user`, which keeps it fresh. The browser is then sent\n"+
			"to FotoWeb once more for a standby login, saved with it, that the service falls back on if\n"+
			"the first is ever lost. A running service picks up a new login without a restart.", env)
	c.FotoWeb.registerURL(f, "required")
	c.FotoWeb.registerApp(f, defaultTokenFile(env))
	f.Int(&c.CallbackPort, "callback-port", "FOTOEMBED_CALLBACK_PORT", 0, 0, 65535,
		"loopback port of the redirect URI http://127.0.0.1:PORT/callback; 0 picks a free one (FotoWeb must accept it)")
	f.PositiveDuration(&c.Timeout, "timeout", "FOTOEMBED_LOGIN_TIMEOUT", 5*time.Minute, "how long to wait for the browser")
	f.Bool(&c.Standby, "standby", "FOTOEMBED_LOGIN_STANDBY", true,
		"authorize a second time, right after the first, for a standby login that the service falls back on if the first is lost "+
			"(FotoWeb rotates refresh tokens, and a crash or a lost answer at that moment loses one)")
	return f
}

// login runs the authorization-code + PKCE flow for a least-privilege
// FotoWeb user and saves the token for `serve --auth user`.
func (a *app) login(ctx context.Context, args []string) error {
	var c loginConfig
	f := loginFlags(a.env, &c)
	if err := a.parse(f, args, c.Validate); err != nil {
		return err
	}
	ln, err := listenLoopback(c.CallbackPort)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	fc := c.FotoWeb
	l, err := authorize(ctx, ln, authFlow{
		cfg:     tokens.AuthCodeConfig{BaseURL: fc.URL, ClientID: fc.ClientID, ClientSecret: fc.ClientSecret},
		opts:    tokens.Options{HTTPClient: a.httpClient},
		standby: c.Standby,
		open: func(ctx context.Context, authURL, callback string) error {
			fmt.Fprintf(a.stdout, "Open this URL in a browser and sign in to FotoWeb as the user fotoembed should act as:\n\n  %s\n\n"+
				"Waiting up to %s for FotoWeb to redirect to %s ...\n", authURL, fmtDuration(c.Timeout), callback)
			if a.ready != nil {
				a.ready(readyInfo{AuthorizeURL: authURL, CallbackURL: callback})
			}
			return nil
		},
		note: func() {
			fmt.Fprintf(a.stdout, "Authorized. The browser now asks FotoWeb once more, for the standby login (approve it if FotoWeb asks) ...\n")
		},
	})
	if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("login: no answer from the browser within %s (--timeout)", fmtDuration(c.Timeout))
	}
	if err != nil {
		return err
	}
	if err := saveLogin(context.WithoutCancel(ctx), &tokens.FileStore{Path: fc.TokenFile}, l.saved()); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "Logged in. The token is saved in %s (mode 0600; keep it private).\n", fc.TokenFile)
	switch {
	case l.standby != nil && l.standby.RefreshToken != "":
		fmt.Fprintf(a.stdout, "A standby login is saved with it: if the service ever loses the first, it goes on with the standby and warns.\n")
	case c.Standby:
		why := "FotoWeb gave no refresh token"
		if l.standbyErr != nil {
			why = l.standbyErr.Error()
		}
		fmt.Fprintf(a.stderr, "warning: no standby login (%s); a refresh token lost while FotoWeb rotates it will need a new login\n", why)
	}
	fmt.Fprintf(a.stdout, "Start the service with:\n  FOTOEMBED_AUTH=user FOTOEMBED_FOTOWEB_URL=%s FOTOEMBED_CLIENT_ID=%s FOTOEMBED_TOKEN_FILE=%s fotoembed serve\n"+
		"A service already running with this token file (or its Redis store) picks the new login up by itself.\n",
		fc.URL, fc.ClientID, fc.TokenFile)
	return nil
}

// saveLogin saves a new login's token in the token file, holding the
// file's lock so that a running service, which refreshes under the same
// lock, never overwrites it with the token of the login it replaces.
func saveLogin(ctx context.Context, store *tokens.FileStore, tok *oauth2.Token) error {
	lctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	unlock, err := store.Lock(lctx)
	if err != nil {
		return fmt.Errorf("login: %w", err)
	}
	defer unlock()
	return store.Save(ctx, tok)
}

// listenLoopback listens on 127.0.0.1:port for the OAuth callback.
func listenLoopback(port int) (net.Listener, error) {
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("login: cannot listen on %s for the callback (change --callback-port): %w", addr, err)
	}
	return ln, nil
}

// headlessBrowser approves an authorization request the way a browser
// would, for an authorize endpoint that needs no human (the demo's fake
// FotoWeb): it GETs the authorize URL and follows the redirect only to
// the loopback callback.
func headlessBrowser(hc *http.Client) func(ctx context.Context, authURL, callback string) error {
	return func(ctx context.Context, authURL, callback string) error {
		var rt http.RoundTripper
		if hc != nil {
			rt = hc.Transport
		}
		var authorizeAt string // the authorize endpoint, set before the first request
		c := &http.Client{Transport: rt, Timeout: 30 * time.Second,
			CheckRedirect: func(req *http.Request, via []*http.Request) error {
				// The callback may send the browser on to a second
				// authorization (the standby login).
				to := req.URL.Scheme + "://" + req.URL.Host + req.URL.Path
				if to != callback && to != authorizeAt {
					return fmt.Errorf("authorize redirected elsewhere than %s", callback)
				}
				return nil
			}}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, authURL, nil)
		if err != nil {
			return err
		}
		authorizeAt = req.URL.Scheme + "://" + req.URL.Host + req.URL.Path
		resp, err := c.Do(req)
		if err != nil {
			var ue *url.Error
			if errors.As(err, &ue) {
				err = ue.Err // its message holds the URL, and the code in it
			}
			return fmt.Errorf("login: authorizing at FotoWeb: %w", err)
		}
		resp.Body.Close()
		return nil
	}
}
