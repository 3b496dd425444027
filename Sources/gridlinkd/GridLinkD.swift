import ArgumentParser
import ConfigFile
import GridLinkCore
import GridLinkDaemon
import Logging
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#endif

/// `gridlinkd`: the device daemon. Runs until SIGTERM or SIGINT, then drains gracefully.
@main
struct GridLinkD: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gridlinkd",
        abstract: "Reads kiosk and gate inputs, stores each event durably and publishes it over MQTT.",
        version: GridLinkVersion.current)

    @OptionGroup var common: DaemonOptions

    func run() async throws {
        // One line per event on stderr; under systemd, with journald priorities (see GridLinkLogHandler).
        // GRIDLINK_LOG=debug adds a line per acknowledged event (the demo uses it).
        let level = getenv("GRIDLINK_LOG").flatMap { Logger.Level(rawValue: String(cString: $0)) } ?? .info
        let sink = LogSink(format: LogSink.detectFormat())
        LoggingSystem.bootstrap { label in GridLinkLogHandler(label: label, level: level, sink: sink) }
        let logger = Logger(label: "gridlinkd")
        let notifications: ServiceNotifications
        do {
            notifications = ServiceNotifications(notifier: try SystemdNotifier.fromEnvironment())
        } catch {
            logger.warning("\(error)")
            notifications = ServiceNotifications(notifier: nil)
        }
        let config: DeviceConfig
        do {
            config = try ConfigLoader.load(path: common.config, overrides: ConfigOverrides(broker: common.broker, stateDir: common.stateDir))
        } catch {
            printError("\(error)")
            throw ExitCode(ConfigError.exitCode)
        }
        let daemon: Daemon
        // While the chip is missing, the control socket already answers: "waiting for GPIO chip …".
        let startup = StartupControl(path: config.controlSocketPath, logger: logger)
        do {
            daemon = try Daemon(config: config, logger: logger, waitingForChip: { problem in
                startup.waiting(problem)
                notifications.extendStart(seconds: 3 * Int(ChipAttach.retrySeconds), status: problem)
            }, chipAttached: { startup.finish() })
        } catch {
            startup.finish()
            logger.critical("cannot start: \(error)")
            notifications.status("cannot start: \(error)")
            throw ExitCode(1)
        }
        let group = ServiceGroup(configuration: .init(
            services: [DaemonService(daemon: daemon, notifications: notifications, logger: logger)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }
}

/// Options shared with `gridlinkctl`: the profile and the two overrides tests and technicians use.
struct DaemonOptions: ParsableArguments {
    @Option(help: "The device profile (TOML), e.g. /etc/gridlink/device.toml.")
    var config: String
    @Option(help: "Use this broker (HOST:PORT) instead of the profile's.")
    var broker: String?
    @Option(name: .customLong("state-dir"), help: "Keep the outbox (and the control socket, unless configured) in DIR.")
    var stateDir: String?
}

/// Runs the daemon inside swift-service-lifecycle: started on `run`, stopped on graceful shutdown.
/// Tells systemd READY=1 once the control socket listens, feeds the watchdog while the loops are
/// healthy (HealthMonitor) and says STOPPING=1 when shutdown begins.
struct DaemonService: Service {
    let daemon: Daemon
    let notifications: ServiceNotifications
    let logger: Logger

    func run() async throws {
        daemon.start()
        let monitor = notifications.isActive
            ? HealthMonitor(daemon: daemon, notifications: notifications,
                            plan: WatchdogPlan(environment: Self.environment(), pid: getpid()), logger: logger)
            : nil
        notifications.ready(status: "started: \(daemon.config.site)/\(daemon.config.device), connecting to the broker")
        monitor?.start()
        try? await gracefulShutdown()
        notifications.stopping()
        monitor?.stop()
        daemon.stop()
    }

    /// The two variables `WatchdogPlan` reads.
    private static func environment() -> [String: String] {
        var environment: [String: String] = [:]
        for name in ["WATCHDOG_USEC", "WATCHDOG_PID"] {
            if let value = getenv(name) { environment[name] = String(cString: value) }
        }
        return environment
    }
}

func printError(_ message: String) {
    let line = Array((message + "\n").utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}
