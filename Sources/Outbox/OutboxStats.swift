import GridLinkCore

/// How much is waiting in the outbox: for telemetry, the birth message and `gridlinkctl outbox`.
public struct OutboxStats: Sendable, Equatable {
    /// Stored events per class; every class is present (0 when empty).
    public var depth: [EventClass: Int]
    /// All stored events.
    public var total: Int
    /// Per non-empty class: the store-time wall clock of its first-stored (lowest seq) event.
    public var oldestStoredWallMs: [EventClass: Int64]
    /// The store-time CLOCK_MONOTONIC of the first-stored event of all; nil when the outbox is empty.
    /// Comparable with the current monotonic clock only within the boot that stored it.
    public var oldestStoredMonoNs: UInt64?
    /// The seq the next appended event will get.
    public var nextSeq: UInt64

    public init(
        depth: [EventClass: Int], total: Int, oldestStoredWallMs: [EventClass: Int64], oldestStoredMonoNs: UInt64?,
        nextSeq: UInt64
    ) {
        self.depth = depth
        self.total = total
        self.oldestStoredWallMs = oldestStoredWallMs
        self.oldestStoredMonoNs = oldestStoredMonoNs
        self.nextSeq = nextSeq
    }
}

extension Outbox {
    /// Depth and ages, read in one transaction so the numbers agree with each other.
    ///
    /// "Oldest" is the first stored (lowest seq), not the lowest wall clock: a board without an RTC may have
    /// stored its first events with a clock in 1970.
    public func stats() throws(OutboxError) -> OutboxStats {
        try transaction("stats", write: false) { () throws(OutboxError) -> OutboxStats in
            // "If there is exactly one min() or max() aggregate in the query, then all bare columns in the result
            // set take values from an input row which also contains the minimum or maximum." (lang_select.html)
            // seq is unique, so that row is the first-stored one.
            let perClass = try sql("stats") { () throws(SQLiteError) in
                try db.rows(
                    "SELECT class_rank, count(*), min(seq), stored_wall_ms FROM events GROUP BY class_rank"
                ) { (rank: $0.int64(0), count: $0.int64(1), wallMs: $0.int64(3)) }
            }
            let oldestMono = try sql("stats") { () throws(SQLiteError) in
                try db.scalarInt("SELECT stored_mono_ns, min(seq) FROM events")
            }
            let next = try sql("stats") { () throws(SQLiteError) in try db.scalarInt(OutboxSchema.readNextSeq) }

            var stats = OutboxStats(
                depth: Dictionary(uniqueKeysWithValues: EventClass.allCases.map { ($0, 0) }), total: 0,
                oldestStoredWallMs: [:], oldestStoredMonoNs: oldestMono.map { UInt64(bitPattern: $0) },
                nextSeq: next.map { UInt64(bitPattern: $0) } ?? 0)
            for entry in perClass {
                guard let eventClass = EventClass(drainRank: Int(entry.rank)) else {
                    throw OutboxError(kind: .corrupt, path: path, operation: "stats",
                                      detail: "\(entry.count) rows have class rank \(entry.rank)")
                }
                stats.depth[eventClass] = Int(entry.count)
                stats.total += Int(entry.count)
                stats.oldestStoredWallMs[eventClass] = entry.wallMs
            }
            return stats
        }
    }
}
