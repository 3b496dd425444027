// The SQLite wrapper lives in its own target (shared with the central ledger). Re-exported here
// so every file of the outbox sees it without an import of its own.
@_exported import SQLite
