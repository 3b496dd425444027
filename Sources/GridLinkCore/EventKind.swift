/// What happened, as named on the wire (`request.proxy`, `gate.forced_open`, …).
///
/// Kinds are added, never renamed (docs/schema/event-v1.md). Each kind has a fixed class.
public struct EventKind: RawRepresentable, Hashable, Codable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let requestProxy = EventKind(rawValue: "request.proxy")
    public static let requestRepair = EventKind(rawValue: "request.repair")
    public static let gateEntry = EventKind(rawValue: "gate.entry")
    public static let gateHeldOpen = EventKind(rawValue: "gate.held_open")
    public static let gateForcedOpen = EventKind(rawValue: "gate.forced_open")
    public static let gateClosed = EventKind(rawValue: "gate.closed")
    public static let deviceOverflow = EventKind(rawValue: "device.overflow")
    public static let deviceFault = EventKind(rawValue: "device.fault")
    /// The outbox was damaged and moved aside (or lost its last commit): what was salvaged, what was
    /// lost, which seqs are skipped. Alarm class.
    public static let deviceStoreQuarantined = EventKind(rawValue: "device.store_quarantined")

    /// Every kind this version of the schema defines.
    public static let known: [EventKind] = [
        .requestProxy, .requestRepair, .gateEntry, .gateHeldOpen, .gateForcedOpen, .gateClosed,
        .deviceOverflow, .deviceFault, .deviceStoreQuarantined,
    ]

    /// The class a kind belongs to; unknown kinds are routine.
    public var eventClass: EventClass {
        switch self {
        case .gateHeldOpen, .gateForcedOpen, .deviceFault, .deviceStoreQuarantined: .alarm
        case .requestProxy, .requestRepair, .deviceOverflow: .request
        default: .routine
        }
    }

    /// The topic suffix: dots become slashes, because no MQTT topic level may contain a '.'.
    public var topicPath: String { String(rawValue.map { $0 == "." ? "/" : $0 }) }

    public var description: String { rawValue }
}
