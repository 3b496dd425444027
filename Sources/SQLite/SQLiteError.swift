import CSQLite

/// A failed SQLite call: the result code SQLite returned, its message, and what we were doing.
///
/// Built only by `SQLiteConnection` (the one owner of every sqlite3 handle), right after the failing
/// call, so `message` is the `sqlite3_errmsg` text that belongs to that call.
public struct SQLiteError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The primary result code (`SQLITE_BUSY` = 5, `SQLITE_NOTADB` = 26, …): the low 8 bits of `extendedCode`.
    public let code: Int32
    /// The extended result code (`SQLITE_CONSTRAINT_UNIQUE` = 2067, `SQLITE_IOERR_FSYNC` = 1034, …).
    public let extendedCode: Int32
    /// `sqlite3_errmsg` at the time of the failure (or `sqlite3_errstr` when there was no connection).
    public let message: String
    /// The call that failed: "open", "prepare", "bind", "step", "checkpoint", ….
    public let operation: String
    /// The SQL being prepared or run, if any.
    public let sql: String?

    public init(extendedCode: Int32, message: String, operation: String, sql: String?) {
        self.code = extendedCode & 0xFF
        self.extendedCode = extendedCode
        self.message = message
        self.operation = operation
        self.sql = sql
    }

    /// The C name of the primary code, e.g. "SQLITE_CANTOPEN".
    public var codeName: String { Self.primaryNames[code] ?? "SQLITE_ERROR(\(code))" }

    /// "unable to open database file (SQLITE_CANTOPEN 14)"; the extended code is added when it says more.
    public var summary: String {
        let codes = extendedCode == code ? "\(codeName) \(code)" : "\(codeName) \(code), extended \(extendedCode)"
        return "\(message) (\(codes))"
    }

    /// The summary plus the operation and the SQL, for logs.
    public var description: String {
        var text = "\(operation): \(summary)"
        if let sql { text += " in \"\(sql)\"" }
        return text
    }

    /// The primary result codes (https://www.sqlite.org/rescode.html#primary_result_code_list).
    private static let primaryNames: [Int32: String] = [
        SQLITE_OK: "SQLITE_OK", SQLITE_ERROR: "SQLITE_ERROR", SQLITE_INTERNAL: "SQLITE_INTERNAL",
        SQLITE_PERM: "SQLITE_PERM", SQLITE_ABORT: "SQLITE_ABORT", SQLITE_BUSY: "SQLITE_BUSY",
        SQLITE_LOCKED: "SQLITE_LOCKED", SQLITE_NOMEM: "SQLITE_NOMEM", SQLITE_READONLY: "SQLITE_READONLY",
        SQLITE_INTERRUPT: "SQLITE_INTERRUPT", SQLITE_IOERR: "SQLITE_IOERR", SQLITE_CORRUPT: "SQLITE_CORRUPT",
        SQLITE_NOTFOUND: "SQLITE_NOTFOUND", SQLITE_FULL: "SQLITE_FULL", SQLITE_CANTOPEN: "SQLITE_CANTOPEN",
        SQLITE_PROTOCOL: "SQLITE_PROTOCOL", SQLITE_EMPTY: "SQLITE_EMPTY", SQLITE_SCHEMA: "SQLITE_SCHEMA",
        SQLITE_TOOBIG: "SQLITE_TOOBIG", SQLITE_CONSTRAINT: "SQLITE_CONSTRAINT", SQLITE_MISMATCH: "SQLITE_MISMATCH",
        SQLITE_MISUSE: "SQLITE_MISUSE", SQLITE_NOLFS: "SQLITE_NOLFS", SQLITE_AUTH: "SQLITE_AUTH",
        SQLITE_FORMAT: "SQLITE_FORMAT", SQLITE_RANGE: "SQLITE_RANGE", SQLITE_NOTADB: "SQLITE_NOTADB",
        SQLITE_NOTICE: "SQLITE_NOTICE", SQLITE_WARNING: "SQLITE_WARNING",
    ]
}

/// Named result codes the rest of the module matches on, so it never needs the C module.
extension SQLiteError {
    public static let busy = SQLITE_BUSY
    public static let locked = SQLITE_LOCKED
    public static let readOnly = SQLITE_READONLY
    public static let permission = SQLITE_PERM
    public static let ioError = SQLITE_IOERR
    public static let corrupt = SQLITE_CORRUPT
    public static let full = SQLITE_FULL
    public static let cannotOpen = SQLITE_CANTOPEN
    public static let notADatabase = SQLITE_NOTADB
    public static let constraint = SQLITE_CONSTRAINT
    /// `SQLITE_CONSTRAINT_UNIQUE`: a UNIQUE index (here: `events.id`) rejected a row.
    public static let constraintUnique = SQLITE_CONSTRAINT | (8 << 8)
}
