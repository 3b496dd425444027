import GridLinkCore

/// Turns the parsed TOML tables into a `DeviceConfig`, collecting a problem for every wrong type
/// and every unknown key (usually a typo) instead of stopping at the first.
struct ConfigReader {
    private(set) var problems: [ConfigProblem] = []

    mutating func read(_ root: TOMLTable) -> DeviceConfig {
        rejectUnknown(root, nil, nil, allowed: ["site", "device", "profile", "paths", "broker", "uplink", "gpio", "button", "gate", "feedback", "outbox", "telemetry"])
        var config = DeviceConfig(
            site: string(root, nil, nil, "site", required: true) ?? "",
            device: string(root, nil, nil, "device", required: true) ?? "",
            profile: string(root, nil, nil, "profile", required: true) ?? "")

        if let paths = table(root, "paths") {
            rejectUnknown(paths, "paths", nil, allowed: ["state_dir", "control_socket"])
            config.paths.stateDir = string(paths, "paths", nil, "state_dir") ?? config.paths.stateDir
            config.paths.controlSocket = string(paths, "paths", nil, "control_socket")
        }
        readBrokers(root, into: &config)
        if let uplink = table(root, "uplink") {
            rejectUnknown(uplink, "uplink", nil, allowed: ["inflight_window", "backoff_initial_ms", "backoff_max_ms", "drain_rate_per_s"])
            config.uplink.drainRatePerS = int(uplink, "uplink", nil, "drain_rate_per_s") ?? config.uplink.drainRatePerS
            config.uplink.inflightWindow = int(uplink, "uplink", nil, "inflight_window") ?? config.uplink.inflightWindow
            config.uplink.backoffInitialMs = int(uplink, "uplink", nil, "backoff_initial_ms") ?? config.uplink.backoffInitialMs
            config.uplink.backoffMaxMs = int(uplink, "uplink", nil, "backoff_max_ms") ?? config.uplink.backoffMaxMs
        }
        if let gpio = table(root, "gpio") {
            rejectUnknown(gpio, "gpio", nil, allowed: ["chip", "debounce_ms", "long_press_ms", "stuck_ms", "double_press_ms"])
            config.gpio.chip = string(gpio, "gpio", nil, "chip") ?? config.gpio.chip
            config.gpio.debounceMs = int(gpio, "gpio", nil, "debounce_ms") ?? config.gpio.debounceMs
            config.gpio.longPressMs = int(gpio, "gpio", nil, "long_press_ms") ?? config.gpio.longPressMs
            config.gpio.stuckMs = int(gpio, "gpio", nil, "stuck_ms") ?? config.gpio.stuckMs
            config.gpio.doublePressMs = int(gpio, "gpio", nil, "double_press_ms") ?? config.gpio.doublePressMs
        }
        if let buttons = root["button"] {
            if let array = buttons.array {
                for index in 0..<array.count {
                    guard let button = array[index].table else {
                        problems.append(ConfigProblem(ConfigKeyPath("button", index, "name"), "each button must be a [[button]] table"))
                        continue
                    }
                    if let parsed = readButton(button, index: index) { config.buttons.append(parsed) }
                }
            } else {
                problems.append(ConfigProblem(ConfigKeyPath(nil, "button"), "must be written as [[button]] tables, one per button"))
            }
        }
        if let gate = table(root, "gate") { config.gate = readGate(gate) }
        readDelivery(root, into: &config)
        if let feedback = table(root, "feedback") {
            rejectUnknown(feedback, "feedback", nil, allowed: ["received_line", "accepted_line", "done_line", "status_line", "buzzer_line", "done_clear_s"])
            config.feedback.receivedLine = lineRef(feedback, "feedback", nil, "received_line")
            config.feedback.acceptedLine = lineRef(feedback, "feedback", nil, "accepted_line")
            config.feedback.doneLine = lineRef(feedback, "feedback", nil, "done_line")
            config.feedback.statusLine = lineRef(feedback, "feedback", nil, "status_line")
            config.feedback.buzzerLine = lineRef(feedback, "feedback", nil, "buzzer_line")
            config.feedback.doneClearS = int(feedback, "feedback", nil, "done_clear_s") ?? config.feedback.doneClearS
        }
        readBrokerSecurity(root, into: &config)
        return config
    }

