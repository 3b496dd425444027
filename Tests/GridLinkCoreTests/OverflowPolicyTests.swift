import GridLinkCore
import Testing

@Suite struct OverflowPolicyTests {
    let limits = OutboxLimits(maxRows: 10, maxBytes: 1000)

    @Test func anEventThatFitsIsAdmittedWithoutEvictingAnything() {
        let usage = OutboxUsage(rows: 9, bytes: 900)
        #expect(OverflowPolicy.decide(eventClass: .routine, bytes: 100, usage: usage, limits: limits, oldestRoutineBytes: [100]) == .admit(evictingOldestRoutine: 0))
    }

    @Test func aFullOutboxDropsTheOldestRoutineRowsForAnyNewEvent() {
        let full = OutboxUsage(rows: 10, bytes: 1000)
        for eventClass in EventClass.allCases {
            #expect(OverflowPolicy.decide(eventClass: eventClass, bytes: 100, usage: full, limits: limits, oldestRoutineBytes: [100, 100]) == .admit(evictingOldestRoutine: 1))
        }
        // Bytes decide: a 250-byte alarm needs three 100-byte routine rows gone.
        let byBytes = OutboxUsage(rows: 5, bytes: 1000)
        #expect(OverflowPolicy.decide(eventClass: .alarm, bytes: 250, usage: byBytes, limits: limits, oldestRoutineBytes: [100, 100, 100, 100]) == .admit(evictingOldestRoutine: 3))
    }

    @Test func requestsAndAlarmsAreRefusedWhenNoRoutineRowIsLeftToDrop() {
        let fullOfRequests = OutboxUsage(rows: 10, bytes: 900)
        #expect(OverflowPolicy.decide(eventClass: .request, bytes: 90, usage: fullOfRequests, limits: limits, oldestRoutineBytes: []) == .refuse(.full))
        #expect(OverflowPolicy.decide(eventClass: .alarm, bytes: 90, usage: fullOfRequests, limits: limits, oldestRoutineBytes: []) == .refuse(.full))
        #expect(OverflowPolicy.decide(eventClass: .routine, bytes: 90, usage: fullOfRequests, limits: limits, oldestRoutineBytes: []) == .refuse(.full))
    }

    @Test func anEventLargerThanTheWholeOutboxIsRefusedAsTooLarge() {
        #expect(OverflowPolicy.decide(eventClass: .request, bytes: 1001, usage: OutboxUsage(rows: 0, bytes: 0), limits: limits, oldestRoutineBytes: []) == .refuse(.tooLarge))
    }

    @Test func unlimitedAdmitsEverything() {
        #expect(OverflowPolicy.decide(eventClass: .routine, bytes: 1 << 20, usage: OutboxUsage(rows: 1 << 30, bytes: 1 << 40), limits: OutboxLimits(), oldestRoutineBytes: []) == .admit(evictingOldestRoutine: 0))
    }
}

@Suite struct OverflowLedgerTests {
    @Test func countsByClassOutcomeAndReasonWithTheSeqRangeOfDroppedRows() {
        var ledger = OverflowLedger()
        #expect(ledger.isEmpty)
        ledger.dropped(.routine, seqs: [7, 8, 9])
        ledger.dropped(.routine, seqs: [3])
        ledger.refused(.request, reason: .full)
        ledger.refused(.alarm, reason: .full)
        #expect(ledger.eventData == [
            "routine_dropped_full": 4, "request_refused_full": 1, "alarm_refused_full": 1,
            "total": 6, "first_seq": 3, "last_seq": 9,
        ])
    }

    @Test func refusalsAloneCarryNoSeqRangeBecauseRefusedEventsGotNoSeq() {
        var ledger = OverflowLedger()
        ledger.refused(.request, reason: .tooLarge)
        #expect(ledger.eventData == ["request_refused_too_large": 1, "total": 1])
    }

    @Test func survivesAKeyValueRoundTripAndMerges() {
        var ledger = OverflowLedger()
        ledger.dropped(.routine, seqs: [10, 11])
        #expect(OverflowLedger(entries: ledger.entries) == ledger)
        var more = OverflowLedger()
        more.dropped(.routine, seqs: [20])
        more.refused(.request, reason: .full)
        ledger.merge(more)
        #expect(ledger.eventData == ["routine_dropped_full": 3, "request_refused_full": 1, "total": 4, "first_seq": 10, "last_seq": 20])
    }
}
