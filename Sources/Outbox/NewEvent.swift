import GridLinkCore

/// An event the daemon wants stored: everything of the wire `Event` except what the outbox assigns
/// (`seq`, and `site`/`device` from the outbox it is appended to).
public struct NewEvent: Sendable, Equatable {
    /// UUIDv7 string; must be unique across the outbox (a duplicate rejects the whole batch).
    public var id: String
    public var kind: EventKind
    /// The configured input that produced the event.
    public var source: String
    public var time: EventTime
    public var data: [String: EventValue]

    public init(id: String, kind: EventKind, source: String, time: EventTime, data: [String: EventValue] = [:]) {
        self.id = id
        self.kind = kind
        self.source = source
        self.time = time
        self.data = data
    }
}
