/// Reconnect delay policy: exponential backoff with full jitter (DESIGN.md guarantee 6).
///
/// The n-th consecutive failure waits a uniformly random time in `0...min(cap, base * 2^n)`, so a
/// thousand devices returning after a city-wide outage spread out instead of reconnecting in lock-step.
/// Pure: the random source is passed in.
public struct Backoff: Sendable, Equatable {
    public let baseMs: UInt64
    public let capMs: UInt64
    public private(set) var failures: Int = 0

    public init(baseMs: UInt64, capMs: UInt64) {
        precondition(baseMs > 0 && capMs >= baseMs, "backoff needs 0 < base <= cap")
        self.baseMs = baseMs
        self.capMs = capMs
    }

    /// The upper bound of the next delay (before jitter).
    public var ceilingMs: UInt64 {
        let shift = min(failures, 40)
        let grown = baseMs.multipliedReportingOverflow(by: UInt64(1) << UInt64(shift))
        return grown.overflow ? capMs : min(capMs, grown.partialValue)
    }

    /// Records a failed attempt and returns how long to wait before the next one.
    public mutating func nextDelayMs(random: inout some RandomNumberGenerator) -> UInt64 {
        let ceiling = ceilingMs
        failures += 1
        return UInt64.random(in: 0...ceiling, using: &random)
    }

    /// A connection succeeded: the next failure starts from the base again.
    public mutating func reset() { failures = 0 }
}
