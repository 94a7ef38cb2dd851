package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/fotoembed/fotoembed/fotoweb"
	"github.com/fotoembed/fotoembed/redisstore"
	"github.com/fotoembed/fotoembed/usage"
)

// whereUsedConfig is everything `usage` needs.
type whereUsedConfig struct {
	Ref          string // the positional argument
	Service      string // a running service's URL: ask it
	APIKey       string // secret: environment or file only
	FotoWeb      fotowebConfig
	ExportLedger string // the serve's ledger file, read without --service
	Store        string // memory (the ledger file) or the Redis URL serve shares
	JSON         bool
}

// whereUsed is what `usage` prints: GET /v1/usage's answer.
type whereUsed struct {
	Asset string      `json:"asset"`
	Pages []usage.Use `json:"pages"`
}

const whereUsedSummary = "Print the pages that use an asset (REF: an href or a FotoWeb URL), most recently seen first:\n" +
	"one line per page with the time it was last seen. Pages are recorded when /v1/embed or\n" +
	"/v1/resolve name them (page=) and when `rewrite` rewrites them; a change to the asset in\n" +
	"FotoWeb asks serve's --rebuild-url to rebuild them."

// whereUsedFlags returns usage's flags, filling c.
func whereUsedFlags(env lookupFunc, c *whereUsedConfig) *flagSet {
	f := newFlagSet("usage", " REF", whereUsedSummary, env)
	f.checkArgs = func(args []string) error {
		if len(args) != 1 {
			return fmt.Errorf("give one asset reference, not %d", len(args))
		}
		c.Ref = args[0]
		return nil
	}
	f.String(&c.Service, "service", "FOTOEMBED_SERVICE_URL", "", "URL",
		"ask this running fotoembed service (GET /v1/usage; needs FOTOEMBED_API_KEY) instead of reading its store directly")
	f.SecretString(&c.APIKey, "api-key", "FOTOEMBED_API_KEY", "the service's API key", "the API key sent to the service (--service)")
	f.String(&c.ExportLedger, "export-ledger", "FOTOEMBED_EXPORT_LEDGER", defaultLedgerFile(defaultTokenFile(env), "exports.db"), "file",
		"without --service: serve's database file, read-only (it holds the export ledger and the where-used record; "+
			"while serve runs it holds the file: use --service); default exports.db in the user configuration directory")
	f.String(&c.Store, "store", "FOTOEMBED_STORE", storeMemory, "memory|URL",
		"without --service: memory reads --export-ledger; a Redis URL reads the record replicas share there")
	c.FotoWeb.registerURL(f, "needed only to read a pasted FotoWeb URL without --service")
	f.Bool(&c.JSON, "json", "FOTOEMBED_USAGE_JSON", false, `print {"asset": ..., "pages": [{"page": ..., "seen": ...}]} instead of lines`)
	return f
}

// Validate reports every problem at once.
func (c *whereUsedConfig) Validate() error {
	var errs []error
	if c.FotoWeb.URL != "" {
		errs = append(errs, c.FotoWeb.validateURL())
	}
	if c.Service != "" {
		if u, err := url.Parse(c.Service); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
			u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			errs = append(errs, fmt.Errorf("--service %q must be the service's absolute http(s) URL without query or user info, such as https://img.example.com", safeURL(c.Service)))
		}
		if c.APIKey == "" {
			errs = append(errs, errors.New("--service needs an API key: set FOTOEMBED_API_KEY or use --api-key-file"))
		}
		return errors.Join(errs...)
	}
	if c.Store == storeMemory && c.ExportLedger == "" {
		errs = append(errs, errors.New("--export-ledger is empty and no default could be worked out (no HOME): give serve's file, or ask the service with --service"))
	}
	return errors.Join(errs...)
}

