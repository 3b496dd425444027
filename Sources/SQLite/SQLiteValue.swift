import CSQLite

/// A value bound to a `?` parameter of a statement.
public enum SQLiteValue: Sendable, Equatable {
    case int(Int64)
    case text(String)
    case blob([UInt8])
    case null
}

/// The current result row of a statement, valid only inside the closure it is passed to
/// (the next `sqlite3_step` overwrites it). Column indexes start at 0.
public struct SQLiteRow {
    fileprivate let statement: OpaquePointer

    init(statement: OpaquePointer) { self.statement = statement }

    /// Whether the column holds SQL NULL.
    public func isNull(_ column: Int32) -> Bool { sqlite3_column_type(statement, column) == SQLITE_NULL }

    public func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(statement, column) }

    public func text(_ column: Int32) -> String {
        // "The pointers returned are valid until a type conversion occurs as described above, or until
        // sqlite3_step() or sqlite3_reset() or sqlite3_finalize() is called." (sqlite3.h) — so copy now, and
        // "call sqlite3_column_text(), sqlite3_column_blob(), or sqlite3_column_text16() first to force the
        // result into the desired format, then invoke sqlite3_column_bytes()".
        guard let pointer = sqlite3_column_text(statement, column) else { return "" }
        let count = Int(sqlite3_column_bytes(statement, column))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    public func blob(_ column: Int32) -> [UInt8] {
        // "The return value from sqlite3_column_blob() for a zero-length BLOB is a NULL pointer."
        guard let pointer = sqlite3_column_blob(statement, column) else { return [] }
        let count = Int(sqlite3_column_bytes(statement, column))
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }
}
