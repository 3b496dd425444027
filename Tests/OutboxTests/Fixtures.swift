import Foundation
import GridLinkCore
import Outbox

/// A fresh directory per test, removed when the value is deinitialised.
final class TempDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("outbox-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// The outbox file inside this directory.
    var database: String { path + "/outbox.sqlite" }
}

enum Fixture {
    static let site = "hongmiao-grid-03"
    static let device = "kiosk-hall-1"
    static let topics = Topics(site: site, device: device)

    /// A distinct, recognisable event; `number` goes into the id, the clocks and `data`.
    static func event(_ number: Int, _ kind: EventKind = .requestRepair) -> NewEvent {
        NewEvent(
            id: "0192f5c4-0000-7000-8000-\(String(repeating: "0", count: 12 - String(number).count))\(number)",
            kind: kind, source: "button\(number % 3)",
            time: EventTime(
                wall: WallClockFormat.rfc3339(unixMillis: 1_795_000_000_000 + Int64(number)), synced: number % 2 == 0,
                boot: "3b1e6c1a-1d7e-4c55-9a33-0f6f0c5b9e21", monoNs: 81_234_567_890 + UInt64(number)),
            data: ["press": "short", "count": .int(Int64(number)), "held": .bool(number % 2 == 1)])
    }

    static func open(_ directory: TempDirectory) throws -> Outbox {
        try Outbox(path: directory.database, site: site, device: device)
    }

    /// The row the outbox must hold for `new` stored with `seq` at the given store clocks.
    static func expected(_ new: NewEvent, seq: UInt64, wallMs: Int64, monoNs: UInt64) throws -> StoredEvent {
        let event = Event(
            id: new.id, seq: seq, site: site, device: device, kind: new.kind, source: new.source, time: new.time,
            data: new.data)
        return StoredEvent(
            seq: seq, id: new.id, eventClass: new.kind.eventClass, kind: new.kind, topic: topics.event(new.kind),
            payload: try event.jsonBytes(), storedWallMs: wallMs, storedMonoNs: monoNs)
    }
}
