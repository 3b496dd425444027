/// One thing that happened at the device, exactly as it travels on the wire (schema v1).
///
/// The id and seq are fixed when the event is stored and never change across retries and restarts,
/// so the central side can de-duplicate on `id` and detect gaps in `seq`.
/// The authoritative description is docs/schema/event-v1.md.
public struct Event: Codable, Sendable, Equatable {
    /// Schema version.
    public var v: Int
    /// UUIDv7 string: time-ordered, unique per event.
    public var id: String
    /// Per-device sequence number: persisted, never reused, gap-free for what was stored.
    public var seq: UInt64
    public var site: String
    public var device: String
    public var kind: EventKind
    public var eventClass: EventClass
    /// The configured input (button or gate line) that produced the event.
    public var source: String
    public var time: EventTime
    public var data: [String: EventValue]

    public static let schemaVersion = 1

    public init(
        id: String, seq: UInt64, site: String, device: String, kind: EventKind, source: String,
        time: EventTime, data: [String: EventValue] = [:]
    ) {
        self.v = Event.schemaVersion
        self.id = id
        self.seq = seq
        self.site = site
        self.device = device
        self.kind = kind
        self.eventClass = kind.eventClass
        self.source = source
        self.time = time
        self.data = data
    }

    enum CodingKeys: String, CodingKey {
        case v, id, seq, site, device, kind, source, time, data
        case eventClass = "class"
    }

    /// The compact JSON published on the events topic (keys sorted, so the bytes are reproducible).
    public func jsonBytes() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(self))
    }

    /// Decodes a published payload; throws `DecodingError` for anything that is not a v1 event.
    public static func decode(_ bytes: some Collection<UInt8>) throws -> Event {
        try JSONDecoder().decode(Event.self, from: Data(bytes))
    }
}

/// The honest-time block (DESIGN.md guarantee 5): boards without an RTC boot with a wrong wall
/// clock, so each event carries enough for the central side to correct it.
public struct EventTime: Codable, Sendable, Equatable {
    /// Wall clock at the moment of the edge, RFC 3339 UTC with milliseconds.
    public var wall: String
    /// Whether the kernel considered the clock NTP-synchronised when the event was recorded.
    public var synced: Bool
    /// The kernel boot id (/proc/sys/kernel/random/boot_id): `mono_ns` is only comparable within one boot.
    public var boot: String
    /// CLOCK_MONOTONIC nanoseconds at the edge (the kernel's GPIO event timestamp where there is one).
    public var monoNs: UInt64

    public init(wall: String, synced: Bool, boot: String, monoNs: UInt64) {
        self.wall = wall
        self.synced = synced
        self.boot = boot
        self.monoNs = monoNs
    }

    enum CodingKeys: String, CodingKey {
        case wall, synced, boot
        case monoNs = "mono_ns"
    }
}

/// A value in an event's `data` object: string, integer or boolean.
public enum EventValue: Codable, Sendable, Equatable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    case string(String)
    case int(Int64)
    case bool(Bool)

    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let bool = try? container.decode(Bool.self) {
            self = .bool(bool)
        } else if let int = try? container.decode(Int64.self) {
            self = .int(int)
        } else {
            self = .string(try container.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        }
    }
}
