import GridLinkCore
#if canImport(Glibc)
import Glibc
#endif

/// The quarantines a technician has not cleared yet: `<outbox>.quarantine.json`, a JSON array of
/// `QuarantineRecord`. Read by `status` and `check`; emptied by `gridlinkctl store clear-quarantine`.
public enum QuarantineLog {
    public static func path(outboxPath: String) -> String { outboxPath + ".quarantine.json" }

    /// The outstanding records (empty when there are none or the file does not read).
    public static func read(outboxPath: String) -> [QuarantineRecord] {
        guard let data = FileManager.default.contents(atPath: path(outboxPath: outboxPath)) else { return [] }
        return (try? JSONDecoder().decode([QuarantineRecord].self, from: data)) ?? []
    }

    /// Adds `record` (best effort: the quarantine itself has already happened).
    static func append(_ record: QuarantineRecord, outboxPath: String) {
        let records = read(outboxPath: outboxPath) + [record]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(records) else { return }
        try? data.write(to: URL(fileURLWithPath: path(outboxPath: outboxPath)), options: .atomic)
    }

    /// Forgets every record; the quarantined files stay where they are. Returns how many were cleared.
    @discardableResult
    public static func clear(outboxPath: String) -> Int {
        let count = read(outboxPath: outboxPath).count
        unlink(path(outboxPath: outboxPath))
        return count
    }
}
