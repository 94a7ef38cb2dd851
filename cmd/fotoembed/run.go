package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// readyInfo is what a long-running subcommand reports once it is ready:
// the addresses it listens on and, for `login`, the URL to open. Tests
// use it instead of parsing the printed text.
type readyInfo struct {
	URL          string // the service's base URL (serve, demo)
	FotoWebURL   string // the fake FotoWeb's origin (demo)
	APIKey       string // the demo API key (demo)
	AuthorizeURL string // the authorize URL to open in a browser (login)
	CallbackURL  string // the loopback redirect URI (login)
}

// app is one invocation of the command: its environment and outputs.
type app struct {
	env    lookupFunc
	stdout io.Writer
	stderr io.Writer

	// ready, when set (tests), is called once serve or demo listens and
	// once login waits for its callback.
	ready func(readyInfo)
	// httpClient, when set (tests), is the base client for FotoWeb.
	httpClient *http.Client
	// now is the clock (default time.Now).
	now func() time.Time
	// terminal reports whether w is a terminal (replaced in tests).
	terminal func(w io.Writer) bool
}

// run runs the subcommand named by args[0] with the environment env
// ("KEY=value" entries, as os.Environ returns). It is main without the
// process: tests call it with their own context, env and writers.
func run(ctx context.Context, args, env []string, stdout, stderr io.Writer) error {
	return newApp(env, stdout, stderr).run(ctx, args)
}

func newApp(env []string, stdout, stderr io.Writer) *app {
	return &app{env: envLookup(env), stdout: stdout, stderr: stderr, now: time.Now, terminal: isTerminal}
}

// command is a subcommand.
type command struct {
	name    string
	summary string
	run     func(a *app, ctx context.Context, args []string) error
}

// commands lists the subcommands in help order.
var commands = []command{
	{"serve", "run the service (signed image URLs, HTML snippets, oEmbed, web UI)", (*app).serve},
	{"demo", "run the service against a built-in fake FotoWeb; needs no configuration", (*app).demo},
	{"login", "log in to FotoWeb as a least-privilege user and save the token for serve", (*app).login},
	{"resolve", "print what FotoWeb says about assets, as JSON", (*app).resolve},
	{"doctor", "check a real FotoWeb instance and report what fotoembed depends on (--json for a bug report)", (*app).doctor},
	{"sign", "print a signed image URL for an asset", (*app).sign},
	{"rewrite", "replace image placeholders in a built static site with finished img elements", (*app).rewrite},
	{"usage", "print the pages that use an asset (the where-used record)", (*app).whereUsed},
	{"audit", "check a built static site's images: licence expired or withdrawn, alt text, credit", (*app).audit},
	{"version", "print the version", (*app).version},
}

func (a *app) run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		a.usage(a.stderr)
		return &usageError{err: errors.New("no command given")}
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help", "help":
		if len(args) > 1 && name == "help" {
			return a.run(ctx, []string{args[1], "-h"})
		}
		a.usage(a.stdout)
		return nil
	}
	for _, c := range commands {
		if c.name == name {
			err := c.run(a, ctx, args[1:])
			if errors.Is(err, flag.ErrHelp) {
				return nil
			}
			return err
		}
	}
	a.usage(a.stderr)
	return &usageError{err: fmt.Errorf("unknown command %q", name)}
}

// usage writes the list of subcommands.
func (a *app) usage(w io.Writer) {
	var b strings.Builder
	b.WriteString("fotoembed shows images from a FotoWare FotoWeb server on web pages.\n\nUsage: fotoembed <command> [flags]\n\nCommands:\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-9s %s\n", c.name, c.summary)
	}
	b.WriteString("\nRun 'fotoembed <command> -h' for the flags of a command; every flag has an environment variable.\n" +
		"Try it without any configuration: fotoembed demo\n")
	io.WriteString(w, b.String())
}

// parse parses a subcommand's flags, printing the help for -h, and
// checks the positional arguments (with f.checkArgs, else their number
// against the usage line). It returns flag.ErrHelp and usage mistakes at
// once; bad values are joined with the problems validate (if not nil)
// finds, so that every problem is reported together.
func (a *app) parse(f *flagSet, args []string, validate func() error) error {
	err := f.Parse(args)
	var ue *usageError
	switch {
	case errors.Is(err, flag.ErrHelp):
		f.PrintUsage(a.stdout)
		return err
	case errors.As(err, &ue):
		return err
	case f.checkArgs != nil:
		if aerr := f.checkArgs(f.Args()); aerr != nil {
			return &usageError{cmd: f.cmd, err: aerr}
		}
	case f.args == "" && len(f.Args()) > 0:
		return &usageError{cmd: f.cmd, err: fmt.Errorf("unexpected argument %q", f.Args()[0])}
	case f.args != "" && len(f.Args()) == 0:
		return &usageError{cmd: f.cmd, err: errors.New("give at least one asset reference")}
	}
	if validate != nil {
		err = errors.Join(err, validate())
	}
	return err
}
