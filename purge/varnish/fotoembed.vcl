# fotoembed.vcl: Varnish in front of fotoembed, purged by cache tag.
#
# What it does:
#   - /i/ answers (GET and HEAD) are cached for as long as their
#     Cache-Control allows (proxy delivery answers "public, max-age=N";
#     redirects are "private" and are never cached); an /i/ answer without
#     Cache-Control is not cached. Cookies are ignored on /i/.
#   - Everything else (API, web UI, webhooks, health, metrics) is passed
#     to fotoembed uncached.
#   - A BAN (or PURGE) request with the header "X-Purge-Tag: <tag>" from
#     an address in the purgers ACL drops every cached object whose
#     Surrogate-Key header holds that tag (every size of one asset), and
#     answers 200. From anywhere else it answers 403. fotoembed sends it
#     when FotoWeb reports that an asset changed (--purge-varnish).
#   - Answers carry X-Cache: HIT or MISS.
#
# Use: set the backend's host and port to fotoembed's listen address, add
# the addresses fotoembed's replicas send purges from to the purgers ACL,
# then run for example
#   varnishd -a :6081 -f /etc/varnish/fotoembed.vcl -s malloc,256m
# and point fotoembed at it: --purge-varnish http://varnish-host:6081/
# (one URL per Varnish server, comma-separated). Tested with Varnish 7.1.
vcl 4.1;

backend fotoembed {
    .host = "127.0.0.1";
    .port = "8080";
}

# Who may ban. Loopback by default; add the fotoembed replicas.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "BAN" || req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        # A fotoembed tag is "fe-" and base64url: nothing a regular
        # expression could misread.
        if (req.http.X-Purge-Tag !~ "^fe-[A-Za-z0-9_-]+$") {
            return (synth(400, "X-Purge-Tag missing or malformed"));
        }
        ban("obj.http.Surrogate-Key ~ (^|\s)" + req.http.X-Purge-Tag + "($|\s)");
        return (synth(200, "Banned"));
    }
    if (req.url !~ "^/i/" || (req.method != "GET" && req.method != "HEAD")) {
        return (pass);
    }
    # Signed URLs are public: no cookie or credential changes the answer.
    unset req.http.Cookie;
    unset req.http.Authorization;
    return (hash);
}

sub vcl_backend_response {
    if (bereq.url ~ "^/i/" && !beresp.http.Cache-Control) {
        # Cache only what fotoembed says may be cached.
        set beresp.uncacheable = true;
        set beresp.ttl = 0s;
        return (deliver);
    }
    # Otherwise Varnish's built-in rules apply: TTL from Cache-Control
    # (s-maxage, max-age), nothing cached that is private, no-cache,
    # no-store or sets a cookie.
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}
