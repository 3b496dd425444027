/// Which warnings to log for ignored downlink messages, so a flood of bad messages costs a few
/// journal lines, not one per message or per variation.
///
/// Warnings are grouped by where the message came (`ack`, `cmd`, another topic) and the problem's
/// kind (`DownlinkError.kind`), never by the sender's details (byte counts, key names, topics),
/// so at most a fixed handful of groups exist. Each group writes its first message, then at most
/// one line per `intervalNs` carrying how many were ignored since. Pure: fed with monotonic times.
public struct DownlinkWarnings: Sendable {
    private var limiter: LogRateLimiter<String>

    /// At most this many groups are tracked, whatever arrives.
    public static let capacity = 16

    public init(intervalNs: UInt64 = 60_000_000_000) {
        limiter = LogRateLimiter(intervalNs: intervalNs, capacity: Self.capacity)
    }

    /// The groups currently tracked (never more than `capacity`).
    public var trackedGroups: Int { limiter.trackedLines }

    /// The lines to log now for a message ignored because of `reason`, in group `group`
    /// (e.g. "ack: not JSON"); usually none.
    public mutating func lines(group: String, reason: String, atNs nowNs: UInt64) -> [String] {
        let decision = limiter.admit(group, atNs: nowNs)
        var lines = decision.summaries.map { "downlink: \($0.count) more ignored (\($0.line))" }
        if decision.write {
            let more = decision.heldBack > 0 ? " (and \(decision.heldBack) more like it since the last line)" : ""
            lines.append("downlink: \(reason)\(more)")
        }
        return lines
    }
}
