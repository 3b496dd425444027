import GridLinkCore
import Outbox
import Testing

@Suite("append")
struct AppendTests {
    @Test("three events get seq 1, 2, 3 and the exact wire payload and topic")
    func appendThree() throws {
        let directory = try TempDirectory()
        let outbox = try Fixture.open(directory)
        let events = [Fixture.event(1), Fixture.event(2, .gateEntry), Fixture.event(3, .gateForcedOpen)]

        let stored = try outbox.append(events, storedWallMs: 1_795_000_000_500, storedMonoNs: 90_000)

        let expected = try events.enumerated().map { offset, new in
            try Fixture.expected(new, seq: UInt64(offset + 1), wallMs: 1_795_000_000_500, monoNs: 90_000)
        }
        #expect(stored == expected)
        #expect(stored.map(\.id) == events.map(\.id))
        #expect(stored.map(\.topic) == [
            "gridlink/v1/hongmiao-grid-03/kiosk-hall-1/events/request/repair",
            "gridlink/v1/hongmiao-grid-03/kiosk-hall-1/events/gate/entry",
            "gridlink/v1/hongmiao-grid-03/kiosk-hall-1/events/gate/forced_open",
        ])
        for (row, new) in zip(stored, events) {
            let decoded = try Event.decode(row.payload)
            #expect(decoded == Event(
                id: new.id, seq: row.seq, site: Fixture.site, device: Fixture.device, kind: new.kind,
                source: new.source, time: new.time, data: new.data))
        }
        // What is on disk is what append returned (drain order: alarm seq 3, request seq 1, routine seq 2).
        #expect(try outbox.all() == [expected[2], expected[0], expected[1]])
        #expect(try outbox.stats().nextSeq == 4)
    }

    @Test("seq is never reused: append, remove all, close, reopen, append continues at 3")
    func seqPersistsAcrossRemoveAndRestart() throws {
        let directory = try TempDirectory()
        var outbox = try Fixture.open(directory)
        let first = try outbox.append([Fixture.event(1), Fixture.event(2)], storedWallMs: 1, storedMonoNs: 1)
        try outbox.remove(seqs: first.map(\.seq))
        #expect(try outbox.all() == [])
        outbox.close()

        outbox = try Fixture.open(directory)
        #expect(try outbox.stats().nextSeq == 3)
        let again = try outbox.append([Fixture.event(3)], storedWallMs: 2, storedMonoNs: 2)
        #expect(again == [try Fixture.expected(Fixture.event(3), seq: 3, wallMs: 2, monoNs: 2)])
        #expect(try outbox.all() == again)
    }

    @Test("a batch of 100 is one transaction: a duplicate id in it stores none of it and keeps next_seq")
    func groupCommitIsAllOrNothing() throws {
        let directory = try TempDirectory()
        let outbox = try Fixture.open(directory)
        let earlier = try outbox.append([Fixture.event(1000)], storedWallMs: 7, storedMonoNs: 7)

        var batch = (1...100).map { Fixture.event($0) }
        batch[99].id = batch[0].id
        #expect {
            _ = try outbox.append(batch, storedWallMs: 8, storedMonoNs: 8)
        } throws: { error in
            let error = try #require(error as? OutboxError)
            return error.kind == .duplicateId && error.underlying?.code == 19  // SQLITE_CONSTRAINT
        }
        #expect(try outbox.all() == earlier)
        #expect(try outbox.stats().nextSeq == 2)

        // An id already stored by an earlier append rejects the whole new batch too.
        batch[99] = Fixture.event(1000)
        #expect(throws: OutboxError.self) { _ = try outbox.append(batch, storedWallMs: 8, storedMonoNs: 8) }
        #expect(try outbox.all() == earlier)

        batch[99] = Fixture.event(100)
        let stored = try outbox.append(batch, storedWallMs: 9, storedMonoNs: 9)
        #expect(stored.map(\.seq) == Array(2...101))
        #expect(try outbox.all() == earlier + stored)
        #expect(try outbox.stats().nextSeq == 102)
    }

    @Test("an empty append stores nothing and uses no seq")
    func emptyAppend() throws {
        let directory = try TempDirectory()
        let outbox = try Fixture.open(directory)
        #expect(try outbox.append([], storedWallMs: 1, storedMonoNs: 1) == [])
        #expect(try outbox.stats().nextSeq == 1)
    }
}
