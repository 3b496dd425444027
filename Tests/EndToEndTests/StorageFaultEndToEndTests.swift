import Foundation
import GridLinkCore
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Storage faults with the real binaries (issue 9): a full disk, a read-only mount, a damaged
/// outbox. The kiosk must say "cannot store" for every press it cannot store, never exit, recover
/// by itself, and bring every salvageable row to a real broker.
@Suite(.serialized) struct StorageFaultEndToEndTests {
    /// The test profile with the outbox bound off (so only the filesystem can refuse) and the
    /// control socket outside the state directory (which may be full or read-only).
    func profile(_ dir: TestDirectory) throws -> String {
        try writeDeliveryProfile(in: dir, tables: """
            [outbox]
            max_rows = 0
            max_bytes = 0
            [paths]
            control_socket = "\(dir.path)/ctl.sock"
            """)
    }

    func storage(_ daemon: DaemonProcess) throws -> [String: Any] {
        try #require(try daemon.status()["storage"] as? [String: Any])
    }

    func mountTmpfs(_ path: String, size: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let result = try runCommand("/bin/mount", ["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", path])
        try #require(result.status == 0, "mount tmpfs: \(result.stderr)")
    }

    @Test func disk_full_every_press_says_cannot_store_status_shows_full_and_it_recovers_by_itself() throws {
        let dir = TestDirectory()
        let state = dir.path + "/state"
        try mountTmpfs(state, size: "2m")
        defer { _ = try? runCommand("/bin/umount", ["-l", state]) }
        let broker = try MosquittoBroker()
        try broker.start()
        let central = CentralRecorder(port: broker.port, answer: false)
        try central.start()
        broker.stop()
        let daemon = DaemonProcess(configPath: try profile(dir), stateDir: state, brokerPort: broker.port, logPath: dir.path + "/gridlinkd.log")
        try daemon.start()
        defer { _ = daemon.terminate() }

        // Presses first, then the card fills up (a filler file takes every free block).
        var stored: [PressResult] = []
        for _ in 0..<5 { stored.append(try #require(try daemon.press("proxy"))) }
        let filler = state + "/filler"
        #expect(FileManager.default.createFile(atPath: filler, contents: nil))
        let handle = try #require(FileHandle(forWritingAtPath: filler))
        let chunk = Data(count: 16 * 1024)
        while (try? handle.write(contentsOf: chunk)) != nil {}
        try? handle.close()

        var refusal: CommandResult?
        for _ in 0..<300 {
            let result = try daemon.ctl(["sim", "press", "proxy", "--hold-ms", "8", "--json"])
            if result.status != 0 { refusal = result; break }
            stored.append(try JSONDecoder().decode(PressResult.self, from: Data(result.stdout.utf8)))
        }
        let refused = try #require(refusal, "300 presses were stored on a full 2 MiB tmpfs; log:\n\(daemon.log())")
        #expect(refused.stderr.hasPrefix("cannot store: disk full (SQLITE_FULL)"), "\(refused.stderr)")
        let status = try daemon.status()
        #expect(status["feedback"] as? String == "cannot_store", "the kiosk shows 'cannot store', not the previous 'received'")
        #expect(status["ledPatterns"] as? [String: String] == ["received": "blink 250ms", "accepted": "blink 250ms", "done": "blink 250ms"])
        let full = try storage(daemon)
        #expect(full["condition"] as? String == "full")
        #expect((full["error"] as? String ?? "").contains("disk full"), "\(full)")
        #expect(full["since_wall_ms"] is NSNumber)
        let text = try daemon.ctl(["status"]).stdout
        #expect(text.contains("storage    FULL"), "\(text)")

        // Space returns: the daemon notices by itself (no press needed).
        let freed = Date()
        try FileManager.default.removeItem(atPath: filler)
        #expect(try waitFor(seconds: 20) { try storage(daemon)["condition"] as? String == "ok" }, "log:\n\(daemon.log())")
        print("measured: disk full → storage ok \(Int(Date().timeIntervalSince(freed) * 1000)) ms after space returned")
        stored.append(try #require(try daemon.press("proxy"), "a press after recovery is stored"))
        #expect(daemon.isRunning, "never exits because of storage")
        let log = daemon.log()
        #expect(log.components(separatedBy: "storage: full").count - 1 == 1, "one line on entering:\n\(log)")
        #expect(log.components(separatedBy: "storage: recovered from full").count - 1 == 1, "one line on recovering:\n\(log)")

        // Everything reported stored arrives; nothing refused does.
        try broker.start()
        #expect(central.waitForDistinct(stored.count, seconds: 30), "\(central.distinct.count) of \(stored.count) arrived")
        #expect(Set(central.distinct.map(\.id)) == Set(stored.map(\.id)))
        #expect(stored.map(\.seq) == (1...UInt64(stored.count)).map { $0 }, "no seq skipped or reused")
        central.stop()
        broker.stop()
    }

    @Test func read_only_mount_refuses_presses_with_the_reason_and_recovers_when_writable() throws {
        let dir = TestDirectory()
        let state = dir.path + "/state"
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        let broker = try MosquittoBroker()
        let config = try profile(dir)
        let log = dir.path + "/gridlinkd.log"
        // A first run stores three presses (the outbox exists when the card turns read-only).
        let first = DaemonProcess(configPath: config, stateDir: state, brokerPort: broker.port, logPath: dir.path + "/first.log")
        try first.start()
        for _ in 0..<3 { _ = try #require(try first.press("repair")) }
        #expect(first.terminate() == 0)

        // The state directory as a read-only bind mount, in the daemon's own mount namespace.
        let daemon = DaemonProcess(configPath: config, stateDir: state, brokerPort: broker.port, logPath: log)
        let script = "mount --bind \(state) \(state) && mount -o remount,bind,ro \(state) && exec \(Binaries.gridlinkd) "
            + daemon.commonArguments.map { "'\($0)'" }.joined(separator: " ")
        let process = try ChildProcess(path: "/usr/bin/unshare", arguments: ["-m", "--propagation", "private", "/bin/sh", "-c", script], outputPath: log)
        defer {
            process.signal(SIGTERM)
            _ = process.waitForExit(timeoutMs: 10_000)
        }
        #expect(waitFor(seconds: 10) { (try? daemon.ctl(["status", "--json"]))?.status == 0 }, "gridlinkd did not come up:\n\(daemon.log())")

        let refused = try daemon.ctl(["sim", "press", "repair", "--hold-ms", "8"])
        #expect(refused.status == 1)
        #expect(refused.stderr.hasPrefix("cannot store: storage is read-only"), "\(refused.stderr)")
        #expect(try daemon.status()["feedback"] as? String == "cannot_store")
        let readOnly = try storage(daemon)
        #expect(readOnly["condition"] as? String == "read_only", "\(readOnly)")

        // Writable again (the read-only bind goes away): recovers by itself, the next press is seq 4.
        let writable = Date()
        let umount = try runCommand("/usr/bin/nsenter", ["-t", "\(process.pid)", "-m", "/bin/umount", "-l", state])
        try #require(umount.status == 0, "umount: \(umount.stderr)")
        #expect(try waitFor(seconds: 20) { try storage(daemon)["condition"] as? String == "ok" }, "log:\n\(daemon.log())")
        print("measured: read-only → storage ok \(Int(Date().timeIntervalSince(writable) * 1000)) ms after the fs became writable")
        #expect(try daemon.press("repair")?.seq == 4)
        #expect(process.isRunning, "never exits because of storage")
        #expect(daemon.log().components(separatedBy: "storage: read_only").count - 1 == 1, "\(daemon.log())")
    }
}

/// A damaged outbox at start: quarantined, salvaged, the kiosk accepts presses at once, and every
/// row on an intact page reaches a real broker with the alarm that explains the rest.
@Suite(.serialized) struct CorruptOutboxEndToEndTests {
    static let rows = 2000

    struct Damage {
        var expectedSeqs: Set<UInt64>
        var description: String
    }

    /// Stores `rows` routine events with the broker down, stops the daemon cleanly, then damages the file.
    func run(_ damage: (_ database: String) throws -> Damage) throws {
        let dir = TestDirectory()
        let broker = try MosquittoBroker()
        try broker.start()
        let central = CentralRecorder(port: broker.port, answer: false)
        try central.start()
        broker.stop()
        let config = try writeDeliveryProfile(in: dir)
        let first = DaemonProcess(configPath: config, stateDir: dir.path, brokerPort: broker.port, logPath: dir.path + "/first.log")
        try first.start()
        let filled = try first.simEvent("gate.entry", count: Self.rows)
        #expect(filled.report?.stored == Self.rows)
        #expect(first.terminate() == 0)
        let database = dir.path + "/outbox.sqlite"
        let expected = try damage(database)

        let daemon = DaemonProcess(configPath: config, stateDir: dir.path, brokerPort: broker.port)
        let started = Date()
        try daemon.start()
        let press = try #require(try daemon.press("proxy"), "a press right after the quarantine is stored; log:\n\(daemon.log())")
        print("measured: \(expected.description): start → first press stored \(Int(Date().timeIntervalSince(started) * 1000)) ms (daemon start and quarantine included)")
        let storage = try #require(try daemon.status()["storage"] as? [String: Any])
        #expect(storage["condition"] as? String == "ok")
        let record = try #require((storage["quarantines"] as? [[String: Any]])?.first)
        #expect(record["rows_salvaged"] as? Int == expected.expectedSeqs.count)
        #expect(record["rows_lost"] as? Int == Self.rows - expected.expectedSeqs.count)
        let skippedTo = try #require((record["seq_skipped_to"] as? NSNumber)?.uint64Value)
        #expect(skippedTo >= UInt64(Self.rows), "every seq up to the reserved block is skipped")
        #expect(press.seq == skippedTo + 2, "after the alarm (skippedTo + 1): never a reused seq")
        let kept = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("outbox.sqlite.quarantined-") }
        #expect(!kept.isEmpty, "the damaged file is kept for a technician")
        print("measured: \(expected.description): \(record["methods"] ?? "?"), salvaged \(record["rows_salvaged"] ?? "?") of \(Self.rows)")

        try broker.start()
        let total = expected.expectedSeqs.count + 2
        #expect(central.waitForDistinct(total, seconds: 60), "\(central.distinct.count) of \(total) arrived")
        let events = central.distinct
        let salvaged = Set(events.filter { $0.kind == .gateEntry }.map(\.seq))
        #expect(salvaged == expected.expectedSeqs, "every row on an intact page arrives, nothing else")
        let alarm = try #require(events.first { $0.kind == .deviceStoreQuarantined })
        #expect(alarm.eventClass == .alarm)
        #expect(alarm.data["rows_salvaged"] == .int(Int64(salvaged.count)), "the alarm's counts match what arrived")
        #expect(alarm.data["rows_lost"] == .int(Int64(Self.rows - salvaged.count)))
        #expect(alarm.data["seq_skipped_to"] == .int(Int64(skippedTo)))

        let cleared = try runCommand(Binaries.gridlinkctl, ["store", "clear-quarantine"] + daemon.commonArguments)
        #expect(cleared.status == 0 && cleared.stdout.hasPrefix("cleared 1 quarantine record(s)"), "\(cleared.stdout)\(cleared.stderr)")
        let afterClear = try #require(try daemon.status()["storage"] as? [String: Any])
        #expect((afterClear["quarantines"] as? [Any])?.isEmpty == true, "cleared: status no longer shows it")
        _ = daemon.terminate()
        central.stop()
        broker.stop()
    }

    /// Which seqs live on which leaf page of `events`, as SQLite itself says (dbstat, in b-tree order).
    static func seqsByLeafPage(_ database: String) throws -> [Int: [UInt64]] {
        let seqs = try runCommand("/usr/bin/sqlite3", [database, "SELECT seq FROM events ORDER BY seq"]).stdout
            .split(separator: "\n").compactMap { UInt64($0) }
        let leaves = try runCommand("/usr/bin/sqlite3", [database, "SELECT pageno, ncell FROM dbstat WHERE name = 'events' AND pagetype = 'leaf' ORDER BY path"]).stdout
            .split(separator: "\n").map { $0.split(separator: "|").compactMap { Int($0) } }
        var result: [Int: [UInt64]] = [:]
        var index = 0
        for leaf in leaves where leaf.count == 2 {
            result[leaf[0]] = Array(seqs[index..<min(seqs.count, index + leaf[1])])
            index += leaf[1]
        }
        #expect(index == seqs.count, "dbstat's leaf cells account for every row")
        return result
    }

    static func overwrite(_ path: String, at offset: Int, count: Int) throws {
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        try handle.seek(toOffset: UInt64(offset))
        try handle.write(contentsOf: Data((0..<count).map { _ in UInt8.random(in: 0...255) }))
        try handle.close()
    }

    @Test func garbage_in_three_middle_pages_of_a_2000_row_outbox() throws {
        try run { database in
            let byPage = try Self.seqsByLeafPage(database)
            let pages = (try FileManager.default.attributesOfItem(atPath: database)[.size] as? Int ?? 0) / 4096
            let damaged = Set((pages / 2 - 1)...(pages / 2 + 1))
            try Self.overwrite(database, at: (pages / 2 - 2) * 4096, count: 3 * 4096)
            let expected = Set(byPage.filter { !damaged.contains($0.key) }.values.joined())
            return Damage(expectedSeqs: expected, description: "pages \(damaged.sorted()) of \(pages) overwritten (\(Self.rows - expected.count) rows on them)")
        }
    }

    @Test func overwritten_100_byte_header() throws {
        try run { database in
            try Self.overwrite(database, at: 0, count: 100)
            return Damage(expectedSeqs: Set((1...UInt64(Self.rows)).map { $0 }), description: "header overwritten")
        }
    }
}
