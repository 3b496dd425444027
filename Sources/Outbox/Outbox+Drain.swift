import GridLinkCore

extension Outbox {
    /// Up to `limit` events in drain order (class rank ascending, then seq ascending), skipping the seqs in
    /// `excluding` (those already handed to the MQTT client and awaiting PUBACK).
    public func pending(limit: Int, excluding: Set<UInt64>) throws(OutboxError) -> [StoredEvent] {
        guard limit > 0 else { return [] }
        // At most `excluding.count` rows are skipped, so this many rows in drain order always suffice.
        let (wanted, overflow) = limit.addingReportingOverflow(excluding.count)
        let sqlLimit = overflow ? Int64.max : Int64(wanted)
        let rows = try sql("pending") { () throws(SQLiteError) in
            try db.rows(OutboxSchema.drainOrder + " LIMIT ?", [.int(sqlLimit)], RawRow.init)
        }
        var result: [StoredEvent] = []
        for row in rows where !excluding.contains(UInt64(bitPattern: row.seq)) {
            result.append(try storedEvent(row, "pending"))
            if result.count == limit { break }
        }
        return result
    }

    /// Every stored event in drain order (for `gridlinkctl outbox` and tests).
    public func all() throws(OutboxError) -> [StoredEvent] {
        let rows = try sql("all") { () throws(SQLiteError) in try db.rows(OutboxSchema.drainOrder, [], RawRow.init) }
        var result: [StoredEvent] = []
        result.reserveCapacity(rows.count)
        for row in rows { result.append(try storedEvent(row, "all")) }
        return result
    }

    /// Deletes the acknowledged events in one transaction. Seqs that are not stored are ignored (a PUBACK
    /// may arrive twice, or after a restart for an event already removed).
    public func remove(seqs: [UInt64]) throws(OutboxError) {
        guard !seqs.isEmpty else { return }
        try transaction("remove", write: true) { () throws(OutboxError) in
            for seq in seqs {
                try sql("remove") { () throws(SQLiteError) in
                    try db.execute(OutboxSchema.deleteEvent, [.int(Int64(bitPattern: seq))])
                }
            }
        }
    }

    /// Checks a row against the outbox's invariants; only a damaged or foreign file fails here.
    private func storedEvent(_ row: RawRow, _ operation: String) throws(OutboxError) -> StoredEvent {
        guard row.seq >= 1, let eventClass = EventClass(drainRank: Int(row.classRank)) else {
            throw OutboxError(kind: .corrupt, path: path, operation: operation,
                              detail: "row seq \(row.seq) has class rank \(row.classRank)")
        }
        return StoredEvent(
            seq: UInt64(row.seq), id: row.id, eventClass: eventClass, kind: EventKind(rawValue: row.kind),
            topic: row.topic, payload: row.payload, storedWallMs: row.storedWallMs,
            storedMonoNs: UInt64(bitPattern: row.storedMonoNs))
    }
}

/// An `events` row as SQLite returns it, before the invariants are checked.
private struct RawRow {
    let seq: Int64
    let id: String
    let classRank: Int64
    let kind: String
    let topic: String
    let payload: [UInt8]
    let storedWallMs: Int64
    let storedMonoNs: Int64

    /// Reads the columns in `OutboxSchema.columns` order.
    init(_ row: SQLiteRow) {
        seq = row.int64(0)
        id = row.text(1)
        classRank = row.int64(2)
        kind = row.text(3)
        topic = row.text(4)
        payload = row.blob(5)
        storedWallMs = row.int64(6)
        storedMonoNs = row.int64(7)
    }
}
