/// Paces the drain of a backlog (`uplink.drain_rate_per_s`): a token bucket fed with monotonic
/// timestamps, so after a long outage the backlog goes out at a steady rate and a live alarm
/// (which does not take tokens) always finds room in the in-flight window.
///
/// Pure: `grant` returns how many events may go now; `nextTokenNs` says when to look again.
public struct DrainRateLimiter: Sendable, Equatable {
    /// Events per second; 0 = unlimited.
    public let ratePerSecond: Int
    /// Most tokens saved up while idle.
    public let burst: Int
    private var tokens: Double
    private var lastNs: UInt64?

    public init(ratePerSecond: Int, burst: Int? = nil) {
        self.ratePerSecond = max(0, ratePerSecond)
        self.burst = max(1, burst ?? max(1, ratePerSecond / 10))
        tokens = Double(self.burst)
    }

    public var isUnlimited: Bool { ratePerSecond == 0 }

    private mutating func refill(at nowNs: UInt64) {
        if let lastNs, nowNs > lastNs {
            tokens = min(Double(burst), tokens + Double(nowNs - lastNs) * Double(ratePerSecond) / 1e9)
        }
        lastNs = max(lastNs ?? nowNs, nowNs)
    }

    /// Takes up to `wanted` tokens at `nowNs` and returns how many were granted.
    public mutating func grant(_ wanted: Int, at nowNs: UInt64) -> Int {
        guard !isUnlimited else { return wanted }
        refill(at: nowNs)
        let granted = min(wanted, Int(tokens))
        tokens -= Double(granted)
        return max(0, granted)
    }

    /// When the next whole token will be there (nil when unlimited or one is there now).
    public mutating func nextTokenNs(after nowNs: UInt64) -> UInt64? {
        guard !isUnlimited else { return nil }
        refill(at: nowNs)
        guard tokens < 1 else { return nil }
        return nowNs + UInt64(((1 - tokens) * 1e9 / Double(ratePerSecond)).rounded(.up))
    }
}
