import GridLinkCore

/// One `events` row found while salvaging a damaged outbox, before it is copied into a fresh one.
public struct SalvagedRow: Sendable, Equatable {
    public var seq: UInt64
    public var id: String
    public var classRank: Int64
    public var kind: String
    public var topic: String
    public var payload: [UInt8]
    public var storedWallMs: Int64
    public var storedMonoNs: Int64
    /// The database page the row was found on (page scan only; 0 otherwise), for measuring salvage.
    public var page: Int = 0

    /// Whether the row satisfies the outbox's invariants (a known class, an id, a JSON payload).
    var isPlausible: Bool {
        seq >= 1 && !id.isEmpty && EventClass(drainRank: Int(classRank)) != nil && !kind.isEmpty && !topic.isEmpty
            && payload.first == UInt8(ascii: "{")
    }
}

/// Salvage by reading the file format directly: every table-leaf page of the database (with the
/// committed frames of its WAL laid over it) is parsed cell by cell, and every record shaped like an
/// `events` row is kept. Needs neither a readable header nor intact interior pages, so it gets back
/// every row on an undamaged leaf page — which `SELECT` cannot once an interior page is gone, and
/// which the `sqlite3` shell's `.recover` cannot on Debian 12 (its libsqlite3 lacks `sqlite_dbpage`).
///
/// Format: https://www.sqlite.org/fileformat2.html (b-tree pages, cells, record format, WAL frames).
public enum PageScan {
    /// The rows found and the highest `next_seq` seen in `meta` (nil if none survived).
    public static func scan(databasePath: String, walPath: String?) -> (rows: [SalvagedRow], nextSeq: UInt64?) {
        let file = readWholeFile(databasePath) ?? []
        // The page size is in the header (offset 16); an overwritten header falls back to SQLite's default.
        var pageSize = file.count >= 18 ? Int(file[16]) << 8 | Int(file[17]) : 0
        if pageSize == 1 { pageSize = 65_536 }
        let reserved = file.count >= 21 ? Int(file[20]) : 0
        let wal = walPath.flatMap(readWholeFile) ?? []
        var walPageSize = 0
        if wal.count >= 32 { walPageSize = Int(bigEndian: wal, at: 8, width: 4) }
        if !(512...65_536).contains(pageSize) || pageSize & (pageSize - 1) != 0 {
            pageSize = (512...65_536).contains(walPageSize) ? walPageSize : 4096
        }
        let usable = pageSize - (reserved < pageSize / 2 ? reserved : 0)

        var pages: [Int: ArraySlice<UInt8>] = [:]
        var pageNumber = 1
        var offset = 0
        while offset + pageSize <= file.count {
            pages[pageNumber] = file[offset..<offset + pageSize]
            pageNumber += 1
            offset += pageSize
        }
        overlayWAL(wal, pageSize: pageSize, onto: &pages)

        var rows: [UInt64: SalvagedRow] = [:]
        var nextSeq: UInt64?
        for (number, page) in pages {
            let headerOffset = number == 1 ? 100 : 0
            let base = page.startIndex
            guard page.count > headerOffset + 8 else { continue }
            let type = page[base + headerOffset]
            guard type == 0x0D || type == 0x0A else { continue }
            let cellCount = Int(bigEndian: page, at: base + headerOffset + 3, width: 2)
            for cell in 0..<cellCount {
                let pointerAt = base + headerOffset + 8 + cell * 2
                guard pointerAt + 2 <= page.endIndex else { break }
                let cellAt = base + Int(bigEndian: page, at: pointerAt, width: 2)
                guard cellAt > base, cellAt < page.endIndex else { continue }
                if type == 0x0D {
                    if var row = tableLeafRow(page, at: cellAt, usable: usable), row.isPlausible {
                        row.page = number
                        rows[row.seq] = row
                    }
                } else if let value = metaNextSeq(page, at: cellAt, usable: usable) {
                    nextSeq = max(nextSeq ?? 0, value)
                }
            }
        }
        return (rows.values.sorted { $0.seq < $1.seq }, nextSeq)
    }

    /// Replaces pages with their newest committed WAL frame (frames whose salts match the header,
    /// up to the last commit frame).
    private static func overlayWAL(_ wal: [UInt8], pageSize: Int, onto pages: inout [Int: ArraySlice<UInt8>]) {
        guard wal.count >= 32, Int(bigEndian: wal, at: 8, width: 4) == pageSize else { return }
        let salts = wal[16..<24]
        var pending: [(Int, ArraySlice<UInt8>)] = []
        var offset = 32
        while offset + 24 + pageSize <= wal.count {
            guard wal[offset + 8..<offset + 16].elementsEqual(salts) else { break }
            let number = Int(bigEndian: wal, at: offset, width: 4)
            pending.append((number, wal[offset + 24..<offset + 24 + pageSize]))
            if Int(bigEndian: wal, at: offset + 4, width: 4) != 0 {
                for (page, content) in pending { pages[page] = content }
                pending.removeAll()
            }
            offset += 24 + pageSize
        }
    }

