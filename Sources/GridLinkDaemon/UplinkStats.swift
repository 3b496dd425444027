/// Counters the uplink keeps for `status` and, later, telemetry.
public struct UplinkStats: Sendable, Equatable {
    public var connected = false
    public var published = 0
    public var acknowledged = 0
    public var reconnects = 0
    public var downlinkIgnored = 0
    public var inflight = 0
    /// CLOCK_MONOTONIC ns of the last PUBACK for an event.
    public var lastPubackMonoNs: UInt64?
    /// The broker being used or tried (`host:port`).
    public var broker = ""
    public var telemetrySent = 0
    public var commandsAnswered = 0
    public var overflowReports = 0
}
