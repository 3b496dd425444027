/// The syslog priority of a log level, as journald and `journalctl -p` understand it.
public enum SyslogPriority: Int, Sendable, Comparable {
    case emergency = 0, alert, critical, error, warning, notice, info, debug

    /// Maps swift-log's level names (`trace`…`critical`) to syslog priorities.
    public init(levelName: String) {
        switch levelName {
        case "critical": self = .critical
        case "error": self = .error
        case "warning": self = .warning
        case "notice": self = .notice
        case "info": self = .info
        default: self = .debug  // debug, trace
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// How one log line is written: for journald (`<N>` sd-daemon priority prefix, no timestamp —
/// the journal adds its own) or for a terminal/file (timestamp, level and label, as swift-log's
/// StreamLogHandler writes them). Always exactly one line: embedded newlines become " | ".
public enum LogLineFormat: Sendable, Equatable {
    case journal
    case console

    /// The line for `message` (already redacted), without the trailing newline.
    public func line(timestamp: String, levelName: String, label: String, metadata: String?, message: String) -> String {
        let flat = LogLineFormat.oneLine(message)
        let meta = metadata.map { " \($0)" } ?? ""
        switch self {
        case .journal:
            return "<\(SyslogPriority(levelName: levelName).rawValue)>\(flat)\(meta)"
        case .console:
            return "\(timestamp) \(levelName) \(label) :\(meta) \(flat)"
        }
    }

    /// The summary written when a rate-limited line went quiet or comes back.
    public static func repeated(_ line: String, count: Int) -> String {
        "\(line) (repeated \(count) time\(count == 1 ? "" : "s") since last written)"
    }

    static func oneLine(_ text: String) -> String {
        guard text.contains(where: \.isNewline) else { return text }
        return text.split(whereSeparator: \.isNewline).joined(separator: " | ")
    }
}
