import Dispatch
import GridLinkCore
import Logging
import Outbox
import Synchronization

/// Owns the `Outbox` and the one serial queue it is used from, and turns single `store` calls
/// into group commits: every event that arrives while a commit is running shares the next one.
///
/// A `store` completion runs only after COMMIT returned (WAL, synchronous=FULL), so anything told
/// "stored" survives kill -9 and power loss (DESIGN.md guarantee 1).
public final class OutboxQueue: @unchecked Sendable {
    // @unchecked: `outbox` is touched only on `queue`; `waiting` is behind a Mutex.
    public typealias StoreCompletion = @Sendable (Result<StoredEvent, OutboxError>) -> Void

    private let outbox: Outbox
    private let queue = DispatchQueue(label: "gridlink.outbox")
    private let waiting = Mutex<(events: [(NewEvent, StoreCompletion)], flushScheduled: Bool)>(([], false))
    private let logger: Logger
    private let checkpointTimer: DispatchSourceTimer
    /// `[outbox]` limits applied to every commit (OverflowPolicy).
    public let limits: OutboxLimits
    /// Drops and refusals since start, `{class}_{outcome}_{reason}` → count (telemetry, status).
    private let dropCounts = Mutex<[String: Int64]>([:])
    private let overflowHandler = Mutex<(@Sendable () -> Void)?>(nil)

    public init(outbox: Outbox, logger: Logger, limits: OutboxLimits = OutboxLimits()) {
        self.outbox = outbox
        self.logger = logger
        self.limits = limits
        checkpointTimer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "gridlink.outbox.idle"))
        checkpointTimer.schedule(deadline: .now() + 10, repeating: 10)
        checkpointTimer.setEventHandler { [weak self] in self?.checkpoint() }
        checkpointTimer.resume()
    }

    /// Queues one event for the next group commit.
    public func store(_ event: NewEvent, completion: @escaping StoreCompletion) {
        let mustSchedule = waiting.withLock { state -> Bool in
            state.events.append((event, completion))
            defer { state.flushScheduled = true }
            return !state.flushScheduled
        }
        if mustSchedule { queue.async { self.flush() } }
    }

    private func flush() {
        let batch = waiting.withLock { state -> [(NewEvent, StoreCompletion)] in
            state.flushScheduled = false
            defer { state.events.removeAll(keepingCapacity: true) }
            return state.events
        }
        guard !batch.isEmpty else { return }
        do {
            let (outcomes, overflow) = try outbox.append(
                batch.map(\.0), limits: limits, storedWallMs: HostClock.wallMs(), storedMonoNs: HostClock.monotonicNs())
            for (entry, outcome) in zip(batch, outcomes) {
                switch outcome {
                case .stored(let row): entry.1(.success(row))
                case .refused(let reason):
                    entry.1(.failure(OutboxError(kind: .outboxFull(reason), path: outbox.path, operation: "store \(entry.0.kind)")))
                }
            }
            if !overflow.isEmpty { noteOverflow(overflow) }
        } catch {
            logger.error("outbox: could not store \(batch.count) event(s): \(error)")
            for entry in batch { entry.1(.failure(error)) }
        }
    }

    /// Counts what a commit dropped or refused, logs it once per commit, and wakes the uplink so
    /// it reports `device.overflow` as soon as it is online.
    private func noteOverflow(_ overflow: OverflowLedger) {
        dropCounts.withLock { counts in
            for (key, value) in overflow.counts { counts[key, default: 0] += value }
        }
        let summary = overflow.counts.keys.sorted().map { "\($0)=\(overflow.counts[$0]!)" }.joined(separator: " ")
        let seqs = overflow.firstSeq.map { ", seqs \($0)–\(overflow.lastSeq ?? $0) dropped" } ?? ""
        logger.warning("outbox: full (max_rows \(limits.maxRows), max_bytes \(limits.maxBytes)): \(summary)\(seqs); reported as device.overflow when online")
        overflowHandler.withLock { $0 }?()
    }

    /// Called after every commit that dropped or refused something.
    public func onOverflow(_ handler: @escaping @Sendable () -> Void) {
        overflowHandler.withLock { $0 = handler }
    }

    /// Drops and refusals since the daemon started.
    public var dropsSinceStart: [String: Int64] { dropCounts.withLock { $0 } }

    /// Runs `body` on the outbox's queue and hands its result to `completion` there.
    public func use<T: Sendable>(_ body: @escaping @Sendable (Outbox) throws -> T, completion: @escaping @Sendable (Result<T, any Error>) -> Void) {
        queue.async { completion(Result { try body(self.outbox) }) }
    }

    /// Runs `body` on the outbox's queue and waits for it (control requests, shutdown).
    public func sync<T>(_ body: (Outbox) throws -> T) rethrows -> T {
        try queue.sync { try body(outbox) }
    }

    private func checkpoint() {
        queue.async {
            do { try self.outbox.checkpoint() } catch { self.logger.warning("outbox: checkpoint failed: \(error)") }
        }
    }

    /// Waits for queued commits, then checkpoints and closes the database.
    public func close() {
        checkpointTimer.cancel()
        queue.sync {
            flush()
            outbox.close()
        }
    }
}
