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
    /// Milliseconds since the broker last sent anything (any packet, PINGRESP included) on the
    /// current connection; nil while not connected. Filled in when the stats are read.
    public var brokerSilentMs: UInt32?
}
