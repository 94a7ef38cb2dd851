// Command loadtarget serves what bench/run.sh points wrk at, all on
// 127.0.0.1: the fake FotoWeb, fotoembed wired as `fotoembed serve` wires
// it, and the two baselines (a bare Echo 302, and httputil.ReverseProxy
// in front of the fake). Each process plays one -role, so that run.sh can
// give each its own GOMAXPROCS and CPU; -role all runs everything in one
// process for a quick look.
//
// Usage:
//
//	loadtarget -role fake     [-addr A] [-env FILE]
//	loadtarget -role service  -fotoweb URL [-delivery redirect|proxy] [-auth user|client-credentials] [-out DIR] [-env FILE]
//	loadtarget -role echo302  [-addr A] [-env FILE]
//	loadtarget -role revproxy -fotoweb URL [-auth ...] [-env FILE]
//	loadtarget -role all      [-out DIR] [-env FILE]
//	loadtarget -role nginx-conf -out DIR [-access-log=false] [-env FILE]
//
// Once listening, a role writes KEY=VALUE lines (its URL and GOMAXPROCS)
// to -env (default stdout). The service role resolves the warm set,
// checks every target once and writes wrk's inputs to -out: redirect.paths,
// proxy.paths, preview.paths, embed.paths (one path per line),
// resolve.json and apikey. Every role exits after -lifetime, or on
// SIGINT/SIGTERM, except nginx-conf, which writes the configuration of
// the nginx secure_link baseline (nginx.conf and nginx.paths in -out),
// announces NGINX_URL and exits: run.sh starts nginx itself.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	_ "net/http/pprof"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/fotoembed/fotoembed/bench"
	"github.com/fotoembed/fotoembed/fotoweb"
	"github.com/fotoembed/fotoembed/fotoweb/fotowebtest"
	"github.com/fotoembed/fotoembed/internal/logbuf"
	"github.com/fotoembed/fotoembed/internal/textlog"
	"github.com/fotoembed/fotoembed/server"
)

// options are the command line.
type options struct {
	role, addr, fotoweb, delivery, auth, out, env, logLevel, logFile, pprof string
	lifetime                                                                time.Duration
	upstreamIdle                                                            int
	accessLog                                                               bool
}

func main() {
	var o options
	flag.StringVar(&o.role, "role", "all", "what to serve: fake, service, echo302, revproxy or all")
	flag.StringVar(&o.addr, "addr", "127.0.0.1:0", "listen address (loopback only)")
	flag.StringVar(&o.fotoweb, "fotoweb", "", "FotoWeb (fake) URL, for service and revproxy")
	flag.StringVar(&o.delivery, "delivery", "redirect", "service delivery: redirect or proxy")
	flag.StringVar(&o.auth, "auth", "user", "token source: user or client-credentials")
	flag.StringVar(&o.out, "out", "", "directory for wrk's inputs (service, all)")
	flag.StringVar(&o.env, "env", "", "file for the KEY=VALUE lines (default stdout)")
	flag.StringVar(&o.logLevel, "log-level", "info", "service log level (debug, info, warn, error), as `fotoembed serve --log-level`")
	flag.StringVar(&o.logFile, "log", "", "file the service log goes to (default stderr), such as /dev/null")
	flag.DurationVar(&o.lifetime, "lifetime", 30*time.Minute, "exit after this long")
	flag.IntVar(&o.upstreamIdle, "upstream-idle", 0, "idle connections kept per host to FotoWeb by the service and the reverse proxy (0: as `fotoembed serve`)")
	flag.StringVar(&o.pprof, "pprof", "", "serve net/http/pprof for this process on this loopback address, such as 127.0.0.1:6060")
	flag.BoolVar(&o.accessLog, "access-log", true, "nginx-conf: nginx writes an access log")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, o.lifetime)
	defer cancel()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "loadtarget:", err)
		os.Exit(1)
	}
}

