package replay

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Webhook returns the webhook recording name as FotoWeb would post it
// to a service: the body with RecordedOrigin replaced by the server's
// origin, and the recorded request headers without Host, Content-Length,
// Connection and empty ones.
func (srv *Server) Webhook(name string) ([]byte, http.Header, error) {
	r, rule := srv.set.Get(name), Rules[name]
	if r == nil || !rule.Webhook {
		return nil, nil, fmt.Errorf("replay: %s is not a webhook recording", name)
	}
	body := bytes.ReplaceAll(r.Body, []byte(RecordedOrigin), []byte(srv.URL))
	h := http.Header{}
	if hr := srv.set.Get(rule.Headers); hr != nil {
		var headers map[string]*string
		if hr.Meta != nil {
			headers = hr.Meta.Headers
		} else {
			var wrapper struct {
				Headers map[string]*string `json:"headers"`
			}
			if err := json.Unmarshal(hr.Body, &wrapper); err != nil {
				return nil, nil, fmt.Errorf("replay: %s: %w", hr.Name, err)
			}
			headers = wrapper.Headers
		}
		for k, v := range headers {
			switch strings.ToLower(k) {
			case "host", "content-length", "connection":
				continue
			}
			if v != nil && *v != "" {
				h.Set(k, *v)
			}
		}
	}
	return body, h, nil
}
