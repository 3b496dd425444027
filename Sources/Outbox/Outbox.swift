import GridLinkCore

/// The daemon's only queue of events: a SQLite database (WAL, `synchronous=FULL`) holding every event that
/// was stored and not yet acknowledged by the broker.
///
/// - `append` commits a batch in one transaction (group commit) and returns only after COMMIT, so whatever it
///   returns survives `kill -9` and a power cut.
/// - `pending` / `all` read in drain order: class rank (alarm, request, routine), then seq.
/// - `remove` deletes what the broker acknowledged (PUBACK).
/// - `checkpoint` copies the WAL back into the database; the daemon calls it from a timer, because automatic
///   checkpoints (which would run inside a COMMIT) are switched off.
///
/// Not thread-safe and deliberately not `Sendable`: the SQLite connection is opened with
/// `SQLITE_OPEN_NOMUTEX`, so the object must be used from one serial queue (or one actor) at a time.
/// Creating the parent directory is the caller's job. One process should hold the file open.
public final class Outbox {
    /// The database file.
    public let path: String
    public let site: String
    public let device: String
    /// How long a statement waits for another connection's lock before failing with `.busy`.
    public static let busyTimeoutMs: Int32 = 5000

    let topics: Topics
    let db: SQLiteConnection
    /// Seqs reserved in blocks outside the database (`<path>.seq`).
    var reservation: SeqReservation
    /// Seqs skipped at open because the WAL's tail was torn: the lost commit may have used any of
    /// them. The daemon reports the range as `device.store_quarantined` (reason `torn_wal`).
    public private(set) var skippedOnOpen: ClosedRange<UInt64>?

    /// Opens the outbox at `path`, creating the file and schema when missing.
    ///
    /// Throws `.cannotOpen` (no directory, no permission), `.notADatabase` / `.notAnOutbox` / `.corrupt` /
    /// `.unsupportedSchema` (`isUnusableDatabase`: quarantine the file), or another kind from SQLite.
    ///
    /// `quickCheck` runs `PRAGMA quick_check` (reads every page once) and throws `.corrupt` when it
    /// finds damage: the daemon does this at start.
    public init(path: String, site: String, device: String, quickCheck: Bool = false) throws(OutboxError) {
        self.path = path
        self.site = site
        self.device = device
        self.topics = Topics(site: site, device: device)
        self.reservation = SeqReservation(outboxPath: path)
        // Before SQLite opens the file: once open, SQLite reads past the torn frame without a word.
        let tornWAL = WALTail.isTorn(outboxPath: path)
        do throws(SQLiteError) {
            db = try SQLiteConnection(path: path, busyTimeoutMs: Self.busyTimeoutMs)
        } catch {
            throw OutboxError(error, path: path, operation: "open")
        }
        do throws(OutboxError) {
            try OutboxSchema.prepare(db, path: path)
            if quickCheck { try OutboxSchema.quickCheck(db, path: path) }
        } catch {
            // Close without the checkpoint `close()` would run: a file that is not our outbox stays untouched.
            db.close()
            throw error
        }
        if tornWAL { try skipReservedBlock() }
    }

    /// Moves `next_seq` past the reserved block (the torn commit may have used any seq in it).
    private func skipReservedBlock() throws(OutboxError) {
        let next = UInt64(max(1, try sql("open") { () throws(SQLiteError) in try db.scalarInt(OutboxSchema.readNextSeq) } ?? 1))
        let through = reservation.exists ? reservation.reservedThrough : next + SeqReservation.blockSize - 1
        guard through >= next else { return }
        try transaction("skip seqs after a torn WAL", write: true) { () throws(OutboxError) in
            try sql("open") { () throws(SQLiteError) in try db.execute(OutboxSchema.writeNextSeq, [.int(Int64(through + 1))]) }
            try reservation.ensure(through: through + 1, outboxPath: path)
        }
        skippedOnOpen = next...through
        // Restart the WAL, so the torn tail is not found (and skipped) again at the next open.
        _ = try? db.checkpoint(.truncate)
    }

