import GridLinkCore
import Testing

@Suite struct DrainRateLimiterTests {
    @Test func grantsTheBurstThenPacesAtTheConfiguredRate() {
        var limiter = DrainRateLimiter(ratePerSecond: 100, burst: 10)
        let start: UInt64 = 5_000_000_000
        #expect(limiter.grant(50, at: start) == 10, "a full bucket gives its burst")
        #expect(limiter.grant(1, at: start) == 0)
        #expect(limiter.nextTokenNs(after: start) == start + 10_000_000, "one token every 10 ms at 100/s")
        #expect(limiter.grant(50, at: start + 100_000_000) == 10, "100 ms later: 10 tokens (capped at the burst)")
        // Over ten simulated seconds, asking every millisecond, the total is rate × time (+ burst).
        var granted = 0
        var now = start + 100_000_000
        for _ in 0..<10_000 {
            now += 1_000_000
            granted += limiter.grant(1000, at: now)
        }
        #expect((999...1001).contains(granted), "granted \(granted) in 10 s at 100/s")
    }

    @Test func zeroMeansUnlimited() {
        var limiter = DrainRateLimiter(ratePerSecond: 0)
        #expect(limiter.isUnlimited)
        #expect(limiter.grant(100_000, at: 1) == 100_000)
        #expect(limiter.nextTokenNs(after: 1) == nil)
    }

    @Test func aClockThatDoesNotMoveGrantsNothingMore() {
        var limiter = DrainRateLimiter(ratePerSecond: 1000, burst: 5)
        #expect(limiter.grant(5, at: 42) == 5)
        #expect(limiter.grant(5, at: 42) == 0)
        #expect(limiter.grant(5, at: 41) == 0, "a timestamp from the past refills nothing")
    }
}
