import GridLinkCore
import SQLite
import Synchronization

/// The central side's memory, in SQLite, shared by every consumer instance that opens the same
/// file: which event ids were taken (de-duplication across instances and restarts), each device's
/// seqs (gap detection), and which acks were sent (each status at most once per event).
///
/// Every decision is one INSERT OR IGNORE: the instance whose insert changed a row owns the
/// event (or the ack); everyone else sees a duplicate. WAL and a busy timeout let several
/// processes share the file.
public final class CentralLedger: Sendable {
    private let db: Mutex<SQLiteConnection>

    /// Opens (creating) the ledger at `path`; `":memory:"` keeps it in this process only.
    public init(path: String) throws(SQLiteError) {
        let connection = try SQLiteConnection(path: path, busyTimeoutMs: 5000)
        try connection.execute("PRAGMA journal_mode = WAL")
        try connection.execute("PRAGMA synchronous = NORMAL")
        try connection.execute("""
            CREATE TABLE IF NOT EXISTS events (
              id TEXT PRIMARY KEY, site TEXT NOT NULL, device TEXT NOT NULL, seq INTEGER NOT NULL,
              kind TEXT NOT NULL, consumer TEXT NOT NULL)
            """)
        try connection.execute("CREATE INDEX IF NOT EXISTS events_by_device ON events(site, device, seq)")
        try connection.execute("""
            CREATE TABLE IF NOT EXISTS acks (
              id TEXT NOT NULL, status TEXT NOT NULL, consumer TEXT NOT NULL, PRIMARY KEY (id, status))
            """)
        db = Mutex(connection)
    }

    /// What recording an event found.
    public struct Admission: Sendable, Equatable {
        /// This call took the event; false means another delivery (here or elsewhere) did.
        public var isNew: Bool
        /// Seqs between the device's highest recorded seq and this one, if it jumped ahead.
        /// With several instances this can be transient (another instance is about to record
        /// them); ``gaps(site:device:)`` is the settled answer.
        public var skipped: ClosedRange<UInt64>?

        public init(isNew: Bool, skipped: ClosedRange<UInt64>?) {
            self.isNew = isNew
            self.skipped = skipped
        }
    }

    /// Records `event` as taken by `consumer` unless its id is already in the ledger.
    public func admit(_ event: Event, consumer: String) throws(SQLiteError) -> Admission {
        try db.withLock { db throws(SQLiteError) -> Admission in
            let highest = try db.scalarInt("SELECT MAX(seq) FROM events WHERE site = ? AND device = ?",
                                           [.text(event.site), .text(event.device)])
            let inserted = try db.execute(
                "INSERT OR IGNORE INTO events (id, site, device, seq, kind, consumer) VALUES (?, ?, ?, ?, ?, ?)",
                [.text(event.id), .text(event.site), .text(event.device), .int(Int64(event.seq)), .text(event.kind.rawValue), .text(consumer)])
            guard inserted == 1 else { return Admission(isNew: false, skipped: nil) }
            var skipped: ClosedRange<UInt64>?
            if let highest, event.seq > UInt64(highest) + 1 { skipped = (UInt64(highest) + 1)...(event.seq - 1) }
            return Admission(isNew: true, skipped: skipped)
        }
    }

    /// Claims the right to send `status` for event `id`; true exactly once per (id, status).
    public func claimAck(id: String, status: DownlinkAck.Status, consumer: String) throws(SQLiteError) -> Bool {
        try db.withLock { db throws(SQLiteError) -> Bool in
            try db.execute("INSERT OR IGNORE INTO acks (id, status, consumer) VALUES (?, ?, ?)",
                           [.text(id), .text(status.rawValue), .text(consumer)]) == 1
        }
    }

    /// The seqs missing between the lowest and highest seq recorded for a device.
    public func gaps(site: String, device: String) throws(SQLiteError) -> [ClosedRange<UInt64>] {
        try db.withLock { db throws(SQLiteError) -> [ClosedRange<UInt64>] in
            try db.rows("""
                SELECT prev + 1, seq - 1 FROM (
                  SELECT seq, LAG(seq) OVER (ORDER BY seq) AS prev FROM events WHERE site = ? AND device = ?)
                WHERE prev IS NOT NULL AND seq > prev + 1
                """, [.text(site), .text(device)]) { UInt64($0.int64(0))...UInt64($0.int64(1)) }
        }
    }

    /// Per (event id, status): how many ack rows exist (always 1, by the primary key) — and the
    /// consumer that sent it. For tests and audits.
    public func acks() throws(SQLiteError) -> [(id: String, status: String, consumer: String)] {
        try db.withLock { db throws(SQLiteError) in
            try db.rows("SELECT id, status, consumer FROM acks ORDER BY id, status") { ($0.text(0), $0.text(1), $0.text(2)) }
        }
    }

    /// Events taken, per consumer.
    public func eventsByConsumer() throws(SQLiteError) -> [String: Int] {
        try db.withLock { db throws(SQLiteError) in
            Dictionary(uniqueKeysWithValues: try db.rows("SELECT consumer, COUNT(*) FROM events GROUP BY consumer") { ($0.text(0), Int($0.int64(1))) })
        }
    }
}
