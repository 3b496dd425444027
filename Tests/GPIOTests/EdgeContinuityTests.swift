import Testing
@testable import GPIO

/// Lost-edge detection of the libgpiod backend: what happens after the kernel's event FIFO overflows.
@Suite struct EdgeContinuityTests {
    @Test func alternatingEdgesAreDeliveredAsTheyCome() {
        var continuity = EdgeContinuity(levels: [3: true])
        #expect(continuity.accept(offset: 3, high: false, seqno: 0) == .deliver)
        #expect(continuity.accept(offset: 3, high: true, seqno: 0) == .deliver)
        #expect(continuity.levels[3] == true)
    }

    @Test func twoEdgesTheSameWayMeanOneWasLost_v1HasNoSequenceNumbers() {
        var continuity = EdgeContinuity(levels: [3: true])
        #expect(continuity.accept(offset: 3, high: false, seqno: 0) == .deliver)
        // The rising edge in between fell out of the kernel FIFO: the stream can no longer be trusted.
        #expect(continuity.accept(offset: 3, high: false, seqno: 0) == .resync)
        // Re-reading finds the line high again (button released): that change is reported.
        let changed = continuity.resynchronised(offset: 3, high: true)
        #expect(changed)
        #expect(continuity.levels[3] == true)
    }

    @Test func aSequenceGapDeliversTheEdgeThenResynchronises_v2() {
        var continuity = EdgeContinuity(levels: [0: true])
        #expect(continuity.accept(offset: 0, high: false, seqno: 1) == .deliver)
        #expect(continuity.accept(offset: 0, high: true, seqno: 2) == .deliver)
        // seqno 3 and 4 were dropped; 5 still alternates, so it is real and is reported first.
        #expect(continuity.accept(offset: 0, high: false, seqno: 5) == .deliverThenResync)
        // The level read back equals what was reported: nothing more to feed.
        let changed = continuity.resynchronised(offset: 0, high: false)
        #expect(!changed)
    }

    @Test func linesAreTrackedIndependently() {
        var continuity = EdgeContinuity(levels: [0: true, 1: true])
        #expect(continuity.accept(offset: 0, high: false, seqno: 1) == .deliver)
        #expect(continuity.accept(offset: 1, high: false, seqno: 1) == .deliver)
        #expect(continuity.accept(offset: 1, high: true, seqno: 2) == .deliver)
        #expect(continuity.accept(offset: 0, high: true, seqno: 2) == .deliver)
    }
}
