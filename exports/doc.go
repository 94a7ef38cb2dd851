// Package exports delivers images through FotoWeb's Export API without
// ever exporting the same thing twice.
//
// An EXPORT request makes a durable object in FotoWeb with permanent,
// public, token-free URLs. The [Exporter] (an embed.Exporter) records
// every export it makes in a [Ledger] keyed by (asset, width, preset),
// and answers from the ledger when it can. Ledgers:
//
//   - [FileLedger] ([OpenFile]): the default, a bbolt database file on
//     the service's machine; one process at a time.
//   - the Redis store's ledger (redisstore.Store.Ledger): for replicas
//     sharing one Redis; a cluster-wide lock makes one EXPORT per key.
//   - [MemoryLedger] ([NewMemory]): in-process, not durable; for tests
//     and library users.
//
// A recorded URL is checked with a HEAD request once it is older than
// Config.VerifyAfter; one FotoWeb no longer serves (revoked in the export
// manager: 404 or 410) is exported again, once, and the record counts
// it in Remade. Package ledgertest checks a Ledger implementation.
package exports
