import GridLinkCore
import Logging
import Outbox

/// Keeps the outbox database's `request_status` table in step with the kiosk's requests: a row
/// when a request is stored, its progress when central answers, finished rows pruned once their
/// "done" display is over. At start, `restore` hands the rows to the `FeedbackController`, so the
/// LEDs show after a restart or power cut what they showed before (and an ack that arrived while
/// gridlinkd was down moves them as soon as the broker delivers it).
struct RequestStatusPersistence: Sendable {
    let outbox: OutboxQueue
    let logger: Logger
    let doneClearMs: Int64

    /// The persisted requests, oldest first; empty (and logged) if the table cannot be read.
    func restore() -> [TrackedRequest] {
        do {
            let records = try outbox.sync { outbox in
                try outbox.pruneRequestStatus(finishedBeforeMs: HostClock.wallMs() - doneClearMs)
                return try outbox.requestStatuses()
            }
            if !records.isEmpty {
                let open = records.filter { !$0.progress.isFinished }.count
                logger.info("feedback: restored \(records.count) request(s) from the outbox database, \(open) open")
            }
            return records.map(\.tracked)
        } catch {
            logger.error("feedback: cannot read the persisted request status, LEDs start idle: \(error)")
            return []
        }
    }

    /// A request was committed: it is `received`.
    func received(_ row: StoredEvent) {
        outbox.use({ try $0.recordRequestReceived(id: row.id, seq: row.seq, wallMs: row.storedWallMs) }) { result in
            if case .failure(let error) = result { logger.error("feedback: cannot persist request \(row.id): \(error)") }
        }
    }

    /// Central answered a request.
    func acknowledged(_ ack: DownlinkAck) {
        let wallMs = HostClock.wallMs()
        let doneClearMs = doneClearMs
        outbox.use({ outbox in
            try outbox.recordRequestAck(id: ack.id, progress: RequestProgress(rawValue: ack.status.rawValue) ?? .received, wallMs: wallMs)
            try outbox.pruneRequestStatus(finishedBeforeMs: wallMs - doneClearMs)
        }) { result in
            if case .failure(let error) = result { logger.error("feedback: cannot persist the ack for \(ack.id): \(error)") }
        }
    }
}
