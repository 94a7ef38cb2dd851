package server

import (
	"fmt"
	"strings"
)

// Delivery selects how a signed URL is answered.
type Delivery int

const (
	// DeliveryRedirect answers 302 to the FotoWeb preview URL carrying a
	// current access token. It is the default.
	DeliveryRedirect Delivery = iota
	// DeliveryProxy fetches the file with the token server-side and
	// streams it; the token never reaches the browser.
	DeliveryProxy
)

// String returns "redirect" or "proxy".
func (d Delivery) String() string {
	if d == DeliveryProxy {
		return "proxy"
	}
	return "redirect"
}

// ParseDelivery parses "redirect" (or "") and "proxy".
func ParseDelivery(s string) (Delivery, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "redirect":
		return DeliveryRedirect, nil
	case "proxy":
		return DeliveryProxy, nil
	}
	return 0, fmt.Errorf("server: unknown delivery %q (want redirect or proxy)", s)
}
