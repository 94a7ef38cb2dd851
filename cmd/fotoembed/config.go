package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/fotoembed/fotoembed/internal/redact"
	"github.com/fotoembed/fotoembed/internal/textlog"
)

// Ways to get FotoWeb tokens (--auth).
const (
	authUser              = "user"
	authClientCredentials = "client_credentials"
	authStatic            = "static"
)

var authModes = []string{authUser, authClientCredentials, authStatic}

// fotowebConfig says how to reach FotoWeb and where its tokens come from.
type fotowebConfig struct {
	URL          string        // FotoWeb origin
	Auth         string        // authUser, authClientCredentials or authStatic
	ClientID     string        // the FotoWeb application's client ID
	ClientSecret string        // secret: environment or file only
	TokenFile    string        // the user's token, saved by `fotoembed login`
	StaticToken  string        // secret: environment or file only
	TokenInQuery bool          // send ?access_token= instead of the Authorization header
	RateLimit    float64       // requests per second to FotoWeb, 0 = unlimited
	Timeout      time.Duration // per FotoWeb request attempt
}

// registerURL registers --fotoweb-url; when says when it is required.
func (c *fotowebConfig) registerURL(f *flagSet, when string) {
	f.String(&c.URL, "fotoweb-url", "FOTOEMBED_FOTOWEB_URL", "", "URL",
		"FotoWeb origin, such as https://acme.fotoware.cloud ("+when+")")
}

// registerApp registers the FotoWeb application's identity and the token
// file, as `login` and the services need them.
func (c *fotowebConfig) registerApp(f *flagSet, defTokenFile string) {
	f.String(&c.ClientID, "client-id", "FOTOEMBED_CLIENT_ID", "", "ID",
		"client ID of the FotoWeb application (registered in FotoWeb's site configuration)")
	f.SecretString(&c.ClientSecret, "client-secret", "FOTOEMBED_CLIENT_SECRET", "the client secret",
		"the FotoWeb application's client secret (client_credentials, or a confidential web application; not for a native PKCE application)")
	f.String(&c.TokenFile, "token-file", "FOTOEMBED_TOKEN_FILE", defTokenFile, "path",
		"file holding the user token and its refresh token, written by `fotoembed login` (mode 0600); default fotoembed/token.json in the user configuration directory")
}

// registerAuth registers --auth (default defAuth) and everything the
// three kinds of token need, then the client's own flags.
func (c *fotowebConfig) registerAuth(f *flagSet, defAuth, defTokenFile string) {
	f.Enum(&c.Auth, "auth", "FOTOEMBED_AUTH", defAuth, authModes,
		"where FotoWeb tokens come from: user (a least-privilege login saved by `fotoembed login`, refreshed automatically), "+
			"client_credentials (a non-interactive application: full admin rights on the tenant), static (a fixed token)")
	c.registerApp(f, defTokenFile)
	f.SecretString(&c.StaticToken, "static-token", "FOTOEMBED_STATIC_TOKEN", "the access token", "a fixed FotoWeb access token (--auth static)")
	f.Bool(&c.TokenInQuery, "token-in-query", "FOTOEMBED_TOKEN_IN_QUERY", false,
		"send the token to FotoWeb as ?access_token= instead of an Authorization header (for proxies that strip the header)")
	f.Float(&c.RateLimit, "rate-limit", "FOTOEMBED_RATE_LIMIT", 0, "req/s", "most FotoWeb API requests per second; 0 means no limit")
	f.PositiveDuration(&c.Timeout, "fotoweb-timeout", "FOTOEMBED_FOTOWEB_TIMEOUT", 30*time.Second, "time limit of one FotoWeb request attempt")
}

// registerBaseURL registers --base-url, the service's public URL; use
// says what it is used for and its default.
func registerBaseURL(f *flagSet, p *string, use string) {
	f.String(p, "base-url", "FOTOEMBED_BASE_URL", "", "URL", "public URL of the service, such as https://img.example.com, "+use)
}

