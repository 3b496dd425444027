/// The outbox's size limits (`[outbox]` in the profile). 0 means no limit.
public struct OutboxLimits: Sendable, Equatable {
    /// Most stored events.
    public var maxRows: Int
    /// Most stored payload bytes (the sum of the JSON payloads).
    public var maxBytes: Int

    public init(maxRows: Int = 0, maxBytes: Int = 0) {
        self.maxRows = maxRows
        self.maxBytes = maxBytes
    }

    public var isUnlimited: Bool { maxRows <= 0 && maxBytes <= 0 }
}

/// How full the outbox is right now.
public struct OutboxUsage: Sendable, Equatable {
    public var rows: Int
    public var bytes: Int
    public init(rows: Int, bytes: Int) {
        self.rows = rows
        self.bytes = bytes
    }
}

/// Why an event could not be stored or a stored one was dropped.
public enum OverflowReason: String, Sendable, Equatable, CaseIterable, Codable {
    /// The outbox hit `max_rows` or `max_bytes`.
    case full
    /// The event alone is bigger than `max_bytes`.
    case tooLarge = "too_large"
}

/// What to do with a new event when the outbox is bounded.
public enum Admission: Sendable, Equatable {
    /// Store it, after deleting this many of the oldest routine rows (0: there is room).
    case admit(evictingOldestRoutine: Int)
    /// Do not store it; the caller reports the refusal (LED "cannot store" for a request).
    case refuse(OverflowReason)
}

/// The documented per-class policy of a full outbox (DESIGN.md guarantee 4), pure:
///
/// - routine rows are the only ones ever dropped, oldest first, to make room for anything newer;
/// - a new routine event that finds no routine row to drop (outbox full of requests and alarms) is
///   itself dropped;
/// - requests and alarms take the room of routine rows; when there is none they are refused, never
///   stored by dropping another request or alarm. The refusal is visible (kiosk "cannot store",
///   `sim press` fails) and counted.
///
/// Every drop and refusal is counted in an `OverflowLedger` and reported as `device.overflow`.
public enum OverflowPolicy {
    /// - Parameter oldestRoutineBytes: payload sizes of the stored routine rows, oldest first (may
    ///   be lazy; only as many as needed are read).
    public static func decide(
        eventClass: EventClass, bytes: Int, usage: OutboxUsage, limits: OutboxLimits,
        oldestRoutineBytes: some Sequence<Int>
    ) -> Admission {
        if limits.maxBytes > 0 && bytes > limits.maxBytes { return .refuse(.tooLarge) }
        var rows = usage.rows
        var used = usage.bytes
        func fits() -> Bool {
            (limits.maxRows <= 0 || rows + 1 <= limits.maxRows) && (limits.maxBytes <= 0 || used + bytes <= limits.maxBytes)
        }
        var evicted = 0
        var sizes = oldestRoutineBytes.makeIterator()
        while !fits() {
            guard let size = sizes.next() else { return .refuse(.full) }
            rows -= 1
            used -= size
            evicted += 1
        }
        return .admit(evictingOldestRoutine: evicted)
    }
}
