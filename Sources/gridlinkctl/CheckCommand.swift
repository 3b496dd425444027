import ArgumentParser
import ConfigFile
import GPIO
import GridLinkCore
import Technician

/// `gridlinkctl check`: the on-site self-test.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Self-test: GPIO chip, storage, clock, broker (TLS, credentials, PUBACK), certificate. Says what is wrong and how to fix it; exit 0 only if nothing failed.")
    @Option(help: "The device profile.") var config = "/etc/gridlink/device.toml"
    @Option(help: "Broker override (HOST:PORT).") var broker: String?
    @Option(name: .customLong("state-dir"), help: "State directory override.") var stateDir: String?
    @Option(name: .customLong("timeout-ms"), help: "How long to wait for the broker.") var timeoutMs = 5000
    @Flag(help: "Print JSON instead of text.") var json = false

    func run() throws {
        let device: DeviceConfig
        do {
            device = try ConfigLoader.load(path: config, overrides: ConfigOverrides(broker: broker, stateDir: stateDir))
        } catch {
            printError("\(error)")
            throw Exit.config
        }
        var check = SelfCheck(config: device)
        check.brokerTimeoutMs = timeoutMs
        check.openChip = { gpio in try LibgpiodChip(spec: gpio.chip) }
        let items = check.run()
        if json {
            printJSON(items)
        } else {
            for item in items { print(item.text) }
            print(SelfCheck.passed(items) ? "all checks passed" : "some checks FAILED: fix the lines marked FAIL and run gridlinkctl check again")
        }
        if !SelfCheck.passed(items) { throw Exit.failed }
    }
}
