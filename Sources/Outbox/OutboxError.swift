import GridLinkCore

/// Why an outbox operation failed, with the database path and the SQLite error underneath.
///
/// `description` is the one log line: what failed, SQLite's own words and code, and what to do, e.g.
/// `outbox /var/lib/gridlink/outbox.sqlite: cannot open: unable to open database file (SQLITE_CANTOPEN 14);
/// check the directory exists and is writable by the gridlink user`.
/// `isUnusableDatabase` tells the daemon when to quarantine the file instead of retrying.
public struct OutboxError: Error, CustomStringConvertible {
    /// What kind of failure this is; decides the daemon's reaction.
    public enum Kind: Sendable, Equatable {
        /// The file could not be opened or created (missing directory, permissions).
        case cannotOpen
        /// The file is not an SQLite database at all.
        case notADatabase
        /// An SQLite database, but not a gridlink outbox (another application's file).
        case notAnOutbox
        /// A gridlink outbox written by a newer gridlink (schema version `found`).
        case unsupportedSchema(found: Int64)
        /// SQLite reports the file damaged, or its rows break the outbox's invariants.
        case corrupt
        /// The disk (or the quota) is full: nothing was stored.
        case diskFull
        /// The file or its directory is read-only for this process.
        case readOnly
        /// Another connection held the lock longer than the busy timeout.
        case busy
        /// The operating system reported an I/O error (failing SD card, unplugged disk).
        case ioError
        /// An appended event's id is already in the outbox; the whole batch was rejected.
        case duplicateId
        /// An event could not be encoded as JSON.
        case encoding
        /// The outbox was used after `close()`.
        case closed
        /// Any other SQLite failure.
        case sqlite
        /// The bounded outbox had no room (OverflowPolicy): the event was refused and counted.
        case outboxFull(OverflowReason)
    }

    public let kind: Kind
    /// The database file the outbox was opened on.
    public let path: String
    /// What the outbox was doing: "open", "append", "pending", "remove", "stats", "checkpoint", ….
    public let operation: String
    /// The SQLite failure underneath, when there is one.
    public let underlying: SQLiteError?
    /// Extra facts when there is no SQLite error (e.g. "application_id is 0x12345678").
    public let detail: String?

    public init(kind: Kind, path: String, operation: String, underlying: SQLiteError? = nil, detail: String? = nil) {
        self.kind = kind
        self.path = path
        self.operation = operation
        self.underlying = underlying
        self.detail = detail
    }

    /// Whether the file itself is the problem (not a database, not ours, damaged, from a newer version):
    /// retrying will not help; the daemon should move it aside and start a fresh outbox.
    public var isUnusableDatabase: Bool {
        switch kind {
        case .notADatabase, .notAnOutbox, .corrupt, .unsupportedSchema: true
        default: false
        }
    }

    public var description: String {
        let cause = [detail, underlying?.summary].compactMap { $0 }.joined(separator: ": ")
        return "outbox \(path): \(headline)\(cause.isEmpty ? "" : ": \(cause)"); \(advice)"
    }

    private var headline: String {
        switch kind {
        case .cannotOpen: "cannot open"
        case .notADatabase: "not an SQLite database"
        case .notAnOutbox: "not a gridlink outbox"
        case .unsupportedSchema(let found): "written by a newer gridlink (schema \(found), this one reads \(OutboxSchema.version))"
        case .corrupt: "database is corrupt (\(operation))"
        case .diskFull: "disk full (\(operation))"
        case .readOnly: "read-only (\(operation))"
        case .busy: "locked by another process (\(operation))"
        case .ioError: "I/O error (\(operation))"
        case .duplicateId: "duplicate event id (\(operation))"
        case .encoding: "cannot encode event (\(operation))"
        case .closed: "used after close (\(operation))"
        case .sqlite: "\(operation) failed"
        case .outboxFull(.full): "full, event refused (\(operation))"
        case .outboxFull(.tooLarge): "event larger than outbox.max_bytes, refused (\(operation))"
        }
    }

    private var advice: String {
        switch kind {
        case .cannotOpen: "check the directory exists and is writable by the gridlink user"
        case .notADatabase, .notAnOutbox, .corrupt, .unsupportedSchema:
            "move the file aside (it is kept for inspection) and restart to begin a fresh outbox"
        case .diskFull: "free space on that filesystem; events already stored are kept"
        case .readOnly: "check the file and its directory are writable by the gridlink user and the filesystem is mounted rw"
        case .busy: "another process holds the database; only gridlinkd should open it"
        case .ioError: "check the storage device (dmesg); it may be failing"
        case .duplicateId: "event ids must be unique; nothing of this batch was stored"
        case .encoding: "nothing of this batch was stored; this is a bug, please report it"
        case .closed: "this is a bug in the caller, please report it"
        case .sqlite: "nothing of this operation was committed; retry, and report it if it persists"
        case .outboxFull: "the refusal is counted and reported as device.overflow; restore the broker connection or raise [outbox] max_rows / max_bytes"
        }
    }
}

extension OutboxError {
    /// Classifies an SQLite failure by its result code.
    init(_ error: SQLiteError, path: String, operation: String) {
        let kind: Kind = switch error.code {
        case SQLiteError.cannotOpen: .cannotOpen
        case SQLiteError.notADatabase: .notADatabase
        case SQLiteError.corrupt: .corrupt
        case SQLiteError.full: .diskFull
        case SQLiteError.readOnly, SQLiteError.permission: .readOnly
        case SQLiteError.busy, SQLiteError.locked: .busy
        case SQLiteError.ioError: .ioError
        case SQLiteError.constraint where error.extendedCode == SQLiteError.constraintUnique: .duplicateId
        default: .sqlite
        }
        self.init(kind: kind, path: path, operation: operation, underlying: error)
    }
}
