import GridLinkCore

/// Salvage through SQLite itself: every `events` row looked up by its seq, one query each, so a
/// damaged page costs only the rows on it — a plain `SELECT` (the drain's) stops at the first bad page.
/// Needs a readable header and schema (it gets nothing from a file whose header is overwritten).
public enum RowByRowSalvage {
    /// The rows found in the database at `path` (a copy: SQLite may write to it), and its `next_seq`.
    /// Candidate seqs come from the drain index if it reads, else every seq up to `upTo`.
    public static func read(path: String, upTo: UInt64) -> (rows: [SalvagedRow], nextSeq: UInt64?) {
        guard let db = try? SQLiteConnection(path: path, busyTimeoutMs: 1000) else { return ([], nil) }
        defer { db.close() }
        let nextSeq = (try? db.scalarInt(OutboxSchema.readNextSeq)).flatMap { $0 }.map { UInt64(max(0, $0)) }
        let ceiling = max(upTo, nextSeq ?? 0)
        var candidates: [Int64]
        if let indexed = try? db.rows("SELECT seq FROM events INDEXED BY events_drain ORDER BY class_rank, seq", [], { $0.int64(0) }) {
            candidates = indexed
        } else {
            // At most a million lookups (a few seconds), the newest first.
            let low = ceiling > 1_000_000 ? ceiling - 1_000_000 : 1
            candidates = ceiling >= low ? (Int64(low)...Int64(ceiling)).map { $0 } : []
        }
        var rows: [SalvagedRow] = []
        for seq in candidates {
            let found = try? db.rows("SELECT \(OutboxSchema.columns) FROM events WHERE seq = ?", [.int(seq)]) { row in
                SalvagedRow(seq: UInt64(max(0, row.int64(0))), id: row.text(1), classRank: row.int64(2), kind: row.text(3),
                            topic: row.text(4), payload: row.blob(5), storedWallMs: row.int64(6), storedMonoNs: row.int64(7))
            }
            if let row = found?.first, row.isPlausible { rows.append(row) }
        }
        return (rows, nextSeq)
    }
}

extension Outbox {
    /// Copies salvaged rows into this (fresh) outbox and moves `next_seq` to `nextSeq`, in one
    /// transaction. Rows at or above `nextSeq`, with an unknown class, or with an id already present
    /// are left out. Tables listed in `OutboxSchema.salvagedTables` are copied from `oldDatabase` when
    /// it still reads. Returns how many rows were copied.
    public func importSalvaged(_ rows: [SalvagedRow], nextSeq: UInt64, oldDatabase: String?) throws(OutboxError) -> Int {
        let copied = try transaction("import salvaged rows", write: true) { () throws(OutboxError) -> Int in
            var copied = 0
            for row in rows where row.seq < nextSeq && row.isPlausible {
                let changed = try sql("import salvaged rows") { () throws(SQLiteError) in
                    try db.execute("INSERT OR IGNORE INTO events (\(OutboxSchema.columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [
                        .int(Int64(row.seq)), .text(row.id), .int(row.classRank), .text(row.kind), .text(row.topic),
                        .blob(row.payload), .int(row.storedWallMs), .int(row.storedMonoNs),
                    ])
                }
                copied += changed
            }
            let current = try sql("import salvaged rows") { () throws(SQLiteError) in try db.scalarInt(OutboxSchema.readNextSeq) } ?? 1
            if Int64(nextSeq) > current {
                try sql("import salvaged rows") { () throws(SQLiteError) in try db.execute(OutboxSchema.writeNextSeq, [.int(Int64(nextSeq))]) }
            }
            return copied
        }
        copySalvagedTables(from: oldDatabase)
        return copied
    }

    /// Best effort: each known extra table, row for row, from the damaged file if it still reads.
    private func copySalvagedTables(from oldDatabase: String?) {
        guard let oldDatabase, !OutboxSchema.salvagedTables.isEmpty else { return }
        guard (try? db.execute("ATTACH DATABASE ? AS damaged", [.text(oldDatabase)])) != nil else { return }
        defer { _ = try? db.execute("DETACH DATABASE damaged") }
        for table in OutboxSchema.salvagedTables {
            _ = try? db.execute("INSERT OR IGNORE INTO main.\"\(table)\" SELECT * FROM damaged.\"\(table)\"")
        }
    }
}

