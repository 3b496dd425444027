import Foundation
import GridLinkCore
import GridLinkDaemon
import Logging
import Outbox
import Testing

/// SQLITE_CORRUPT while running (issue 9, item 4): the drain must not stall silently on a damaged
/// page. The damage is made on disk under the running queue; the next drain hits it, the file is
/// quarantined and salvaged, and the drain goes on with every row on an intact page.
@Suite struct RuntimeCorruptionTests {
    func event(_ number: Int) -> NewEvent {
        NewEvent(id: String(format: "0192f5c4-0000-7000-8000-%012d", number), kind: .gateEntry, source: "door",
                 time: EventTime(wall: "2026-11-23T08:15:02.113Z", synced: true, boot: "b", monoNs: UInt64(number)))
    }

    @Test func corruptionFoundByTheDrainIsQuarantinedAndTheDrainGoesOn() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gl-rc-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/outbox.sqlite"
        let queue = OutboxQueue(path: path, site: "s", device: "d", logger: Logger(label: "test"))
        try queue.sync { outbox in
            for start in stride(from: 0, to: 8000, by: 200) {
                _ = try outbox.append((start..<start + 200).map(event), storedWallMs: 1, storedMonoNs: 1)
            }
            try outbox.checkpoint()
            // One more commit restarts the WAL: the pages now come from the database file.
            _ = try outbox.append([event(50_000)], storedWallMs: 1, storedMonoNs: 1)
        }
        let size = try #require(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        try handle.seek(toOffset: UInt64((size / 4096 / 2) * 4096))
        try handle.write(contentsOf: Data(repeating: 0xA5, count: 3 * 4096))
        try handle.close()
        // 8,000 rows (~3 MB) outgrow SQLite's page cache (2 MB), so the next drain reads the
        // middle pages from the file again, as on a board whose outbox grew while offline.

        let failed = Result { try queue.sync { try $0.pending(limit: 10_000, excluding: []) } }
        guard case .failure = failed else {
            Issue.record("the drain that meets the damage must fail (and quarantine)")
            return
        }
        let pending = try queue.sync { try $0.pending(limit: 10_000, excluding: []) }
        let record = try #require(queue.storageReport.quarantines.first)
        #expect(record.reason == "corrupt")
        #expect(queue.storageHealth.isHealthy)
        let salvaged = pending.filter { $0.kind == .gateEntry }
        #expect(salvaged.count == record.rowsSalvaged)
        #expect(salvaged.count >= 7900, "three pages hold at most a few dozen rows")
        #expect(pending.first?.kind == .deviceStoreQuarantined, "the alarm drains first")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).contains { $0.hasPrefix("outbox.sqlite.quarantined-") })
        print("measured: runtime corruption found by the drain: \(record.rowsSalvaged) of 8001 rows salvaged (\(record.methods))")
        queue.close()
    }
}