    /// The highest seq reserved so far (`<path>.seq`), 0 if none.
    public var reservedThrough: UInt64 { reservation.reservedThrough }

    /// The highest seq ever reserved for the outbox at `path`, read without opening it (0 if unknown).
    public static func reservedSeqs(path: String) -> UInt64 { SeqReservation(outboxPath: path).reservedThrough }

    /// Seqs per reserved block: the widest gap a quarantine or torn WAL leaves.
    public static var seqBlockSize: UInt64 { SeqReservation.blockSize }

    /// Proves the storage takes writes again: one tiny write transaction, fsynced like a press.
    public func probeWrite() throws(OutboxError) {
        try transaction("probe write", write: true) { () throws(OutboxError) -> Void in
            try sql("probe write") { () throws(SQLiteError) -> Void in
                try db.execute("UPDATE meta SET value = value WHERE key = 'schema_version'")
            }
        }
    }

    /// Reserves seqs up to `seq` (inside the transaction that uses them; one fsync per block).
    func reserveSeqs(through seq: UInt64) throws(OutboxError) {
        try reservation.ensure(through: seq, outboxPath: path)
    }

    deinit { close() }

    /// Copies committed WAL frames into the database file without waiting for locks (`PRAGMA
    /// wal_checkpoint(PASSIVE)`), so the WAL can restart from its beginning at the next commit.
    ///
    /// Runs on the caller's queue: an append queued behind it waits for the copy and one fsync of the
    /// database file. Another process checkpointing at the same moment is not an error.
    public func checkpoint() throws(OutboxError) {
        try sql("checkpoint") { () throws(SQLiteError) in
            do throws(SQLiteError) {
                try db.checkpoint(.passive)
            } catch where error.code == SQLiteError.busy {
                // "If any other process is running a checkpoint operation at the same time, the lock cannot
                // be obtained and SQLITE_BUSY is returned." Its work is ours; the next tick tries again.
            }
        }
    }

    /// Checkpoints everything and truncates the WAL (`PRAGMA wal_checkpoint(TRUNCATE)`), then closes the
    /// connection. Later calls throw `.closed`. Idempotent; `deinit` calls it too.
    public func close() {
        guard !db.isClosed else { return }
        // Best effort: a failure leaves the WAL in place, and SQLite replays it at the next open.
        _ = try? db.checkpoint(.truncate)
        db.close()
    }

    // MARK: - Helpers for the extensions

    /// Runs SQLite calls, turning their error into an `OutboxError` for `operation`.
    @discardableResult
    func sql<T>(_ operation: String, _ body: () throws(SQLiteError) -> T) throws(OutboxError) -> T {
        guard !db.isClosed else { throw OutboxError(kind: .closed, path: path, operation: operation) }
        do throws(SQLiteError) {
            return try body()
        } catch {
            throw OutboxError(error, path: path, operation: operation)
        }
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when anything throws
    /// (including COMMIT itself), so a failed call leaves the outbox exactly as it was.
    ///
    /// Writers use `BEGIN IMMEDIATE`: "IMMEDIATE cause the database connection to start a new write
    /// immediately, without waiting for a write statement. The BEGIN IMMEDIATE might fail with SQLITE_BUSY
    /// if another write transaction is already active on another database connection." (lang_transaction.html)
    /// — a lock conflict shows up at BEGIN (after the busy timeout), never halfway through a batch.
    func transaction<T>(
        _ operation: String, write: Bool, _ body: () throws(OutboxError) -> T
    ) throws(OutboxError) -> T {
        try sql(operation) { () throws(SQLiteError) in try db.execute(write ? "BEGIN IMMEDIATE" : "BEGIN") }
        do throws(OutboxError) {
            let value = try body()
            // "With synchronous=FULL in WAL mode, an additional sync operation of the WAL file happens after each
            // transaction commit." (pragma.html#pragma_synchronous) — COMMIT returns after that fsync.
            try sql(operation) { () throws(SQLiteError) in try db.execute("COMMIT") }
            return value
        } catch {
            db.rollbackIfNeeded()
            throw error
        }
    }
}
