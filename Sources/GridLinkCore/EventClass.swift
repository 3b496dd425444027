/// The priority class of an event: the outbox drains `alarm` before `request` before `routine`,
/// and keeps first-in-first-out order within a class (DESIGN.md guarantee 3).
public enum EventClass: String, Codable, Sendable, CaseIterable, Comparable {
    case alarm
    case request
    case routine

    /// Drain rank: lower goes first. Stored in the outbox so SQLite can order by it.
    public var drainRank: Int {
        switch self {
        case .alarm: 0
        case .request: 1
        case .routine: 2
        }
    }

    public init?(drainRank: Int) {
        guard let found = EventClass.allCases.first(where: { $0.drainRank == drainRank }) else { return nil }
        self = found
    }

    public static func < (lhs: EventClass, rhs: EventClass) -> Bool { lhs.drainRank < rhs.drainRank }
}
