import GridLinkCore
import Outbox
import Testing

@Suite("drain order and remove")
struct DrainTests {
    /// routine 1, request 2, alarm 3, routine 4, alarm 5, request 6, routine 7.
    static let kinds: [EventKind] = [
        .gateEntry, .requestProxy, .gateForcedOpen, .gateEntry, .gateForcedOpen, .requestProxy, .gateEntry,
    ]

    func filled(_ directory: TempDirectory) throws -> Outbox {
        let outbox = try Fixture.open(directory)
        for (offset, kind) in Self.kinds.enumerated() {  // one append each, like the daemon's recorder
            _ = try outbox.append([Fixture.event(offset + 1, kind)], storedWallMs: Int64(offset), storedMonoNs: 0)
        }
        return outbox
    }

    @Test("alarms, then requests, then routine; FIFO within a class")
    func drainOrder() throws {
        let directory = try TempDirectory()
        let outbox = try filled(directory)
        #expect(try outbox.pending(limit: 100, excluding: []).map(\.seq) == [3, 5, 2, 6, 1, 4, 7])
        #expect(try outbox.pending(limit: 3, excluding: []).map(\.seq) == [3, 5, 2])
        #expect(try outbox.all().map(\.eventClass) == [.alarm, .alarm, .request, .request, .routine, .routine, .routine])
        #expect(try outbox.all().map(\.seq) == [3, 5, 2, 6, 1, 4, 7])
    }

    @Test("excluding skips in-flight seqs and still fills the limit")
    func excludingSkipsInFlight() throws {
        let directory = try TempDirectory()
        let outbox = try filled(directory)
        #expect(try outbox.pending(limit: 3, excluding: [3, 5, 2]).map(\.seq) == [6, 1, 4])
        #expect(try outbox.pending(limit: 2, excluding: [5, 6, 99]).map(\.seq) == [3, 2])
        #expect(try outbox.pending(limit: 10, excluding: Set(1...7)) == [])
        #expect(try outbox.pending(limit: 0, excluding: []) == [])
        let rows = try outbox.pending(limit: 1, excluding: [3])
        #expect(rows == [try Fixture.expected(Fixture.event(5, .gateForcedOpen), seq: 5, wallMs: 4, monoNs: 0)])
    }

    @Test("an alarm stored later overtakes routine events still waiting")
    func alarmOvertakes() throws {
        let directory = try TempDirectory()
        let outbox = try filled(directory)
        try outbox.remove(seqs: [3, 5, 2, 6])
        _ = try outbox.append([Fixture.event(8, .deviceFault)], storedWallMs: 8, storedMonoNs: 0)
        #expect(try outbox.pending(limit: 2, excluding: []).map(\.seq) == [8, 1])
    }

    @Test("remove deletes exactly the given seqs; unknown and repeated seqs are not errors")
    func remove() throws {
        let directory = try TempDirectory()
        let outbox = try filled(directory)
        try outbox.remove(seqs: [3, 1, 42, 3])
        try outbox.remove(seqs: [])
        #expect(try outbox.all().map(\.seq) == [5, 2, 6, 4, 7])
        try outbox.remove(seqs: [3, 1])
        #expect(try outbox.all().map(\.seq) == [5, 2, 6, 4, 7])
    }

    @Test("using the outbox after close throws .closed")
    func useAfterClose() throws {
        let directory = try TempDirectory()
        let outbox = try filled(directory)
        outbox.close()
        outbox.close()
        #expect {
            _ = try outbox.pending(limit: 1, excluding: [])
        } throws: { error in
            (error as? OutboxError)?.kind == .closed
        }
    }
}