// whereUsed prints the pages that use an asset.
func (a *app) whereUsed(ctx context.Context, args []string) error {
	var c whereUsedConfig
	f := whereUsedFlags(a.env, &c)
	if err := a.parse(f, args, c.Validate); err != nil {
		return err
	}
	var ans whereUsed
	var err error
	if c.Service != "" {
		ans, err = a.whereUsedFromService(ctx, &c)
	} else {
		ans, err = c.whereUsedFromStore(ctx, slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	}
	if err != nil {
		return err
	}
	if c.JSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(ans)
	}
	if len(ans.Pages) == 0 {
		fmt.Fprintf(a.stderr, "no page is recorded as using %s\n", ans.Asset)
		return nil
	}
	var b strings.Builder
	for _, u := range ans.Pages {
		fmt.Fprintf(&b, "%s  %s\n", u.Seen.UTC().Format(time.RFC3339), u.Page)
	}
	_, err = io.WriteString(a.stdout, b.String())
	return err
}

// whereUsedFromService asks a running service's GET /v1/usage.
func (a *app) whereUsedFromService(ctx context.Context, c *whereUsedConfig) (whereUsed, error) {
	endpoint := strings.TrimRight(c.Service, "/") + "/v1/usage?ref=" + url.QueryEscape(c.Ref)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
	if err != nil {
		return whereUsed{}, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-API-Key", c.APIKey)
	hc := a.httpClient
	if hc == nil {
		hc = http.DefaultClient
	}
	res, err := hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return whereUsed{}, fmt.Errorf("service %s: %w", safeURL(c.Service), err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 16<<20))
	if err != nil {
		return whereUsed{}, fmt.Errorf("service %s: %w", safeURL(c.Service), err)
	}
	if res.StatusCode != http.StatusOK {
		var m struct {
			Message string `json:"message"`
		}
		msg := http.StatusText(res.StatusCode)
		if json.Unmarshal(body, &m) == nil && m.Message != "" {
			msg = m.Message
		}
		return whereUsed{}, fmt.Errorf("service %s: %d %s", safeURL(c.Service), res.StatusCode, msg)
	}
	var ans whereUsed
	if err := json.Unmarshal(body, &ans); err != nil {
		return whereUsed{}, fmt.Errorf("service %s: the answer is not the expected JSON: %v", safeURL(c.Service), err)
	}
	return ans, nil
}

// whereUsedFromStore reads the record directly: serve's ledger file
// (read-only), or Redis.
func (c *whereUsedConfig) whereUsedFromStore(ctx context.Context, log *slog.Logger) (whereUsed, error) {
	var origin *url.URL
	if c.FotoWeb.URL != "" {
		origin, _ = url.Parse(c.FotoWeb.URL)
	}
	asset, err := fotoweb.ParseAssetRef(origin, c.Ref)
	if err != nil {
		if origin == nil && !strings.HasPrefix(strings.TrimSpace(c.Ref), "/") {
			return whereUsed{}, fmt.Errorf("%w (give --fotoweb-url to read a FotoWeb URL, or the asset's href)", err)
		}
		return whereUsed{}, err
	}
	store, done, err := c.openStore(ctx, log)
	if err != nil {
		return whereUsed{}, err
	}
	defer done()
	pages, err := store.Pages(ctx, asset)
	if pages == nil {
		pages = []usage.Use{}
	}
	return whereUsed{Asset: asset, Pages: pages}, err
}

// openStore opens the record read-only (the file) or on Redis; done
// closes it.
func (c *whereUsedConfig) openStore(ctx context.Context, log *slog.Logger) (usage.Store, func(), error) {
	if c.Store != "" && c.Store != storeMemory {
		rs, err := redisstore.New(ctx, redisstore.Config{URL: c.Store, NearTTL: -1, Logger: log})
		if err != nil {
			return nil, nil, err
		}
		return rs.Usage(usage.Options{}), func() { rs.Close() }, nil
	}
	if _, err := os.Stat(c.ExportLedger); errors.Is(err, os.ErrNotExist) {
		return nil, nil, fmt.Errorf("no ledger file at %s: nothing is recorded there (give serve's --export-ledger, or ask the service with --service)", c.ExportLedger)
	}
	db, err := bolt.Open(c.ExportLedger, 0o600, &bolt.Options{ReadOnly: true, Timeout: 2 * time.Second})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, nil, fmt.Errorf("the ledger file %s is in use by a running fotoembed serve: ask it with --service URL (and FOTOEMBED_API_KEY)", c.ExportLedger)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("opening the ledger file %s: %w", c.ExportLedger, err)
	}
	s, err := usage.NewBolt(db, usage.Options{})
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return s, func() { db.Close() }, nil
}
