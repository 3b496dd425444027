import GridLinkCore

/// One request's persisted status: when it was received (stored) and when central answered.
public struct RequestStatusRecord: Sendable, Equatable {
    public var id: String
    public var seq: UInt64
    public var progress: RequestProgress
    public var receivedWallMs: Int64
    public var acceptedWallMs: Int64?
    public var doneWallMs: Int64?
    public var rejectedWallMs: Int64?
    /// When `progress` last changed.
    public var changedWallMs: Int64

    public init(id: String, seq: UInt64, progress: RequestProgress, receivedWallMs: Int64, acceptedWallMs: Int64?,
                doneWallMs: Int64?, rejectedWallMs: Int64?, changedWallMs: Int64) {
        self.id = id
        self.seq = seq
        self.progress = progress
        self.receivedWallMs = receivedWallMs
        self.acceptedWallMs = acceptedWallMs
        self.doneWallMs = doneWallMs
        self.rejectedWallMs = rejectedWallMs
        self.changedWallMs = changedWallMs
    }

    /// What `FeedbackMachine` follows.
    public var tracked: TrackedRequest { TrackedRequest(id: id, progress: progress, changedAtMs: changedWallMs) }
}

/// The `request_status` table: the status of every open request (received, accepted, done,
/// rejected per event id, with times), so the kiosk's LEDs survive a restart or power cut. Created
/// by an idempotent migration when the outbox opens; independent of `events` (a request's row
/// stays after its event was delivered, until central finished it and the LEDs cleared).
extension OutboxSchema {
    static let createRequestStatus = """
        CREATE TABLE IF NOT EXISTS request_status (
            id TEXT PRIMARY KEY NOT NULL,
            seq INTEGER NOT NULL,
            progress TEXT NOT NULL,
            received_wall_ms INTEGER NOT NULL,
            accepted_wall_ms INTEGER,
            done_wall_ms INTEGER,
            rejected_wall_ms INTEGER,
            changed_wall_ms INTEGER NOT NULL
        ) STRICT, WITHOUT ROWID
        """

    /// Adds `request_status` to an outbox that lacks it (a file from an older build). No-op otherwise.
    static func migrateRequestStatus(_ db: SQLiteConnection, path: String) throws(OutboxError) {
        do throws(SQLiteError) {
            let exists = try db.scalarInt("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'request_status'") ?? 0
            if exists == 0 { try db.execute(createRequestStatus) }
        } catch {
            throw OutboxError(error, path: path, operation: "open")
        }
    }
}

extension Outbox {
    /// Most rows kept; the oldest go first (matches `FeedbackMachine.maxTracked`).
    public static let maxRequestStatusRows = FeedbackMachine.maxTracked

    /// A request was stored: it is `received`.
    public func recordRequestReceived(id: String, seq: UInt64, wallMs: Int64) throws(OutboxError) {
        try transaction("record request", write: true) { () throws(OutboxError) in
            try sql("record request") { () throws(SQLiteError) in
                try db.execute("""
                    INSERT OR IGNORE INTO request_status (id, seq, progress, received_wall_ms, changed_wall_ms)
                    VALUES (?, ?, 'received', ?, ?)
                    """, [.text(id), .int(Int64(bitPattern: seq)), .int(wallMs), .int(wallMs)])
                try db.execute("""
                    DELETE FROM request_status WHERE id NOT IN (SELECT id FROM request_status ORDER BY seq DESC LIMIT ?)
                    """, [.int(Int64(Self.maxRequestStatusRows))])
            }
        }
    }

    /// Central answered. Progress only moves forward (received → accepted → done/rejected);
    /// returns false when the id is unknown or the answer is not news.
    @discardableResult
    public func recordRequestAck(id: String, progress: RequestProgress, wallMs: Int64) throws(OutboxError) -> Bool {
        guard progress != .received else { return false }
        let column = "\(progress.rawValue)_wall_ms"
        let earlier: [String] = progress == .accepted ? ["'received'"] : ["'received'", "'accepted'"]
        let changed = try sql("record ack") { () throws(SQLiteError) in
            try db.execute("""
                UPDATE request_status SET progress = ?, \(column) = ?, changed_wall_ms = ?
                WHERE id = ? AND progress IN (\(earlier.joined(separator: ", ")))
                """, [.text(progress.rawValue), .int(wallMs), .int(wallMs), .text(id)])
        }
        return changed > 0
    }

    /// Deletes finished requests whose "done" display ended before `wallMs - clearMs`.
    public func pruneRequestStatus(finishedBeforeMs: Int64) throws(OutboxError) {
        try sql("prune requests") { () throws(SQLiteError) in
            _ = try db.execute("DELETE FROM request_status WHERE progress IN ('done', 'rejected') AND changed_wall_ms < ?", [.int(finishedBeforeMs)])
        }
    }

    /// Every persisted request status, oldest (lowest seq) first.
    public func requestStatuses() throws(OutboxError) -> [RequestStatusRecord] {
        try sql("read requests") { () throws(SQLiteError) in
            try db.rows("""
                SELECT id, seq, progress, received_wall_ms, accepted_wall_ms, done_wall_ms, rejected_wall_ms, changed_wall_ms
                FROM request_status ORDER BY seq
                """) { row in
                RequestStatusRecord(
                    id: row.text(0), seq: UInt64(bitPattern: row.int64(1)), progress: RequestProgress(rawValue: row.text(2)) ?? .received,
                    receivedWallMs: row.int64(3), acceptedWallMs: row.isNull(4) ? nil : row.int64(4),
                    doneWallMs: row.isNull(5) ? nil : row.int64(5), rejectedWallMs: row.isNull(6) ? nil : row.int64(6),
                    changedWallMs: row.int64(7))
            }
        }
    }
}