// run starts the role, announces it and waits for ctx to end.
func run(ctx context.Context, o options) error {
	if o.role == "nginx-conf" {
		return nginxConf(o)
	}
	var env []string
	var closers []func()
	defer func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}()
	add := func(kv []string, closer func(), err error) error {
		env = append(env, kv...)
		if closer != nil {
			closers = append(closers, closer)
		}
		return err
	}
	if o.pprof != "" {
		srv, err := bench.Serve(o.pprof, http.DefaultServeMux) // net/http/pprof registers there
		if err != nil {
			return err
		}
		closers = append(closers, srv.Close)
		env = append(env, "PPROF_URL="+srv.URL+"/debug/pprof/")
	}
	var err error
	switch o.role {
	case "fake":
		err = add(startFake(o.addr))
	case "service":
		err = add(startService(ctx, o, o.fotoweb, o.out))
	case "echo302":
		err = add(startEcho(o.addr))
	case "revproxy":
		err = add(startRevProxy(ctx, o, o.fotoweb))
	case "all":
		err = all(ctx, o, add)
	default:
		err = fmt.Errorf("unknown -role %q", o.role)
	}
	if err != nil {
		return err
	}
	env = append(env, fmt.Sprintf("GOMAXPROCS_%s=%d", strings.ToUpper(o.role), runtime.GOMAXPROCS(0)))
	if err := announce(o.env, env); err != nil {
		return err
	}
	<-ctx.Done()
	return nil
}

// all starts every role in this process.
func all(ctx context.Context, o options, add func([]string, func(), error) error) error {
	kv, c, err := startFake("127.0.0.1:0")
	if err := add(kv, c, err); err != nil {
		return err
	}
	fake := strings.TrimPrefix(kv[0], "FAKE_URL=")
	for _, d := range []string{"redirect", "proxy"} {
		so := o
		so.addr, so.delivery = "127.0.0.1:0", d
		if err := add(startService(ctx, so, fake, o.out)); err != nil {
			return err
		}
	}
	if err := add(startEcho("127.0.0.1:0")); err != nil {
		return err
	}
	return add(startRevProxy(ctx, o, fake))
}

// startFake serves the fake FotoWeb.
func startFake(addr string) ([]string, func(), error) {
	f, err := bench.StartFake(addr, fotowebtest.Options{})
	if err != nil {
		return nil, nil, err
	}
	return []string{"FAKE_URL=" + f.URL}, func() { f.Close() }, nil
}

// startService serves fotoembed against the fake at fw, checks every
// target once and writes wrk's inputs to out.
func startService(ctx context.Context, o options, fw, out string) ([]string, func(), error) {
	auth, err := bench.ParseAuth(o.auth)
	if err != nil {
		return nil, nil, err
	}
	delivery, err := server.ParseDelivery(o.delivery)
	if err != nil {
		return nil, nil, err
	}
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(o.logLevel)); err != nil {
		return nil, nil, err
	}
	w := os.Stderr
	if o.logFile != "" {
		if w, err = os.OpenFile(o.logFile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644); err != nil {
			return nil, nil, err
		}
	}
	// The log lines of `fotoembed serve --log-format text` (package
	// textlog); the access log goes through a buffered writer, as serve
	// writes it.
	log := slog.New(textlog.New(w, &slog.HandlerOptions{Level: lv}))
	access := logbuf.New(w, logbuf.Options{})
	s, err := bench.StartService(ctx, bench.ServiceConfig{FotoWebURL: fw, Addr: o.addr, Auth: auth, Delivery: delivery, Logger: log,
		AccessLogger: slog.New(textlog.New(access, &slog.HandlerOptions{Level: lv})), Transport: o.transport()})
	if err != nil {
		access.Close()
		return nil, nil, err
	}
	t, err := bench.BuildTargets(ctx, s)
	if err == nil && delivery == server.DeliveryProxy {
		err = t.ChooseProxyFile(ctx, s)
	}
	if err == nil {
		err = t.Check(ctx, s.URL, fw, "", delivery == server.DeliveryProxy)
	}
	if err == nil && out != "" {
		err = writeTargets(out, t)
	}
	if err != nil {
		s.Close()
		access.Close()
		return nil, nil, err
	}
	name := "SERVICE_" + strings.ToUpper(delivery.String())
	if lv > slog.LevelInfo {
		name = "QUIET" // no access log
	}
	env := []string{name + "_URL=" + s.URL}
	if t.Proxy != "" {
		env = append(env, fmt.Sprintf("PROXY_BYTES=%d", t.ProxyBytes))
	}
	return env, func() { s.Close(); access.Close() }, nil
}