    /// A table-leaf cell: payload length, rowid, record. Rows that spill to overflow pages are skipped
    /// (an event is far smaller than a page).
    private static func tableLeafRow(_ page: ArraySlice<UInt8>, at start: Int, usable: Int) -> SalvagedRow? {
        var at = start
        guard let payloadLength = varint(page, &at), let rowid = varint(page, &at) else { return nil }
        guard payloadLength > 0, payloadLength <= UInt64(usable - 35), at + Int(payloadLength) <= page.endIndex else { return nil }
        guard let fields = record(page[at..<at + Int(payloadLength)]), fields.count == 8 else { return nil }
        guard case .null = fields[0], case .text(let id) = fields[1], case .int(let rank) = fields[2],
              case .text(let kind) = fields[3], case .text(let topic) = fields[4], case .blob(let payload) = fields[5],
              case .int(let wallMs) = fields[6], case .int(let monoNs) = fields[7] else { return nil }
        return SalvagedRow(seq: rowid, id: id, classRank: rank, kind: kind, topic: topic, payload: payload,
                           storedWallMs: wallMs, storedMonoNs: monoNs)
    }

    /// `meta` is WITHOUT ROWID, so its rows are index-leaf cells: payload length, record (key, value).
    private static func metaNextSeq(_ page: ArraySlice<UInt8>, at start: Int, usable: Int) -> UInt64? {
        var at = start
        guard let payloadLength = varint(page, &at), payloadLength <= UInt64(usable - 35),
              at + Int(payloadLength) <= page.endIndex,
              let fields = record(page[at..<at + Int(payloadLength)]), fields.count == 2,
              case .text("next_seq") = fields[0], case .int(let value) = fields[1], value > 0 else { return nil }
        return UInt64(value)
    }

    private enum Field {
        case null, int(Int64), float, text(String), blob([UInt8])
    }

    /// Decodes a record (header of serial types, then the body); nil if it does not parse exactly.
    private static func record(_ bytes: ArraySlice<UInt8>) -> [Field]? {
        var at = bytes.startIndex
        guard let headerLength = varint(bytes, &at), headerLength >= 1, Int(headerLength) <= bytes.count else { return nil }
        let headerEnd = bytes.startIndex + Int(headerLength)
        var types: [UInt64] = []
        while at < headerEnd {
            guard let type = varint(bytes, &at), types.count < 64 else { return nil }
            types.append(type)
        }
        var body = headerEnd
        var fields: [Field] = []
        for type in types {
            let width: Int
            switch type {
            case 0, 8, 9: width = 0
            case 1, 2, 3, 4: width = Int(type)
            case 5: width = 6
            case 6, 7: width = 8
            case 10, 11: return nil
            default: width = Int((type - (type % 2 == 0 ? 12 : 13)) / 2)
            }
            guard body + width <= bytes.endIndex else { return nil }
            let slice = bytes[body..<body + width]
            switch type {
            case 0: fields.append(.null)
            case 8: fields.append(.int(0))
            case 9: fields.append(.int(1))
            case 1...6:
                var value = Int64(Int8(bitPattern: slice.first ?? 0))
                for byte in slice.dropFirst() { value = value << 8 | Int64(byte) }
                fields.append(.int(value))
            case 7: fields.append(.float)
            default:
                if type % 2 == 0 {
                    fields.append(.blob(Array(slice)))
                } else {
                    guard let text = String(validating: slice, as: UTF8.self) else { return nil }
                    fields.append(.text(text))
                }
            }
            body += width
        }
        return body == bytes.endIndex ? fields : nil
    }

    /// SQLite's big-endian varint (1–9 bytes).
    private static func varint(_ bytes: ArraySlice<UInt8>, _ at: inout Int) -> UInt64? {
        var value: UInt64 = 0
        for index in 0..<9 {
            guard at < bytes.endIndex else { return nil }
            let byte = bytes[at]
            at += 1
            if index == 8 { return value << 8 | UInt64(byte) }
            value = value << 7 | UInt64(byte & 0x7F)
            if byte & 0x80 == 0 { return value }
        }
        return value
    }
}

extension Int {
    /// The unsigned big-endian integer of `width` bytes at `offset`.
    init<C: Collection<UInt8>>(bigEndian bytes: C, at offset: C.Index, width: Int) where C.Index == Int {
        var value = 0
        for index in offset..<offset + width { value = value << 8 | Int(bytes[index]) }
        self = value
    }
}
