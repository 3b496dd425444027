/// What the storage under the outbox is doing right now, as `status`, `check` and telemetry show it.
public enum StorageCondition: String, Codable, Sendable, CaseIterable {
    case ok
    /// The filesystem (or quota) is full: SQLITE_FULL.
    case full
    /// The filesystem or file is read-only: SQLITE_READONLY, EROFS.
    case readOnly = "read_only"
    /// The device reports I/O errors, or the file cannot be opened: SQLITE_IOERR, SQLITE_CANTOPEN.
    case ioError = "io_error"
    /// The database is damaged: SQLITE_CORRUPT, SQLITE_NOTADB (the daemon quarantines and salvages it).
    case corrupt
}

/// The storage health state machine: pure, fed with timestamps by the outbox's owner.
///
/// A failed store enters (or changes) a degraded condition and arms a retry deadline with doubling
/// backoff (`initialRetryMs` … `maxRetryMs`); a successful store returns to `ok`. Each transition is
/// returned once, so the caller logs exactly one line on entering and one on recovering.
public struct StorageHealth: Sendable, Equatable {
    /// A change the caller should log (and show).
    public enum Transition: Sendable, Equatable {
        /// Healthy before, degraded now.
        case entered(StorageCondition)
        /// Degraded before, degraded differently now.
        case changed(from: StorageCondition, to: StorageCondition)
        /// Healthy again after `afterMs` in `from`.
        case recovered(from: StorageCondition, afterMs: UInt64)
    }

    public private(set) var condition: StorageCondition = .ok
    /// The error that put storage into `condition` (nil when ok).
    public private(set) var error: String?
    /// Wall clock (ms since the epoch) when `condition` began; nil when ok.
    public private(set) var sinceWallMs: Int64?
    /// Monotonic time when `condition` began; nil when ok.
    public private(set) var sinceMonoNs: UInt64?
    /// When the owner should try again (reopen, probe write); nil when ok.
    public private(set) var retryAtMonoNs: UInt64?
    /// Consecutive failures since the last success.
    public private(set) var failures = 0

    public let initialRetryMs: UInt64
    public let maxRetryMs: UInt64

    public init(initialRetryMs: UInt64 = 500, maxRetryMs: UInt64 = 5_000) {
        self.initialRetryMs = initialRetryMs
        self.maxRetryMs = max(initialRetryMs, maxRetryMs)
    }

    public var isHealthy: Bool { condition == .ok }

    /// The delay before the next retry after `failures` consecutive failures.
    public var currentRetryMs: UInt64 {
        let shift = min(max(failures - 1, 0), 20)
        return min(maxRetryMs, initialRetryMs << UInt64(shift))
    }

    /// A store, open or probe failed with `condition`. Returns the transition to log, if any.
    @discardableResult
    public mutating func failed(_ newCondition: StorageCondition, error: String, nowMonoNs: UInt64, nowWallMs: Int64) -> Transition? {
        precondition(newCondition != .ok, "use succeeded(nowMonoNs:) for a success")
        failures += 1
        let previous = condition
        if previous == .ok || previous != newCondition {
            sinceMonoNs = nowMonoNs
            sinceWallMs = nowWallMs
        }
        condition = newCondition
        self.error = error
        retryAtMonoNs = nowMonoNs + currentRetryMs * 1_000_000
        if previous == .ok { return .entered(newCondition) }
        return previous == newCondition ? nil : .changed(from: previous, to: newCondition)
    }

    /// A store, open or probe succeeded. Returns `.recovered` if storage was degraded.
    @discardableResult
    public mutating func succeeded(nowMonoNs: UInt64) -> Transition? {
        failures = 0
        guard condition != .ok else { return nil }
        let previous = condition
        let afterMs = sinceMonoNs.map { nowMonoNs > $0 ? (nowMonoNs - $0) / 1_000_000 : 0 } ?? 0
        condition = .ok
        error = nil
        sinceMonoNs = nil
        sinceWallMs = nil
        retryAtMonoNs = nil
        return .recovered(from: previous, afterMs: afterMs)
    }

    /// Whether the retry deadline has passed.
    public func retryDue(nowMonoNs: UInt64) -> Bool {
        guard let retryAtMonoNs else { return false }
        return nowMonoNs >= retryAtMonoNs
    }
}

/// The storage part of `status`, `check` and telemetry.
public struct StorageReport: Codable, Sendable, Equatable {
    public var condition: StorageCondition
    public var error: String?
    /// Wall clock (ms since the epoch) when the condition began.
    public var sinceWallMs: Int64?
    /// Outstanding quarantines (damaged files moved aside) until a technician clears them.
    public var quarantines: [QuarantineRecord]

    public init(condition: StorageCondition, error: String?, sinceWallMs: Int64?, quarantines: [QuarantineRecord]) {
        self.condition = condition
        self.error = error
        self.sinceWallMs = sinceWallMs
        self.quarantines = quarantines
    }

    public init(_ health: StorageHealth, quarantines: [QuarantineRecord]) {
        self.init(condition: health.condition, error: health.error, sinceWallMs: health.sinceWallMs, quarantines: quarantines)
    }

    enum CodingKeys: String, CodingKey {
        case condition, error, quarantines
        case sinceWallMs = "since_wall_ms"
    }
}

/// One quarantine: damaged outbox files moved aside, what was salvaged, which seqs were skipped.
public struct QuarantineRecord: Codable, Sendable, Equatable {
    /// Why: `not_a_database`, `quick_check_failed`, `corrupt_at_runtime`, `torn_wal`, ….
    public var reason: String
    /// The error as SQLite (or the check) reported it.
    public var detail: String
    /// Wall clock (ms since the epoch) of the quarantine.
    public var atWallMs: Int64
    /// The damaged files as kept (empty for a torn WAL, where nothing is moved).
    public var files: [String]
    public var rowsSalvaged: Int
    /// Seqs below the skipped range that were neither salvaged nor known delivered (an upper bound of the loss).
    public var rowsLost: Int
    /// The seqs never used: the next event after the quarantine gets `seqSkippedTo + 1`.
    public var seqSkippedFrom: UInt64
    public var seqSkippedTo: UInt64
    /// How each salvage method did, e.g. `recover=1650 rowwise=1020`.
    public var methods: String

    public init(reason: String, detail: String, atWallMs: Int64, files: [String], rowsSalvaged: Int, rowsLost: Int,
                seqSkippedFrom: UInt64, seqSkippedTo: UInt64, methods: String) {
        self.reason = reason
        self.detail = detail
        self.atWallMs = atWallMs
        self.files = files
        self.rowsSalvaged = rowsSalvaged
        self.rowsLost = rowsLost
        self.seqSkippedFrom = seqSkippedFrom
        self.seqSkippedTo = seqSkippedTo
        self.methods = methods
    }

    enum CodingKeys: String, CodingKey {
        case reason, detail, files, methods
        case atWallMs = "at_wall_ms"
        case rowsSalvaged = "rows_salvaged"
        case rowsLost = "rows_lost"
        case seqSkippedFrom = "seq_skipped_from"
        case seqSkippedTo = "seq_skipped_to"
    }
}
