import GridLinkCore

/// What became of one event handed to a bounded `append`.
public enum AppendOutcome: Sendable {
    case stored(StoredEvent)
    /// Not stored (no seq given); counted in the overflow ledger.
    case refused(OverflowReason)
}

extension Outbox {
    private static let ledgerPrefix = "overflow."

    /// Stores `events` in one transaction under `limits`, applying `OverflowPolicy` event by event:
    /// oldest routine rows are deleted to make room (their seqs become gaps), events that find no
    /// room are refused without a seq. Every drop and refusal is added to the persisted overflow
    /// ledger in the same transaction. Returns one outcome per event, in order, and what this batch
    /// dropped or refused.
    public func append(
        _ events: [NewEvent], limits: OutboxLimits, storedWallMs: Int64, storedMonoNs: UInt64
    ) throws(OutboxError) -> (outcomes: [AppendOutcome], overflow: OverflowLedger) {
        if limits.isUnlimited {
            return (try append(events, storedWallMs: storedWallMs, storedMonoNs: storedMonoNs).map { .stored($0) }, OverflowLedger())
        }
        guard !events.isEmpty else { return ([], OverflowLedger()) }
        return try transaction("append", write: true) { () throws(OutboxError) in
            var next = try sql("append") { () throws(SQLiteError) in try db.scalarInt(OutboxSchema.readNextSeq) } ?? 0
            guard next >= 1 else { throw OutboxError(kind: .corrupt, path: path, operation: "append", detail: "next_seq is \(next)") }
            var usage = try currentUsage()
            var batch = OverflowLedger()
            var outcomes: [AppendOutcome] = []
            for new in events {
                let row = try makeRow(new, seq: UInt64(next), storedWallMs, storedMonoNs)
                var candidates = try oldestRoutine(limit: 16)
                var decision = OverflowPolicy.decide(eventClass: row.eventClass, bytes: row.payload.count, usage: usage, limits: limits,
                                                     oldestRoutineBytes: candidates.map(\.bytes))
                if decision == .refuse(.full), candidates.count == 16 {
                    candidates = try oldestRoutine(limit: Int64.max)
                    decision = OverflowPolicy.decide(eventClass: row.eventClass, bytes: row.payload.count, usage: usage, limits: limits,
                                                     oldestRoutineBytes: candidates.map(\.bytes))
                }
                switch decision {
                case .refuse(let reason):
                    batch.refused(row.eventClass, reason: reason)
                    outcomes.append(.refused(reason))
                case .admit(let evicting):
                    let victims = candidates.prefix(evicting)
                    for victim in victims {
                        try sql("append") { () throws(SQLiteError) in try db.execute(OutboxSchema.deleteEvent, [.int(victim.seq)]) }
                        usage.rows -= 1
                        usage.bytes -= victim.bytes
                    }
                    batch.dropped(.routine, seqs: victims.map { UInt64($0.seq) })
                    try insert(row)
                    usage.rows += 1
                    usage.bytes += row.payload.count
                    next += 1
                    outcomes.append(.stored(row))
                }
            }
            if next > 1 { try reserveSeqs(through: UInt64(next - 1)) }
            try sql("append") { () throws(SQLiteError) in try db.execute(OutboxSchema.writeNextSeq, [.int(next)]) }
            if !batch.isEmpty {
                var ledger = try readLedger()
                ledger.merge(batch)
                try writeLedger(ledger)
            }
            return (outcomes, batch)
        }
    }

    /// What was dropped or refused and not yet reported.
    public func overflowLedger() throws(OutboxError) -> OverflowLedger {
        try readLedger()
    }

    /// If anything was dropped or refused since the last report, stores the `device.overflow`
    /// event `build` makes from the ledger and clears the ledger, in one transaction (so the report
    /// is made exactly once). The report is always stored, even in a full outbox: it is one small
    /// row, and it is what explains the gaps. Returns the stored report, or nil if there was nothing.
    public func storeOverflowReport(
        storedWallMs: Int64, storedMonoNs: UInt64, _ build: (OverflowLedger) -> NewEvent
    ) throws(OutboxError) -> StoredEvent? {
        try transaction("overflow report", write: true) { () throws(OutboxError) -> StoredEvent? in
            let ledger = try readLedger()
            guard !ledger.isEmpty else { return nil }
            let next = try sql("overflow report") { () throws(SQLiteError) in try db.scalarInt(OutboxSchema.readNextSeq) } ?? 0
            guard next >= 1 else { throw OutboxError(kind: .corrupt, path: path, operation: "overflow report", detail: "next_seq is \(next)") }
            let row = try makeRow(build(ledger), seq: UInt64(next), storedWallMs, storedMonoNs)
            try reserveSeqs(through: UInt64(next))
            try insert(row)
            try sql("overflow report") { () throws(SQLiteError) in
                try db.execute(OutboxSchema.writeNextSeq, [.int(next + 1)])
                try db.execute("DELETE FROM meta WHERE key LIKE 'overflow.%'")
            }
            return row
        }
    }

    // MARK: - Helpers (inside a transaction)

    private func currentUsage() throws(OutboxError) -> OutboxUsage {
        let rows = try sql("append") { () throws(SQLiteError) in
            try db.rows("SELECT count(*), total(length(payload)) FROM events") { OutboxUsage(rows: Int($0.int64(0)), bytes: Int($0.int64(1))) }
        }
        return rows.first ?? OutboxUsage(rows: 0, bytes: 0)
    }

    private func oldestRoutine(limit: Int64) throws(OutboxError) -> [(seq: Int64, bytes: Int)] {
        try sql("append") { () throws(SQLiteError) in
            try db.rows("SELECT seq, length(payload) FROM events WHERE class_rank = ? ORDER BY seq LIMIT ?",
                        [.int(Int64(EventClass.routine.drainRank)), .int(limit)]) { (seq: $0.int64(0), bytes: Int($0.int64(1))) }
        }
    }

    private func insert(_ row: StoredEvent) throws(OutboxError) {
        try sql("append") { () throws(SQLiteError) in
            try db.execute(OutboxSchema.insertEvent, [
                .int(Int64(row.seq)), .text(row.id), .int(Int64(row.eventClass.drainRank)),
                .text(row.kind.rawValue), .text(row.topic), .blob(row.payload),
                .int(row.storedWallMs), .int(Int64(bitPattern: row.storedMonoNs)),
            ])
        }
    }

    private func readLedger() throws(OutboxError) -> OverflowLedger {
        let pairs = try sql("overflow ledger") { () throws(SQLiteError) in
            try db.rows("SELECT key, value FROM meta WHERE key LIKE 'overflow.%'") { (key: $0.text(0), value: $0.int64(1)) }
        }
        var entries: [String: Int64] = [:]
        for pair in pairs { entries[String(pair.key.dropFirst(Self.ledgerPrefix.count))] = pair.value }
        return OverflowLedger(entries: entries)
    }

    private func writeLedger(_ ledger: OverflowLedger) throws(OutboxError) {
        try sql("overflow ledger") { () throws(SQLiteError) in
            for (key, value) in ledger.entries {
                try db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", [.text(Self.ledgerPrefix + key), .int(value)])
            }
        }
    }
}
