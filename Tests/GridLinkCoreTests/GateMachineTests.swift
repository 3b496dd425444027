import GridLinkCore
import Testing

@Suite struct GateMachineTests {
    let ms: UInt64 = 1_000_000
    var gate: GateMachine { GateMachine(authorisedWindowNs: 5000 * ms, heldOpenNs: 30_000 * ms) }

    @Test func openingWhileReleasedIsAnEntryAndClosingNormallyIsSilent() {
        var g = gate
        #expect(g.feed(.release(active: true), at: 1000 * ms).isEmpty)
        #expect(g.feed(.door(open: true), at: 1500 * ms) == [GateEvent(kind: .gateEntry, at: 1500 * ms)])
        #expect(g.feed(.release(active: false), at: 4000 * ms).isEmpty)
        #expect(g.feed(.door(open: false), at: 6000 * ms).isEmpty)
    }

    @Test func openingShortlyAfterAnExitRequestIsAnEntry() {
        var g = gate
        _ = g.feed(.exitRequest(pressed: true), at: 1000 * ms)
        _ = g.feed(.exitRequest(pressed: false), at: 1200 * ms)
        #expect(g.feed(.door(open: true), at: 5900 * ms).map(\.kind) == [.gateEntry])
    }

    @Test func openingWithNoReleaseIsForcedAndClosingClearsTheAlarm() {
        var g = gate
        let forced = g.feed(.door(open: true), at: 1000 * ms)
        #expect(forced == [GateEvent(kind: .gateForcedOpen, at: 1000 * ms)])
        #expect(forced[0].kind.eventClass == .alarm)
        #expect(g.feed(.door(open: false), at: 3500 * ms) == [GateEvent(kind: .gateClosed, at: 3500 * ms, data: ["cleared": "gate.forced_open", "open_ms": 2500])])
    }

    @Test func anAuthorisationThatExpiredDoesNotCoverALateOpening() {
        var g = gate
        _ = g.feed(.exitRequest(pressed: true), at: 1000 * ms)
        #expect(g.feed(.door(open: true), at: 6001 * ms).map(\.kind) == [.gateForcedOpen])
    }

    @Test func oneAuthorisationCoversOneOpeningOnly() {
        var g = gate
        _ = g.feed(.exitRequest(pressed: true), at: 1000 * ms)
        _ = g.feed(.door(open: true), at: 1100 * ms)
        _ = g.feed(.door(open: false), at: 2000 * ms)
        #expect(g.feed(.door(open: true), at: 2500 * ms).map(\.kind) == [.gateForcedOpen], "tailgating on a spent authorisation")
    }

    @Test func heldOpenFiresOnceAtTheDeadlineAndTheCloseClearsIt() {
        var g = gate
        _ = g.feed(.release(active: true), at: 0)
        _ = g.feed(.door(open: true), at: 1000 * ms)
        #expect(g.nextDeadline == 31_000 * ms)
        #expect(g.advance(to: 30_999 * ms).isEmpty)
        #expect(g.advance(to: 31_000 * ms) == [GateEvent(kind: .gateHeldOpen, at: 31_000 * ms, data: ["open_ms": 30000, "forced": .bool(false)])])
        #expect(g.advance(to: 90_000 * ms).isEmpty, "reported once, not every tick")
        #expect(g.nextDeadline == nil)
        #expect(g.feed(.door(open: false), at: 95_000 * ms).map(\.kind) == [.gateClosed])
    }

    @Test func aForcedDoorLeftOpenEscalatesToHeldOpen() {
        var g = gate
        _ = g.feed(.door(open: true), at: 0)
        let held = g.feed(.door(open: true), at: 40_000 * ms)
        #expect(held == [GateEvent(kind: .gateHeldOpen, at: 30_000 * ms, data: ["open_ms": 30000, "forced": .bool(true)])])
    }
}
