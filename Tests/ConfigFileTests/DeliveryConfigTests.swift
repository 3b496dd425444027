import ConfigFile
import GridLinkCore
import Testing

/// The delivery settings: broker list, outbox bounds, drain rate, telemetry interval.
@Suite struct DeliveryConfigTests {
    static let base = """
        site = "s1"
        device = "d1"
        profile = "kiosk"
        [[button]]
        name = "proxy"
        line = 17
        kind = "request.proxy"

        """

    func load(_ text: String, overrides: ConfigOverrides = .init()) throws -> DeviceConfig {
        try ConfigLoader.parse(text: text, file: "device.toml", overrides: overrides)
    }

    func problems(_ text: String) -> [String] {
        do {
            _ = try ConfigLoader.parse(text: text, file: "device.toml", overrides: .init())
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }

    @Test func aListOfBrokersIsTriedInOrderAndTheOldSingleFormStillWorks() throws {
        let list = try load(Self.base + """
            [[broker]]
            host = "node-a.example"
            port = 1883
            [[broker]]
            host = "node-b.example"
            port = 8883
            keepalive_s = 60
            """)
        #expect(list.brokers == [BrokerConfig(host: "node-a.example", port: 1883), BrokerConfig(host: "node-b.example", port: 8883, keepaliveSeconds: 60)])
        let single = try load(Self.base + "[broker]\nhost = \"one.example\"\n")
        #expect(single.brokers == [BrokerConfig(host: "one.example")])
        let overridden = try load(Self.base, overrides: ConfigOverrides(broker: "127.0.0.1:1,127.0.0.1:2"))
        #expect(overridden.brokers.map(\.port) == [1, 2])
    }

    @Test func outboxBoundsDrainRateAndTelemetryAreRead() throws {
        let config = try load(Self.base + """
            [uplink]
            drain_rate_per_s = 500
            [outbox]
            max_rows = 100000
            max_bytes = 67108864
            [telemetry]
            interval_s = 30
            """)
        #expect(config.uplink.drainRatePerS == 500)
        #expect(config.outboxLimits == OutboxLimits(maxRows: 100_000, maxBytes: 67_108_864))
        #expect(config.telemetryIntervalS == 30)
        #expect(config.outboxMaxBytesConfigured)
        let defaults = try load(Self.base)
        #expect(defaults.outboxLimits.isUnlimited && defaults.uplink.drainRatePerS == 0 && defaults.telemetryIntervalS == 60)
        #expect(!defaults.outboxMaxBytesConfigured, "no max_bytes: the daemon's default bound applies")
        let rowsOnly = try load(Self.base + "[outbox]\nmax_rows = 100\n")
        #expect(!rowsOnly.outboxMaxBytesConfigured)
        let unlimited = try load(Self.base + "[outbox]\nmax_bytes = 0\n")
        #expect(unlimited.outboxMaxBytesConfigured && unlimited.outboxLimits.isUnlimited, "an explicit 0 is explicitly unlimited")
    }

    @Test func badDeliverySettingsSayWhatToChange() {
        #expect(problems(Self.base + "[outbox]\nmax_rows = 3\nmax_byts = 1\n") == [
            "config device.toml:10: outbox.max_byts: is not a known setting; known here: max_rows, max_bytes (see docs/config.md)"
        ])
        #expect(problems(Self.base + "[outbox]\nmax_rows = 3\n[uplink]\ndrain_rate_per_s = -1\n") == [
            "config device.toml:11: uplink.drain_rate_per_s: -1 is out of range; use 0 (unpaced) to 100000 events per second",
            "config device.toml:9: outbox.max_rows: 3 is out of range; use 0 (no limit) or 10–1000000000",
        ])
        // Every [[broker]] entry's numbers are checked, not only the first's (issue 9).
        #expect(problems(Self.base + "[[broker]]\nhost = \"a\"\n[[broker]]\nhost = \"b\"\nkeepalive_s = 9223372036854775807\n") == [
            "config device.toml:12: broker[1].keepalive_s: 9223372036854775807 is out of range; use 5–3600 seconds",
        ])
    }
}
