import GridLinkCore
import Testing

@Suite struct LogRateLimiterTests {
    let second: UInt64 = 1_000_000_000

    @Test func aBrokerThatKeepsRefusingIsLoggedOnceEveryThirtySecondsWithACount() {
        var limiter = LogRateLimiter<String>(intervalNs: 30 * second)
        let refused = "uplink: cannot connect to broker: Connection refused"
        // First failure at t=0: written.
        #expect(limiter.admit(refused, atNs: 0) == .init(write: true, heldBack: 0, summaries: []))
        // Retries every 2 s inside the window: counted, not written.
        for t in stride(from: 2, to: 30, by: 2) {
            #expect(limiter.admit(refused, atNs: UInt64(t) * second).write == false)
        }
        // At t=30 s the window is over: written again, saying 14 copies were held back.
        #expect(limiter.admit(refused, atNs: 30 * second) == .init(write: true, heldBack: 14, summaries: []))
        #expect(limiter.admit(refused, atNs: 31 * second).write == false)
    }

    @Test func differentLinesAreLimitedSeparately() {
        var limiter = LogRateLimiter<String>(intervalNs: 30 * second)
        #expect(limiter.admit("disk full", atNs: 0).write)
        #expect(limiter.admit("broker refused", atNs: 1 * second).write)
        #expect(limiter.admit("disk full", atNs: 2 * second).write == false)
    }

    @Test func aLineThatStopsRepeatingIsSummarisedAtTheNextLogCallAfterItsWindow() {
        var limiter = LogRateLimiter<String>(intervalNs: 30 * second)
        _ = limiter.admit("ack ignored: bad json", atNs: 0)
        _ = limiter.admit("ack ignored: bad json", atNs: 1 * second)
        _ = limiter.admit("ack ignored: bad json", atNs: 2 * second)
        // Something else is logged inside the window: no summary yet.
        #expect(limiter.admit("other", atNs: 10 * second).summaries.isEmpty)
        // After the window: the held-back count comes out once, then the line is forgotten.
        let later = limiter.admit("another", atNs: 31 * second)
        #expect(later.summaries == [.init(line: "ack ignored: bad json", count: 2)])
        #expect(limiter.admit("yet another", atNs: 32 * second).summaries.isEmpty)
        // A line written once and never repeated leaves no summary.
        #expect(limiter.admit("final", atNs: 100 * second).summaries.isEmpty)
    }

    @Test func memoryIsBoundedByForgettingTheOldestLine() {
        var limiter = LogRateLimiter<Int>(intervalNs: 30 * second, capacity: 3)
        for n in 0..<10 { _ = limiter.admit(n, atNs: UInt64(n)) }
        #expect(limiter.trackedLines == 3)
        // Line 0 was forgotten, so it is written again even inside its window.
        #expect(limiter.admit(0, atNs: 20).write)
        #expect(limiter.admit(9, atNs: 21).write == false)
    }
}
