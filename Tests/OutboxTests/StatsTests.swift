import GridLinkCore
import Outbox
import Testing

@Suite("stats and checkpoint")
struct StatsTests {
    @Test("empty outbox: every class at depth 0, no oldest, next seq 1")
    func empty() throws {
        let directory = try TempDirectory()
        let outbox = try Fixture.open(directory)
        #expect(try outbox.stats() == OutboxStats(
            depth: [.alarm: 0, .request: 0, .routine: 0], total: 0, oldestStoredWallMs: [:],
            oldestStoredMonoNs: nil, nextSeq: 1))
    }

    @Test("depth per class and the first-stored event's clocks, even when the wall clock stepped back")
    func depthAndOldest() throws {
        let directory = try TempDirectory()
        let outbox = try Fixture.open(directory)
        _ = try outbox.append([Fixture.event(1, .gateEntry)], storedWallMs: 5_000, storedMonoNs: 500)
        _ = try outbox.append([Fixture.event(2, .requestRepair)], storedWallMs: 6_000, storedMonoNs: 600)
        // NTP stepped the clock backwards: the lowest wall clock is not the oldest event.
        _ = try outbox.append([Fixture.event(3, .gateEntry), Fixture.event(4, .requestProxy)], storedWallMs: 1_000, storedMonoNs: 700)
        _ = try outbox.append([Fixture.event(5, .gateHeldOpen)], storedWallMs: 8_000, storedMonoNs: 800)

        #expect(try outbox.stats() == OutboxStats(
            depth: [.alarm: 1, .request: 2, .routine: 2], total: 5,
            oldestStoredWallMs: [.alarm: 8_000, .request: 6_000, .routine: 5_000],
            oldestStoredMonoNs: 500, nextSeq: 6))

        try outbox.remove(seqs: [1, 5])
        #expect(try outbox.stats() == OutboxStats(
            depth: [.alarm: 0, .request: 2, .routine: 1], total: 3,
            oldestStoredWallMs: [.request: 6_000, .routine: 1_000],
            oldestStoredMonoNs: 600, nextSeq: 6))
    }

    @Test("checkpoint leaves the rows in place and the outbox usable")
    func checkpoint() throws {
        let directory = try TempDirectory()
        let outbox = try Fixture.open(directory)
        let stored = try outbox.append((1...50).map { Fixture.event($0) }, storedWallMs: 1, storedMonoNs: 1)
        try outbox.checkpoint()
        try outbox.checkpoint()
        let more = try outbox.append([Fixture.event(51)], storedWallMs: 2, storedMonoNs: 2)
        #expect(try outbox.all() == stored + more)
        outbox.close()
        #expect(try Fixture.open(directory).all() == stored + more)
    }
}
