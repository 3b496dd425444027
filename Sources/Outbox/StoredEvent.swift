import GridLinkCore

/// One event in the outbox: committed, not yet acknowledged by the broker. `payload` holds the exact bytes
/// to publish on `topic`, so a retry after a restart sends byte-identical JSON with the same id and seq.
public struct StoredEvent: Sendable, Equatable {
    /// Per-device sequence number, assigned at commit; never reused.
    public let seq: UInt64
    /// The event id (UUIDv7), the consumers' de-duplication key.
    public let id: String
    /// The class the event drains in (alarm before request before routine).
    public let eventClass: EventClass
    public let kind: EventKind
    /// The MQTT topic to publish on.
    public let topic: String
    /// The JSON of the wire `Event` (schema v1), as published.
    public let payload: [UInt8]
    /// The wall clock when the outbox stored the event (milliseconds since the Unix epoch).
    public let storedWallMs: Int64
    /// CLOCK_MONOTONIC nanoseconds when the outbox stored the event (meaningful within one boot only).
    public let storedMonoNs: UInt64

    public init(
        seq: UInt64, id: String, eventClass: EventClass, kind: EventKind, topic: String, payload: [UInt8],
        storedWallMs: Int64, storedMonoNs: UInt64
    ) {
        self.seq = seq
        self.id = id
        self.eventClass = eventClass
        self.kind = kind
        self.topic = topic
        self.payload = payload
        self.storedWallMs = storedWallMs
        self.storedMonoNs = storedMonoNs
    }
}
