package fotoweb

import (
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"0", 0, true},
		{"3", 3 * time.Second, true},
		{" 1.5 ", 1500 * time.Millisecond, true},
		{"-1", 0, false},
		{"NaN", 0, false},
		{"soon", 0, false},
		{now.Add(7 * time.Second).Format(http.TimeFormat), 7 * time.Second, true},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0, true},
		{"99999999", 24 * time.Hour, true},
	}
	for _, tc := range tests {
		got, ok := retryAfter(tc.in, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("retryAfter(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestRetryDelayCapsRetryAfter(t *testing.T) {
	c, err := New(Config{BaseURL: "https://x.example", MaxRetryAfter: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if d := c.retryDelay(1, "60"); d != 2*time.Second {
		t.Errorf("retryDelay capped = %v", d)
	}
	if d := c.retryDelay(1, "1"); d != time.Second {
		t.Errorf("retryDelay = %v", d)
	}
}

func TestBackoffFullJitter(t *testing.T) {
	c, err := New(Config{BaseURL: "https://x.example", BackoffBase: 100 * time.Millisecond, MaxRetryAfter: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	var ceilings []int64
	c.jitter = func(n int64) int64 { ceilings = append(ceilings, n-1); return n - 1 }
	for n := 1; n <= 6; n++ {
		c.backoff(n)
	}
	want := []int64{100e6, 200e6, 400e6, 800e6, 1000e6, 1000e6}
	for i := range want {
		if ceilings[i] != want[i] {
			t.Errorf("backoff(%d) ceiling = %v, want %v", i+1, time.Duration(ceilings[i]), time.Duration(want[i]))
		}
	}
	c.jitter = func(int64) int64 { return 0 }
	if d := c.backoff(3); d != 0 {
		t.Errorf("full jitter lower bound = %v", d)
	}
}

func TestRetryableClassification(t *testing.T) {
	for s, want := range map[int]bool{408: true, 429: true, 500: true, 502: true, 503: true, 504: true, 400: false, 401: false, 404: false, 410: false, 501: false} {
		if retryableStatus(s) != want {
			t.Errorf("retryableStatus(%d) != %v", s, want)
		}
	}
	dial := &net.OpError{Op: "dial", Err: errors.New("connection refused")}
	read := &net.OpError{Op: "read", Err: errors.New("connection reset by peer")}
	if !retryableErr(dial, false) || retryableErr(read, false) || !retryableErr(read, true) {
		t.Error("POST must retry dial failures only; GET retries both")
	}
	if retryableErr(errRedirect, true) {
		t.Error("redirect loops must not be retried")
	}
}

func TestExpandSearch(t *testing.T) {
	tests := []struct{ tmpl, q, want string }{
		{"/fotoweb/archives/5000-All-files/{?q}", "harbour", "/fotoweb/archives/5000-All-files/?q=harbour"},
		{"/fotoweb/archives/{?q}", `5:"The Beatles" AND 25:boats`, "/fotoweb/archives/?q=5%3A%22The%20Beatles%22%20AND%2025%3Aboats"},
		{"/a/{?q}", "Nadelgehölz", "/a/?q=Nadelgeh%C3%B6lz"},
		{"/a/{?q}", "a+b&c=d#e%f", "/a/?q=a%2Bb%26c%3Dd%23e%25f"},
		{"/a/{;o}{?q}", "x", "/a/?q=x"},
		{"/a/?x=1{?q}", "y", "/a/?x=1&q=y"},
		{"/a/", "z", "/a/?q=z"},
	}
	for _, tc := range tests {
		if got := expandSearch(tc.tmpl, tc.q); got != tc.want {
			t.Errorf("expandSearch(%q, %q) = %q, want %q", tc.tmpl, tc.q, got, tc.want)
		}
	}
}

func TestStripParam(t *testing.T) {
	if got := stripParam("q=a%20b&access_token=old&p=2&access%5Ftoken=x", "access_token"); got != "q=a%20b&p=2" {
		t.Errorf("stripParam = %q", got)
	}
}

func TestIsJSON(t *testing.T) {
	for ct, want := range map[string]bool{
		"": true, "application/json": true, "application/vnd.fotoware.assetlist+json; charset=utf-8": true,
		"text/html; charset=utf-8": false, "application/octet-stream": false, "garbage/;;": false,
	} {
		if isJSON(ct) != want {
			t.Errorf("isJSON(%q) != %v", ct, want)
		}
	}
}

func TestNewValidates(t *testing.T) {
	_, err := New(Config{BaseURL: "ftp://x/y", Timeout: -1, MaxAttempts: -2, RateLimit: -1, Burst: -1,
		HTTPClient: &http.Client{Timeout: time.Second}})
	if err == nil {
		t.Fatal("New accepted a bad config")
	}
	for _, field := range []string{"BaseURL", "Timeout", "MaxAttempts", "RateLimit", "Burst", "HTTPClient"} {
		if !strings.Contains(err.Error(), "fotoweb: Config."+field) {
			t.Errorf("error does not name %s: %v", field, err)
		}
	}
	for _, base := range []string{"", "https://x.example/fotoweb", "https://x.example?a=b", "https://u:p@x.example", "x.example", "https://"} {
		if _, err := New(Config{BaseURL: base}); err == nil || !strings.Contains(err.Error(), "Config.BaseURL") {
			t.Errorf("New(BaseURL %q) = %v", base, err)
		}
	}
	c, err := New(Config{BaseURL: "https://x.example/"})
	if err != nil || c.BaseURL().String() != "https://x.example" {
		t.Fatalf("New: %v %v", c, err)
	}
	c.BaseURL().Host = "changed"
	if c.BaseURL().Host != "x.example" {
		t.Error("BaseURL is not a copy")
	}
}
