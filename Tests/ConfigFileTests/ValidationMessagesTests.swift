import ConfigFile
import Foundation
import GridLinkCore
import Testing

/// Every validation message, exactly as a technician reads it: one mistake per case in an
/// otherwise valid profile, with the file, line, value and fix.
@Suite struct ValidationMessagesTests {
    static let base = """
        site = "s1"
        device = "d1"
        profile = "kiosk"
        [broker]
        host = "b"
        port = 1883
        keepalive_s = 30
        [uplink]
        inflight_window = 32
        backoff_initial_ms = 500
        backoff_max_ms = 60000
        [gpio]
        chip = "sim"
        debounce_ms = 30
        long_press_ms = 1500
        stuck_ms = 30000
        [[button]]
        name = "proxy"
        line = 17
        kind = "request.proxy"
        [[button]]
        name = "repair"
        line = 18
        kind = "request.repair"
        [feedback]
        received_line = 22
        """

    /// One mistake: `replace` swapped for `with` in `base`, and the exact problems expected.
    struct Case: Sendable, CustomTestStringConvertible {
        var replace: String
        var with: String
        var expected: [String]
        var testDescription: String { "\(replace) → \(with)" }
    }

    static let cases: [Case] = [
        Case(replace: "device = \"d1\"", with: "device = \"D1\"", expected: ["config device.toml:2: device: 'D1' must be 1–64 characters of a-z, 0-9, '_' or '-' (it becomes an MQTT topic level)"]),
        Case(replace: "profile = \"kiosk\"", with: "profile = \"kioks\"", expected: ["config device.toml:3: profile: 'kioks' is not a profile; use kiosk, gate or demo"]),
        Case(replace: "host = \"b\"", with: "host = \"\"", expected: ["config device.toml:5: broker.host: is empty; set the broker's host name or address"]),
        Case(replace: "keepalive_s = 30", with: "keepalive_s = 2", expected: ["config device.toml:7: broker.keepalive_s: 2 is out of range; use 5–3600 seconds"]),
        Case(replace: "inflight_window = 32", with: "inflight_window = 0", expected: ["config device.toml:9: uplink.inflight_window: 0 is out of range; use 1–1000 (32 is a good default)"]),
        Case(replace: "backoff_initial_ms = 500", with: "backoff_initial_ms = 5", expected: ["config device.toml:10: uplink.backoff_initial_ms: 5 is out of range; use 10–3600000 ms (500 is a good default)"]),
        Case(replace: "backoff_max_ms = 60000", with: "backoff_max_ms = 100", expected: ["config device.toml:11: uplink.backoff_max_ms: 100 is below backoff_initial_ms (500); raise it"]),
        Case(replace: "chip = \"sim\"", with: "chip = \"\"", expected: ["config device.toml:13: gpio.chip: is empty; use \"sim\" or a chip such as \"gpiochip0\""]),
        Case(replace: "debounce_ms = 30", with: "debounce_ms = 0", expected: ["config device.toml:14: gpio.debounce_ms: 0 is out of range; use 1–1000 ms (20–50 suits push buttons)"]),
        Case(replace: "long_press_ms = 1500", with: "long_press_ms = 20", expected: ["config device.toml:15: gpio.long_press_ms: 20 must be longer than debounce_ms (30)"]),
        Case(replace: "stuck_ms = 30000", with: "stuck_ms = 1000", expected: ["config device.toml:16: gpio.stuck_ms: 1000 must be longer than long_press_ms (1500)"]),
        Case(replace: "name = \"repair\"", with: "name = \"Repair!\"", expected: ["config device.toml:22: button[1].name: 'Repair!' must be 1–64 characters of a-z, 0-9, '_' or '-'"]),
        Case(replace: "name = \"repair\"", with: "name = \"proxy\"", expected: ["config device.toml:22: button[1].name: 'proxy' is used by another button; give each button its own name"]),
        Case(replace: "kind = \"request.repair\"", with: "kind = \"gate.entry\"", expected: ["config device.toml:24: button[1].kind: 'gate.entry' is not a button kind; use request.proxy or request.repair"]),
        Case(replace: "line = 18", with: "line = -1", expected: ["config device.toml:23: button[1].line: -1 is not a line offset; use 0–65535 (the number gpioinfo shows) or the line's name"]),
        Case(replace: "received_line = 22", with: "received_line = 18", expected: ["config device.toml:26: feedback.received_line: LED 'received' uses line 18, already used by 'repair'; give it its own line"]),
        // Out of range: refused here, not when gridlinkd starts (issue 9).
        Case(replace: "received_line = 22", with: "received_line = 9223372036854775807", expected: ["config device.toml:26: feedback.received_line: 9223372036854775807 is not a line offset; use 0–65535 (the number gpioinfo shows) or the line's name"]),
        Case(replace: "stuck_ms = 30000", with: "stuck_ms = 9223372036854775807", expected: ["config device.toml:16: gpio.stuck_ms: 9223372036854775807 is out of range; use at most 86400000 ms (one day)"]),
        Case(replace: "backoff_max_ms = 60000", with: "backoff_max_ms = 9223372036854775807", expected: ["config device.toml:11: uplink.backoff_max_ms: 9223372036854775807 is out of range; use at most 3600000 ms (one hour)"]),
        Case(replace: "stuck_ms = 30000", with: "stuck_ms = 9223372036854775808", expected: ["config device.toml:16: syntax: 9223372036854775808 is out of range for a whole number (at most 9223372036854775807); use a value the setting allows; fix the TOML syntax on that line"]),
        Case(replace: "line = 18", with: "line = true", expected: ["config device.toml:23: button[1].line: must be a line offset (17) or a line name (\"BTN_PROXY\")"]),
        Case(replace: "host = \"b\"", with: "host = 5", expected: ["config device.toml:5: broker.host: must be a quoted string"]),
        Case(replace: "[gpio]\nchip = \"sim\"", with: "gpio = 1\nchip = \"sim\"", expected: [
            "config device.toml:13: uplink.chip: is not a known setting; known here: inflight_window, backoff_initial_ms, backoff_max_ms, drain_rate_per_s (see docs/config.md)",
            "config device.toml:14: uplink.debounce_ms: is not a known setting; known here: inflight_window, backoff_initial_ms, backoff_max_ms, drain_rate_per_s (see docs/config.md)",
            "config device.toml:12: uplink.gpio: is not a known setting; known here: inflight_window, backoff_initial_ms, backoff_max_ms, drain_rate_per_s (see docs/config.md)",
            "config device.toml:15: uplink.long_press_ms: is not a known setting; known here: inflight_window, backoff_initial_ms, backoff_max_ms, drain_rate_per_s (see docs/config.md)",
            "config device.toml:16: uplink.stuck_ms: is not a known setting; known here: inflight_window, backoff_initial_ms, backoff_max_ms, drain_rate_per_s (see docs/config.md)",
        ]),
        Case(replace: "[feedback]", with: "[feedbak]", expected: ["config device.toml:25: feedbak: is not a known setting; known here: site, device, profile, paths, broker, uplink, gpio, button, gate, feedback, outbox, telemetry (see docs/config.md)"]),
        Case(replace: "profile = \"kiosk\"", with: "profile = \"kiosk\"\npaths = 1", expected: ["config device.toml:4: paths: must be a [paths] table"]),
        // [broker] security
        Case(replace: "port = 1883", with: "port = 8883\ntls = \"yes\"", expected: ["config device.toml:7: broker.tls: must be true or false"]),
        Case(replace: "port = 1883", with: "port = 8883\ntls = true", expected: ["config device.toml:4: broker.ca_file: is missing; tls = true needs ca_file = \"/etc/gridlink/ca.pem\" (the CA that signed the broker's certificate)"]),
        Case(replace: "port = 1883", with: "port = 1883\ntls = true\nca_file = \"/etc/gridlink/ca.pem\"", expected: ["config device.toml:6: broker.port: 1883 is the plain MQTT port but tls = true; use the broker's TLS port (usually 8883)"]),
        Case(replace: "port = 1883", with: "port = 8883\ntls = true\nca_file = \"ca.pem\"", expected: ["config device.toml:8: broker.ca_file: 'ca.pem' is not an absolute path; write the full path, e.g. /etc/gridlink/ca.pem"]),
        Case(replace: "port = 1883", with: "port = 8883\nca_file = \"/etc/gridlink/ca.pem\"", expected: ["config device.toml:7: broker.ca_file: is set but tls = false; add tls = true to [broker] or remove ca_file"]),
        Case(replace: "port = 1883", with: "port = 8883\ntls = true\nca_file = \"/etc/gridlink/ca.pem\"\ncert_file = \"/etc/gridlink/device.crt\"", expected: ["config device.toml:4: broker.key_file: is missing; cert_file needs its key_file = \"/etc/gridlink/device.key\""]),
        Case(replace: "port = 1883", with: "port = 8883\ntls = true\nca_file = \"/etc/gridlink/ca.pem\"\nkey_file = \"/etc/gridlink/device.key\"", expected: ["config device.toml:4: broker.cert_file: is missing; key_file needs its cert_file = \"/etc/gridlink/device.crt\""]),
        Case(replace: "port = 1883", with: "port = 1883\npassword_file = \"/etc/gridlink/broker.password\"", expected: ["config device.toml:4: broker.username: is missing; password_file is only sent with a username"]),
        Case(replace: "port = 1883", with: "port = 1883\nusername = \"\"", expected: ["config device.toml:7: broker.username: is empty; remove it or set the broker user name"]),
        Case(replace: "[[button]]\nname = \"proxy\"\nline = 17\nkind = \"request.proxy\"\n[[button]]\nname = \"repair\"\nline = 18\nkind = \"request.repair\"\n", with: "", expected: ["config device.toml: button[0].name: a kiosk profile needs at least one [[button]]"]),
    ]

