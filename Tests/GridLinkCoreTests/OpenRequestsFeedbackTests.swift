import GridLinkCore
import Testing

/// Several open requests, "done" clearing after `feedback.done_clear_s`, and restoring from the
/// persisted status (README, "What the kiosk and the gate do").
@Suite struct OpenRequestsFeedbackTests {
    static let clear: Int64 = 30_000

    @Test func two_open_requests_the_newer_is_answered_first() {
        var machine = FeedbackMachine(doneClearMs: Self.clear)
        machine.stored(requestId: "a", atMs: 1_000)
        machine.stored(requestId: "b", atMs: 2_000)
        #expect(machine.shown?.id == "b" && machine.state == .received)
        let changed1 = machine.acknowledged(DownlinkAck(id: "b", status: .accepted), atMs: 3_000)
        #expect(changed1)
        #expect(machine.state == .accepted)
        let changed2 = machine.acknowledged(DownlinkAck(id: "b", status: .done), atMs: 4_000)
        #expect(changed2)
        #expect(machine.state == .done && machine.shown?.id == "b")
        #expect(machine.nextChangeMs == 34_000)
        let changed3 = machine.advance(toMs: 33_999)
        #expect(!changed3)
        let changed4 = machine.advance(toMs: 34_000)
        #expect(changed4, "done cleared after done_clear_s: the older open request shows again")
        #expect(machine.shown?.id == "a" && machine.state == .received)
        let changed5 = machine.acknowledged(DownlinkAck(id: "a", status: .done), atMs: 40_000)
        #expect(changed5)
        #expect(machine.state == .done)
        let changed6 = machine.advance(toMs: 70_000)
        #expect(changed6)
        #expect(machine.state == .idle && machine.requests.isEmpty, "nothing left: idle, and finished requests are forgotten")
    }

    @Test func two_open_requests_the_older_is_answered_first() {
        var machine = FeedbackMachine(doneClearMs: Self.clear)
        machine.stored(requestId: "a", atMs: 1_000)
        machine.stored(requestId: "b", atMs: 2_000)
        let changed7 = machine.acknowledged(DownlinkAck(id: "a", status: .accepted), atMs: 3_000)
        #expect(!changed7, "recorded, but the LEDs follow b")
        let changed8 = machine.acknowledged(DownlinkAck(id: "a", status: .done), atMs: 4_000)
        #expect(!changed8)
        #expect(machine.requests.map(\.progress) == [.done, .received])
        #expect(machine.state == .received && machine.shown?.id == "b")
        let changed9 = machine.acknowledged(DownlinkAck(id: "b", status: .done), atMs: 5_000)
        #expect(changed9)
        #expect(machine.state == .done)
        let changed10 = machine.advance(toMs: 35_000)
        #expect(changed10)
        #expect(machine.state == .idle, "a finished long ago: after b's done clears there is nothing to show")
    }

    @Test func rejected_clears_like_done_and_late_or_unknown_acks_change_nothing() {
        var machine = FeedbackMachine(doneClearMs: Self.clear)
        machine.stored(requestId: "a", atMs: 0)
        let changed11 = machine.acknowledged(DownlinkAck(id: "a", status: .rejected), atMs: 1_000)
        #expect(changed11)
        #expect(machine.state == .rejected)
        let changed12 = machine.acknowledged(DownlinkAck(id: "a", status: .accepted), atMs: 2_000)
        #expect(!changed12)
        let changed13 = machine.acknowledged(DownlinkAck(id: "zzz", status: .done), atMs: 2_000)
        #expect(!changed13)
        let changed14 = machine.advance(toMs: 31_000)
        #expect(changed14 && machine.state == .idle)
    }

    @Test func restoring_the_persisted_requests_shows_what_was_shown_before() {
        let persisted = [
            TrackedRequest(id: "old", progress: .done, changedAtMs: 1_000),
            TrackedRequest(id: "a", progress: .accepted, changedAtMs: 50_000),
            TrackedRequest(id: "b", progress: .done, changedAtMs: 95_000),
        ]
        var machine = FeedbackMachine(doneClearMs: Self.clear, restoring: persisted, atMs: 100_000)
        #expect(machine.requests.map(\.id) == ["a", "b"], "the long-finished request is forgotten")
        #expect(machine.state == .done && machine.shown?.id == "b")
        let changed15 = machine.advance(toMs: 125_000)
        #expect(changed15)
        #expect(machine.state == .accepted && machine.shown?.id == "a")
        #expect(IndicatorPlan.patterns(state: machine.state, online: true, cannotStore: false)["accepted"] == .on)
    }

    @Test func at_most_max_tracked_requests_are_followed() {
        var machine = FeedbackMachine(doneClearMs: Self.clear)
        for i in 0..<(FeedbackMachine.maxTracked + 5) { machine.stored(requestId: "r\(i)", atMs: Int64(i)) }
        #expect(machine.requests.count == FeedbackMachine.maxTracked)
        #expect(machine.requests.first?.id == "r5")
    }
}
