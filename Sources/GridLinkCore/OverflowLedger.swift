/// What a bounded outbox had to drop or refuse since the last `device.overflow` report: counts by
/// class, outcome and reason, and the first/last seq of dropped rows (the seq gap they leave).
///
/// Pure and persisted by the outbox as flat counters (`entries`), in the same transaction as the
/// drop itself, so a report survives a restart and is sent once when the device is online.
public struct OverflowLedger: Sendable, Equatable {
    /// What happened to the event.
    public enum Outcome: String, Sendable, CaseIterable {
        /// Stored, then deleted unsent to make room (its seq becomes a gap).
        case dropped
        /// Never stored (it has no seq).
        case refused
    }

    /// `"{class}_{outcome}_{reason}"` → count, e.g. `routine_dropped_full`.
    public private(set) var counts: [String: Int64] = [:]
    public private(set) var firstSeq: UInt64?
    public private(set) var lastSeq: UInt64?

    public init() {}

    public static func key(_ eventClass: EventClass, _ outcome: Outcome, _ reason: OverflowReason) -> String {
        "\(eventClass.rawValue)_\(outcome.rawValue)_\(reason.rawValue)"
    }

    public var isEmpty: Bool { counts.isEmpty }
    public var total: Int64 { counts.values.reduce(0, +) }

    public mutating func dropped(_ eventClass: EventClass, seqs: [UInt64], reason: OverflowReason = .full) {
        guard !seqs.isEmpty else { return }
        counts[Self.key(eventClass, .dropped, reason), default: 0] += Int64(seqs.count)
        firstSeq = min(firstSeq ?? .max, seqs.min()!)
        lastSeq = max(lastSeq ?? 0, seqs.max()!)
    }

    public mutating func refused(_ eventClass: EventClass, reason: OverflowReason) {
        counts[Self.key(eventClass, .refused, reason), default: 0] += 1
    }

    /// The `data` of the `device.overflow` event (docs/schema/event-v1.md): one integer per
    /// non-zero counter, `total`, and `first_seq` / `last_seq` when rows were dropped.
    public var eventData: [String: EventValue] {
        var data = counts.mapValues { EventValue.int($0) }
        data["total"] = .int(total)
        if let firstSeq, let lastSeq {
            data["first_seq"] = .int(Int64(firstSeq))
            data["last_seq"] = .int(Int64(lastSeq))
        }
        return data
    }

    // MARK: - Persistence as flat key/value pairs

    /// The ledger as `(key, value)` pairs for a key/value table.
    public var entries: [String: Int64] {
        var entries = counts
        if let firstSeq, let lastSeq {
            entries["first_seq"] = Int64(firstSeq)
            entries["last_seq"] = Int64(lastSeq)
        }
        return entries
    }

    /// Rebuilds a ledger from `entries`; unknown keys are kept as counters.
    public init(entries: [String: Int64]) {
        for (key, value) in entries {
            switch key {
            case "first_seq": firstSeq = UInt64(max(0, value))
            case "last_seq": lastSeq = UInt64(max(0, value))
            default: counts[key] = value
            }
        }
    }
}

extension OverflowLedger {
    /// Adds `other`'s counts and widens the seq range.
    public mutating func merge(_ other: OverflowLedger) {
        for (key, value) in other.counts { counts[key, default: 0] += value }
        if let first = other.firstSeq { firstSeq = min(firstSeq ?? .max, first) }
        if let last = other.lastSeq { lastSeq = max(lastSeq ?? 0, last) }
    }
}
