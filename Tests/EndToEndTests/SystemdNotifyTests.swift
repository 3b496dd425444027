import Foundation
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// gridlinkd under a (test-made) systemd: the sd_notify datagrams it sends to $NOTIFY_SOCKET,
/// the watchdog it feeds only while its loops are healthy, and its journald log format.
@Suite(.serialized)
struct SystemdNotifyTests {
    /// A gridlinkd on the test profile with a broker port nobody listens on, started as systemd
    /// would start it: NOTIFY_SOCKET, WATCHDOG_USEC (pings every 200 ms) and extra variables.
    final class NotifiedDaemon {
        let dir = TestDirectory()
        let listener: NotifyListener
        let process: ChildProcess
        let configPath: String
        let brokerPort = freeLoopbackPort()
        var logPath: String { dir.path + "/gridlinkd.log" }

        /// - Parameters:
        ///   - journal: set $JOURNAL_STREAM to the log file, as systemd does for journald's stream.
        ///   - chip: `gpio.chip` of the profile (a path that does not exist makes start-up wait).
        init(socketName: (TestDirectory) -> String, environment: [String: String] = [:], journal: Bool = false,
             chip: String = "sim") throws {
            configPath = try writeTestProfile(in: dir)
            if chip != "sim" {
                let text = try String(contentsOfFile: configPath, encoding: .utf8)
                try text.replacingOccurrences(of: "chip = \"sim\"", with: "chip = \"\(chip)\"").write(toFile: configPath, atomically: true, encoding: .utf8)
            }
            listener = try NotifyListener(name: socketName(dir))
            _ = FileManager.default.createFile(atPath: dir.path + "/gridlinkd.log", contents: nil)
            var variables: [String: String?] = ["NOTIFY_SOCKET": listener.name, "WATCHDOG_USEC": "400000", "WATCHDOG_PID": nil, "JOURNAL_STREAM": nil]
            for (name, value) in environment { variables[name] = value }
            if journal { variables["JOURNAL_STREAM"] = Self.journalStream(of: dir.path + "/gridlinkd.log") }
            process = try ChildProcess(
                path: Binaries.gridlinkd,
                arguments: ["--config", configPath, "--broker", "127.0.0.1:\(brokerPort)", "--state-dir", dir.path],
                outputPath: dir.path + "/gridlinkd.log", environment: variables)
        }

        deinit {
            process.signal(SIGKILL)
            _ = process.waitForExit(timeoutMs: 5000)
        }

        func ctlStatus() throws -> CommandResult {
            try runCommand(Binaries.gridlinkctl, ["status", "--json", "--config", configPath, "--broker", "127.0.0.1:\(brokerPort)", "--state-dir", dir.path])
        }

        func ctl(_ arguments: [String]) throws -> CommandResult {
            try runCommand(Binaries.gridlinkctl, arguments + ["--config", configPath, "--broker", "127.0.0.1:\(brokerPort)", "--state-dir", dir.path])
        }

        /// Whether a `STATUS=` line starting with `prefix` has been sent.
        func sentStatus(_ prefix: String) -> Bool {
            listener.received.flatMap(\.assignments).contains { $0.hasPrefix("STATUS=" + prefix) }
        }

        func log() -> String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

        /// "device:inode" of a file, as systemd writes $JOURNAL_STREAM for the stream it hands over.
        static func journalStream(of path: String) -> String {
            var info = stat()
            stat(path, &info)
            return "\(info.st_dev):\(info.st_ino)"
        }
    }

