// Package redistest runs a real redis-server for tests: on a free
// loopback port, without persistence, stopped at the end of the test. It
// can be killed and started again on the same port, or frozen (SIGSTOP)
// to look slow. When redis-server is not installed the test skips, or
// fails under FOTOEMBED_REQUIRE_INTEGRATION=1 (see testenv).
package redistest

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/fotoembed/fotoembed/internal/testenv"
)

// Server is a redis-server process started by a test.
type Server struct {
	// URL is the server's redis:// URL (database 0).
	URL string
	// Port is the loopback port it listens on.
	Port int

	t    testing.TB
	path string
	dir  string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when the process exits
	out  *lockedBuffer
}

// Start starts a redis-server for t and kills it at cleanup. It skips t
// (or fails it when integration tests are required) when redis-server is
// not installed.
func Start(t testing.TB) *Server {
	t.Helper()
	path, err := exec.LookPath("redis-server")
	if err != nil {
		testenv.Missing(t, "redis-server not installed: apt-get install redis-server")
	}
	r := &Server{t: t, path: path, dir: t.TempDir()}
	t.Cleanup(r.Kill)
	var last error
	for range 10 { // a free port may be taken before the server binds it
		if r.Port, err = freePort(); err != nil {
			t.Fatal(err)
		}
		if last = r.start(); last == nil {
			r.URL = "redis://127.0.0.1:" + strconv.Itoa(r.Port) + "/0"
			return r
		}
	}
	t.Fatalf("redis-server did not start: %v", last)
	return nil
}

// freePort returns a loopback port that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// start runs redis-server on r.Port and polls (bounded) until it answers
// PING. It fails when the process exits first (the port was taken).
func (r *Server) start() error {
	cmd := exec.Command(r.path, "--port", strconv.Itoa(r.Port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", r.dir, "--protected-mode", "no")
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	r.mu.Lock()
	r.cmd, r.done, r.out = cmd, done, out
	r.mu.Unlock()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-done:
			return fmt.Errorf("redis-server exited: %s", lastLines(out.String(), 5))
		default:
		}
		if r.ping() == nil {
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	r.Kill()
	return fmt.Errorf("redis-server on port %d did not answer PING within 10s", r.Port)
}

// Restart starts the server again on the same port after Kill (empty:
// nothing is persisted).
func (r *Server) Restart() {
	r.t.Helper()
	var err error
	for range 20 { // the port may linger for a moment
		if err = r.start(); err == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	r.t.Fatalf("restarting redis-server: %v", err)
}

// ping sends PING over a fresh connection and expects +PONG.
func (r *Server) ping() error {
	c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(r.Port), time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "+PONG") {
		return fmt.Errorf("PING answered %q", line)
	}
	return nil
}

// Kill kills the process (resuming it first if paused) and waits for it.
func (r *Server) Kill() {
	r.mu.Lock()
	cmd, done := r.cmd, r.done
	r.mu.Unlock()
	if cmd == nil || cmd.Process == nil {
		return
	}
	cmd.Process.Signal(syscall.SIGCONT)
	cmd.Process.Kill()
	<-done
}

// Pause freezes the server (SIGSTOP): connections stay open and nothing
// is answered. Resume undoes it.
func (r *Server) Pause() { r.signal(syscall.SIGSTOP) }

// Resume lets a paused server go on (SIGCONT).
func (r *Server) Resume() { r.signal(syscall.SIGCONT) }

func (r *Server) signal(sig os.Signal) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd != nil && r.cmd.Process != nil {
		r.cmd.Process.Signal(sig)
	}
}

// Output returns what the server printed, for failure messages.
func (r *Server) Output() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.out == nil {
		return ""
	}
	return r.out.String()
}

// lockedBuffer is a goroutine-safe bytes.Buffer.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}
