import CSQLite

/// The one owner of a `sqlite3*` and of every statement prepared on it.
///
/// Every sqlite3_* call of the module goes through this folder, and every failing result code becomes a
/// `SQLiteError`. Statements are prepared once, cached by their SQL text, reset after each use (so no read
/// transaction stays open and pins the WAL) and finalized by `close()`.
///
/// Not thread-safe and not `Sendable`: the connection is opened with `SQLITE_OPEN_NOMUTEX` and must be used
/// from one thread or serial queue at a time.
public final class SQLiteConnection {
    /// Where the database lives, as passed to `sqlite3_open_v2`.
    public let path: String
    private var handle: OpaquePointer?
    private var statements: [String: OpaquePointer] = [:]

    /// Opens (creating if missing) the database file read-write.
    public init(path: String, busyTimeoutMs: Int32) throws(SQLiteError) {
        self.path = path
        // SQLITE_OPEN_NOMUTEX: "The new database connection will use the "multi-thread" threading mode. This
        // means that separate threads are allowed to use SQLite at the same time, as long as each thread is
        // using a different database connection." — exactly how this connection is used (one serial queue).
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            // "Whether or not an error occurs when it is opened, resources associated with the database
            // connection handle should be released by passing it to sqlite3_close() when it is no longer
            // required." (sqlite3.h, sqlite3_open)
            let error = SQLiteError(
                extendedCode: db.map { sqlite3_extended_errcode($0) } ?? rc,
                message: db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc)),
                operation: "open", sql: nil)
            sqlite3_close(db)
            throw error
        }
        handle = db
        // "The sqlite3_extended_result_codes() routine enables or disables the extended result codes feature
        // of SQLite." Extended codes tell a duplicate id (SQLITE_CONSTRAINT_UNIQUE) from other constraint failures.
        sqlite3_extended_result_codes(db, 1)
        // "This routine sets a busy handler that sleeps for a specified amount of time when a table is locked."
        sqlite3_busy_timeout(db, busyTimeoutMs)
    }

    deinit { close() }

    /// Whether `close()` has run.
    public var isClosed: Bool { handle == nil }

    /// Runs a statement to completion (no result rows expected) and returns how many rows it changed.
    @discardableResult
    public func execute(_ sql: String, _ bindings: [SQLiteValue] = []) throws(SQLiteError) -> Int {
        let db = try open(sql)
        _ = try withStatement(sql, bindings) { statement throws(SQLiteError) in
            while try step(statement, sql) {}
        }
        return Int(sqlite3_changes(db))
    }

    /// Runs a query and maps every result row.
    public func rows<T>(_ sql: String, _ bindings: [SQLiteValue] = [], _ map: (SQLiteRow) -> T) throws(SQLiteError) -> [T] {
        try withStatement(sql, bindings) { statement throws(SQLiteError) in
            var result: [T] = []
            while try step(statement, sql) { result.append(map(SQLiteRow(statement: statement))) }
            return result
        }
    }

    /// The first column of the first row, or nil when the query returns no row or NULL.
    public func scalarInt(_ sql: String, _ bindings: [SQLiteValue] = []) throws(SQLiteError) -> Int64? {
        try rows(sql, bindings) { $0.isNull(0) ? nil : $0.int64(0) }.first ?? nil
    }

    /// The first column of the first row as text, or nil when the query returns no row.
    public func scalarText(_ sql: String, _ bindings: [SQLiteValue] = []) throws(SQLiteError) -> String? {
        try rows(sql, bindings) { $0.text(0) }.first
    }

    /// Prepares and caches `sql` without running it: checks that it compiles against the current schema.
    public func compile(_ sql: String) throws(SQLiteError) {
        _ = try prepared(sql)
    }

    /// Whether a transaction is open. "The sqlite3_get_autocommit() interface returns non-zero or zero if
    /// the given database connection is or is not in autocommit mode, respectively."
    public var inTransaction: Bool {
        guard let handle else { return false }
        return sqlite3_get_autocommit(handle) == 0
    }

    /// Rolls back the open transaction, if any. Used after a failure, so its own error is not reported.
    /// "If certain kinds of errors occur within a transaction, the transaction may or may not be rolled back
    /// automatically." (lang_transaction.html, e.g. after SQLITE_FULL or SQLITE_IOERR) — hence the check first.
    public func rollbackIfNeeded() {
        guard inTransaction else { return }
        _ = try? execute("ROLLBACK")
    }

    /// `sqlite3_wal_checkpoint_v2` on the main database; returns (frames in the WAL, frames checkpointed).
    @discardableResult
    public func checkpoint(_ mode: CheckpointMode) throws(SQLiteError) -> (walFrames: Int, checkpointed: Int) {
        let db = try open(nil)
        var walFrames: Int32 = 0
        var checkpointed: Int32 = 0
        let rc = sqlite3_wal_checkpoint_v2(db, nil, mode.rawValue, &walFrames, &checkpointed)
        guard rc == SQLITE_OK else { throw error(rc, "checkpoint(\(mode))", nil) }
        return (Int(walFrames), Int(checkpointed))
    }

    /// The checkpoint modes used here (sqlite3.h, sqlite3_wal_checkpoint_v2).
    public enum CheckpointMode: Int32, CustomStringConvertible {
        /// "Checkpoint as many frames as possible without waiting for any database readers or writers to
        /// finish, then sync the database file if all frames in the log were checkpointed. The busy-handler
        /// callback is never invoked in the SQLITE_CHECKPOINT_PASSIVE mode."
        case passive = 0  // SQLITE_CHECKPOINT_PASSIVE
        /// "This mode works the same way as SQLITE_CHECKPOINT_RESTART with the addition that it also truncates
        /// the log file to zero bytes just prior to a successful return."
        case truncate = 3  // SQLITE_CHECKPOINT_TRUNCATE

        public var description: String { self == .passive ? "PASSIVE" : "TRUNCATE" }
    }

    /// Finalizes every cached statement, then closes the connection. Idempotent.
    public func close() {
        guard let db = handle else { return }
        for statement in statements.values { sqlite3_finalize(statement) }
        statements.removeAll()
        handle = nil
        // With every statement finalized this deallocates at once; "If sqlite3_close_v2() is called with
        // unfinalized prepared statements ... it returns SQLITE_OK regardless" and frees them later, so close
        // never leaks the handle. "If an sqlite3 object is destroyed while a transaction is open, the
        // transaction is automatically rolled back."
        sqlite3_close_v2(db)
    }

    // MARK: - Statements

    private func open(_ sql: String?) throws(SQLiteError) -> OpaquePointer {
        guard let handle else {
            throw SQLiteError(extendedCode: SQLITE_MISUSE, message: "connection is closed", operation: "use", sql: sql)
        }
        return handle
    }

    /// Prepares (or reuses) `sql`, binds, runs `body`, and always resets the statement afterwards.
    private func withStatement<T>(
        _ sql: String, _ bindings: [SQLiteValue], _ body: (OpaquePointer) throws(SQLiteError) -> T
    ) throws(SQLiteError) -> T {
        let statement = try prepared(sql)
        // "The sqlite3_reset() function is called to reset a prepared statement object back to its initial
        // state, ready to be re-executed." It also ends the read transaction a half-stepped SELECT keeps open
        // (which would stop checkpoints from finishing); bindings "retain their values", hence clear_bindings.
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        try bind(bindings, to: statement, sql)
        return try body(statement)
    }

    private func prepared(_ sql: String) throws(SQLiteError) -> OpaquePointer {
        if let cached = statements[sql] { return cached }
        let db = try open(sql)
        var statement: OpaquePointer?
        // SQLITE_PREPARE_PERSISTENT: "a hint to the query planner that the prepared statement will be
        // retained for a long time and probably reused many times."
        let rc = sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard rc == SQLITE_OK, let statement else {
            sqlite3_finalize(statement)
            throw error(rc, "prepare", sql)
        }
        statements[sql] = statement
        return statement
    }

    private func bind(_ values: [SQLiteValue], to statement: OpaquePointer, _ sql: String) throws(SQLiteError) {
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)  // "The leftmost SQL parameter has an index of 1."
            let rc: Int32
            switch value {
            case .int(let number): rc = sqlite3_bind_int64(statement, index, number)
            case .null: rc = sqlite3_bind_null(statement, index)
            // SQLITE_TRANSIENT: "the object is to be copied prior to the return from sqlite3_bind_*()" — the
            // Swift buffer only lives for this call.
            case .text(let text): rc = sqlite3_bind_text(statement, index, text, -1, Self.transient)
            case .blob(let bytes) where bytes.isEmpty:
                // A NULL data pointer would bind SQL NULL; a zero-length blob must stay a blob.
                rc = sqlite3_bind_zeroblob(statement, index, 0)
            case .blob(let bytes):
                rc = bytes.withUnsafeBytes { buffer in
                    sqlite3_bind_blob(statement, index, buffer.baseAddress, Int32(buffer.count), Self.transient)
                }
            }
            guard rc == SQLITE_OK else { throw error(rc, "bind", sql) }
        }
    }

    /// One `sqlite3_step`: true when a row is ready, false when the statement is done.
    private func step(_ statement: OpaquePointer, _ sql: String) throws(SQLiteError) -> Bool {
        switch sqlite3_step(statement) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let rc: throw error(rc, "step", sql)
        }
    }

    /// The `SQLITE_TRANSIENT` destructor sentinel ((sqlite3_destructor_type)-1), which Swift cannot import.
    private static var transient: sqlite3_destructor_type {
        unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
    }

    private func error(_ rc: Int32, _ operation: String, _ sql: String?) -> SQLiteError {
        guard let handle else {
            return SQLiteError(extendedCode: rc, message: String(cString: sqlite3_errstr(rc)), operation: operation, sql: sql)
        }
        // With extended result codes on, sqlite3_prepare_v3/step return the extended code themselves.
        return SQLiteError(extendedCode: rc, message: String(cString: sqlite3_errmsg(handle)), operation: operation, sql: sql)
    }
}
