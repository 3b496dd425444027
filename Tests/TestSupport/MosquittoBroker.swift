import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A private `mosquitto` broker on 127.0.0.1 for tests.
///
/// Everything it writes (config, persistence database, log) lives in its own temporary
/// ``directory``, removed on deinit. With `persistent: true` a ``stop()`` (SIGTERM, which makes
/// mosquitto save its database) followed by ``start()`` keeps persistent sessions, their
/// subscriptions and queued QoS 1 messages, and retained messages.
public final class MosquittoBroker: @unchecked Sendable {
    // @unchecked Sendable is safe because the only mutable field, `process`, is read and written
    // only while holding `lock`; everything else is immutable.

    /// The TCP port the broker listens on, on 127.0.0.1 only.
    public let port: UInt16
    /// The temporary directory holding `mosquitto.conf`, the database and `mosquitto.log`.
    public let directory: String

    private let configPath: String
    private let logPath: String
    private let outputPath: String
    private let lock = NSLock()
    private var process: ChildProcess?

    /// Writes the configuration; the broker is not started yet.
    /// - Parameters:
    ///   - port: listening port; a free one by default.
    ///   - persistent: keep sessions and messages across stop/start in ``directory``.
    ///   - allowAnonymous: `false` makes the broker refuse every client (no password file),
    ///     for testing refused CONNACKs.
    ///   - verboseLog: `log_type all` (every packet); off for tests moving 100k messages.
    ///   - extraConfig: more `mosquitto.conf` lines (e.g. `max_queued_messages 0`).
    public init(port: UInt16? = nil, persistent: Bool = true, allowAnonymous: Bool = true,
                verboseLog: Bool = true, extraConfig: [String] = []) throws {
        self.port = port ?? freeLoopbackPort()
        var template = Array("\(NSTemporaryDirectory())/gridlink-mosquitto-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw BrokerError("mkdtemp failed: \(String(cString: strerror(errno)))")
        }
        directory = String(cString: made)
        configPath = directory + "/mosquitto.conf"
        logPath = directory + "/mosquitto.log"
        outputPath = directory + "/mosquitto.out"
        var lines = [
            "listener \(self.port) 127.0.0.1",
            "allow_anonymous \(allowAnonymous)",
            "log_dest file \(logPath)",
            verboseLog ? "log_type all" : "log_type error\nlog_type warning\nlog_type notice",
            "connection_messages true",
        ]
        if persistent {
            lines += ["persistence true", "persistence_location \(directory)/", "persistence_file mosquitto.db"]
        } else {
            lines += ["persistence false"]
        }
        // Run as root, mosquitto 2 switches to the `mosquitto` user, which cannot write here.
        if geteuid() == 0 { lines.append("user root") }
        lines += extraConfig
        try (lines.joined(separator: "\n") + "\n").write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Whether the broker process is alive.
    public var isRunning: Bool {
        lock.withLock { process?.isRunning ?? false }
    }

    /// Starts `mosquitto -c <conf>` and waits up to 5 s until 127.0.0.1:``port`` accepts TCP.
    /// Throws, with the end of the broker's log, if it exits or does not listen in time.
    public func start() throws {
        let executable = try Self.executablePath()
        try lock.withLock {
            if let process, process.isRunning { return }
            process = try ChildProcess(path: executable, arguments: ["-c", configPath], outputPath: outputPath)
        }
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            if LoopbackSocket.accepts(port: port) { return }
            if !isRunning { break }
            usleep(20_000)
        }
        let exited = !isRunning
        kill()
        throw BrokerError("mosquitto on 127.0.0.1:\(port) \(exited ? "exited" : "did not listen within 5 s")\n\(logTail())")
    }

    /// SIGTERM, wait for the exit (mosquitto saves its database), SIGKILL after 5 s.
    public func stop() {
        guard let process = takeProcess() else { return }
        process.signal(SIGTERM)
        if !process.waitForExit(timeoutMs: 5000) {
            process.signal(SIGKILL)
            _ = process.waitForExit(timeoutMs: 5000)
        }
    }

    /// SIGKILL: the broker dies at once, saving nothing.
    public func kill() {
        guard let process = takeProcess() else { return }
        process.signal(SIGKILL)
        _ = process.waitForExit(timeoutMs: 5000)
    }

    /// The last lines of the broker's log and of its stdout/stderr, for failure messages.
    public func logTail(lines count: Int = 30) -> String {
        [outputPath, logPath].map { path in
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            return "--- \(path)\n" + text.split(separator: "\n").suffix(count).joined(separator: "\n")
        }.joined(separator: "\n")
    }

    private func takeProcess() -> ChildProcess? {
        lock.withLock {
            defer { process = nil }
            return process
        }
    }

    private static func executablePath() throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let candidates = ["/usr/sbin/mosquitto"] + path.split(separator: ":").map { "\($0)/mosquitto" }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw BrokerError("mosquitto not found in /usr/sbin or PATH (apt-get install mosquitto)")
        }
        return found
    }
}

/// Why a ``MosquittoBroker`` could not be set up or started.
public struct BrokerError: Error, CustomStringConvertible {
    /// What went wrong, with the broker's log tail where there is one.
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
