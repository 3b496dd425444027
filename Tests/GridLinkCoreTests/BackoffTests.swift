import GridLinkCore
import Testing

@Suite struct BackoffTests {
    @Test func ceilingDoublesUpToTheCap() {
        var backoff = Backoff(baseMs: 500, capMs: 60_000)
        var random = SplitMix64(state: 3)
        var ceilings: [UInt64] = []
        for _ in 0..<10 {
            ceilings.append(backoff.ceilingMs)
            _ = backoff.nextDelayMs(random: &random)
        }
        #expect(ceilings == [500, 1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000])
        backoff.reset()
        #expect(backoff.ceilingMs == 500)
    }

    @Test func fullJitterSpreadsDelaysUniformlyBelowTheCeiling() {
        var random = SplitMix64(state: 11)
        var buckets = [Int](repeating: 0, count: 10)
        for _ in 0..<20_000 {
            var backoff = Backoff(baseMs: 1000, capMs: 1000)
            let delay = backoff.nextDelayMs(random: &random)
            #expect(delay <= 1000)
            buckets[min(9, Int(delay / 100))] += 1
        }
        // Uniform: each tenth holds about 2,000; lock-step reconnects would pile into one bucket.
        for count in buckets { #expect((1700...2300).contains(count), "bucket counts \(buckets)") }
    }

    @Test func hugeFailureCountsDoNotOverflow() {
        var backoff = Backoff(baseMs: 500, capMs: 60_000)
        var random = SplitMix64(state: 5)
        for _ in 0..<200 { #expect(backoff.nextDelayMs(random: &random) <= 60_000) }
    }
}
