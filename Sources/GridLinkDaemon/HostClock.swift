#if canImport(Glibc)
import Glibc
#endif
import CLinux
import GridLinkCore

/// The host's clocks and boot identity, for the honest-time block of each event
/// (DESIGN.md guarantee 5). The only place the daemon reads a clock.
public struct HostClock: Sendable {
    /// The kernel boot id: monotonic timestamps are comparable only within one boot.
    public let bootId: String

    public init() {
        let raw = (try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8)) ?? ""
        let trimmed = raw.filter { !$0.isWhitespace }
        bootId = trimmed.isEmpty ? "unknown" : trimmed
    }

    /// CLOCK_MONOTONIC in ns — the clock the kernel stamps GPIO edge events with.
    public static func monotonicNs() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    /// Wall clock in Unix milliseconds (may be wrong right after boot on boards without an RTC).
    public static func wallMs() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }

    /// Whether the kernel says the wall clock is NTP-synchronised: adjtimex(2) returns
    /// TIME_ERROR (5) and sets STA_UNSYNC (0x40) while it is not.
    public static func isSynchronised() -> Bool {
        var info = timex()
        let state = adjtimex(&info)
        return state >= 0 && state != 5 && (info.status & 0x40) == 0
    }

    /// The wall-clock time at which a monotonic timestamp happened, derived from now.
    public static func wallMs(atMonotonic monoNs: UInt64) -> Int64 {
        let nowMono = monotonicNs()
        let ageMs = nowMono > monoNs ? Int64((nowMono - monoNs) / 1_000_000) : 0
        return wallMs() - ageMs
    }

    public static func sleep(milliseconds: Int) {
        usleep(UInt32(max(0, milliseconds)) * 1000)
    }
}

extension HostClock: DeviceClock {
    public func nowMonotonicNs() -> UInt64 { Self.monotonicNs() }
    public func nowWallMs() -> Int64 { Self.wallMs() }
    public func isClockSynchronised() -> Bool { Self.isSynchronised() }
}
