import Foundation
import GPIO
import GridLinkCore
import GridLinkDaemon
import Logging
import Outbox
import Synchronization
import Testing

/// A board without a real-time clock: CLOCK_MONOTONIC is right (the host's), the wall clock starts
/// in 1970 and unsynchronised until "NTP" sets it.
final class BootWithoutRTCClock: DeviceClock {
    let bootId = "9e8d7c6b-5a49-4838-a726-15f4e3d2c1b0"
    private let state = Mutex<(wallOffsetMs: Int64, synced: Bool)>((0, false))

    init() {
        // At boot the wall clock reads 1970-01-01 plus the uptime.
        state.withLock { $0.wallOffsetMs = 0 }
    }

    /// NTP steps the wall clock to `wallMs` now.
    func set(wallMs: Int64) {
        let monoMs = Int64(nowMonotonicNs() / 1_000_000)
        state.withLock { $0 = (wallMs - monoMs, true) }
    }

    func nowMonotonicNs() -> UInt64 { HostClock.monotonicNs() }
    func nowWallMs() -> Int64 { state.withLock { $0.wallOffsetMs } + Int64(nowMonotonicNs() / 1_000_000) }
    func isClockSynchronised() -> Bool { state.withLock { $0.synced } }
}

/// The real input pipeline and outbox (group commit, SQLite) on a simulated chip, with the clock
/// injected: what is stored before and after the clock is set.
@Suite(.serialized) struct HonestTimeTests {
    final class Stored: Sendable {
        let events = Mutex<[Event]>([])
    }

    @Test func pressesBeforeTheClockIsSetCarryUnsyncedWrongWallTimeThatMonoNsCorrects() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gl-time-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let clock = BootWithoutRTCClock()
        let outbox = OutboxQueue(outbox: try Outbox(path: dir + "/outbox.sqlite", site: "s", device: "d"), logger: Logger(label: "test"))
        let chip = SimulatedChip(lineNames: (0..<8).map { "sim\($0)" }, idleHigh: [5]) { clock.nowMonotonicNs() }
        let gpio = GPIOConfig(chip: "sim", debounceMs: 2, longPressMs: 300, stuckMs: 10_000)
        let stored = Stored()
        let pipeline = InputPipeline(buttons: [(ButtonConfig(name: "proxy", line: .offset(5), kind: .requestProxy), offset: 5)],
                                     gpio: gpio, clock: clock, outbox: outbox, logger: Logger(label: "test")) { row in
            if let event = try? Event.decode(row.payload) { stored.events.withLock { $0.append(event) } }
        }
        try chip.watchInputs(offsets: [5], consumer: "test") { pipeline.edge($0) }
        func press() throws {
            let before = stored.events.withLock { $0.count }
            chip.drive(offset: 5, high: false)
            usleep(10_000)
            chip.drive(offset: 5, high: true)
            let deadline = Date().addingTimeInterval(5)
            while stored.events.withLock({ $0.count }) == before, Date() < deadline { usleep(2000) }
        }

        try press()
        usleep(50_000)
        let trueNowMs: Int64 = 1_795_421_702_113  // 2026-11-23T08:15:02.113Z, what NTP says
        clock.set(wallMs: trueNowMs)
        try press()
        chip.close()
        outbox.close()

        let events = stored.events.withLock { $0 }
        try #require(events.count == 2)
        let (early, late) = (events[0], events[1])
        #expect(early.time.synced == false)
        #expect(early.time.wall.hasPrefix("1970-01-"), "the wrong wall clock is reported as it was: \(early.time.wall)")
        #expect(late.time.synced == true)
        #expect(late.time.wall.hasPrefix("2026-11-23T08:15:0"), "\(late.time.wall)")
        #expect(early.time.boot == late.time.boot && late.time.monoNs > early.time.monoNs)

        // Central corrects the early event from the later synced one of the same boot.
        let lateWallMs = try #require(Self.unixMillis(late.time.wall))
        let corrected = try #require(WallClockCorrection.correctedWallMs(of: early.time, using: late.time, laterWallMs: lateWallMs))
        let gapMs = Int64((late.time.monoNs - early.time.monoNs) / 1_000_000)
        #expect(corrected == lateWallMs - gapMs)
        #expect(corrected < trueNowMs && corrected > trueNowMs - 5_000, "the early press really happened just before NTP set the clock")
    }

    static func unixMillis(_ rfc3339: String) -> Int64? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: rfc3339).map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }
    }
}
