import ConfigFile
import Foundation
import GridLinkCore
import Testing

@Suite struct ConfigLoaderTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test(arguments: ["demo.toml", "kiosk.toml"])
    func shippedProfilesAreValid(name: String) throws {
        let config = try ConfigLoader.load(path: Self.root.appendingPathComponent("device-config/\(name)").path)
        #expect(config.buttons.map(\.name) == ["proxy", "repair"])
        #expect(config.buttons.map(\.kind) == [.requestProxy, .requestRepair])
    }

    @Test func demoProfileValuesAreReadExactly() throws {
        let config = try ConfigLoader.load(path: Self.root.appendingPathComponent("device-config/demo.toml").path)
        #expect(config.site == "demo-grid")
        #expect(config.device == "kiosk-demo-1")
        #expect(config.gpio == GPIOConfig(chip: "sim", debounceMs: 10, longPressMs: 800, stuckMs: 20000))
        #expect(config.buttons[0] == ButtonConfig(name: "proxy", line: .offset(5), kind: .requestProxy, activeLow: true))
        #expect(config.feedback == FeedbackConfig(receivedLine: .offset(20), acceptedLine: .offset(21), doneLine: .offset(22), statusLine: .offset(23), buzzerLine: .offset(24)))
        #expect(config.controlSocketPath == "/run/gridlink/gridlinkd.sock")
    }

    @Test func overridesReplaceBrokerAndMoveTheSocketWithTheStateDir() throws {
        let config = try ConfigLoader.load(path: Self.root.appendingPathComponent("device-config/demo.toml").path,
                                           overrides: ConfigOverrides(broker: "127.0.0.1:40001", stateDir: "/tmp/gl-x"))
        #expect(config.broker.host == "127.0.0.1")
        #expect(config.broker.port == 40001)
        #expect(config.outboxPath == "/tmp/gl-x/outbox.sqlite")
        #expect(config.controlSocketPath == "/tmp/gl-x/gridlinkd.sock")
    }

    static let minimal = """
        site = "s1"
        device = "d1"
        profile = "kiosk"

        [gpio]
        chip = "sim"

        [[button]]
        name = "proxy"
        line = 17
        kind = "request.proxy"

        [[button]]
        name = "repair"
        line = 17
        kind = "request.repair"
        """

    func problems(_ text: String, overrides: ConfigOverrides = .init()) -> [String] {
        do {
            _ = try ConfigLoader.parse(text: text, file: "device.toml", overrides: overrides)
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }

    @Test func aLineUsedTwiceNamesBothButtonsAndTheLine() {
        #expect(problems(Self.minimal) == [
            "config device.toml:15: button[1].line: button 'repair' uses line 17, already used by 'proxy'; give it its own line"
        ])
    }

    @Test func everyProblemIsReportedAtOnceWithItsLine() {
        let text = """
            site = "Hongmiao 03"
            device = "d1"
            profile = "kiosk"

            [broker]
            port = 70000
            hots = "x"

            [[button]]
            name = "proxy"
            line = 5
            kind = "request.proxy"
            """
        #expect(problems(text) == [
            "config device.toml:7: broker.hots: is not a known setting; known here: host, port, keepalive_s (see docs/config.md)"
        ], "typos are reported before range checks, which only run on a readable file")
        let fixed = text.replacingOccurrences(of: "hots = \"x\"", with: "")
        #expect(problems(fixed) == [
            "config device.toml:1: site: 'Hongmiao 03' must be 1–64 characters of a-z, 0-9, '_' or '-' (it becomes an MQTT topic level)",
            "config device.toml:6: broker.port: 70000 is not a TCP port; use 1–65535 (1883 plain, 8883 TLS)",
        ])
    }

    @Test func syntaxErrorsCarryTheParsersLine() {
        let result = problems("site = \"a\"\ndevice = \"b\"\nprofile = kiosk\n")
        #expect(result.count == 1)
        #expect(result[0].hasPrefix("config device.toml:3: syntax: "))
        #expect(result[0].hasSuffix("fix the TOML syntax on that line"))
    }

    @Test func wrongTypesAndMissingKeys() {
        let text = """
            site = "s"
            profile = "kiosk"
            [gpio]
            debounce_ms = "20"
            [[button]]
            name = "proxy"
            kind = "request.proxy"
            """
        #expect(problems(text) == [
            "config device.toml: device: is missing; add device = \"…\"",
            "config device.toml:4: gpio.debounce_ms: must be a whole number without quotes",
            "config device.toml:5: button[0].line: is missing; add line = OFFSET or line = \"LINE_NAME\"",
        ])
    }

    @Test func badBrokerOverride() {
        let valid = Self.minimal.replacingOccurrences(of: "line = 17\nkind = \"request.repair\"", with: "line = 18\nkind = \"request.repair\"")
        #expect(problems(valid) == [])
        #expect(problems(valid, overrides: ConfigOverrides(broker: "localhost")) == [
            "config device.toml: --broker: 'localhost' is not HOST:PORT (for example 127.0.0.1:1883)"
        ])
    }
}
