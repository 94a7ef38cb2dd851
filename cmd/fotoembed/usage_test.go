package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The lines around the configuration table in the README.
const (
	beginFlags = "<!-- BEGIN GENERATED FLAGS (go test ./cmd/fotoembed -run TestFlagsMarkdown -update) -->\n"
	endFlags   = "<!-- END GENERATED FLAGS -->\n"
)

// readme is the README, whose configuration table is the golden file.
var readme = filepath.Join("..", "..", "README.md")

// TestFlagsMarkdown keeps the configuration table of the README (between
// the lines beginFlags and endFlags) in step with the flags. Run with
// -update to rewrite that block, and nothing else, of the README.
func TestFlagsMarkdown(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("\n")
	noEnv := envLookup(nil)
	for _, c := range commands {
		f := flagSetFor(c.name, noEnv)
		f.WriteMarkdown(&b)
	}
	doc, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	before, block, after, err := generatedBlock(string(doc))
	if err != nil {
		t.Fatalf("%s: %v", readme, err)
	}
	if *update && block != b.String() {
		if err := writeFileAtomic(readme, []byte(before+b.String()+after)); err != nil {
			t.Fatal(err)
		}
		return
	}
	if diff := cmp.Diff(block, b.String()); diff != "" {
		t.Errorf("the configuration table in %s is out of date (run go test ./cmd/fotoembed -run TestFlagsMarkdown -update):\n%s", readme, diff)
	}
}

// generatedBlock splits doc around the generated block: before ends with
// the beginFlags line, after starts with the endFlags line.
func generatedBlock(doc string) (before, block, after string, err error) {
	lineAt := func(marker string) (int, error) {
		i := strings.Index(doc, marker)
		switch {
		case i < 0 || (i > 0 && doc[i-1] != '\n'):
			return 0, fmt.Errorf("no line %q", strings.TrimSpace(marker))
		case strings.Contains(doc[i+len(marker):], marker):
			return 0, fmt.Errorf("the line %q appears more than once", strings.TrimSpace(marker))
		}
		return i, nil
	}
	b, err := lineAt(beginFlags)
	if err != nil {
		return "", "", "", err
	}
	e, err := lineAt(endFlags)
	if err != nil {
		return "", "", "", err
	}
	start := b + len(beginFlags)
	if e < start {
		return "", "", "", fmt.Errorf("%q comes before %q", strings.TrimSpace(endFlags), strings.TrimSpace(beginFlags))
	}
	return doc[:start], doc[start:e], doc[e:], nil
}

// writeFileAtomic replaces path with data, keeping its mode: a temporary
// file in the same folder, synced, then renamed over path.
func writeFileAtomic(path string, data []byte) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing to remove
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(fi.Mode().Perm()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func TestGeneratedBlock(t *testing.T) {
	doc := "# x\n" + beginFlags + "old\n" + endFlags + "tail\n"
	before, block, after, err := generatedBlock(doc)
	if err != nil || before != "# x\n"+beginFlags || block != "old\n" || after != endFlags+"tail\n" {
		t.Errorf("%q %q %q %v", before, block, after, err)
	}
	for _, bad := range []string{
		"# x\n",
		"# x\n" + beginFlags + "old\n",
		endFlags + beginFlags,
		beginFlags + endFlags + beginFlags,
		"text " + beginFlags + endFlags,
	} {
		if _, _, _, err := generatedBlock(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

var update = flag.Bool("update", false, "rewrite golden files")

// flagSetFor returns the flags of the subcommand name.
func flagSetFor(name string, env lookupFunc) *flagSet {
	switch name {
	case "serve":
		return serveFlags(env, new(serveConfig))
	case "demo":
		return demoFlags(env, new(demoConfig))
	case "login":
		return loginFlags(env, new(loginConfig))
	case "resolve":
		return resolveFlags(env, new(resolveConfig))
	case "doctor":
		return doctorFlags(env, new(doctorConfig))
	case "sign":
		return signFlags(env, new(signConfig))
	case "rewrite":
		return rewriteFlags(env, new(rewriteConfig))
	case "usage":
		return whereUsedFlags(env, new(whereUsedConfig))
	case "audit":
		return auditFlags(env, new(rewriteConfig))
	case "version":
		return versionFlags(env)
	}
	panic("no command " + name)
}
