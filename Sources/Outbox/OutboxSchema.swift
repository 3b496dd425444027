/// The outbox's on-disk format (schema version 1) and the checks run when a file is opened.
///
/// Two tables:
/// - `events`: one row per stored, not yet acknowledged event, keyed by its per-device `seq`.
/// - `meta`: `schema_version` and `next_seq`, the seq the next stored event gets. It only grows, inside the
///   same transaction as the insert, so a seq is never reused, even after its row is deleted or a restart.
///
/// The file is marked with `PRAGMA application_id` so that neither we nor `file(1)` mistake it for another
/// application's database, and we never modify a database that is not ours.
enum OutboxSchema {
    /// The schema version this build reads and writes.
    static let version: Int64 = 1

    /// "GRLK". "When SQLite is used as an application file format, it is desirable to have file(1) recognize
    /// the database file as being with the specific application. ... That integer is written as a 4-byte
    /// big-endian integer into offset 68 of the database header." (magic.txt in the SQLite sources)
    static let applicationID: Int64 = 0x4752_4C4B

    // STRICT tables (SQLite >= 3.37): a value of the wrong type is an error instead of being stored as-is.
    static let createStatements = [
        """
        CREATE TABLE IF NOT EXISTS meta (
            key TEXT PRIMARY KEY NOT NULL,
            value INTEGER NOT NULL
        ) STRICT, WITHOUT ROWID
        """,
        """
        CREATE TABLE IF NOT EXISTS events (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            class_rank INTEGER NOT NULL,
            kind TEXT NOT NULL,
            topic TEXT NOT NULL,
            payload BLOB NOT NULL,
            stored_wall_ms INTEGER NOT NULL,
            stored_mono_ns INTEGER NOT NULL
        ) STRICT
        """,
        // The drain order. seq is the rowid, so this index alone answers ORDER BY class_rank, seq.
        "CREATE INDEX IF NOT EXISTS events_drain ON events (class_rank, seq)",
        "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', \(version)), ('next_seq', 1)",
        "PRAGMA application_id = \(applicationID)",
    ]

    /// Tables besides `events` that salvage copies from a damaged outbox when they still read
    /// (`INSERT OR IGNORE … SELECT *`, so the columns must match). A table added to the schema is
    /// salvaged by adding its name here.
    public static let salvagedTables: [String] = ["request_status"]

    static let columns = "seq, id, class_rank, kind, topic, payload, stored_wall_ms, stored_mono_ns"
    static let insertEvent = "INSERT INTO events (\(columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    static let drainOrder = "SELECT \(columns) FROM events ORDER BY class_rank, seq"
    static let deleteEvent = "DELETE FROM events WHERE seq = ?"
    static let readNextSeq = "SELECT value FROM meta WHERE key = 'next_seq'"
    static let writeNextSeq = "UPDATE meta SET value = ? WHERE key = 'next_seq'"

