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
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            // GRIDLINK_LOG=debug adds a line per acknowledged event (the demo uses it).
            handler.logLevel = getenv("GRIDLINK_LOG").flatMap { Logger.Level(rawValue: String(cString: $0)) } ?? .info
            return handler
        }
        let logger = Logger(label: "gridlinkd")
        let config: DeviceConfig
        do {
            config = try ConfigLoader.load(path: common.config, overrides: ConfigOverrides(broker: common.broker, stateDir: common.stateDir))
        } catch {
            printError("\(error)")
            throw ExitCode(ConfigError.exitCode)
        }
        let daemon: Daemon
        do {
            daemon = try Daemon(config: config, logger: logger)
        } catch {
            logger.critical("cannot start: \(error)")
            throw ExitCode(1)
        }
        let group = ServiceGroup(configuration: .init(
            services: [DaemonService(daemon: daemon)],
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
struct DaemonService: Service {
    let daemon: Daemon

    func run() async throws {
        daemon.start()
        try? await gracefulShutdown()
        daemon.stop()
    }
}

func printError(_ message: String) {
    let line = Array((message + "\n").utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}
