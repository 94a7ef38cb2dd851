// Package redisstore lets several fotoembed replicas behind a load
// balancer behave as one service, through one Redis server.
//
// One replica needs nothing but its bounded in-process store
// ([embed.NewMemoryStore]). With `--store redis://...` each replica uses
// a [Store] instead:
//
//   - Resolved-asset entries ([embed.Entry], as JSON) live in Redis under
//     KeyPrefix+"entry:"+href with the TTL the resolver asks for, shared
//     by every replica. A near cache in front (an [embed.MemoryStore]
//     bounded by NearLimits) keeps what a replica read for NearTTL
//     (default 5 s), so a busy page costs no Redis round trip per image.
//   - Delete (a webhook reached one replica) removes the Redis key and
//     PUBLISHes the href on KeyPrefix+"invalidate"; every Store is
//     subscribed and drops it from its near cache, within milliseconds.
//     An entry being fetched meanwhile (under LockFill) is not stored: it
//     may predate the change the webhook announced.
//   - [Store.LockFill] ([embed.FillLocker]) takes a short cluster-wide
//     lock per href (SET NX PX with a random token, released by a
//     compare-and-delete script), so concurrent misses on all replicas
//     make one FotoWeb request; the others wait, then read the entry the
//     winner stored.
//   - [TokenStore] keeps the user's OAuth token (a [tokens.TokenStore]
//     and [tokens.Locker]): replicas refresh under a lock and re-read, so
//     the refresh token, which FotoWeb rotates, is rotated once, not once
//     per replica.
//
// # Pub/sub rather than streams
//
// Invalidations travel by pub/sub, which is fire-and-forget: a replica
// whose connection is down misses the messages sent meanwhile. Streams
// would keep them, at the price of a consumer position per replica,
// trimming, and replaying history no one needs. Missing a message is
// harmless here because what it protects is small and short-lived: the
// shared entry itself is deleted in Redis, only near-cache copies (at most
// NearTTL old) depend on the message, and every entry expires anyway. The
// one case where messages are surely missed, a lost subscription, is
// detected: go-redis resubscribes by itself and confirms it, and on that
// confirmation the Store clears its whole near cache.
//
// # When Redis is down or slow
//
// Every Redis call is bounded by Timeout (default 200 ms), and every call
// given a context (Get, Set, Delete, the export ledger, the where-used
// record, the TokenStore, Once, the locks) also by that context: a
// visitor who went away stops waiting at once, and a lock taken for a
// caller that has gone is released. A failed call (or one whose context ended) is a miss
// (Get), is dropped (Set) or is kept to be sent later (Delete);
// the fill lock is skipped and FotoWeb asked directly. While a health
// ping (every HealthInterval) fails, entries stay in the near cache for
// their full TTL, so a replica behaves as a single one would. Errors are
// counted ([Store.Stats]), reported ([Store.Status], [Store.Check]) and
// logged at most once per LogInterval (default 1 min). When Redis answers
// again the near cache is cleared, held invalidations are sent and a
// token saved to the fallback file is pushed. No request fails because
// Redis is down while FotoWeb is up.
package redisstore
