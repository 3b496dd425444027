import GridLinkCore

/// Command-line values that replace the file's, so tests and a technician can point a device at
/// another broker or state directory without editing its profile.
public struct ConfigOverrides: Sendable, Equatable {
    /// `HOST:PORT`, or a comma-separated list of them (primary first).
    public var broker: String?
    public var stateDir: String?

    public init(broker: String? = nil, stateDir: String? = nil) {
        self.broker = broker
        self.stateDir = stateDir
    }

    func apply(to config: inout DeviceConfig) -> [ConfigProblem] {
        var problems: [ConfigProblem] = []
        if let broker {
            // One HOST:PORT, or several separated by commas (primary first).
            var parsed: [BrokerConfig] = []
            for entry in broker.split(separator: ",") {
                let parts = entry.split(separator: ":", omittingEmptySubsequences: false)
                if parts.count == 2, !parts[0].isEmpty, let port = Int(parts[1]) {
                    parsed.append(BrokerConfig(host: String(parts[0]), port: port, keepaliveSeconds: config.broker.keepaliveSeconds))
                } else {
                    problems.append(ConfigProblem(ConfigKeyPath(nil, "--broker"), "'\(entry)' is not HOST:PORT (for example 127.0.0.1:1883)"))
                }
            }
            if let first = parsed.first, problems.isEmpty {
                config.broker = first
                config.backupBrokers = Array(parsed.dropFirst())
            }
        }
        if let stateDir {
            config.paths.stateDir = stateDir
            config.paths.stateDirOverridden = true
        }
        return problems
    }
}
