import GridLinkCore
import Synchronization
import Testing

/// A board without an RTC: the wall clock starts in 1970 and unsynchronised, and NTP sets it later.
final class SettableClock: DeviceClock {
    let bootId = "5b0c7a2e-3f41-4d8e-9a6b-1c2d3e4f5a6b"
    private let state = Mutex<(mono: UInt64, wallAtMonoZeroMs: Int64, synced: Bool)>((0, 0, false))

    func advance(ms: UInt64) { state.withLock { $0.mono += ms * 1_000_000 } }
    /// NTP steps the clock: the wall clock now reads `wallMs`.
    func set(wallMs: Int64) {
        state.withLock { $0.wallAtMonoZeroMs = wallMs - Int64($0.mono / 1_000_000); $0.synced = true }
    }
    func nowMonotonicNs() -> UInt64 { state.withLock { $0.mono } }
    func nowWallMs() -> Int64 { state.withLock { $0.wallAtMonoZeroMs + Int64($0.mono / 1_000_000) } }
    func isClockSynchronised() -> Bool { state.withLock { $0.synced } }
}

@Suite struct DeviceClockTests {
    @Test func eventsBeforeTheClockIsSetAreMarkedUnsyncedAndCorrectableFromMonoNs() throws {
        let clock = SettableClock()
        clock.advance(ms: 11_003)
        let early = clock.eventTime(atMonotonic: clock.nowMonotonicNs())
        #expect(early.synced == false)
        #expect(early.wall == "1970-01-01T00:00:11.003Z", "the wrong wall clock is reported as it was, not hidden")
        #expect(early.boot == clock.bootId)

        clock.advance(ms: 60_000)
        let trueNowMs: Int64 = 1_795_421_702_113  // 2026-11-23T08:15:02.113Z
        clock.set(wallMs: trueNowMs)
        clock.advance(ms: 500)
        let late = clock.eventTime(atMonotonic: clock.nowMonotonicNs())
        #expect(late.synced == true)
        #expect(late.wall == "2026-11-23T08:15:02.613Z")

        // Central's correction: the later synced event's wall minus the monotonic distance.
        let corrected = try #require(WallClockCorrection.correctedWallMs(of: early, using: late, laterWallMs: trueNowMs + 500))
        #expect(WallClockFormat.rfc3339(unixMillis: corrected) == "2026-11-23T08:14:02.113Z", "60.5 s before the later event")
    }

    @Test func anEdgeInThePastGetsTheWallClockOfItsOwnMoment() {
        let clock = SettableClock()
        clock.set(wallMs: 1_000_000)
        clock.advance(ms: 250)
        let edge = clock.eventTime(atMonotonic: 100_000_000)  // 150 ms before now
        #expect(edge.wall == WallClockFormat.rfc3339(unixMillis: 1_000_100))
        #expect(edge.monoNs == 100_000_000)
    }

    @Test func correctionNeedsTheSameBootAndASyncedReference() {
        let a = EventTime(wall: "x", synced: false, boot: "a", monoNs: 1)
        #expect(WallClockCorrection.correctedWallMs(of: a, using: EventTime(wall: "y", synced: true, boot: "b", monoNs: 2), laterWallMs: 5) == nil)
        #expect(WallClockCorrection.correctedWallMs(of: a, using: EventTime(wall: "y", synced: false, boot: "a", monoNs: 2), laterWallMs: 5) == nil)
    }
}
