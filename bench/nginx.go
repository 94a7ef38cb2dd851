package bench

import (
	"crypto/md5"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// NginxSecureLink is the C anchor of the redirect benchmark: nginx with
// its secure_link module checks a signed, expiring link and answers 302
// with DefaultLocation, the work fotoembed's signed redirect does (a MAC
// over the path and an expiry, then a redirect), in C. nginx's module
// offers MD5 only, where fotoembed uses HMAC-SHA256; both are a few
// hundred nanoseconds per request.
type NginxSecureLink struct {
	// Conf is the path of the nginx.conf written.
	Conf string
	// URL is where nginx will listen (http://127.0.0.1:PORT).
	URL string
	// Paths are signed paths to request (valid for a day).
	Paths []string
}

// WriteNginxSecureLink writes an nginx.conf for one nginx process in the
// foreground (no master, one worker: the process to pin and measure),
// listening on a free loopback port, with the access log in dir (on, in
// nginx's default combined format, buffered as nginx buffers it: not at
// all unless told) or off, and n signed paths /i/<k>.jpg?md5=…&expires=….
func WriteNginxSecureLink(dir string, accessLog bool, n int) (*NginxSecureLink, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	secret := rand.Text()
	logLine := "access_log off;"
	if accessLog {
		logLine = "access_log " + filepath.Join(dir, "access.log") + " combined;"
	}
	conf := fmt.Sprintf(`# written by bench/run.sh (bench.WriteNginxSecureLink)
daemon off;
master_process off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log warn;
events { worker_connections 4096; }
http {
	%[2]s
	client_body_temp_path %[1]s/tmp;
	proxy_temp_path %[1]s/tmp;
	fastcgi_temp_path %[1]s/tmp;
	uwsgi_temp_path %[1]s/tmp;
	scgi_temp_path %[1]s/tmp;
	keepalive_requests 1000000;
	server {
		listen 127.0.0.1:%[3]d;
		location /i/ {
			secure_link $arg_md5,$arg_expires;
			secure_link_md5 "$secure_link_expires$uri %[4]s";
			if ($secure_link = "") { return 403; }
			if ($secure_link = "0") { return 410; }
			return 302 "%[5]s";
		}
	}
}
`, dir, logLine, port, secret, DefaultLocation)
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o755); err != nil {
		return nil, err
	}
	confPath := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		return nil, err
	}
	expires := strconv.FormatInt(time.Now().Add(24*time.Hour).Unix(), 10)
	paths := make([]string, n)
	for i := range paths {
		uri := fmt.Sprintf("/i/asset-%04d.jpg", i)
		sum := md5.Sum([]byte(expires + uri + " " + secret))
		paths[i] = uri + "?md5=" + base64.RawURLEncoding.EncodeToString(sum[:]) + "&expires=" + expires
	}
	return &NginxSecureLink{Conf: confPath, URL: "http://127.0.0.1:" + strconv.Itoa(port), Paths: paths}, nil
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// WritePaths writes the signed paths to file, one per line (wrk's input).
func (n *NginxSecureLink) WritePaths(file string) error {
	return os.WriteFile(file, []byte(strings.Join(n.Paths, "\n")+"\n"), 0o644)
}