    /// Configures a freshly opened connection and makes sure the file is (or becomes) a valid outbox.
    static func prepare(_ db: SQLiteConnection, path: String) throws(OutboxError) {
        @discardableResult
        func sql<T>(_ body: () throws(SQLiteError) -> T) throws(OutboxError) -> T {
            do throws(SQLiteError) { return try body() } catch { throw OutboxError(error, path: path, operation: "open") }
        }
        func fail(_ kind: OutboxError.Kind, _ detail: String) -> OutboxError {
            OutboxError(kind: kind, path: path, operation: "open", detail: detail)
        }

        // Identify the file before changing anything in it. Reading the header is also where a file that is
        // not a database fails: SQLITE_NOTADB "file is not a database".
        let appID = try sql { () throws(SQLiteError) in try db.scalarInt("PRAGMA application_id") } ?? 0
        let tables = try sql { () throws(SQLiteError) in try db.scalarInt("SELECT count(*) FROM sqlite_master") } ?? 0
        let fresh = appID == 0 && tables == 0
        guard fresh || appID == applicationID else {
            let found = appID == 0 ? "\(tables) objects and no application_id" : "application_id 0x\(String(appID, radix: 16))"
            throw fail(.notAnOutbox, "SQLite database with \(found), expected application_id 0x\(String(applicationID, radix: 16))")
        }

        // "The WAL journaling mode uses a write-ahead log instead of a rollback journal to implement
        // transactions. The WAL journaling mode is persistent; after being set it stays in effect across
        // multiple database connections and after closing and reopening the database." And: "The new journal
        // mode is returned. If the journal mode could not be changed, the original journal mode is returned."
        let mode = try sql { () throws(SQLiteError) in try db.scalarText("PRAGMA journal_mode = WAL") }
        guard mode?.lowercased() == "wal" else {
            throw fail(.cannotOpen, "journal_mode=WAL refused (mode is \(mode ?? "unknown")); the directory must allow the -wal and -shm files")
        }
        try sql { () throws(SQLiteError) in
            // "With synchronous=FULL in WAL mode, an additional sync operation of the WAL file happens after each
            // transaction commit." With NORMAL instead, "A transaction committed in WAL mode with
            // synchronous=NORMAL might roll back following a power loss or system crash" (pragma.html) — and
            // the product promises that a stored event survives a power cut. The setting is per connection.
            // FULL always, except under the power-cut test's negative control (SynchronousOverride).
            try db.execute("PRAGMA synchronous = \(SynchronousOverride.pragmaValue)")
            // wal_autocheckpoint: "Setting the auto-checkpoint size to zero or a negative value turns
            // auto-checkpointing off." (pragma.html) Otherwise the COMMIT that crosses 1000 WAL pages runs the checkpoint
            // itself (DESIGN.md measured up to 108 ms); the daemon calls `Outbox.checkpoint()` from a timer instead.
            try db.execute("PRAGMA wal_autocheckpoint = 0")
        }

        if fresh {
            try sql { () throws(SQLiteError) in
                // BEGIN IMMEDIATE takes the write lock first, so two processes creating the same file at once
                // serialise; IF NOT EXISTS / OR IGNORE make the loser's statements no-ops.
                try db.execute("BEGIN IMMEDIATE")
                do throws(SQLiteError) {
                    for statement in createStatements { try db.execute(statement) }
                    try db.execute("COMMIT")
                } catch {
                    db.rollbackIfNeeded()
                    throw error
                }
            }
        }
        try validate(db, path: path)
        try migrateRequestStatus(db, path: path)  // Outbox+RequestStatus.swift
    }

    /// `PRAGMA quick_check`: "ok", or the damage it found (→ `.corrupt`).
    static func quickCheck(_ db: SQLiteConnection, path: String) throws(OutboxError) {
        let lines: [String]
        do throws(SQLiteError) {
            lines = try db.rows("PRAGMA quick_check(5)") { $0.text(0) }
        } catch {
            throw OutboxError(error, path: path, operation: "quick_check")
        }
        guard lines == ["ok"] else {
            throw OutboxError(kind: .corrupt, path: path, operation: "quick_check", detail: lines.joined(separator: "; "))
        }
    }

    /// Checks the stored schema version and the seq invariant of an existing outbox.
    private static func validate(_ db: SQLiteConnection, path: String) throws(OutboxError) {
        @discardableResult
        func sql<T>(_ body: () throws(SQLiteError) -> T) throws(OutboxError) -> T {
            do throws(SQLiteError) { return try body() } catch { throw OutboxError(error, path: path, operation: "open") }
        }
        let stored = try sql { () throws(SQLiteError) in
            try db.scalarInt("SELECT value FROM meta WHERE key = 'schema_version'")
        }
        guard let stored else {
            throw OutboxError(kind: .corrupt, path: path, operation: "open", detail: "meta has no schema_version")
        }
        guard stored <= version else {
            throw OutboxError(kind: .unsupportedSchema(found: stored), path: path, operation: "open")
        }
        // Later versions migrate here (`if stored < 2 { … }`), inside one transaction.

        // Every statement the outbox runs must compile against this file's tables (and is now cached).
        for statement in [insertEvent, drainOrder, deleteEvent, readNextSeq, writeNextSeq] {
            do throws(SQLiteError) {
                try db.compile(statement)
            } catch {
                throw OutboxError(kind: .corrupt, path: path, operation: "open", underlying: error,
                                  detail: "tables do not match schema \(version)")
            }
        }
        let next = try sql { () throws(SQLiteError) in try db.scalarInt(readNextSeq) }
        let maxSeq = try sql { () throws(SQLiteError) in try db.scalarInt("SELECT max(seq) FROM events") } ?? 0
        guard let next, next >= 1, next > maxSeq else {
            throw OutboxError(kind: .corrupt, path: path, operation: "open",
                              detail: "next_seq \(next.map(String.init) ?? "missing") is not above the highest stored seq \(maxSeq)")
        }
    }
}
