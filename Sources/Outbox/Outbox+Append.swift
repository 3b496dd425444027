import GridLinkCore

extension Outbox {
    /// Stores `events` in one transaction, giving them consecutive seqs in array order, and returns them as
    /// stored. Returns only after COMMIT succeeded (the WAL is fsynced): the caller may then light the
    /// "received" LED. On any error nothing of the batch is stored and `next_seq` is unchanged.
    ///
    /// `storedWallMs` / `storedMonoNs` are the outbox's own bookkeeping (ages in `stats()`); the event's
    /// `time` block goes into the payload unchanged.
    public func append(_ events: [NewEvent], storedWallMs: Int64, storedMonoNs: UInt64) throws(OutboxError) -> [StoredEvent] {
        guard !events.isEmpty else { return [] }
        return try transaction("append", write: true) { () throws(OutboxError) -> [StoredEvent] in
            let first = try sql("append") { () throws(SQLiteError) in try db.scalarInt(OutboxSchema.readNextSeq) }
            guard let first, first >= 1, first <= Int64.max - Int64(events.count) else {
                throw OutboxError(kind: .corrupt, path: path, operation: "append",
                                  detail: "next_seq is \(first.map(String.init) ?? "missing")")
            }
            var stored: [StoredEvent] = []
            stored.reserveCapacity(events.count)
            for (offset, new) in events.enumerated() {
                let row = try makeRow(new, seq: UInt64(first) + UInt64(offset), storedWallMs, storedMonoNs)
                try sql("append") { () throws(SQLiteError) in
                    try db.execute(OutboxSchema.insertEvent, [
                        .int(Int64(row.seq)), .text(row.id), .int(Int64(row.eventClass.drainRank)),
                        .text(row.kind.rawValue), .text(row.topic), .blob(row.payload),
                        .int(row.storedWallMs), .int(Int64(bitPattern: row.storedMonoNs)),
                    ])
                }
                stored.append(row)
            }
            try reserveSeqs(through: UInt64(first) + UInt64(events.count) - 1)
            // The counter moves in the same transaction as the rows: gap-free for what was stored.
            try sql("append") { () throws(SQLiteError) in
                try db.execute(OutboxSchema.writeNextSeq, [.int(first + Int64(events.count))])
            }
            return stored
        }
    }

    /// The wire event for `new` with its seq, encoded once: the stored bytes are what every retry publishes.
    func makeRow(_ new: NewEvent, seq: UInt64, _ wallMs: Int64, _ monoNs: UInt64) throws(OutboxError) -> StoredEvent {
        let event = Event(
            id: new.id, seq: seq, site: site, device: device, kind: new.kind, source: new.source,
            time: new.time, data: new.data)
        let payload: [UInt8]
        do {
            payload = try event.jsonBytes()
        } catch {
            throw OutboxError(kind: .encoding, path: path, operation: "append", detail: "event \(new.id): \(error)")
        }
        return StoredEvent(
            seq: seq, id: new.id, eventClass: event.eventClass, kind: new.kind, topic: topics.event(new.kind),
            payload: payload, storedWallMs: wallMs, storedMonoNs: monoNs)
    }
}
