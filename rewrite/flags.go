package rewrite

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// flagEnv defines flags whose defaults come from environment variables,
// collecting bad variables as errors.
type flagEnv struct {
	fs    *flag.FlagSet
	env   func(string) string
	errs  []error
	help  []helpRow
	after []func() error // run after parsing (secrets)
}

// helpRow is one line of the flag table in the usage text.
type helpRow struct{ flag, env, def, usage string }

// value returns the variable's value and records the help row.
func (f *flagEnv) value(name, arg, envName, def, usage string) string {
	shown := def
	switch {
	case shown == "":
		shown = "-"
	case strings.TrimSpace(shown) != shown:
		shown = strconv.Quote(shown)
	}
	flagText := "--" + name
	if arg != "" {
		flagText += " " + arg
	}
	f.help = append(f.help, helpRow{flagText, envName, shown, usage})
	if envName == "" {
		return ""
	}
	return strings.TrimSpace(f.env(envName))
}

// bad records an unusable environment value.
func (f *flagEnv) bad(envName, v, want string) {
	f.errs = append(f.errs, fmt.Errorf("rewrite: %s=%q: %s", envName, v, want))
}

// str defines a string flag.
func (f *flagEnv) str(p *string, name, arg, envName, def, usage string) {
	if v := f.value(name, arg, envName, def, usage); v != "" {
		def = v
	}
	f.fs.StringVar(p, name, def, usage)
}

// integer defines an int flag.
func (f *flagEnv) integer(p *int, name, envName string, def int, usage string) {
	if v := f.value(name, "N", envName, strconv.Itoa(def), usage); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			f.bad(envName, v, "want a whole number")
		} else {
			def = n
		}
	}
	f.fs.IntVar(p, name, def, usage)
}

// duration defines a duration flag.
func (f *flagEnv) duration(p *time.Duration, name, envName string, def time.Duration, usage string) {
	shown := "0"
	if def != 0 {
		shown = def.String()
	}
	if v := f.value(name, "DURATION", envName, shown, usage); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			f.bad(envName, v, "want a duration such as 90s, 12h or 720h")
		} else {
			def = d
		}
	}
	f.fs.DurationVar(p, name, def, usage)
}

// boolean defines a bool flag.
func (f *flagEnv) boolean(p *bool, name, envName string, def bool, usage string) {
	if v := f.value(name, "", envName, strconv.FormatBool(def), usage); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			f.bad(envName, v, "want true or false")
		} else {
			def = b
		}
	}
	f.fs.BoolVar(p, name, def, usage)
}

// secret reads a secret from the variable envName or from the file named
// by the flag name+"-file" (variable envName+"_FILE"); list secrets split
// at commas (variable) or lines (file). what names the secret; usage
// describes the variable.
func (f *flagEnv) secret(p *[]string, name, envName string, list bool, what, usage string) {
	var path string
	layout := ""
	if list {
		layout = ", one per line"
	}
	f.str(&path, name+"-file", "PATH", envName+"_FILE", "", "file holding "+what+layout+" (instead of "+envName+")")
	f.help = append(f.help, helpRow{"(environment only)", envName, "-", usage})
	val := strings.TrimSpace(f.env(envName))
	*p = nil
	resolve := func() error {
		switch {
		case path != "" && val != "":
			return fmt.Errorf("rewrite: set %s or --%s-file, not both", envName, name)
		case path != "":
			b, err := os.ReadFile(path)
			if err != nil {
				return fmt.Errorf("rewrite: --%s-file: %v", name, err)
			}
			*p = splitList(string(b), "\n", list)
			if len(*p) == 0 {
				return fmt.Errorf("rewrite: --%s-file %q is empty", name, path)
			}
		case val != "":
			*p = splitList(val, ",", list)
		}
		return nil
	}
	f.after = append(f.after, resolve)
}

// splitList splits s at sep (when list), trimming items and dropping
// empty ones and "#" comment lines.
func splitList(s, sep string, list bool) []string {
	if !list {
		if s = strings.TrimSpace(s); s == "" {
			return nil
		}
		return []string{s}
	}
	var out []string
	for _, it := range strings.Split(s, sep) {
		if it = strings.TrimSpace(it); it != "" && !strings.HasPrefix(it, "#") {
			out = append(out, it)
		}
	}
	return out
}

// usage writes the command's help.
func (f *flagEnv) usage(w io.Writer) {
	fmt.Fprint(w, usageText)
	fmt.Fprintf(w, "\nFlags (every flag has an environment variable; secrets are read only from the environment or files):\n")
	for _, r := range f.help {
		env := r.env
		if env == "" {
			env = "-"
		}
		fmt.Fprintf(w, "  %-28s %-34s default %s\n      %s\n", r.flag, env, r.def, r.usage)
	}
}

// usageError is a wrong command line: every problem, one per line.
type usageError struct{ errs []error }

func (e *usageError) Error() string {
	lines := make([]string, len(e.errs))
	for i, err := range e.errs {
		lines[i] = err.Error()
	}
	return strings.Join(lines, "\n")
}

// Is makes errors.Is(err, ErrUsage) true.
func (e *usageError) Is(target error) bool { return target == ErrUsage }

// Unwrap returns the problems.
func (e *usageError) Unwrap() []error { return e.errs }

// usageErrors returns the problems among errs as one usage error, or nil.
func usageErrors(errs ...error) error {
	var out []error
	for _, err := range errs {
		if j, ok := err.(interface{ Unwrap() []error }); ok && err != nil {
			out = append(out, j.Unwrap()...)
		} else if err != nil {
			out = append(out, err)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return &usageError{out}
}
