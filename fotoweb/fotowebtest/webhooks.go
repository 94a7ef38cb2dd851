package fotowebtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// EmitWebhook POSTs a webhook payload for the asset, shaped as FotoWeb's
// (absolute href, numbers as strings, User-Agent FotoWeb/8.1, or
// FotoWeb/8.0 in FlavourOnPrem80, no signature), to target. It returns the receiver's status code.
//
// Ingested events have operation-name "upload" and data = the asset;
// modified events use the "version 2 format" (operation-name
// "updateMetadata", data = {asset, assetBefore, metadataDiff}, the
// "before" being the state before the last SetMetadata or PATCH);
// deleted events have operation-name Options.WebhookDeleteOperation and
// data = the asset. The asset in data is written as FotoWeb's webhook
// emitter writes it: resolution and rotation as floats (300.0, 0.0).
func (f *Fake) EmitWebhook(ctx context.Context, target string, kind WebhookKind, href string) (int, error) {
	payload, err := f.webhookPayload(kind, href)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(payload))
	if err != nil {
		return 0, fmt.Errorf("fotowebtest: webhook: %w", err)
	}
	req.Header.Set("User-Agent", f.wire.webhookAgent)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "*/*")
	req.Header.Set("Accept-Encoding", "gzip, deflate")
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("fotowebtest: webhook: %w", err)
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	return resp.StatusCode, nil
}

// webhookPayload builds the JSON body of a webhook.
func (f *Fake) webhookPayload(kind WebhookKind, href string) ([]byte, error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	a := f.lookupAsset(f.normalizePath(href))
	if a == nil {
		return nil, fmt.Errorf("fotowebtest: webhook: unknown asset %q", href)
	}
	base := f.BaseURL()
	cur := a.state()
	doc := func(st assetState) json.RawMessage {
		b := f.encodeAsset(a, adminPrincipal, st, true)
		if !f.wire.previewTokens {
			return b
		}
		return appendPreviewToken(b, f.previewToken(a, adminPrincipal))
	}
	m := map[string]any{
		"id": uuid(), "type": "asset", "created": f.now().UTC().Format("2006-01-02T15:04:05.000Z"),
		"href":  base + a.href,
		"title": cur.meta.text(5), "description": cur.meta.text(120), "tags": cur.meta.text(25), "byline": cur.meta.text(80),
		"file-size": strconv.FormatInt(a.filesize, 10), "pixel-width": "", "pixel-height": "",
		"preview-href": "", "thumbnail-href": "",
	}
	if a.hasImage() {
		m["pixel-width"], m["pixel-height"] = strconv.Itoa(a.w), strconv.Itoa(a.h)
		m["preview-href"] = base + f.previewHref(a, cur, f.previewSpecOf(a, 800))
		m["thumbnail-href"] = base + f.previewHref(a, cur, f.previewSpecOf(a, 200))
	}
	switch kind {
	case AssetIngested:
		m["operation-name"], m["data"] = "upload", doc(cur)
	case AssetDeleted:
		m["operation-name"], m["data"] = f.opts.WebhookDeleteOperation, doc(cur)
	case AssetModified:
		before := cur
		if a.before != nil {
			before = *a.before
		}
		m["operation-name"] = "updateMetadata"
		m["data"] = map[string]any{"asset": doc(cur), "assetBefore": doc(before),
			"metadataDiff": map[string]any{"changedFields": metadataDiff(before.meta, cur.meta)}}
	default:
		return nil, fmt.Errorf("fotowebtest: webhook: unknown kind %q", kind)
	}
	return json.Marshal(m)
}

// metadataDiff lists changed fields as FotoWeb's version 2 webhooks do:
// {"field": {id, label}, "diff": {old, new, added, removed}} with values
// as {"values": [{"s": "..."}]} and null for absent.
func metadataDiff(old, cur metadata) []any {
	ids := map[int]bool{}
	for id := range old {
		ids[id] = true
	}
	for id := range cur {
		ids[id] = true
	}
	sorted := make([]int, 0, len(ids))
	for id := range ids {
		if !slices.Equal(old[id], cur[id]) {
			sorted = append(sorted, id)
		}
	}
	slices.Sort(sorted)
	out := []any{}
	for _, id := range sorted {
		diff := map[string]any{"old": values(old[id]), "new": values(cur[id])}
		if added := minus(cur[id], old[id]); len(added) > 0 {
			diff["added"] = values(added)
		}
		if removed := minus(old[id], cur[id]); len(removed) > 0 {
			diff["removed"] = values(removed)
		}
		out = append(out, map[string]any{"field": map[string]any{"id": id, "label": fieldLabels[id]}, "diff": diff})
	}
	return out
}

func values(v []string) any {
	if len(v) == 0 {
		return nil
	}
	list := make([]map[string]string, len(v))
	for i, s := range v {
		list[i] = map[string]string{"s": s}
	}
	return map[string]any{"values": list}
}

func minus(a, b []string) []string {
	var out []string
	for _, s := range a {
		if !slices.Contains(b, s) {
			out = append(out, s)
		}
	}
	return out
}
