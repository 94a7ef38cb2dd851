package main

import (
	"errors"
	"flag"
	"fmt"
	"strings"
)

// fullError is a parse error that already names its option.
type fullError struct{ error }

// usageError is a mistake on the command line; the process exits 2.
type usageError struct {
	cmd string
	err error
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// Parse parses args (flags and positional arguments may be mixed; "--"
// ends the flags), then gives every option not set by a flag its
// environment variable's value or its default, and parses all values. It
// returns flag.ErrHelp for -h, a *usageError for an unknown flag or a
// secret given as a flag, and otherwise every bad value at once.
func (f *flagSet) Parse(args []string) error {
	if err := f.refuseSecretFlags(args); err != nil {
		return err
	}
	rest := args
	for {
		if err := f.fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return flag.ErrHelp
			}
			return &usageError{cmd: f.cmd, err: err}
		}
		left := f.fs.Args()
		used := len(rest) - len(left)
		if len(left) == 0 || (used > 0 && rest[used-1] == "--") {
			f.pos = append(f.pos, left...)
			break
		}
		f.pos = append(f.pos, left[0])
		rest = left[1:]
	}
	var errs []error
	for _, o := range f.opts {
		if o.src != srcFlag {
			if v, ok := f.env(o.env); ok {
				o.raw, o.src = v, srcEnv
			} else {
				o.raw, o.src = o.def, srcDefault
			}
		}
		if err := o.parse(o.raw); err != nil {
			if !o.secret {
				_ = o.parse(o.def) // so that validation sees the default, not a half-set value
			}
			var fe fullError
			if errors.As(err, &fe) {
				errs = append(errs, fe.error)
			} else {
				errs = append(errs, o.errorf("%v", err))
			}
		}
	}
	return errors.Join(errs...)
}

// Args returns the positional arguments.
func (f *flagSet) Args() []string { return f.pos }

// refuseSecretFlags rejects a secret given as a flag, without echoing it.
func (f *flagSet) refuseSecretFlags(args []string) error {
	for _, a := range args {
		if a == "--" {
			return nil
		}
		if !strings.HasPrefix(a, "-") {
			continue
		}
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		for _, o := range f.opts {
			if o.hidden != "" && o.hidden == name {
				return &usageError{cmd: f.cmd, err: fmt.Errorf(
					"--%s: secrets are not accepted as flags (command lines show up in ps and shell history); set %s or use --%s-file",
					name, o.env, name)}
			}
		}
	}
	return nil
}