    /// `[broker]` (one) or `[[broker]]` (a list: a cluster's nodes, or primary then backup).
    private mutating func readBrokers(_ root: TOMLTable, into config: inout DeviceConfig) {
        guard let value = root["broker"] else { return }
        var tables: [(TOMLTable, Int?)] = []
        if let single = value.table {
            tables = [(single, nil)]
        } else if let array = value.array {
            for index in 0..<array.count {
                if let table = array[index].table { tables.append((table, index)) } else {
                    problems.append(ConfigProblem(ConfigKeyPath("broker", index, "host"), "each broker must be a [[broker]] table"))
                }
            }
        } else {
            problems.append(ConfigProblem(ConfigKeyPath(nil, "broker"), "must be a [broker] table or [[broker]] tables"))
        }
        var brokers: [BrokerConfig] = []
        for (table, index) in tables {
            rejectUnknown(table, "broker", index, allowed: ["host", "port", "keepalive_s"])
            var broker = BrokerConfig()
            broker.host = string(table, "broker", index, "host") ?? broker.host
            broker.port = int(table, "broker", index, "port") ?? broker.port
            broker.keepaliveSeconds = int(table, "broker", index, "keepalive_s") ?? broker.keepaliveSeconds
            brokers.append(broker)
        }
        if let first = brokers.first {
            config.broker = first
            config.backupBrokers = Array(brokers.dropFirst())
        }
    }

    /// `[outbox]` limits and `[telemetry]`.
    private mutating func readDelivery(_ root: TOMLTable, into config: inout DeviceConfig) {
        if let outbox = table(root, "outbox") {
            rejectUnknown(outbox, "outbox", nil, allowed: ["max_rows", "max_bytes"])
            config.outboxLimits.maxRows = int(outbox, "outbox", nil, "max_rows") ?? config.outboxLimits.maxRows
            if let maxBytes = int(outbox, "outbox", nil, "max_bytes") {
                config.outboxLimits.maxBytes = maxBytes
                config.outboxMaxBytesConfigured = true
            }
        }
        if let telemetry = table(root, "telemetry") {
            rejectUnknown(telemetry, "telemetry", nil, allowed: ["interval_s"])
            config.telemetryIntervalS = int(telemetry, "telemetry", nil, "interval_s") ?? config.telemetryIntervalS
        }
    }

    private mutating func readButton(_ button: TOMLTable, index: Int) -> ButtonConfig? {
        rejectUnknown(button, "button", index, allowed: ["name", "line", "kind", "active_low", "bias"])
        let name = string(button, "button", index, "name", required: true)
        let line = lineRef(button, "button", index, "line", required: true)
        let kind = string(button, "button", index, "kind", required: true)
        let activeLow = bool(button, "button", index, "active_low") ?? true
        let bias = lineBias(button, "button", index)
        guard let name, let line, let kind else { return nil }
        return ButtonConfig(name: name, line: line, kind: EventKind(rawValue: kind), activeLow: activeLow, bias: bias)
    }

    /// `bias = "pull-up" | "pull-down" | "disabled" | "as-is"` (default as-is: the board's setting).
    private mutating func lineBias(_ t: TOMLTable, _ table: String?, _ index: Int?) -> LineBias {
        guard let text = string(t, table, index, "bias") else { return .asIs }
        guard let bias = LineBias(rawValue: text) else {
            let choices = LineBias.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            problems.append(ConfigProblem(ConfigKeyPath(table, index, "bias"), "'\(text)' is not a bias; use one of \(choices)"))
            return .asIs
        }
        return bias
    }

