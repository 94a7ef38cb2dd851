package fotowebtest

import (
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"
)

func TestFaults(t *testing.T) {
	tests := []struct {
		name     string
		prefix   string
		fault    Fault
		path     string
		statuses []int // statuses of consecutive GETs
		retry    string
	}{
		{"status", "/fotoweb/archives/", Fault{Status: 500}, LandscapeAsset, []int{500, 500, 500}, ""},
		{"times", "/fotoweb/archives/", Fault{Status: 502, Times: 2}, LandscapeAsset, []int{502, 502, 200, 200}, ""},
		{"429 Retry-After", "/fotoweb/", Fault{Status: 429, RetryAfter: 1500 * time.Millisecond, Times: 1}, LandscapeAsset, []int{429, 200}, "2"},
		{"503 Retry-After", "/fotoweb/me", Fault{Status: 503, RetryAfter: 3 * time.Second}, "/fotoweb/me/", []int{503}, "3"},
		{"other prefix", "/fotoweb/cache/", Fault{Status: 500}, LandscapeAsset, []int{200}, ""},
		{"decoded prefix", "/fotoweb/archives/5001-Photos/Folder 19/", Fault{Status: 418}, LandscapeAsset, []int{418}, ""},
		{"href prefix", LandscapeAsset, Fault{Status: 418}, LandscapeAsset, []int{418}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, Options{})
			tok := s.ServiceToken()
			s.SetFault(tt.prefix, tt.fault)
			for i, want := range tt.statuses {
				r := get(t, s, tt.path, tok, "")
				if r.status != want {
					t.Fatalf("request %d: %d, want %d", i, r.status, want)
				}
				if want != 200 && r.header.Get("Retry-After") != tt.retry {
					t.Errorf("Retry-After %q, want %q", r.header.Get("Retry-After"), tt.retry)
				}
			}
			if got := s.Count(tt.path); got != len(tt.statuses) {
				t.Errorf("Count = %d, want %d (faulted requests count)", got, len(tt.statuses))
			}
		})
	}
}

func TestFaultLongestPrefixAndClear(t *testing.T) {
	s := newServer(t, Options{})
	tok := s.ServiceToken()
	s.SetFault("/fotoweb/", Fault{Status: 500})
	s.SetFault("/fotoweb/me", Fault{Status: 503})
	if r := get(t, s, "/fotoweb/me", tok, ""); r.status != 503 {
		t.Errorf("longest prefix: %d", r.status)
	}
	s.ClearFaults()
	if r := get(t, s, "/fotoweb/me", tok, ""); r.status != 200 {
		t.Errorf("after ClearFaults: %d", r.status)
	}
}

func TestFaultReset(t *testing.T) {
	s := newServer(t, Options{})
	s.SetFault("/fotoweb/me", Fault{Reset: true, Times: 1})
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/fotoweb/me", nil)
	req.Header.Set("Authorization", "Bearer "+s.ServiceToken())
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}} // no transparent retry
	resp, err := client.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("want a client error, got %d", resp.StatusCode)
	}
	if r := get(t, s, "/fotoweb/me", s.ServiceToken(), ""); r.status != 200 {
		t.Errorf("after the reset: %d", r.status)
	}
}

func TestFaultLatency(t *testing.T) {
	s := newServer(t, Options{})
	s.SetFault("/fotoweb/", Fault{Latency: 150 * time.Millisecond, Times: 1})
	start := time.Now()
	r := get(t, s, "/fotoweb/", "", "")
	if d := time.Since(start); d < 150*time.Millisecond || r.status != 200 {
		t.Errorf("latency %v, status %d", d, r.status)
	}
}

func TestFaultRate(t *testing.T) {
	run := func() []int {
		s := newServer(t, Options{})
		s.SetFault("/fotoweb/", Fault{Status: 503, Rate: 0.3})
		var out []int
		for i := 0; i < 200; i++ {
			out = append(out, get(t, s, "/fotoweb/", "", "").status)
		}
		return out
	}
	a, b := run(), run()
	n := 0
	for i := range a {
		if a[i] != b[i] {
			t.Fatal("rate faults are not repeatable")
		}
		if a[i] == 503 {
			n++
		}
	}
	if n < 30 || n > 90 {
		t.Errorf("%d of 200 faulted at rate 0.3", n)
	}
}

func TestCounters(t *testing.T) {
	s := newServer(t, Options{})
	tok := s.ServiceToken()
	get(t, s, LandscapeAsset, tok, "")
	get(t, s, LandscapeAsset+"?x=1", tok, "")
	get(t, s, PhotosArchive+"Folder 19/harbour.jpg.info", tok, "") // unescaped by the client
	get(t, s, SquareAsset, tok, "")
	get(t, s, "/fotoweb/me", tok, "")
	if got := s.Count(LandscapeAsset); got != 3 {
		t.Errorf("Count(escaped) = %d", got)
	}
	if got := s.Count("/fotoweb/archives/5001-Photos/Folder 19/harbour.jpg.info"); got != 3 {
		t.Errorf("Count(unescaped) = %d", got)
	}
	if got := s.CountPrefix("/fotoweb/archives/5001-Photos/Folder%2019/"); got != 4 {
		t.Errorf("CountPrefix = %d", got)
	}
	if got := s.CountPrefix("/fotoweb/"); got != 5 {
		t.Errorf("CountPrefix(/fotoweb/) = %d", got)
	}
	postToken(t, s, ccForm())
	s.ResetCounters()
	if s.CountPrefix("/") != 0 || s.TokenRequests("") != 0 {
		t.Error("ResetCounters left counts")
	}
}

// TestConcurrency hits the fake from 100 goroutines (run with -race).
func TestConcurrency(t *testing.T) {
	s := newServer(t, Options{ExtraAssets: 50})
	tok := s.ServiceToken()
	hrefs := s.Assets()
	preview := previewsOf(t, assetDocOf(t, s, SmallAsset, tok))[0]["href"].(string)
	s.SetFault("/fotoweb/archives/5002-Press/Logos/", Fault{Status: 503, Rate: 0.5})
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 100}}
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for g := 0; g < 100; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				var path string
				switch (g + i) % 5 {
				case 0:
					path = hrefs[(g*10+i)%len(hrefs)]
				case 1:
					path = preview
				case 2:
					path = PhotosArchive + ";p=1"
				case 3:
					s.SetMetadata(SquareAsset, 25, "concurrent", fmt.Sprint(g))
					path = SquareAsset
				case 4:
					s.Count(path)
					path = "/fotoweb/archives/?q=concurrent"
				}
				req, _ := http.NewRequest(http.MethodGet, s.URL+path, nil)
				req.Header.Set("Authorization", "Bearer "+tok)
				resp, err := client.Do(req)
				if err != nil {
					errs <- err
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 && resp.StatusCode != 503 {
					errs <- fmt.Errorf("%s: %d", path, resp.StatusCode)
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := s.CountPrefix("/fotoweb/"); got < 1000 {
		t.Errorf("CountPrefix = %d, want ≥ 1000", got)
	}
}
