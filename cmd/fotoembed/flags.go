package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/fotoembed/fotoembed/internal/boolean"
)

// lookupFunc looks up an environment variable, like os.LookupEnv.
type lookupFunc func(key string) (string, bool)

// envLookup returns a lookupFunc over env ("KEY=value" entries; a later
// entry wins, as with os/exec). An empty value counts as unset.
func envLookup(env []string) lookupFunc {
	m := make(map[string]string, len(env))
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok && v != ""
	}
}

// source says where an option's value came from.
type source int

const (
	srcDefault source = iota
	srcEnv
	srcFlag
)

// option is one flag with its environment variable, or an
// environment-only secret (name "").
type option struct {
	name    string // flag name without dashes; "" for an environment-only secret
	env     string // environment variable giving the default
	def     string // built-in default, as shown in help
	arg     string // placeholder for the value in help ("duration", "URL", ...)
	usage   string
	boolean bool
	secret  bool // never echoed; environment-only (name "") or a secret file's content
	hidden  string

	raw   string
	src   source
	parse func(s string) error // stores the value; errors need not name the option
}

// Set implements flag.Value; values are parsed after all flags, so that
// every bad value is reported at once.
func (o *option) Set(s string) error { o.raw, o.src = s, srcFlag; return nil }

// String implements flag.Value.
func (o *option) String() string { return o.def }

// IsBoolFlag lets "--flag" stand for "--flag=true".
func (o *option) IsBoolFlag() bool { return o.boolean }

// errorf reports a bad value, naming the flag or variable it came from.
// A secret's value is never included.
func (o *option) errorf(format string, args ...any) error {
	why := fmt.Sprintf(format, args...)
	val := strconv.Quote(o.raw)
	if o.secret {
		val = "(value hidden)"
	}
	switch {
	case o.src == srcEnv && o.name != "":
		return fmt.Errorf("%s=%s (default for --%s): %s", o.env, val, o.name, why)
	case o.src == srcEnv:
		return fmt.Errorf("%s %s: %s", o.env, val, why)
	}
	return fmt.Errorf("--%s %s: %s", o.name, val, why)
}

// flagSet is a subcommand's flags, each defaulting to an environment
// variable.
type flagSet struct {
	cmd     string // "serve"
	args    string // positional arguments in the usage line
	summary string
	details string // more help after the summary (-h only, not in the Markdown table)
	// checkArgs, when set, checks the positional arguments; without it a
	// command whose usage line names none takes none, and one that names
	// some (asset references) takes at least one.
	checkArgs func(args []string) error
	fs        *flag.FlagSet
	env       lookupFunc
	opts      []*option
	pos       []string
}

