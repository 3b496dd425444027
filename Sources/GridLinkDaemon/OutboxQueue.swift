import Dispatch
import GridLinkCore
import Logging
import Outbox
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Owns the `Outbox` and the one serial queue it is used from, and turns single `store` calls
/// into group commits: every event that arrives while a commit is running shares the next one.
///
/// A `store` completion runs only after COMMIT returned (WAL, synchronous=FULL), so anything told
/// "stored" survives kill -9 and power loss (DESIGN.md guarantee 1).
///
/// Storage faults never stop the daemon: a full, read-only or failing filesystem turns
/// `StorageHealth` degraded (stores fail at once, so the kiosk shows "cannot store"), and the queue
/// reopens and probes with backoff until writes work again. A damaged database is quarantined and
/// salvaged into a fresh outbox (`OutboxQuarantine`) within the same call.
public final class OutboxQueue: @unchecked Sendable {
    // @unchecked: `outbox`, `health` and `retryArmed` are touched only on `queue`; the rest is behind Mutexes.
    public typealias StoreCompletion = @Sendable (Result<StoredEvent, OutboxError>) -> Void

    /// nil while the file cannot be opened (its error is `lastError`).
    private var outbox: Outbox?
    private var lastError: OutboxError?
    private let path: String
    private let site: String
    private let device: String
    private let queue = DispatchQueue(label: "gridlink.outbox")
    private let waiting = Mutex<(events: [(NewEvent, StoreCompletion)], flushScheduled: Bool)>(([], false))
    private let logger: Logger
    private let checkpointTimer: DispatchSourceTimer
    /// `[outbox]` limits applied to every commit (OverflowPolicy).
    public let limits: OutboxLimits
    /// Drops and refusals since start, `{class}_{outcome}_{reason}` → count (telemetry, status).
    private let dropCounts = Mutex<[String: Int64]>([:])
    private let overflowHandler = Mutex<(@Sendable () -> Void)?>(nil)
    private let storedHandler = Mutex<(@Sendable () -> Void)?>(nil)
    private var health = StorageHealth(initialRetryMs: 500, maxRetryMs: 5000)
    private let healthSnapshot = Mutex(StorageHealth())
    private var retryArmed = false
    private var lastQuarantineMonoNs: UInt64?
    /// At most one quarantine per this long; within it, a damaged file is retried with backoff.
    static let requarantineGapNs: UInt64 = 30_000_000_000
    private var ids = UUIDv7Generator()
    private var random = SystemRandomNumberGenerator()
    private let clock = HostClock()

