import GridLinkCore

/// A config that cannot be used: every problem, each with file and line, and the fix.
///
/// `gridlinkd` prints `description` (one line per problem) and exits 78 (EX_CONFIG), which the
/// unit file lists in `RestartPreventExitStatus=` so systemd does not restart-loop on it.
public struct ConfigError: Error, Equatable, CustomStringConvertible {
    /// One problem at a place in the file.
    public struct Located: Equatable, Sendable, CustomStringConvertible {
        public var file: String
        public var line: Int?
        public var problem: ConfigProblem

        public var description: String {
            let place = line.map { "\(file):\($0)" } ?? file
            return "config \(place): \(problem)"
        }
    }

    public var problems: [Located]

    public var description: String { problems.map(\.description).joined(separator: "\n") }

    /// sysexits.h EX_CONFIG.
    public static let exitCode: Int32 = 78
}
