/// The clocks an event's honest-time block is built from (DESIGN.md guarantee 5). The daemon's
/// real one is `HostClock`; tests use one whose wall clock is wrong at boot and set later.
public protocol DeviceClock: Sendable {
    /// The kernel boot id: `mono_ns` values are comparable only within one boot.
    var bootId: String { get }
    /// CLOCK_MONOTONIC in ns.
    func nowMonotonicNs() -> UInt64
    /// Wall clock in Unix milliseconds (possibly wrong before NTP sync).
    func nowWallMs() -> Int64
    /// Whether the kernel says the wall clock is NTP-synchronised.
    func isClockSynchronised() -> Bool
}

extension DeviceClock {
    /// The honest-time block for something that happened at `monoNs` (≤ now): the wall clock is
    /// derived from now minus the age, and `synced` is what the kernel says now, at recording.
    public func eventTime(atMonotonic monoNs: UInt64) -> EventTime {
        EventTime(wall: WallClockFormat.rfc3339(unixMillis: wallMs(atMonotonic: monoNs)), synced: isClockSynchronised(), boot: bootId, monoNs: monoNs)
    }

    /// The wall-clock time at which a monotonic timestamp happened, derived from now.
    public func wallMs(atMonotonic monoNs: UInt64) -> Int64 {
        let nowMono = nowMonotonicNs()
        let ageMs = nowMono > monoNs ? Int64((nowMono - monoNs) / 1_000_000) : 0
        return nowWallMs() - ageMs
    }
}

/// How the central side corrects an unsynced event's wall clock from a later synced event of the
/// same boot: `wall(later) - (mono(later) - mono(earlier))`. Nil across boots.
public enum WallClockCorrection {
    public static func correctedWallMs(of earlier: EventTime, using syncedLater: EventTime, laterWallMs: Int64) -> Int64? {
        guard earlier.boot == syncedLater.boot, syncedLater.synced else { return nil }
        let deltaNs = Int64(bitPattern: syncedLater.monoNs &- earlier.monoNs)
        return laterWallMs - deltaNs / 1_000_000
    }
}
