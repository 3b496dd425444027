/// Where in the config file a problem is: a table, an optional array index and a key, as written
/// in TOML (`broker.port`, `button[1].line`). The ConfigFile target turns it into a line number.
public struct ConfigKeyPath: Sendable, Hashable, CustomStringConvertible {
    public var table: String?
    public var index: Int?
    public var key: String

    public init(_ table: String?, _ index: Int?, _ key: String) {
        self.table = table
        self.index = index
        self.key = key
    }

    public init(_ table: String?, _ key: String) {
        self.init(table, nil, key)
    }

    public var description: String {
        guard let table else { return key }
        return index.map { "\(table)[\($0)].\(key)" } ?? "\(table).\(key)"
    }
}

/// One thing wrong with a config: where, and a message that says what to change.
public struct ConfigProblem: Sendable, Equatable, CustomStringConvertible {
    public var path: ConfigKeyPath
    public var message: String

    public init(_ path: ConfigKeyPath, _ message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}

extension DeviceConfig {
    /// Every problem at once, in file order, each with the fix. Empty means the config is usable.
    public func validate() -> [ConfigProblem] {
        var problems: [ConfigProblem] = []
        func check(_ ok: Bool, _ path: ConfigKeyPath, _ message: @autoclosure () -> String) {
            if !ok { problems.append(ConfigProblem(path, message())) }
        }
        func checkOffset(_ line: LineRef, _ path: ConfigKeyPath) {
            guard case .offset(let offset) = line else { return }
            check((0...Self.maxLineOffset).contains(offset), path, "\(offset) is not a line offset; use 0–\(Self.maxLineOffset) (the number gpioinfo shows) or the line's name")
        }
        check(DeviceConfig.isTopicSafe(site), .init(nil, "site"), "'\(site)' must be 1–64 characters of a-z, 0-9, '_' or '-' (it becomes an MQTT topic level)")
        check(DeviceConfig.isTopicSafe(device), .init(nil, "device"), "'\(device)' must be 1–64 characters of a-z, 0-9, '_' or '-' (it becomes an MQTT topic level)")
        check(["kiosk", "gate", "demo"].contains(profile), .init(nil, "profile"), "'\(profile)' is not a profile; use kiosk, gate or demo")
        check(!broker.host.isEmpty, .init("broker", "host"), "is empty; set the broker's host name or address")
        check((1...65535).contains(broker.port), .init("broker", "port"), "\(broker.port) is not a TCP port; use 1–65535 (1883 plain, 8883 TLS)")
        problems += broker.security.problems(port: broker.port)
        check((5...3600).contains(broker.keepaliveSeconds), .init("broker", "keepalive_s"), "\(broker.keepaliveSeconds) is out of range; use 5–3600 seconds")
        check((1...1000).contains(uplink.inflightWindow), .init("uplink", "inflight_window"), "\(uplink.inflightWindow) is out of range; use 1–1000 (32 is a good default)")
        check((10...3_600_000).contains(uplink.backoffInitialMs), .init("uplink", "backoff_initial_ms"), "\(uplink.backoffInitialMs) is out of range; use 10–3600000 ms (500 is a good default)")
        check(uplink.backoffMaxMs >= uplink.backoffInitialMs, .init("uplink", "backoff_max_ms"), "\(uplink.backoffMaxMs) is below backoff_initial_ms (\(uplink.backoffInitialMs)); raise it")
        check(uplink.backoffMaxMs <= 3_600_000, .init("uplink", "backoff_max_ms"), "\(uplink.backoffMaxMs) is out of range; use at most 3600000 ms (one hour)")
        for (index, backup) in backupBrokers.enumerated() {
            check(!backup.host.isEmpty, .init("broker", index + 1, "host"), "is empty; set the broker's host name or address")
            check((1...65535).contains(backup.port), .init("broker", index + 1, "port"), "\(backup.port) is not a TCP port; use 1–65535")
            check((5...3600).contains(backup.keepaliveSeconds), .init("broker", index + 1, "keepalive_s"), "\(backup.keepaliveSeconds) is out of range; use 5–3600 seconds")
        }
        check((0...100_000).contains(uplink.drainRatePerS), .init("uplink", "drain_rate_per_s"), "\(uplink.drainRatePerS) is out of range; use 0 (unpaced) to 100000 events per second")
        check(outboxLimits.maxRows == 0 || (10...1_000_000_000).contains(outboxLimits.maxRows), .init("outbox", "max_rows"), "\(outboxLimits.maxRows) is out of range; use 0 (no limit) or 10–1000000000")
        check(outboxLimits.maxBytes == 0 || (4096...Self.maxOutboxBytes).contains(outboxLimits.maxBytes), .init("outbox", "max_bytes"), "\(outboxLimits.maxBytes) is out of range; use 0 (no limit) or 4096–\(Self.maxOutboxBytes) (1 TiB)")
        check((0...86_400).contains(telemetryIntervalS), .init("telemetry", "interval_s"), "\(telemetryIntervalS) is out of range; use 0 (off) to 86400 seconds")
        check(!gpio.chip.isEmpty, .init("gpio", "chip"), "is empty; use \"sim\" or a chip such as \"gpiochip0\"")
        check((1...1000).contains(gpio.debounceMs), .init("gpio", "debounce_ms"), "\(gpio.debounceMs) is out of range; use 1–1000 ms (20–50 suits push buttons)")
        check(gpio.longPressMs > gpio.debounceMs, .init("gpio", "long_press_ms"), "\(gpio.longPressMs) must be longer than debounce_ms (\(gpio.debounceMs))")
        check(gpio.longPressMs <= 60_000, .init("gpio", "long_press_ms"), "\(gpio.longPressMs) is out of range; use at most 60000 ms")
        check((1...86_400).contains(feedback.doneClearS), .init("feedback", "done_clear_s"), "\(feedback.doneClearS) is out of range; use 1 to 86400 seconds (how long \"done\" stays lit)")
        check((0...2000).contains(gpio.doublePressMs), .init("gpio", "double_press_ms"), "\(gpio.doublePressMs) is out of range; use 0 (off) to 2000 ms")
        check(gpio.stuckMs > gpio.longPressMs, .init("gpio", "stuck_ms"), "\(gpio.stuckMs) must be longer than long_press_ms (\(gpio.longPressMs))")
        check(gpio.stuckMs <= 86_400_000, .init("gpio", "stuck_ms"), "\(gpio.stuckMs) is out of range; use at most 86400000 ms (one day)")
        check(!buttons.isEmpty || profile == "gate", .init("button", 0, "name"), "a \(profile) profile needs at least one [[button]]")
        check(gate != nil || profile != "gate", .init("gate.door", "line"), "a gate profile needs a [gate.door] table with the door contact's line")
        if let gate {
            check((0...600_000).contains(gate.authorisedWindowMs), .init("gate", "authorised_window_ms"), "\(gate.authorisedWindowMs) is out of range; use 0–600000 ms (5000 is typical)")
            check((1000...86_400_000).contains(gate.heldOpenMs), .init("gate", "held_open_ms"), "\(gate.heldOpenMs) is out of range; use 1000–86400000 ms (30000 is typical)")
        }

        var lineOwners: [LineRef: String] = [:]
        var names: Set<String> = []
        for (index, button) in buttons.enumerated() {
            check(DeviceConfig.isTopicSafe(button.name), .init("button", index, "name"), "'\(button.name)' must be 1–64 characters of a-z, 0-9, '_' or '-'")
            if !names.insert(button.name).inserted {
                problems.append(ConfigProblem(.init("button", index, "name"), "'\(button.name)' is used by another button; give each button its own name"))
            }
            check(button.kind.eventClass == .request && button.kind.rawValue.hasPrefix("request."), .init("button", index, "kind"),
                  "'\(button.kind)' is not a button kind; use request.proxy or request.repair")
            if let owner = lineOwners[button.line] {
                problems.append(ConfigProblem(.init("button", index, "line"), "button '\(button.name)' uses \(button.line), already used by '\(owner)'; give it its own line"))
            } else {
                lineOwners[button.line] = button.name
            }
            checkOffset(button.line, .init("button", index, "line"))
        }
        for (name, input) in gate?.inputs ?? [] {
            checkOffset(input.line, .init("gate.\(name)", "line"))
            if let owner = lineOwners[input.line] {
                problems.append(ConfigProblem(.init("gate.\(name)", "line"), "gate input '\(name)' uses \(input.line), already used by '\(owner)'; give it its own line"))
            } else {
                lineOwners[input.line] = "gate \(name)"
            }
        }
        for output in feedback.outputs {
            checkOffset(output.line, .init("feedback", "\(output.name)_line"))
            if let owner = lineOwners[output.line] {
                problems.append(ConfigProblem(.init("feedback", "\(output.name)_line"), "LED '\(output.name)' uses \(output.line), already used by '\(owner)'; give it its own line"))
            } else {
                lineOwners[output.line] = "LED \(output.name)"
            }
        }
        return problems
    }

    /// The largest GPIO line offset a profile may name (chips have far fewer lines).
    public static let maxLineOffset = 65_535
    /// The largest `outbox.max_bytes`: 1 TiB, far beyond any SD card.
    public static let maxOutboxBytes = 1 << 40

    /// `[a-z0-9_-]{1,64}`: safe as an MQTT topic level on every broker and bridge.
    public static func isTopicSafe(_ value: String) -> Bool {
        !value.isEmpty && value.utf8.count <= 64
            && value.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F || $0 == 0x2D }
    }
}
