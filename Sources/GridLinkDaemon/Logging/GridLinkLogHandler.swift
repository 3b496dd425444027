import GridLinkCore
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// gridlinkd's swift-log handler: one line per event on stderr, which systemd hands to journald.
///
/// - Under journald (`$JOURNAL_STREAM` names our stderr) each line starts with an sd-daemon
///   `<N>` syslog priority and has no timestamp (the journal keeps its own), so
///   `journalctl -u gridlinkd -p warning` works; otherwise lines look like swift-log's
///   StreamLogHandler's (timestamp, level, label).
/// - Warnings and errors that repeat are written at most once per 30 s per line, then summarised
///   "(repeated N times …)" (`LogRateLimiter`).
/// - Password-like values and private keys are masked before writing (`LogRedaction`).
public struct GridLinkLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let sink: LogSink

    public init(label: String, level: Logger.Level, sink: LogSink) {
        self.label = label
        self.logLevel = level
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let explicit = event.metadata { merged.merge(explicit) { $1 } }
        if let error = event.error { merged["error"] = "\(error)" }
        let rendered = merged.isEmpty ? nil : merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        sink.write(level: event.level, label: label, metadata: rendered, message: event.message.description)
    }
}

/// Where every `GridLinkLogHandler` writes: stderr, in one format, through one rate limiter.
public final class LogSink: Sendable {
    /// The line format in use (journal when `$JOURNAL_STREAM` matches stderr).
    public let format: LogLineFormat
    private let limiter: Mutex<LogRateLimiter<RepeatKey>>

    /// What makes two log lines "the same" for the rate limit.
    struct RepeatKey: Hashable, Sendable {
        var level: Logger.Level
        var label: String
        var metadata: String?
        var message: String
    }

    public init(format: LogLineFormat, repeatWindowNs: UInt64 = 30_000_000_000) {
        self.format = format
        self.limiter = Mutex(LogRateLimiter(intervalNs: repeatWindowNs))
    }

    /// `.journal` when stderr is the journal stream systemd passed in `$JOURNAL_STREAM`
    /// ("device:inode" of the stream), else `.console`.
    public static func detectFormat() -> LogLineFormat {
        guard let raw = getenv("JOURNAL_STREAM") else { return .console }
        let parts = String(cString: raw).split(separator: ":")
        var info = stat()
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]), fstat(2, &info) == 0 else { return .console }
        return UInt64(info.st_dev) == device && UInt64(info.st_ino) == inode ? .journal : .console
    }

    func write(level: Logger.Level, label: String, metadata: String?, message: String) {
        let message = LogRedaction.redact(message)
        let metadata = metadata.map(LogRedaction.redact)
        let timestamp = format == .console ? Self.timestamp() : ""
        let render = { (key: RepeatKey, heldBack: Int) in
            let text = heldBack > 0 ? LogLineFormat.repeated(key.message, count: heldBack) : key.message
            return self.format.line(timestamp: timestamp, levelName: key.level.rawValue, label: key.label, metadata: key.metadata, message: text)
        }
        let key = RepeatKey(level: level, label: label, metadata: metadata, message: message)
        var lines: [String]
        if level == .warning || level == .error {
            let decision = limiter.withLock { $0.admit(key, atNs: HostClock.monotonicNs()) }
            lines = decision.summaries.map { render($0.line, $0.count) }
            if decision.write { lines.append(render(key, decision.heldBack)) }
        } else {
            lines = [render(key, 0)]
        }
        guard !lines.isEmpty else { return }
        let bytes = Array((lines.joined(separator: "\n") + "\n").utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
    }

    /// Local time like swift-log's StreamLogHandler: 2026-11-23T19:04:56+0000.
    private static func timestamp() -> String {
        var now = time(nil)
        var parts = tm()
        guard localtime_r(&now, &parts) != nil else { return "<unknown>" }
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &parts)
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
