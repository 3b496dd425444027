import GridLinkCore
import Testing

/// Replays edge trains on a virtual clock (ms → ns) and collects what the machine emits,
/// waking it at every deadline it asks for, as the daemon's timer does.
func replay(_ machine: inout ButtonMachine, edges: [(ms: Double, pressed: Bool)], until endMs: Double) -> [ButtonOutput] {
    var outputs: [ButtonOutput] = []
    let ns = { (ms: Double) in UInt64(ms * 1_000_000) }
    for edge in edges {
        while let deadline = machine.nextDeadline, deadline <= ns(edge.ms) { outputs += machine.advance(to: deadline) }
        outputs += machine.feed(level: edge.pressed, at: ns(edge.ms))
    }
    while let deadline = machine.nextDeadline, deadline <= ns(endMs) { outputs += machine.advance(to: deadline) }
    return outputs
}

@Suite struct ButtonMachineTests {
    let machine = ButtonMachine(settleNs: 20_000_000, longPressNs: 1_500_000_000, stuckNs: 30_000_000_000)

    @Test func cleanShortPressIsOneShortPressStampedAtTheFirstEdge() {
        var m = machine
        let out = replay(&m, edges: [(100, true), (300, false)], until: 1000)
        #expect(out == [.press(.short, at: 100_000_000)])
    }

    @Test func reedSwitchBounceTrainYieldsExactlyOnePress() {
        var m = machine
        // Contact chatter for ~6 ms on press and on release, each bounce shorter than the settle time.
        let bounce: [(Double, Bool)] = [(100, true), (100.4, false), (101.1, true), (101.5, false), (102.9, true), (103.2, false), (106, true),
                                        (400, false), (400.7, true), (401.2, false), (402.8, true), (403.1, false)]
        let out = replay(&m, edges: bounce, until: 2000)
        #expect(out == [.press(.short, at: 106_000_000)])
    }

    @Test func longWireNoiseSpikesAreNotPresses() {
        var m = machine
        // 1–5 ms spikes every 50 ms on an idle line: none lasts the 20 ms settle time.
        let spikes = (0..<40).flatMap { i -> [(Double, Bool)] in
            let start = Double(i) * 50
            return [(start, true), (start + Double(1 + i % 5), false)]
        }
        #expect(replay(&m, edges: spikes, until: 3000).isEmpty)
    }

    @Test func longPressFiresAtTheThresholdWhileStillHeldAndSuppressesTheShort() {
        var m = machine
        let whileHeld = replay(&m, edges: [(100, true)], until: 1600.5)
        #expect(whileHeld == [.press(.long, at: 100_000_000)], "fires at 100 ms + 1500 ms, before release")
        let afterRelease = replay(&m, edges: [(2500, false)], until: 4000)
        #expect(afterRelease.isEmpty, "release after a long press adds no short press")
    }

    @Test func stuckButtonIsReportedOnceNotAsAStreamOfPresses() {
        var m = machine
        let out = replay(&m, edges: [(0, true)], until: 120_000)
        #expect(out == [.press(.long, at: 0), .stuck(at: 0)])
        let released = replay(&m, edges: [(121_000, false), (122_000, true), (122_100, false)], until: 130_000)
        #expect(released == [.press(.short, at: 122_000_000_000)], "after release the button works again")
    }

    @Test func nothingPendingMeansNoDeadline() {
        var m = machine
        #expect(m.nextDeadline == nil)
        _ = m.feed(level: true, at: 0)
        #expect(m.nextDeadline == 20_000_000)
    }
}

@Suite struct DoublePressTests {
    let machine = ButtonMachine(settleNs: 20_000_000, longPressNs: 1_500_000_000, stuckNs: 30_000_000_000, doubleWindowNs: 400_000_000)

    @Test func twoQuickPressesAreOneDoublePress() {
        var m = machine
        let out = replay(&m, edges: [(100, true), (250, false), (450, true), (600, false)], until: 3000)
        #expect(out == [.press(.double, at: 100_000_000)])
    }

    @Test func aSinglePressIsReportedAsShortOnceTheWindowCloses() {
        var m = machine
        let out = replay(&m, edges: [(100, true), (250, false)], until: 649)
        #expect(out.isEmpty, "still waiting for a possible second press")
        let later = replay(&m, edges: [], until: 700)
        #expect(later == [.press(.short, at: 100_000_000)], "reported at release + window (250 + 400 ms)")
    }

    @Test func aSecondPressThatStartsInsideTheWindowButSettlesAfterItStillCounts() {
        var m = machine
        let out = replay(&m, edges: [(100, true), (250, false), (645, true), (800, false)], until: 3000)
        #expect(out == [.press(.double, at: 100_000_000)])
    }

    @Test func aNoiseSpikeAtTheEndOfTheWindowDoesNotMakeADouble() {
        var m = machine
        let out = replay(&m, edges: [(100, true), (250, false), (640, true), (642, false)], until: 3000)
        #expect(out == [.press(.short, at: 100_000_000)])
    }

    @Test func withDoubleDisabledAShortPressHasNoAddedDelay() {
        var m = ButtonMachine(settleNs: 20_000_000, longPressNs: 1_500_000_000, stuckNs: 30_000_000_000)
        let out = replay(&m, edges: [(100, true), (250, false)], until: 270)
        #expect(out == [.press(.short, at: 100_000_000)], "at release + settle, nothing more")
    }
}

@Suite struct SettleFilterTests {
    @Test func aLevelCountsOnlyOnceStableForTheSettleTime() {
        var filter = SettleFilter(settleNs: 10)
        #expect(filter.feed(level: true, at: 100) == nil)
        #expect(filter.advance(to: 109) == nil)
        #expect(filter.advance(to: 110)! == (true, 100))
        #expect(filter.feed(level: false, at: 200) == nil)
        #expect(filter.feed(level: true, at: 205) == nil, "back before settling: no change at all")
        #expect(filter.advance(to: 1000) == nil)
        #expect(filter.stableLevel)
    }
}
