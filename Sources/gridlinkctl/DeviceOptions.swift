import ArgumentParser
import ConfigFile
import Control
import GridLinkCore
#if canImport(Glibc)
import Glibc
#endif

/// How to find the daemon: its profile (with the same overrides gridlinkd takes) or a socket path.
/// Without either, the installed profile /etc/gridlink/device.toml, as on a provisioned board.
struct DeviceOptions: ParsableArguments {
    static let installedProfile = "/etc/gridlink/device.toml"

    @Option(help: "The device profile gridlinkd runs with (default: \(DeviceOptions.installedProfile)).")
    var config: String?
    @Option(help: "Broker override (HOST:PORT), as given to gridlinkd.")
    var broker: String?
    @Option(name: .customLong("state-dir"), help: "State directory override, as given to gridlinkd.")
    var stateDir: String?
    @Option(help: "Control socket path (default: from the profile).")
    var socket: String?

    func socketPath() throws -> String {
        if let socket { return socket }
        do {
            return try ConfigLoader.load(path: config ?? Self.installedProfile, overrides: ConfigOverrides(broker: broker, stateDir: stateDir)).controlSocketPath
        } catch {
            printError("\(error)")
            throw Exit.config
        }
    }

    /// Sends one request; prints why and exits 69 if the daemon cannot be reached.
    func send(_ request: ControlRequest, timeoutSeconds: Int = 30) throws -> ControlResponse {
        let path = try socketPath()
        do {
            return try ControlClient.send(request, to: path, timeoutSeconds: timeoutSeconds)
        } catch {
            printError("cannot reach gridlinkd: \(error) (is it running? try: systemctl status gridlinkd)")
            throw Exit.unavailable
        }
    }
}

func printError(_ message: String) {
    let line = Array((message + "\n").utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

func printJSON(_ value: some Encodable) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
    if let data = try? encoder.encode(value) { print(String(decoding: data, as: UTF8.self)) }
}
