import Foundation
import GridLinkCore
import Outbox
import Testing

/// Seq blocks reserved outside the database, a torn WAL tail, and the two salvage methods on the
/// damage cases of issue 9 (three garbage pages in the middle of a 2,000-row outbox; an overwritten
/// 100-byte header). Prints what each method got back.
@Suite struct SalvageTests {
    static let rows = 2000

    /// A closed outbox of `rows` events (WAL checkpointed into the file).
    func filledOutbox(_ dir: TempDirectory) throws {
        let outbox = try Fixture.open(dir)
        for start in stride(from: 0, to: Self.rows, by: 100) {
            _ = try outbox.append((start..<start + 100).map { Fixture.event($0) }, storedWallMs: 1, storedMonoNs: 2)
        }
        outbox.close()
    }

    func overwrite(_ path: String, at offset: Int, count: Int) throws {
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        var generator = SystemRandomNumberGenerator()
        try handle.seek(toOffset: UInt64(offset))
        try handle.write(contentsOf: Data((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }))
        try handle.close()
    }

    @Test("seqs are reserved in blocks in <outbox>.seq: one write per 1,000 seqs")
    func reservation() throws {
        let dir = try TempDirectory()
        let outbox = try Fixture.open(dir)
        _ = try outbox.append([Fixture.event(1)], storedWallMs: 1, storedMonoNs: 1)
        #expect(outbox.reservedThrough == 1 + Outbox.seqBlockSize)
        _ = try outbox.append((2...1001).map { Fixture.event($0) }, storedWallMs: 1, storedMonoNs: 1)
        #expect(outbox.reservedThrough == 1001, "still inside the first block")
        _ = try outbox.append([Fixture.event(1002)], storedWallMs: 1, storedMonoNs: 1)
        #expect(outbox.reservedThrough == 1002 + Outbox.seqBlockSize)
        #expect(try String(contentsOfFile: dir.database + ".seq", encoding: .utf8) == "reserved_through 2002\n")
        #expect(Outbox.reservedSeqs(path: dir.database) == 2002)
    }

    @Test("a WAL cut mid-frame loses its last commit; the seq it used is never given to another event")
    func tornWAL() throws {
        let dir = try TempDirectory()
        let crashed = try TempDirectory()
        let outbox = try Fixture.open(dir)
        for number in 1...5 { _ = try outbox.append([Fixture.event(number)], storedWallMs: 1, storedMonoNs: 1) }
        // The files as a power cut would leave them (no checkpoint, no close), then the tail torn.
        for suffix in ["", "-wal", ".seq"] {
            try FileManager.default.copyItem(atPath: dir.database + suffix, toPath: crashed.database + suffix)
        }
        let walSize = try #require(FileManager.default.attributesOfItem(atPath: crashed.database + "-wal")[.size] as? Int)
        try FileHandle(forUpdatingAtPath: crashed.database + "-wal")!.truncate(atOffset: UInt64(walSize - 100))

        let reopened = try Fixture.open(crashed)
        #expect(try reopened.all().map(\.seq) == [1, 2, 3, 4], "seq 5's commit is gone with the torn frame")
        #expect(reopened.skippedOnOpen == 5...1001)
        let next = try reopened.append([Fixture.event(6)], storedWallMs: 1, storedMonoNs: 1)
        #expect(next.map(\.seq) == [1002], "seq 5 was reported stored once: it is never reused")
        reopened.close()
        #expect(try Fixture.open(crashed).skippedOnOpen == nil, "the torn tail is handled once")
        outbox.close()
    }

    @Test("PRAGMA quick_check at open reports damage as .corrupt")
    func quickCheck() throws {
        let dir = try TempDirectory()
        try filledOutbox(dir)
        let size = try #require(FileManager.default.attributesOfItem(atPath: dir.database)[.size] as? Int)
        try overwrite(dir.database, at: (size / 4096 / 2) * 4096, count: 3 * 4096)
        #expect(throws: OutboxError.self) { try Outbox(path: dir.database, site: Fixture.site, device: Fixture.device, quickCheck: true) }
        do {
            _ = try Outbox(path: dir.database, site: Fixture.site, device: Fixture.device, quickCheck: true)
        } catch {
            #expect(error.kind == .corrupt)
            #expect(error.isUnusableDatabase)
        }
    }

    @Test("three garbage pages in the middle: page scan gets every row on an intact page; row-by-row gets what SQLite can reach")
    func middlePages() throws {
        let dir = try TempDirectory()
        try filledOutbox(dir)
        let intact = PageScan.scan(databasePath: dir.database, walPath: nil)
        #expect(intact.rows.count == Self.rows)
        #expect(intact.nextSeq == UInt64(Self.rows) + 1)
        let size = try #require(FileManager.default.attributesOfItem(atPath: dir.database)[.size] as? Int)
        let middle = size / 4096 / 2  // 0-based page index; page numbers are 1-based
        try overwrite(dir.database, at: (middle - 1) * 4096, count: 3 * 4096)
        let damagedPages: Set<Int> = [middle, middle + 1, middle + 2]
        let onIntactPages = Set(intact.rows.filter { !damagedPages.contains($0.page) }.map(\.seq))

        let scanned = PageScan.scan(databasePath: dir.database, walPath: nil)
        #expect(Set(scanned.rows.map(\.seq)) == onIntactPages, "every row on an undamaged page, nothing else")
        #expect(scanned.rows.allSatisfy { (try? Event.decode($0.payload).seq) == $0.seq }, "payloads are the stored bytes")
        let rowwise = RowByRowSalvage.read(path: dir.database, upTo: UInt64(Self.rows) + 1000)
        #expect(Set(rowwise.rows.map(\.seq)).isSubset(of: onIntactPages))
        print("measured: middle pages (\(damagedPages.sorted())): \(onIntactPages.count) of \(Self.rows) rows on intact pages; page scan got \(scanned.rows.count), row-by-row got \(rowwise.rows.count)")
    }

    @Test("an overwritten 100-byte header: page scan gets every row; row-by-row gets none (SQLITE_NOTADB)")
    func header() throws {
        let dir = try TempDirectory()
        try filledOutbox(dir)
        try overwrite(dir.database, at: 0, count: 100)
        #expect(throws: OutboxError.self) { try Fixture.open(dir) }
        let scanned = PageScan.scan(databasePath: dir.database, walPath: nil)
        #expect(scanned.rows.map(\.seq) == (1...UInt64(Self.rows)).map { $0 })
        let rowwise = RowByRowSalvage.read(path: dir.database, upTo: UInt64(Self.rows) + 1000)
        #expect(rowwise.rows.isEmpty)
        print("measured: overwritten header: page scan got \(scanned.rows.count) of \(Self.rows), row-by-row got \(rowwise.rows.count)")
    }

    @Test("salvaged rows go into a fresh outbox with their seq, id and payload; next_seq starts past the block")
    func importIntoFresh() throws {
        let dir = try TempDirectory()
        try filledOutbox(dir)
        let scanned = PageScan.scan(databasePath: dir.database, walPath: nil)
        let fresh = try TempDirectory()
        let outbox = try Fixture.open(fresh)
        #expect(try outbox.importSalvaged(scanned.rows, nextSeq: 3001, oldDatabase: nil) == Self.rows)
        let all = try outbox.all()
        #expect(all.map(\.seq) == (1...UInt64(Self.rows)).map { $0 })
        #expect(all[7].payload == scanned.rows[7].payload)
        #expect(try outbox.append([Fixture.event(99_999)], storedWallMs: 1, storedMonoNs: 1).map(\.seq) == [3001])
    }
}
