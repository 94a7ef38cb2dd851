package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

// version is the release version, set at build time with
// -ldflags "-X main.version=v1.2.3". "dev" means: ask the build info.
var version = "dev"

// versionString returns the version: the -ldflags one, else the module
// version, else the VCS revision of the build, with the Go version.
func versionString() string {
	v := version
	info, ok := debug.ReadBuildInfo()
	if ok && v == "dev" {
		if mv := info.Main.Version; mv != "" && mv != "(devel)" {
			v = mv
		} else {
			var rev, modified string
			for _, s := range info.Settings {
				switch s.Key {
				case "vcs.revision":
					rev = s.Value
				case "vcs.modified":
					if s.Value == "true" {
						modified = "+dirty"
					}
				}
			}
			if len(rev) > 12 {
				rev = rev[:12]
			}
			if rev != "" {
				v = "dev-" + rev + modified
			}
		}
	}
	return fmt.Sprintf("fotoembed %s (%s, %s/%s)", v, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// versionFlags returns version's flags (-h only).
func versionFlags(env lookupFunc) *flagSet {
	return newFlagSet("version", "", "Print the version of fotoembed.", env)
}

// version prints the version.
func (a *app) version(ctx context.Context, args []string) error {
	f := versionFlags(a.env)
	if err := a.parse(f, args, nil); err != nil {
		return err
	}
	_, err := fmt.Fprintln(a.stdout, versionString())
	return err
}
