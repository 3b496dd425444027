import GridLinkCore
import Outbox
#if canImport(Glibc)
import Glibc
#endif

/// Moves a damaged outbox aside and starts a fresh one with everything that could be salvaged.
///
/// 1. The database and its `-wal` / `-shm` are renamed to `<outbox>.quarantined-<UTC time>[-wal|-shm]`
///    and kept for a technician (open them with `sqlite3`, or delete them after
///    `gridlinkctl store clear-quarantine`).
/// 2. Two salvage methods read them and their results are merged by seq: `PageScan` (parses every
///    table-leaf page; needs no header and no interior page) and `RowByRowSalvage` (SQLite lookups
///    by seq on a copy; needs a readable header and schema).
/// 3. A fresh outbox gets the salvaged rows with their original seq, id and payload, and `next_seq`
///    starts past the reserved block, so no seq handed out before is ever reused.
/// 4. The quarantine is recorded in `<outbox>.quarantine.json` (shown by `status` and `check` until
///    cleared) and reported by the caller as a `device.store_quarantined` alarm.
enum OutboxQuarantine {
    struct Outcome {
        let outbox: Outbox
        let record: QuarantineRecord
    }

    static func run(path: String, site: String, device: String, reason: String, detail: String, nowWallMs: Int64) throws(OutboxError) -> Outcome {
        let stamp = timestamp(wallMs: nowWallMs)
        let kept = path + ".quarantined-" + stamp
        var files: [String] = []
        for suffix in ["", "-wal", "-shm"] where access(path + suffix, F_OK) == 0 {
            guard rename(path + suffix, kept + suffix) == 0 else {
                // Never delete what cannot be moved: stay degraded (and retried) instead.
                let reason = String(cString: strerror(errno))
                throw OutboxError(kind: errno == EROFS ? .readOnly : .ioError, path: path, operation: "quarantine",
                                  detail: "cannot move \(path + suffix) aside: \(reason)")
            }
            files.append(kept + suffix)
        }

        // Method 1: the file format, page by page (read only).
        let scanned = PageScan.scan(databasePath: kept, walPath: kept + "-wal")
        // Method 2: SQLite lookups, on a copy (SQLite may replay the WAL into the file it opens).
        let copy = path + ".salvage"
        defer { for suffix in ["", "-wal", "-shm", "-journal"] { unlink(copy + suffix) } }
        _ = copyFile(kept, to: copy)
        _ = copyFile(kept + "-wal", to: copy + "-wal")
        let reserved = Outbox.reservedSeqs(path: path)
        let rowwise = RowByRowSalvage.read(path: copy, upTo: max(reserved, (scanned.nextSeq ?? 1) - 1))

        var merged: [UInt64: SalvagedRow] = [:]
        for row in scanned.rows { merged[row.seq] = row }
        for row in rowwise.rows { merged[row.seq] = row }
        let rows = merged.values.sorted { $0.seq < $1.seq }

        // Every seq below `skipFrom` is accounted for (salvaged, or delivered, or lost); from there
        // to the end of the reserved block any seq may have been reported stored: none is reused.
        let skipFrom = max(scanned.nextSeq ?? 1, rowwise.nextSeq ?? 1, (rows.last?.seq ?? 0) + 1)
        let skipTo = reserved >= skipFrom ? reserved : skipFrom + Outbox.seqBlockSize - 1

        let fresh = try Outbox(path: path, site: site, device: device)
        let copied = try fresh.importSalvaged(rows, nextSeq: skipTo + 1, oldDatabase: copy)
        let salvagedSeqs = Set(rows.map(\.seq))
        let lowest = rows.first?.seq ?? skipFrom
        let lost = (lowest..<skipFrom).count - (lowest..<skipFrom).filter(salvagedSeqs.contains).count
        let record = QuarantineRecord(
            reason: reason, detail: detail, atWallMs: nowWallMs, files: files, rowsSalvaged: copied, rowsLost: lost,
            seqSkippedFrom: skipFrom, seqSkippedTo: skipTo,
            methods: "page_scan=\(scanned.rows.count) row_by_row=\(rowwise.rows.count)")
        QuarantineLog.append(record, outboxPath: path)
        return Outcome(outbox: fresh, record: record)
    }

    /// `20261202T130501Z`: sorts by time, and has no character a shell or `sqlite3` would trip on.
    static func timestamp(wallMs: Int64) -> String {
        var seconds = time_t(wallMs / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)\(two(parts.tm_mon + 1))\(two(parts.tm_mday))T\(two(parts.tm_hour))\(two(parts.tm_min))\(two(parts.tm_sec))Z"
    }

    private static func copyFile(_ source: String, to destination: String) -> Bool {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { return false }
        defer { close(input) }
        let output = open(destination, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard output >= 0 else { return false }
        defer { close(output) }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if count == 0 { return true }
            guard count > 0 else { return false }
            let written = buffer.withUnsafeBytes { write(output, $0.baseAddress, count) }
            guard written == count else { return false }
        }
    }
}