// validateURL checks --fotoweb-url and normalises it to the origin.
func (c *fotowebConfig) validateURL() error {
	if c.URL == "" {
		return errors.New("--fotoweb-url is required (or set FOTOEMBED_FOTOWEB_URL): the FotoWeb origin, such as https://acme.fotoware.cloud")
	}
	u, err := url.Parse(c.URL)
	if err == nil {
		u.Path = strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), "/fotoweb") // a pasted https://host/fotoweb/ is fine
	}
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		u.Path != "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("--fotoweb-url %q must be an http(s) origin without path, query or user info, such as https://acme.fotoware.cloud", safeURL(c.URL))
	}
	c.URL = u.Scheme + "://" + u.Host
	return nil
}

// Validate reports every problem with c at once.
func (c *fotowebConfig) Validate() error {
	return errors.Join(c.validateURL(), c.validateAuth())
}

// validateAuth reports every problem with the token settings.
func (c *fotowebConfig) validateAuth() error {
	var errs []error
	switch c.Auth {
	case authUser:
		if c.ClientID == "" {
			errs = append(errs, errors.New("--client-id is required with --auth user (or set FOTOEMBED_CLIENT_ID): the FotoWeb application `fotoembed login` used"))
		}
		if c.TokenFile == "" {
			errs = append(errs, errors.New("--token-file is required with --auth user (or set FOTOEMBED_TOKEN_FILE); create it with `fotoembed login`"))
		}
	case authClientCredentials:
		if c.ClientID == "" {
			errs = append(errs, errors.New("--client-id is required with --auth client_credentials (or set FOTOEMBED_CLIENT_ID)"))
		}
		if c.ClientSecret == "" {
			errs = append(errs, errors.New("a client secret is required with --auth client_credentials: set FOTOEMBED_CLIENT_SECRET or use --client-secret-file"))
		}
	case authStatic:
		if c.StaticToken == "" {
			errs = append(errs, errors.New("a token is required with --auth static: set FOTOEMBED_STATIC_TOKEN or use --static-token-file"))
		}
	}
	return errors.Join(errs...)
}

// safeURL returns s without user info or query, and redacted (see
// package internal/redact), for messages.
func safeURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return strings.Map(func(r rune) rune {
			if r < 0x20 || r == 0x7f {
				return -1
			}
			return r
		}, truncate(redact.URL(s), 100))
	}
	if u.User != nil {
		u.User = url.User("REDACTED")
	}
	if u.RawQuery != "" {
		u.RawQuery = "…"
	}
	return truncate(redact.String(u.String()), 200)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}

// logConfig configures the log.
type logConfig struct {
	Format string // "text" or "json"
	Level  string // "debug", "info", "warn" or "error"
}

func (c *logConfig) register(f *flagSet) {
	f.Enum(&c.Format, "log-format", "FOTOEMBED_LOG_FORMAT", "text", []string{"text", "json"}, "log line format")
	f.Enum(&c.Level, "log-level", "FOTOEMBED_LOG_LEVEL", "info", []string{"debug", "info", "warn", "error"}, "least important level logged")
}

// logger returns the configured logger writing to w.
func (c *logConfig) logger(w io.Writer) *slog.Logger {
	var lv slog.Level
	_ = lv.UnmarshalText([]byte(c.Level))
	opts := &slog.HandlerOptions{Level: lv}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(textlog.New(w, opts)) // slog.TextHandler's lines, faster
}

// defaultTokenFile is fotoembed/token.json in the user's configuration
// directory, worked out from env as os.UserConfigDir does (this package
// reads no environment but the env it is given), or "" when unknown.
func defaultTokenFile(env lookupFunc) string {
	var dir string
	switch runtime.GOOS {
	case "windows":
		dir, _ = env("AppData")
	case "darwin", "ios":
		if home, ok := env("HOME"); ok {
			dir = filepath.Join(home, "Library", "Application Support")
		}
	case "plan9":
		if home, ok := env("home"); ok {
			dir = filepath.Join(home, "lib")
		}
	default:
		if xdg, ok := env("XDG_CONFIG_HOME"); ok && filepath.IsAbs(xdg) {
			dir = xdg
		} else if home, ok := env("HOME"); ok {
			dir = filepath.Join(home, ".config")
		}
	}
	if dir == "" {
		return ""
	}
	return filepath.Join(dir, "fotoembed", "token.json")
}