    @Test(arguments: cases)
    func oneMistake(_ mistake: Case) {
        #expect(Self.base.contains(mistake.replace))
        let text = Self.base.replacingOccurrences(of: mistake.replace, with: mistake.with)
        var actual: [String] = []
        do {
            _ = try ConfigLoader.parse(text: text, file: "device.toml")
        } catch {
            actual = error.problems.map(\.description)
        }
        #expect(actual == mistake.expected)
    }

    @Test func theBaseProfileIsValid() throws {
        _ = try ConfigLoader.parse(text: Self.base, file: "device.toml")
    }

    @Test func anUnreadableFileSaysSo() {
        do {
            _ = try ConfigLoader.load(path: "/nonexistent/device.toml")
            Issue.record("a missing file loaded")
        } catch {
            #expect(error.description == "config /nonexistent/device.toml: file: cannot be read; check the path and that the gridlink user may read it")
        }
    }

    @Test func everyProblemAtOnce() {
        let text = Self.base.replacingOccurrences(of: "keepalive_s = 30", with: "keepalive_s = 2")
            .replacingOccurrences(of: "debounce_ms = 30", with: "debounce_ms = 0")
            .replacingOccurrences(of: "line = 18", with: "line = 17")
        var actual: [String] = []
        do { _ = try ConfigLoader.parse(text: text, file: "device.toml") } catch { actual = error.problems.map(\.description) }
        #expect(actual == [
            "config device.toml:7: broker.keepalive_s: 2 is out of range; use 5–3600 seconds",
            "config device.toml:14: gpio.debounce_ms: 0 is out of range; use 1–1000 ms (20–50 suits push buttons)",
            "config device.toml:23: button[1].line: button 'repair' uses line 17, already used by 'proxy'; give it its own line",
        ])
    }
}