    @Test("READY=1 comes once the control socket answers, WATCHDOG=1 keeps coming, SIGTERM brings STOPPING=1")
    func readyWatchdogStopping() throws {
        let daemon = try NotifiedDaemon(socketName: { _ in "@gridlink-test-\(UUID().uuidString.prefix(8))" })
        let listener = daemon.listener

        #expect(waitFor(seconds: 15) { !listener.messages(with: "READY=1").isEmpty }, "no READY=1; log:\n\(daemon.log())")
        // READY=1 has been sent, so the control socket must already answer.
        let status = try daemon.ctlStatus()
        #expect(status.status == 0, "gridlinkctl status right after READY=1: \(status.stderr)")
        let ready = try #require(listener.messages(with: "READY=1").first)
        #expect(ready.assignments.contains { $0.hasPrefix("STATUS=started: test-grid/kiosk-t1") })

        #expect(waitFor(seconds: 10) { listener.messages(with: "WATCHDOG=1").count >= 4 }, "watchdog pings stopped; log:\n\(daemon.log())")
        #expect(listener.messages(with: "WATCHDOG=1").allSatisfy { $0.at >= ready.at })
        #expect(waitFor(seconds: 10) {
            listener.received.flatMap(\.assignments).contains { $0.hasPrefix("STATUS=broker not connected (retrying), 0 event(s) waiting") }
        }, "no status line for the dead broker: \(listener.received.map(\.assignments))")

        daemon.process.signal(SIGTERM)
        #expect(daemon.process.waitForExit(timeoutMs: 15_000))
        #expect(daemon.process.exitCode == 0)
        #expect(waitFor(seconds: 2) { !listener.messages(with: "STOPPING=1").isEmpty }, "no STOPPING=1: \(listener.received.map(\.assignments))")
    }

    @Test("Watchdog pings stop while the uplink loop is wedged, and the log and STATUS say which loop")
    func wedgedLoopStopsPings() throws {
        let daemon = try NotifiedDaemon(
            socketName: { $0.path + "/notify.sock" },
            environment: ["GRIDLINK_TEST_WEDGE": "uplink", "GRIDLINK_TEST_WEDGE_AFTER_MS": "1500"])
        let listener = daemon.listener

        #expect(waitFor(seconds: 15) { listener.messages(with: "WATCHDOG=1").count >= 2 }, "no pings before the wedge; log:\n\(daemon.log())")
        #expect(waitFor(seconds: 15) { daemon.log().contains("watchdog: the uplink loop did not answer its heartbeat") },
                "the wedge was not reported; log:\n\(daemon.log())")
        let pingsAtWedge = listener.messages(with: "WATCHDOG=1").count
        usleep(1_500_000)  // over seven ping intervals
        #expect(listener.messages(with: "WATCHDOG=1").count == pingsAtWedge, "pings went on with the uplink loop wedged")
        #expect(listener.received.flatMap(\.assignments).contains("STATUS=unhealthy: the uplink loop is not answering"))
        #expect(daemon.process.isRunning, "the daemon itself stays up: restarting it is systemd's job")
    }

    @Test("Under journald each line carries a <priority> prefix and no timestamp; a repeated warning is written once")
    func journalFormatAndRateLimit() throws {
        let daemon = try NotifiedDaemon(socketName: { _ in "@gridlink-test-\(UUID().uuidString.prefix(8))" }, journal: true)
        // The broker port is dead and the profile retries every 50–400 ms: many failed connects.
        #expect(waitFor(seconds: 15) { daemon.log().components(separatedBy: "uplink: reconnecting").count > 6 }, "log:\n\(daemon.log())")
        daemon.process.signal(SIGTERM)
        #expect(daemon.process.waitForExit(timeoutMs: 15_000))

        let lines = daemon.log().split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("<6>gridlinkd ") && $0.contains(" starting: test-grid/kiosk-t1") }, "\(lines)")
        let malformed = lines.filter { line in !(line.hasPrefix("<") && line.dropFirst().first?.isNumber == true && line.dropFirst(2).hasPrefix(">")) }
        #expect(malformed.isEmpty, "lines without a <N> priority prefix: \(malformed)")
        let refused = lines.filter { $0.contains("uplink: cannot connect to 127.0.0.1:\(daemon.brokerPort)") }
        #expect(refused.count == 1, "a repeated warning is written once per 30 s: \(refused)")
        #expect(refused.allSatisfy { $0.hasPrefix("<4>") })
    }

    @Test("The status line follows the state at once (event stored, broker back), not a watchdog round later")
    func statusLineFollowsState() throws {
        // Watchdog rounds every 30 s, as under WatchdogSec=60s: a status line that waited for the
        // next round would be stale for up to that long.
        let daemon = try NotifiedDaemon(socketName: { _ in "@gridlink-test-\(UUID().uuidString.prefix(8))" },
                                        environment: ["WATCHDOG_USEC": "60000000"])
        #expect(waitFor(seconds: 15) { !daemon.listener.messages(with: "READY=1").isEmpty }, "no READY=1; log:\n\(daemon.log())")

        let press = try daemon.ctl(["sim", "press", "proxy"])
        #expect(press.status == 0, "\(press.stderr)")
        #expect(waitFor(seconds: 3) { daemon.sentStatus("broker not connected (retrying), 1 event(s) waiting") },
                "status lines: \(daemon.listener.received.map(\.assignments))")

        let broker = try MosquittoBroker(port: daemon.brokerPort)
        try broker.start()
        defer { broker.stop() }
        #expect(waitFor(seconds: 5) { daemon.sentStatus("connected to the broker, 0 event(s) waiting") },
                "status lines: \(daemon.listener.received.map(\.assignments))")
    }

    @Test("While start-up waits for a missing GPIO chip, gridlinkctl status answers and says so; systemd's status line too")
    func statusWhileWaitingForChip() throws {
        let chip = "/dev/gpiochip-gridlink-test-missing"
        let daemon = try NotifiedDaemon(socketName: { _ in "@gridlink-test-\(UUID().uuidString.prefix(8))" }, chip: chip)
        #expect(waitFor(seconds: 15) { daemon.sentStatus("waiting for GPIO chip \(chip)") },
                "status lines: \(daemon.listener.received.map(\.assignments))\nlog:\n\(daemon.log())")
        let status = try daemon.ctlStatus()
        #expect(status.status == 1, "exit \(status.status): \(status.stderr)")
        #expect(status.stderr.contains("is running but not ready: waiting for GPIO chip \(chip)"), "\(status.stderr)")
        #expect(!status.stderr.contains("cannot reach gridlinkd"))
        #expect(daemon.listener.messages(with: "READY=1").isEmpty, "not ready while the chip is missing")
    }
}
