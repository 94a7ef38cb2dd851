package main

import (
	"fmt"
	"io"
	"strings"
)

// PrintUsage writes the subcommand's help: every flag with its
// environment variable and default, then the secrets, which are read
// only from the environment or a file. Only built-in defaults are shown,
// never a value from the environment.
func (f *flagSet) PrintUsage(w io.Writer) {
	fmt.Fprintf(w, "Usage: fotoembed %s [flags]%s\n\n%s\n", f.cmd, f.args, f.summary)
	if f.details != "" {
		fmt.Fprintf(w, "\n%s", f.details)
	}
	var secrets []*option
	header := false
	for _, o := range f.opts {
		if o.name == "" {
			secrets = append(secrets, o)
			continue
		}
		if !header {
			fmt.Fprintf(w, "\nFlags (each defaults to the environment variable shown):\n")
			header = true
		}
		line := "  --" + o.name
		if !o.boolean {
			line += " " + o.arg
		}
		fmt.Fprintln(w, line)
		wrap(w, o.usage)
		var where []string
		if o.env != "" {
			where = append(where, "env "+o.env)
		}
		if o.def != "" {
			where = append(where, "default "+showDefault(o.def))
		}
		if len(where) > 0 {
			wrap(w, "("+strings.Join(where, ", ")+")")
		}
	}
	if len(secrets) > 0 {
		fmt.Fprintf(w, "\nSecrets (only from the environment or a file, never as flags):\n")
		for _, o := range secrets {
			fmt.Fprintf(w, "  %s\n", o.env)
			wrap(w, o.usage)
		}
	}
}

// showDefault quotes a default with surrounding spaces.
func showDefault(s string) string {
	if strings.TrimSpace(s) != s {
		return fmt.Sprintf("%q", s)
	}
	return s
}

// wrap writes text indented by 8 spaces, wrapped at 100 columns.
func wrap(w io.Writer, text string) {
	const indent, width = "        ", 100
	line := indent
	for _, word := range strings.Fields(text) {
		if len(line) > len(indent) && len(line)+1+len(word) > width {
			fmt.Fprintln(w, line)
			line = indent
		}
		if len(line) > len(indent) {
			line += " "
		}
		line += word
	}
	fmt.Fprintln(w, line)
}

// WriteMarkdown writes the subcommand's options as Markdown table rows:
// flag, environment variable, default, meaning.
func (f *flagSet) WriteMarkdown(w io.Writer) {
	fmt.Fprintf(w, "### fotoembed %s\n\n%s\n\n", f.cmd, f.summary)
	if len(f.opts) == 0 {
		return
	}
	fmt.Fprintf(w, "| Flag | Environment variable | Default | Meaning |\n|---|---|---|---|\n")
	cell := func(s string) string {
		if s == "" {
			return ""
		}
		return "`" + s + "`"
	}
	for _, o := range f.opts {
		name := "(secret: environment or file only)"
		if o.name != "" {
			name = cell("--" + o.name)
		}
		def := cell(o.def)
		if strings.TrimSpace(o.def) != o.def {
			def = cell(fmt.Sprintf("%q", o.def))
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", name, cell(o.env), def, strings.ReplaceAll(o.usage, "|", `\|`))
	}
	fmt.Fprintln(w)
}