    private mutating func readGate(_ gate: TOMLTable) -> GateConfig? {
        rejectUnknown(gate, "gate", nil, allowed: ["door", "release", "exit_request", "authorised_window_ms", "held_open_ms"])
        func input(_ name: String, required: Bool) -> GateInputConfig? {
            guard let value = gate[name] else {
                if required { problems.append(ConfigProblem(ConfigKeyPath("gate.\(name)", "line"), "is missing; add a [gate.\(name)] table with line = …")) }
                return nil
            }
            guard let table = value.table else {
                problems.append(ConfigProblem(ConfigKeyPath("gate", name), "must be a [gate.\(name)] table"))
                return nil
            }
            rejectUnknown(table, "gate.\(name)", nil, allowed: ["line", "active_low"])
            guard let line = lineRef(table, "gate.\(name)", nil, "line", required: true) else { return nil }
            return GateInputConfig(line: line, activeLow: bool(table, "gate.\(name)", nil, "active_low") ?? false)
        }
        let door = input("door", required: true)
        let release = input("release", required: false)
        let exitRequest = input("exit_request", required: false)
        guard let door else { return nil }
        var config = GateConfig(door: door, release: release, exitRequest: exitRequest)
        config.authorisedWindowMs = int(gate, "gate", nil, "authorised_window_ms") ?? config.authorisedWindowMs
        config.heldOpenMs = int(gate, "gate", nil, "held_open_ms") ?? config.heldOpenMs
        return config
    }

    // MARK: - Typed accessors that record problems

    private mutating func table(_ root: TOMLTable, _ name: String) -> TOMLTable? {
        guard let value = root[name] else { return nil }
        guard let table = value.table else {
            problems.append(ConfigProblem(ConfigKeyPath(nil, name), "must be a [\(name)] table"))
            return nil
        }
        return table
    }

    mutating func string(_ t: TOMLTable, _ table: String?, _ index: Int?, _ key: String, required: Bool = false) -> String? {
        guard let value = t[key] else {
            if required { problems.append(ConfigProblem(ConfigKeyPath(table, index, key), "is missing; add \(key) = \"…\"")) }
            return nil
        }
        guard let string = value.string else {
            problems.append(ConfigProblem(ConfigKeyPath(table, index, key), "must be a quoted string"))
            return nil
        }
        return string
    }

    private mutating func int(_ t: TOMLTable, _ table: String?, _ index: Int?, _ key: String) -> Int? {
        guard let value = t[key] else { return nil }
        guard let int = value.int else {
            problems.append(ConfigProblem(ConfigKeyPath(table, index, key), "must be a whole number without quotes"))
            return nil
        }
        return int
    }

    mutating func bool(_ t: TOMLTable, _ table: String?, _ index: Int?, _ key: String) -> Bool? {
        guard let value = t[key] else { return nil }
        guard let bool = value.bool else {
            problems.append(ConfigProblem(ConfigKeyPath(table, index, key), "must be true or false"))
            return nil
        }
        return bool
    }

    /// A line is an offset (`line = 17`) or the name gpioinfo shows (`line = "BTN_PROXY"`).
    private mutating func lineRef(_ t: TOMLTable, _ table: String?, _ index: Int?, _ key: String, required: Bool = false) -> LineRef? {
        guard let value = t[key] else {
            if required { problems.append(ConfigProblem(ConfigKeyPath(table, index, key), "is missing; add \(key) = OFFSET or \(key) = \"LINE_NAME\"")) }
            return nil
        }
        if let offset = value.int { return .offset(offset) }
        if let name = value.string, !name.isEmpty { return .name(name) }
        problems.append(ConfigProblem(ConfigKeyPath(table, index, key), "must be a line offset (17) or a line name (\"BTN_PROXY\")"))
        return nil
    }

    private mutating func rejectUnknown(_ t: TOMLTable, _ table: String?, _ index: Int?, allowed: [String]) {
        let allowed = allowed + (table.flatMap { Self.addedKeys[$0] } ?? [])
        for key in t.keys.sorted() where !allowed.contains(key) {
            problems.append(ConfigProblem(ConfigKeyPath(table, index, key), "is not a known setting; known here: \(allowed.joined(separator: ", ")) (see docs/config.md)"))
        }
    }
}
