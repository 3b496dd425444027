import GridLinkCore

/// Command-line values that replace the file's, so tests and a technician can point a device at
/// another broker or state directory without editing its profile.
public struct ConfigOverrides: Sendable, Equatable {
    /// `HOST:PORT`.
    public var broker: String?
    public var stateDir: String?

    public init(broker: String? = nil, stateDir: String? = nil) {
        self.broker = broker
        self.stateDir = stateDir
    }

    func apply(to config: inout DeviceConfig) -> [ConfigProblem] {
        var problems: [ConfigProblem] = []
        if let broker {
            let parts = broker.split(separator: ":", omittingEmptySubsequences: false)
            if parts.count == 2, !parts[0].isEmpty, let port = Int(parts[1]) {
                config.broker.host = String(parts[0])
                config.broker.port = port
            } else {
                problems.append(ConfigProblem(ConfigKeyPath(nil, "--broker"), "'\(broker)' is not HOST:PORT (for example 127.0.0.1:1883)"))
            }
        }
        if let stateDir {
            config.paths.stateDir = stateDir
            config.paths.stateDirOverridden = true
        }
        return problems
    }
}
