/// Debounce as a settle filter: a new level counts once it has been stable for `settleNs`.
///
/// Unlike a lock-out debounce (accept the first edge, ignore the rest for a while), a settle
/// filter never reports a level the line did not keep — a 2 ms spike on a long wire is not an
/// opening — and it always ends on the true final level, so it cannot get stuck on the wrong one
/// (the failure mode of gpiozero #378 / mqtt-io #57). The reported time is the first edge of the
/// stable run, i.e. when the contact really moved. Pure: time is an input.
public struct SettleFilter: Sendable, Equatable {
    public let settleNs: UInt64
    private var rawLevel: Bool
    private var rawSince: UInt64 = 0
    /// The debounced level.
    public private(set) var stableLevel: Bool

    public init(settleNs: UInt64, initialLevel: Bool = false) {
        self.settleNs = settleNs
        rawLevel = initialLevel
        stableLevel = initialLevel
    }

    /// A raw level at `t`. Returns the debounced change this completes, if any.
    public mutating func feed(level: Bool, at t: UInt64) -> (level: Bool, since: UInt64)? {
        let settled = advance(to: t)
        if level != rawLevel {
            rawLevel = level
            rawSince = t
        }
        return settled ?? advance(to: t)
    }

    /// Time has reached `t`: returns the debounced change, with the time it started, if one settled.
    public mutating func advance(to t: UInt64) -> (level: Bool, since: UInt64)? {
        guard rawLevel != stableLevel, t >= rawSince + settleNs else { return nil }
        stableLevel = rawLevel
        return (stableLevel, rawSince)
    }

    /// A raw change that has not settled yet: its level and first edge.
    public var pendingChange: (level: Bool, since: UInt64)? { rawLevel != stableLevel ? (rawLevel, rawSince) : nil }

    /// When the pending change settles, if one is pending.
    public var nextDeadline: UInt64? { rawLevel != stableLevel ? rawSince + settleNs : nil }
}