func newFlagSet(cmd, args, summary string, env lookupFunc) *flagSet {
	fs := flag.NewFlagSet("fotoembed "+cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &flagSet{cmd: cmd, args: args, summary: summary, fs: fs, env: env}
}

func (f *flagSet) add(o *option) *option {
	f.opts = append(f.opts, o)
	if o.name != "" {
		f.fs.Var(o, o.name, o.usage)
	}
	return o
}

// String registers a string flag; surrounding white space is trimmed.
func (f *flagSet) String(p *string, name, env, def, arg, usage string) {
	f.add(&option{name: name, env: env, def: def, arg: arg, usage: usage,
		parse: func(s string) error { *p = strings.TrimSpace(s); return nil }})
}

// Text registers a string flag kept exactly as given.
func (f *flagSet) Text(p *string, name, env, def, arg, usage string) {
	f.add(&option{name: name, env: env, def: def, arg: arg, usage: usage,
		parse: func(s string) error { *p = s; return nil }})
}

// Enum registers a string flag that must be one of allowed.
func (f *flagSet) Enum(p *string, name, env, def string, allowed []string, usage string) {
	f.add(&option{name: name, env: env, def: def, arg: strings.Join(allowed, "|"), usage: usage,
		parse: func(s string) error {
			s = strings.TrimSpace(s)
			for _, a := range allowed {
				if s == a {
					*p = s
					return nil
				}
			}
			return fmt.Errorf("must be one of %s", strings.Join(allowed, ", "))
		}})
}

// Bool registers a boolean flag: true or false, or any other of the
// module's boolean words ([boolean.Words]).
func (f *flagSet) Bool(p *bool, name, env string, def bool, usage string) {
	f.add(&option{name: name, env: env, def: strconv.FormatBool(def), usage: usage, boolean: true,
		parse: func(s string) error {
			b, err := boolean.Parse(s)
			if err != nil {
				return errors.New("must be true or false (one of " + boolean.Words + ")")
			}
			*p = b
			return nil
		}})
}

// Int registers an integer flag accepting min..max.
func (f *flagSet) Int(p *int, name, env string, def, min, max int, usage string) {
	f.add(&option{name: name, env: env, def: strconv.Itoa(def), arg: "int", usage: usage,
		parse: func(s string) error {
			n, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil || n < min || n > max {
				return fmt.Errorf("must be a whole number from %d to %d", min, max)
			}
			*p = n
			return nil
		}})
}

// Float registers a number flag accepting 0 and more.
func (f *flagSet) Float(p *float64, name, env string, def float64, arg, usage string) {
	f.add(&option{name: name, env: env, def: strconv.FormatFloat(def, 'g', -1, 64), arg: arg, usage: usage,
		parse: func(s string) error {
			v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil || v < 0 || v > 1e9 {
				return errors.New("must be a number, 0 or more")
			}
			*p = v
			return nil
		}})
}

// Duration registers a duration flag accepting 0 and more, for the
// settings whose 0 means "off" or "never" (lifetimes, max-ages,
// expiries); its usage says so.
func (f *flagSet) Duration(p *time.Duration, name, env string, def time.Duration, usage string) {
	f.duration(p, name, env, def, false, usage)
}

// PositiveDuration registers a duration flag accepting more than 0, for
// time limits, waits and intervals, where 0 would mean no time at all.
func (f *flagSet) PositiveDuration(p *time.Duration, name, env string, def time.Duration, usage string) {
	f.duration(p, name, env, def, true, usage)
}

func (f *flagSet) duration(p *time.Duration, name, env string, def time.Duration, positive bool, usage string) {
	f.add(&option{name: name, env: env, def: fmtDuration(def), arg: "duration", usage: usage,
		parse: func(s string) error {
			d, err := time.ParseDuration(strings.TrimSpace(s))
			switch {
			case err != nil || d < 0:
				return errors.New("must be a duration such as 90s, 5m or 1h30m")
			case positive && d == 0:
				return fmt.Errorf("must be more than 0, such as %s (the default)", fmtDuration(def))
			}
			*p = d
			return nil
		}})
}

// List registers a comma-separated list flag; empty items are dropped.
func (f *flagSet) List(p *[]string, name, env, def, arg, usage string) {
	f.add(&option{name: name, env: env, def: def, arg: arg, usage: usage,
		parse: func(s string) error { *p = splitList(s, ","); return nil }})
}

// SecretString registers a secret that comes only from the environment
// variable env or from the file named by the flag name+"-file" (whose
// own default is env+"_FILE"); surrounding white space is trimmed. what
// names the secret briefly, usage says more.
func (f *flagSet) SecretString(p *string, name, env, what, usage string) {
	f.secret(name, env, false, what, usage, func(v []string) {
		*p = ""
		if len(v) > 0 {
			*p = v[0]
		}
	})
}

// SecretList is SecretString for a list: the variable is split at commas,
// the file into lines (blank lines and "#" comments are skipped).
func (f *flagSet) SecretList(p *[]string, name, env, what, usage string) {
	f.secret(name, env, true, what, usage, func(v []string) { *p = v })
}

func (f *flagSet) secret(name, env string, list bool, what, usage string, set func([]string)) {
	var path string
	layout := ""
	if list {
		layout = ", one per line"
	}
	f.add(&option{name: name + "-file", env: env + "_FILE", arg: "path",
		usage: "file holding " + what + layout + " (instead of " + env + ")",
		parse: func(s string) error { path = strings.TrimSpace(s); return nil }})
	val := f.add(&option{env: env, secret: true, hidden: name, usage: usage + " (or --" + name + "-file)"})
	val.parse = func(s string) error {
		var v []string
		switch {
		case path != "" && s != "":
			// Keep the variable's value, so that checks of the whole
			// configuration do not also call the secret missing.
			if v = []string{strings.TrimSpace(s)}; list {
				v = splitList(s, ",")
			}
			set(v)
			return fullError{fmt.Errorf("set %s or --%s-file, not both", env, name)}
		case path != "":
			b, err := readSecretFile(path)
			if err != nil {
				return fullError{fmt.Errorf("--%s-file: %v", name, err)}
			}
			if v = []string{strings.TrimSpace(string(b))}; list {
				v = splitList(string(b), "\n")
			}
			if len(v) == 0 || v[0] == "" {
				return fullError{fmt.Errorf("--%s-file %q is empty", name, path)}
			}
		case list:
			v = splitList(s, ",")
		case strings.TrimSpace(s) != "":
			v = []string{strings.TrimSpace(s)}
		}
		set(v)
		return nil
	}
}

// readSecretFile reads a small file holding secrets.
func readSecretFile(path string) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, 1<<20+1))
	if err != nil {
		return nil, err
	}
	if len(b) > 1<<20 {
		return nil, fmt.Errorf("%s is larger than 1 MiB", path)
	}
	return b, nil
}

// splitList splits s at sep, trims each item and drops empty ones and
// "#" comment lines.
func splitList(s, sep string) []string {
	var out []string
	for _, it := range strings.Split(s, sep) {
		it = strings.TrimSpace(it)
		if it != "" && !strings.HasPrefix(it, "#") {
			out = append(out, it)
		}
	}
	return out
}

// fmtDuration prints a duration the short way: 5m rather than 5m0s.
func fmtDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
