// Command fotoembed shows images from a FotoWare FotoWeb server on web
// pages: it runs the fotoembed service (signed image URLs, HTML snippets,
// oEmbed and a web UI), logs in to FotoWeb as a least-privilege user,
// resolves assets, signs URLs and rewrites the image placeholders of a
// built static site. `fotoembed demo` runs it all against a built-in fake
// FotoWeb without any configuration.
//
// Every flag takes its default from a FOTOEMBED_* environment variable;
// secrets (client secret, signing keys, API keys, webhook secret) are read
// only from the environment or from files. Run `fotoembed <command> -h`
// for the flags of a command.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

func main() { os.Exit(cli(os.Args[1:], os.Environ(), os.Stdout, os.Stderr)) }

// cli runs the command until it ends or SIGINT or SIGTERM asks it to stop,
// and returns the exit code: 0, 1 for an error, 2 for a usage mistake.
func cli(args, env []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, args, env, stdout, stderr)
	if err == nil {
		return 0
	}
	fmt.Fprintf(stderr, "fotoembed: %s\n", errorText(err))
	var ue *usageError
	if errors.As(err, &ue) {
		if ue.cmd != "" {
			fmt.Fprintf(stderr, "Run 'fotoembed %s -h' for usage.\n", ue.cmd)
		}
		return 2
	}
	return 1
}

// errorText formats err for the terminal: several problems (errors.Join)
// become an indented list.
func errorText(err error) string {
	lines := strings.Split(err.Error(), "\n")
	if len(lines) == 1 {
		return lines[0]
	}
	return fmt.Sprintf("%d problems:\n  - %s", len(lines), strings.Join(lines, "\n  - "))
}
