package server

import (
	"fmt"
	"strings"
)

// Delivery selects how a signed URL is answered.
type Delivery int

const (
	// DeliveryRedirect answers 302 to the FotoWeb preview URL with what
	// the URL token policy puts on it (no token, the asset's
	// previewToken, or the access token). It is the default.
	DeliveryRedirect Delivery = iota
	// DeliveryProxy fetches the file with the token server-side and
	// streams it; the token never reaches the browser.
	DeliveryProxy
	// DeliveryExport answers 302 to the public, token-free URL of a
	// FotoWeb export of the image (exported once, recorded in the
	// export ledger).
	DeliveryExport
)

// String returns "redirect", "proxy" or "export".
func (d Delivery) String() string {
	switch d {
	case DeliveryProxy:
		return "proxy"
	case DeliveryExport:
		return "export"
	}
	return "redirect"
}

// ParseDelivery parses "redirect" (or ""), "proxy" and "export".
func ParseDelivery(s string) (Delivery, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "redirect":
		return DeliveryRedirect, nil
	case "proxy":
		return DeliveryProxy, nil
	case "export":
		return DeliveryExport, nil
	}
	return 0, fmt.Errorf("server: unknown delivery %q (want redirect, proxy or export)", s)
}
