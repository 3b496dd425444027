import GPIO
import GridLinkCore
import GridLinkDaemon

/// `gridlinkctl check`: every check a technician needs on site, each independent, so one broken
/// part never hides another. Exit status 0 only when nothing failed (warnings are allowed).
public struct SelfCheck: Sendable {
    public var config: DeviceConfig
    /// How long the broker check waits for CONNACK and PUBACK.
    public var brokerTimeoutMs = 5000
    /// Opens the real chip for the line check (`gridlinkctl check` passes the libgpiod chip);
    /// nil gives a real chip only the presence check.
    public var openChip: (@Sendable (GPIOConfig) throws -> GPIOChip)?

    public init(config: DeviceConfig) { self.config = config }

    /// Runs every check in the order a technician would fix things.
    public func run() -> [CheckItem] {
        lineCheck(after: GPIOCheck.chip(config.gpio)) + [
            StorageCheck.check(stateDir: config.paths.stateDir),
            OutboxHealthCheck.check(outboxPath: config.outboxPath, controlSocket: config.controlSocketPath),
            ClockCheck.check(synchronised: HostClock.isSynchronised()),
            BrokerCheck.check(config, timeoutMs: brokerTimeoutMs),
            CertificateCheck.check(config.broker.security, site: config.site, device: config.device),
        ]
    }

    /// The line check, when the chip is present and can be opened.
    private func lineCheck(after chip: [CheckItem]) -> [CheckItem] {
        guard !config.gpio.isSimulated, chip.allSatisfy({ $0.status == .ok }) else { return chip }
        guard let openChip else {
            return chip + [CheckItem("lines", .skip, "line levels are not read: no chip backend given")]
        }
        do {
            let opened = try openChip(config.gpio)
            defer { opened.close() }
            return chip + [GPIOCheck.lines(config, on: opened)]
        } catch {
            return chip + [CheckItem("lines", .fail, "cannot open \(config.gpio.chip): \(error)",
                                     fix: "stop whatever holds the lines (gpioinfo shows the consumer), or check the gpio group's access")]
        }
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
