import GPIO
import GridLinkCore
import GridLinkDaemon

/// `gridlinkctl check`: every check a technician needs on site, each independent, so one broken
/// part never hides another. Exit status 0 only when nothing failed (warnings are allowed).
public struct SelfCheck: Sendable {
    public var config: DeviceConfig
    /// How long the broker check waits for CONNACK and PUBACK.
    public var brokerTimeoutMs = 5000

    public init(config: DeviceConfig) { self.config = config }

    /// Runs every check in the order a technician would fix things.
    public func run() -> [CheckItem] {
        GPIOCheck.chip(config.gpio) + [
            StorageCheck.check(stateDir: config.paths.stateDir),
            ClockCheck.check(synchronised: HostClock.isSynchronised()),
            BrokerCheck.check(config, timeoutMs: brokerTimeoutMs),
            CertificateCheck.check(config.broker.security, device: config.device),
        ]
    }

    /// True when no item failed.
    public static func passed(_ items: [CheckItem]) -> Bool { !items.contains { $0.status == .fail } }
}

/// Clock: events carry `synced`, but central can only correct unsynchronised boards so far.
public enum ClockCheck {
    public static func check(synchronised: Bool) -> CheckItem {
        synchronised
            ? CheckItem("clock", .ok, "the system clock is NTP-synchronised")
            : CheckItem("clock", .warn, "the system clock is not synchronised (events are marked synced=false)",
                        fix: "check that systemd-timesyncd runs and an NTP server is reachable: timedatectl timesync-status")
    }
}
