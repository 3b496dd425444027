import Foundation
import TestSupport
import Testing

/// Issue 9 item 2: a profile a technician mistyped must never crash either binary. Each case runs the
/// real `gridlinkctl config validate` and the real `gridlinkd` and expects exit 78 (EX_CONFIG) with a
/// message naming the file's line, never a signal (an abort is exit 134 and a core dump per restart).
@Suite struct BadProfileEndToEndTests {
    static let header = """
        site = "test-grid"
        device = "kiosk-t1"
        profile = "demo"
        [[button]]
        name = "proxy"
        line = 5
        kind = "request.proxy"

        """

    /// (what follows the valid header, the line the message must name, a phrase it must contain)
    static let cases: [(String, Int, String)] = [
        ("[.]\n", 8, "table header"),
        ("[=]\n", 8, "table header"),
        ("[,]\n", 8, "table header"),
        ("[ .]\n", 8, "table header"),
        ("[feedback]\nstatus_line = 9223372036854775807\n", 9, "status_line"),
        ("[feedback]\nstatus_line = 9223372036854775808\n", 9, "range"),
        ("[gpio]\nstuck_ms = 9223372036854775807\n", 9, "stuck_ms"),
        ("[uplink]\nbackoff_max_ms = 9223372036854775807\n", 9, "backoff_max_ms"),
        ("[telemetry]\ninterval_s = 9223372036854775807\n", 9, "interval_s"),
    ]

    @Test(arguments: 0..<cases.count)
    func configValidateRefusesWithTheLine(index: Int) throws {
        let (tail, line, phrase) = Self.cases[index]
        let dir = TestDirectory()
        let path = dir.path + "/device.toml"
        try (Self.header + tail).write(toFile: path, atomically: true, encoding: .utf8)
        let result = try runCommand(Binaries.gridlinkctl, ["config", "validate", path])
        #expect(result.status == 78, "gridlinkctl exit \(result.status): \(result.stderr)")
        #expect(result.stderr.contains("\(path):\(line):"), "\(result.stderr)")
        #expect(result.stderr.contains(phrase), "\(result.stderr)")
    }

    @Test(arguments: 0..<cases.count)
    func daemonRefusesToStartWithTheLine(index: Int) throws {
        let (tail, line, phrase) = Self.cases[index]
        let dir = TestDirectory()
        let path = dir.path + "/device.toml"
        try (Self.header + tail).write(toFile: path, atomically: true, encoding: .utf8)
        let result = try runCommand(Binaries.gridlinkd, ["--config", path, "--state-dir", dir.path, "--broker", "127.0.0.1:1"])
        #expect(result.status == 78, "gridlinkd exit \(result.status): \(result.stderr)")
        #expect(result.stderr.contains("\(path):\(line):"), "\(result.stderr)")
        #expect(result.stderr.contains(phrase), "\(result.stderr)")
    }
}