// writeTargets writes wrk's input files.
func writeTargets(dir string, t *bench.Targets) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	files := map[string]string{
		"redirect.paths": strings.Join(t.Redirect, "\n") + "\n",
		"embed.paths":    strings.Join(t.Embed, "\n") + "\n",
		"resolve.paths":  "/v1/resolve\n",
		"resolve.json":   string(t.ResolveBody),
		"apikey":         t.APIKey + "\n",
	}
	if t.Proxy != "" {
		files["proxy.paths"] = t.Proxy + "\n"
		files["preview.paths"] = t.Preview + "\n"
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// startEcho serves the bare Echo 302.
func startEcho(addr string) ([]string, func(), error) {
	return startHandler(addr, "ECHO302_URL=", bench.Echo302("/i", bench.DefaultLocation))
}

// startRevProxy serves the reverse-proxy baseline in front of fw.
func startRevProxy(ctx context.Context, o options, fw string) ([]string, func(), error) {
	auth, err := bench.ParseAuth(o.auth)
	if err != nil {
		return nil, nil, err
	}
	origin, err := url.Parse(fw)
	if err != nil || origin.Host == "" {
		return nil, nil, fmt.Errorf("-fotoweb %q is not a URL", fw)
	}
	rt := o.transport()
	if rt == nil {
		rt = fotoweb.NewTransport()
	}
	ts, err := bench.TokenSource(ctx, fw, auth, rt)
	if err != nil {
		return nil, nil, err
	}
	if _, err := ts.TokenContext(ctx); err != nil { // the first request must not wait for it
		return nil, nil, err
	}
	return startHandler(o.addr, "REVPROXY_URL=", bench.NewReverseProxy(origin, ts, rt))
}

// transport returns the transport to FotoWeb -upstream-idle asks for, or
// nil for the default.
func (o options) transport() *http.Transport {
	if o.upstreamIdle <= 0 {
		return nil
	}
	t := fotoweb.NewTransport()
	t.MaxIdleConnsPerHost = o.upstreamIdle
	return t
}

// startHandler serves h on a loopback address.
func startHandler(addr, key string, h http.Handler) ([]string, func(), error) {
	srv, err := bench.Serve(addr, h)
	if err != nil {
		return nil, nil, err
	}
	return []string{key + srv.URL}, srv.Close, nil
}

// announce writes the KEY=VALUE lines to file (atomically, so that a
// waiting script never reads half of it) or to stdout.
func announce(file string, env []string) error {
	text := strings.Join(env, "\n") + "\n"
	if file == "" {
		_, err := io.WriteString(os.Stdout, text)
		return err
	}
	tmp := file + ".tmp"
	if err := os.WriteFile(tmp, []byte(text), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, file)
}

// nginxConf writes the nginx secure_link baseline's configuration and
// paths to -out and announces its URL.
func nginxConf(o options) error {
	if o.out == "" {
		return fmt.Errorf("-role nginx-conf needs -out")
	}
	n, err := bench.WriteNginxSecureLink(o.out, o.accessLog, 500)
	if err != nil {
		return err
	}
	if err := n.WritePaths(filepath.Join(o.out, "nginx.paths")); err != nil {
		return err
	}
	return announce(o.env, []string{"NGINX_URL=" + n.URL, "NGINX_CONF=" + n.Conf})
}
