import GridLinkCore
import Outbox
import Testing

/// The bounded outbox: the per-class overflow policy applied inside the append transaction, with
/// the ledger persisted and turned into exactly one device.overflow report.
@Suite struct BoundedAppendTests {
    func storedSeqs(_ outcomes: [AppendOutcome]) -> [UInt64] {
        outcomes.compactMap { if case .stored(let row) = $0 { row.seq } else { nil } }
    }

    @Test func routineRowsDropOldestFirstAndLeaveAnExplainedSeqGap() throws {
        let dir = try TempDirectory()
        let outbox = try Fixture.open(dir)
        let limits = OutboxLimits(maxRows: 10, maxBytes: 0)
        let first = try outbox.append((1...10).map { Fixture.event($0, .gateEntry) }, limits: limits, storedWallMs: 1, storedMonoNs: 1)
        #expect(storedSeqs(first.outcomes) == Array(1...10) && first.overflow.isEmpty)
        let more = try outbox.append((11...13).map { Fixture.event($0, .gateEntry) }, limits: limits, storedWallMs: 2, storedMonoNs: 2)
        #expect(storedSeqs(more.outcomes) == [11, 12, 13])
        #expect(try outbox.all().map(\.seq) == Array(4...13), "seqs 1–3 dropped, oldest first")
        #expect(more.overflow.eventData == ["routine_dropped_full": 3, "total": 3, "first_seq": 1, "last_seq": 3])
    }

    @Test func requestsAreRefusedNotDroppedAndAlarmsTakeTheRoomOfRoutineRows() throws {
        let dir = try TempDirectory()
        let outbox = try Fixture.open(dir)
        let limits = OutboxLimits(maxRows: 10, maxBytes: 0)
        _ = try outbox.append((1...9).map { Fixture.event($0) }, limits: limits, storedWallMs: 1, storedMonoNs: 1)
        _ = try outbox.append([Fixture.event(10, .gateEntry)], limits: limits, storedWallMs: 1, storedMonoNs: 1)
        // Full: 9 requests + 1 routine. An alarm replaces the routine row; then a request is refused.
        let alarm = try outbox.append([Fixture.event(11, .gateForcedOpen)], limits: limits, storedWallMs: 2, storedMonoNs: 2)
        #expect(storedSeqs(alarm.outcomes) == [11])
        let request = try outbox.append([Fixture.event(12), Fixture.event(13, .gateHeldOpen)], limits: limits, storedWallMs: 3, storedMonoNs: 3)
        guard case .refused(.full) = request.outcomes[0], case .refused(.full) = request.outcomes[1] else {
            Issue.record("expected both refused, got \(request.outcomes)")
            return
        }
        #expect(try outbox.all().count == 10)
        #expect(try outbox.all().filter { $0.eventClass == .request }.map(\.seq) == Array(1...9), "no request was ever dropped")
        #expect(try outbox.stats().nextSeq == 12, "refused events take no seq: no gap for them")
        #expect(try outbox.overflowLedger().eventData == [
            "routine_dropped_full": 1, "request_refused_full": 1, "alarm_refused_full": 1, "total": 3, "first_seq": 10, "last_seq": 10,
        ])
    }

    @Test func theLedgerSurvivesReopenAndIsReportedExactlyOnce() throws {
        let dir = try TempDirectory()
        do {
            let outbox = try Fixture.open(dir)
            _ = try outbox.append((1...12).map { Fixture.event($0, .gateEntry) }, limits: OutboxLimits(maxRows: 10), storedWallMs: 1, storedMonoNs: 1)
        }
        let outbox = try Fixture.open(dir)
        let report = try #require(try outbox.storeOverflowReport(storedWallMs: 5, storedMonoNs: 5) { ledger in
            var event = Fixture.event(99, .deviceOverflow)
            event.data = ledger.eventData
            return event
        })
        #expect(report.seq == 13 && report.eventClass == .request)
        let event = try Event.decode(report.payload)
        #expect(event.data == ["routine_dropped_full": 2, "total": 2, "first_seq": 1, "last_seq": 2])
        #expect(try outbox.overflowLedger().isEmpty)
        #expect(try outbox.storeOverflowReport(storedWallMs: 6, storedMonoNs: 6) { _ in Fixture.event(100) } == nil, "nothing new: no second report")
    }

    @Test func bytesLimitCountsPayloads() throws {
        let dir = try TempDirectory()
        let outbox = try Fixture.open(dir)
        let size = try Fixture.expected(Fixture.event(1, .gateEntry), seq: 1, wallMs: 0, monoNs: 0).payload.count
        let limits = OutboxLimits(maxRows: 0, maxBytes: size * 5 + size / 2)
        let result = try outbox.append((1...8).map { Fixture.event($0, .gateEntry) }, limits: limits, storedWallMs: 1, storedMonoNs: 1)
        #expect(storedSeqs(result.outcomes).count == 8)
        #expect(try outbox.all().map(\.seq) == Array(4...8))
        let huge = try outbox.append([Fixture.event(9)], limits: OutboxLimits(maxRows: 0, maxBytes: 10), storedWallMs: 1, storedMonoNs: 1)
        guard case .refused(.tooLarge) = huge.outcomes[0] else {
            Issue.record("expected too_large, got \(huge.outcomes)")
            return
        }
    }
}
