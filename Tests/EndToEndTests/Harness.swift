import Foundation
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Where the package's built executables are: next to the test bundle.
enum Binaries {
    static let directory: URL = {
        let bundleDir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [bundleDir, bundleDir.deletingLastPathComponent()] {
            if FileManager.default.isExecutableFile(atPath: candidate.appendingPathComponent("gridlinkd").path) { return candidate }
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug")
    }()

    static var gridlinkd: String { directory.appendingPathComponent("gridlinkd").path }
    static var gridlinkctl: String { directory.appendingPathComponent("gridlinkctl").path }
}

/// A private directory for one test, removed at the end.
final class TestDirectory {
    let path: String
    init() {
        // Short path: the control socket lives here and sun_path is 108 bytes.
        path = "/tmp/gl-" + String(UUID().uuidString.prefix(8)).lowercased()
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// A test profile: the demo's buttons and LEDs, with short timings so hundreds of presses are quick.
func writeTestProfile(in dir: TestDirectory, debounceMs: Int = 2, doublePressMs: Int = 0) throws -> String {
    let text = """
        site = "test-grid"
        device = "kiosk-t1"
        profile = "demo"
        [broker]
        host = "127.0.0.1"
        port = 1
        keepalive_s = 5
        [uplink]
        inflight_window = 16
        backoff_initial_ms = 50
        backoff_max_ms = 400
        [gpio]
        chip = "sim"
        debounce_ms = \(debounceMs)
        long_press_ms = 300
        stuck_ms = 10000
        double_press_ms = \(doublePressMs)
        [[button]]
        name = "proxy"
        line = 5
        kind = "request.proxy"
        [[button]]
        name = "repair"
        line = 6
        kind = "request.repair"
        [feedback]
        received_line = 20
        accepted_line = 21
        done_line = 22
        """
    let path = dir.path + "/device.toml"
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// A real gridlinkd process on a test profile, with its log in the test directory.
final class DaemonProcess: @unchecked Sendable {
    // @unchecked: `process` is read and replaced under `lock` (a test may kill from another thread).
    private let lock = NSLock()
    let configPath: String
    let stateDir: String
    let brokerPort: UInt16
    /// `--broker` as given: one HOST:PORT or a comma-separated list.
    let brokerSpec: String
    let logPath: String
    private var process: ChildProcess?

    init(configPath: String, stateDir: String, brokerPort: UInt16, brokerSpec: String? = nil, logPath: String? = nil) {
        self.configPath = configPath
        self.stateDir = stateDir
        self.brokerPort = brokerPort
        self.brokerSpec = brokerSpec ?? "127.0.0.1:\(brokerPort)"
        self.logPath = logPath ?? stateDir + "/gridlinkd.log"
    }

    var commonArguments: [String] { ["--config", configPath, "--broker", brokerSpec, "--state-dir", stateDir] }

    func start() throws {
        // ChildProcess, not Foundation's Process: the daemon must see SIGTERM (see ChildProcess).
        let process = try ChildProcess(path: Binaries.gridlinkd, arguments: commonArguments, outputPath: logPath)
        lock.withLock { self.process = process }
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let result = try? ctl(["status", "--json"]), result.status == 0 { return }
            if !process.isRunning { break }
            usleep(20_000)
        }
        throw HarnessError("gridlinkd did not come up; log:\n\(log())")
    }

    /// SIGKILL: no chance to flush or say goodbye.
    func kill9() {
        guard let process = lock.withLock({ self.process }), process.isRunning else { return }
        process.signal(SIGKILL)
        _ = process.waitForExit(timeoutMs: 10_000)
    }

    /// SIGTERM and wait: the graceful path.
    func terminate() -> Int32? {
        guard let process = lock.withLock({ self.process }), process.isRunning else { return nil }
        process.signal(SIGTERM)
        guard process.waitForExit(timeoutMs: 15_000) else { return nil }
        return process.exitCode
    }

    var isRunning: Bool { lock.withLock { process?.isRunning ?? false } }

    func ctl(_ arguments: [String]) throws -> CommandResult {
        guard let verb = arguments.first else { throw HarnessError("no verb") }
        var full = [verb]
        var rest = Array(arguments.dropFirst())
        if verb == "sim", let sub = rest.first {
            full.append(sub)
            rest.removeFirst()
        }
        return try runCommand(Binaries.gridlinkctl, full + commonArguments + rest)
    }

    /// Presses a button; returns the daemon's JSON report, or nil if the press was not reported stored.
    func press(_ button: String, long: Bool = false, holdMs: Int? = 8) throws -> PressResult? {
        var arguments = ["sim", "press", button, "--json"]
        if long { arguments.append("--long") } else if let holdMs { arguments += ["--hold-ms", "\(holdMs)"] }
        let result = try ctl(arguments)
        guard result.status == 0 else { return nil }
        return try JSONDecoder().decode(PressResult.self, from: Data(result.stdout.utf8))
    }

    func status() throws -> [String: Any] {
        let result = try ctl(["status", "--json"])
        guard result.status == 0, let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] else {
            throw HarnessError("status failed: \(result.stderr)")
        }
        return object
    }

    func log() -> String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

}

/// `gridlinkctl sim press --json` output.
struct PressResult: Decodable {
    var seq: UInt64
    var id: String
    var kind: String
    var press: String
    var storedAfterUs: Int
    var commitUs: Int
    var leds: [String: Bool]
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Polls `condition` every 20 ms until it holds or `seconds` pass.
func waitFor(seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        usleep(20_000)
    }
    return try condition()
}