    /// Opens (or creates) the outbox at `path`, checking it with `PRAGMA quick_check`. Never throws:
    /// a damaged file is quarantined and salvaged, an unwritable one leaves storage degraded and retried.
    public init(path: String, site: String, device: String, logger: Logger, limits: OutboxLimits = OutboxLimits()) {
        self.path = path
        self.site = site
        self.device = device
        self.logger = logger
        self.limits = limits
        checkpointTimer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "gridlink.outbox.idle"))
        checkpointTimer.schedule(deadline: .now() + 10, repeating: 10)
        checkpointTimer.setEventHandler { [weak self] in self?.checkpoint() }
        queue.sync { self.open(quickCheck: true) }
        checkpointTimer.resume()
    }

    /// Wraps an already open outbox (tests).
    public convenience init(outbox: Outbox, logger: Logger, limits: OutboxLimits = OutboxLimits()) {
        let path = outbox.path
        outbox.close()
        self.init(path: path, site: outbox.site, device: outbox.device, logger: logger, limits: limits)
    }

    /// The outbox file.
    public var outboxPath: String { path }

    /// Storage health now (for status, check and telemetry).
    public var storageHealth: StorageHealth { healthSnapshot.withLock { $0 } }

    /// Health plus the quarantines not yet cleared.
    public var storageReport: StorageReport {
        StorageReport(storageHealth, quarantines: QuarantineLog.read(outboxPath: path))
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
        do throws(OutboxError) {
            let (outcomes, overflow) = try append(batch.map(\.0))
            for (entry, outcome) in zip(batch, outcomes) {
                switch outcome {
                case .stored(let row): entry.1(.success(row))
                case .refused(let reason):
                    entry.1(.failure(OutboxError(kind: .outboxFull(reason), path: path, operation: "store \(entry.0.kind)")))
                }
            }
            if !overflow.isEmpty { noteOverflow(overflow) }
        } catch {
            if health.isHealthy { logger.error("outbox: could not store \(batch.count) event(s): \(error)") }
            for entry in batch { entry.1(.failure(error)) }
        }
    }

    /// One attempt at storing; a damaged database is quarantined and the batch tried once more.
    private func append(_ events: [NewEvent]) throws(OutboxError) -> ([AppendOutcome], OverflowLedger) {
        func attempt() throws(OutboxError) -> ([AppendOutcome], OverflowLedger) {
            let result = try current().append(events, limits: limits, storedWallMs: HostClock.wallMs(), storedMonoNs: HostClock.monotonicNs())
            succeeded()
            return result
        }
        do throws(OutboxError) {
            return try attempt()
        } catch where error.isUnusableDatabase {
            failed(error)
            return try attempt()
        } catch {
            failed(error)
            throw error
        }
    }

    /// The open outbox, or the error that keeps it closed.
    private func current() throws(OutboxError) -> Outbox {
        if let outbox { return outbox }
        throw lastError ?? OutboxError(kind: .cannotOpen, path: path, operation: "store")
    }

    // MARK: - Health (on `queue`)

    private func open(quickCheck: Bool) {
        do throws(OutboxError) {
            let opened = try Outbox(path: path, site: site, device: device, quickCheck: quickCheck)
            outbox = opened
            lastError = nil
            if let skipped = opened.skippedOnOpen {
                let record = QuarantineRecord(
                    reason: "torn_wal", detail: "the WAL ended in the middle of a frame: its last commit is gone",
                    atWallMs: HostClock.wallMs(), files: [], rowsSalvaged: (try? opened.stats().total) ?? 0, rowsLost: 0,
                    seqSkippedFrom: skipped.lowerBound, seqSkippedTo: skipped.upperBound, methods: "none (database intact)")
                QuarantineLog.append(record, outboxPath: path)
                logger.error("outbox: the WAL's tail was torn (a cut write); seqs \(skipped.lowerBound)–\(skipped.upperBound) are skipped so none is reused; reported as device.store_quarantined")
                storeQuarantineAlarm(record)
            }
        } catch {
            outbox = nil
            lastError = error
            failed(error)
        }
    }

    /// Records a failure: quarantines a damaged file, or degrades health and arms the retry.
    private func failed(_ error: OutboxError) {
        guard var condition = Self.condition(of: error) else { return }
        // Reopening a file that just failed for a known reason (read-only, full) says only
        // "cannot open": keep the known reason instead of flapping to io_error.
        if error.kind == .cannotOpen, !health.isHealthy, health.condition != .corrupt { condition = health.condition }
        if condition == .corrupt {
            // A card that corrupts every fresh file would otherwise quarantine at every press.
            let now = HostClock.monotonicNs()
            if lastQuarantineMonoNs.map({ now - $0 >= Self.requarantineGapNs }) ?? true {
                lastQuarantineMonoNs = now
                return quarantine(error)
            }
        }
        let transition = health.failed(condition, error: "\(error)", nowMonoNs: HostClock.monotonicNs(), nowWallMs: HostClock.wallMs())
        healthSnapshot.withLock { $0 = health }
        switch transition {
        case .entered(let condition), .changed(_, let condition):
            logger.error("storage: \(condition.rawValue) — presses are refused ('cannot store') and storing is retried with backoff: \(error)")
        default:
            break
        }
        armRetry()
    }

    private func succeeded() {
        guard case .recovered(let from, let afterMs)? = health.succeeded(nowMonoNs: HostClock.monotonicNs()) else { return }
        healthSnapshot.withLock { $0 = health }
        logger.notice("storage: recovered from \(from.rawValue) after \(Double(afterMs) / 1000) s; presses are stored again")
        storedHandler.withLock { $0 }?()
    }

    private func armRetry() {
        guard !retryArmed, let at = health.retryAtMonoNs else { return }
        retryArmed = true
        let now = HostClock.monotonicNs()
        queue.asyncAfter(deadline: .now() + .nanoseconds(Int(at > now ? at - now : 0))) { [self] in
            retryArmed = false
            guard !health.isHealthy else { return }
            retry()
        }
    }

    /// Reopens the database if needed (a remount may need a fresh file handle) and probes with a write.
    private func retry() {
        if outbox == nil { open(quickCheck: false) }
        guard let outbox else { return armRetry() }
        do throws(OutboxError) {
            // A full filesystem may still take one small write (the WAL reuses its blocks): ask for
            // room for a few commits too, so health does not flap between full and ok.
            if health.condition == .full, let free = Self.freeBytes(directoryOf: path), free < Self.recoveredFreeBytes {
                throw OutboxError(kind: .diskFull, path: path, operation: "probe write", detail: "only \(free) bytes free")
            }
            try outbox.probeWrite()
            succeeded()
        } catch {
            if Self.condition(of: error) != .corrupt, error.kind != .diskFull {
                // Read-only or I/O errors may stick to the old handle: reopen at the next retry.
                outbox.close()
                self.outbox = nil
                lastError = error
            }
            failed(error)
        }
    }

    private func quarantine(_ error: OutboxError) {
        let now = HostClock.monotonicNs()
        health.failed(.corrupt, error: "\(error)", nowMonoNs: now, nowWallMs: HostClock.wallMs())
        healthSnapshot.withLock { $0 = health }
        outbox?.close()
        outbox = nil
        let reason = switch error.kind {
        case .notADatabase: "not_a_database"
        case .notAnOutbox: "not_an_outbox"
        case .unsupportedSchema: "newer_schema"
        default: error.operation == "quick_check" ? "quick_check_failed" : "corrupt"
        }
        do throws(OutboxError) {
            let outcome = try OutboxQuarantine.run(path: path, site: site, device: device, reason: reason,
                                                   detail: "\(error)", nowWallMs: HostClock.wallMs())
            outbox = outcome.outbox
            lastError = nil
            let record = outcome.record
            let tookMs = (HostClock.monotonicNs() - now) / 1_000_000
            logger.error("outbox: damaged database quarantined as \(record.files.first ?? "?") (\(reason)): \(record.rowsSalvaged) rows salvaged (\(record.methods)), at most \(record.rowsLost) lost, seqs \(record.seqSkippedFrom)–\(record.seqSkippedTo) skipped; storing again after \(tookMs) ms; reported as device.store_quarantined")
            storeQuarantineAlarm(record)
            succeeded()
        } catch {
            lastError = error
            failed(error.isUnusableDatabase ? OutboxError(kind: .ioError, path: path, operation: "quarantine", detail: "\(error)") : error)
        }
    }

    /// Stores the `device.store_quarantined` alarm in the (fresh) outbox; the uplink sends it when online.
    private func storeQuarantineAlarm(_ record: QuarantineRecord) {
        guard let outbox else { return }
        let now = clock.nowMonotonicNs()
        let id = ids.next(unixMillis: UInt64(max(0, clock.nowWallMs())), random: &random)
        let event = NewEvent(id: id.description, kind: .deviceStoreQuarantined, source: "outbox", time: clock.eventTime(atMonotonic: now), data: [
            "reason": .string(record.reason), "rows_salvaged": .int(Int64(record.rowsSalvaged)), "rows_lost": .int(Int64(record.rowsLost)),
            "seq_skipped_from": .int(Int64(record.seqSkippedFrom)), "seq_skipped_to": .int(Int64(record.seqSkippedTo)),
            "error": .string(String(record.detail.prefix(300))),
        ])
        do {
            _ = try outbox.append([event], storedWallMs: HostClock.wallMs(), storedMonoNs: now)
        } catch {
            logger.error("outbox: cannot store the device.store_quarantined alarm: \(error)")
        }
    }

    /// Which health condition an error means; nil for errors that say nothing about the storage.
    /// A write to a file system remounted read-only fails with EROFS, which SQLite reports as an
    /// I/O error: the mount's flag tells the two apart.
    static func condition(of error: OutboxError) -> StorageCondition? {
        switch error.kind {
        case .diskFull: .full
        case .readOnly: .readOnly
        case .ioError, .cannotOpen, .sqlite: isReadOnlyMount(directoryOf: error.path) ? .readOnly : .ioError
        case .corrupt, .notADatabase, .notAnOutbox, .unsupportedSchema: .corrupt
        case .busy, .duplicateId, .encoding, .closed, .outboxFull: nil
        }
    }

    /// Free space that ends `full` (a few dozen commits of WAL frames).
    static let recoveredFreeBytes: UInt64 = 256 * 1024

    private static func freeBytes(directoryOf path: String) -> UInt64? {
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        var info = statvfs()
        guard statvfs(directory.isEmpty ? "/" : directory, &info) == 0 else { return nil }
        return UInt64(info.f_bavail) * UInt64(info.f_frsize)
    }

    private static func isReadOnlyMount(directoryOf path: String) -> Bool {
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        var info = statvfs()
        return statvfs(directory.isEmpty ? "/" : directory, &info) == 0 && info.f_flag & UInt(ST_RDONLY) != 0
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

    /// Called when storage recovers or a quarantine finished (rows and an alarm wait to be sent).
    public func onRecovered(_ handler: @escaping @Sendable () -> Void) {
        storedHandler.withLock { $0 = handler }
    }

    /// Drops and refusals since the daemon started.
    public var dropsSinceStart: [String: Int64] { dropCounts.withLock { $0 } }

    /// Runs `body` on the outbox's queue and hands its result to `completion` there. A storage
    /// error feeds the health machine (a damaged file is quarantined before `completion` runs).
    public func use<T: Sendable>(_ body: @escaping @Sendable (Outbox) throws -> T, completion: @escaping @Sendable (Result<T, any Error>) -> Void) {
        queue.async { completion(self.run(body)) }
    }

    /// Runs `body` on the outbox's queue and waits for it (control requests, shutdown).
    public func sync<T>(_ body: (Outbox) throws -> T) throws -> T {
        try queue.sync { try run(body).get() }
    }

    private func run<T>(_ body: (Outbox) throws -> T) -> Result<T, any Error> {
        do {
            return .success(try body(try current()))
        } catch let error as OutboxError {
            failed(error)
            return .failure(error)
        } catch {
            return .failure(error)
        }
    }

    /// Forgets the recorded quarantines (the files stay); returns how many were cleared.
    public func clearQuarantine() -> Int {
        queue.sync { QuarantineLog.clear(outboxPath: path) }
    }

    private func checkpoint() {
        queue.async {
            guard let outbox = self.outbox else { return }
            do { try outbox.checkpoint() } catch { self.logger.warning("outbox: checkpoint failed: \(error)") }
        }
    }

    /// Waits for queued commits, then checkpoints and closes the database.
    public func close() {
        checkpointTimer.cancel()
        queue.sync {
            flush()
            outbox?.close()
        }
    }
}
