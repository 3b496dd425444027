import GridLinkCore
import Testing

@Suite struct FeedbackMachineTests {
    @Test func newestRequestMovesReceivedAcceptedDone() {
        var machine = FeedbackMachine()
        #expect(steadyLeds(machine.state) == ["received": false, "accepted": false, "done": false])
        machine.stored(requestId: "a")
        #expect(steadyLeds(machine.state) == ["received": true, "accepted": false, "done": false])
        let accepted = machine.acknowledged(DownlinkAck(id: "a", status: .accepted))
        #expect(accepted)
        #expect(steadyLeds(machine.state) == ["received": true, "accepted": true, "done": false])
        let done = machine.acknowledged(DownlinkAck(id: "a", status: .done))
        #expect(done)
        #expect(steadyLeds(machine.state) == ["received": true, "accepted": true, "done": true])
    }

    @Test func ackForAnOlderRequestOrALateAcceptDoesNotMoveTheLeds() {
        var machine = FeedbackMachine()
        machine.stored(requestId: "old")
        machine.stored(requestId: "new")
        let olderDone = machine.acknowledged(DownlinkAck(id: "old", status: .done))
        #expect(!olderDone)
        #expect(machine.state == .received)
        let newDone = machine.acknowledged(DownlinkAck(id: "new", status: .done))
        #expect(newDone)
        let lateAccept = machine.acknowledged(DownlinkAck(id: "new", status: .accepted))
        #expect(!lateAccept)
        #expect(machine.state == .done)
    }

    @Test func rejectedShowsOnlyReceived() {
        var machine = FeedbackMachine()
        machine.stored(requestId: "a")
        machine.acknowledged(DownlinkAck(id: "a", status: .rejected))
        #expect(steadyLeds(machine.state) == ["received": true, "accepted": false, "done": false])
    }
}

/// What the three kiosk LEDs show for `state` while online, as levels: every pattern here is steady.
/// The one mapping from state to LEDs is `IndicatorPlan`; tests read it rather than keep a second one.
func steadyLeds(_ state: FeedbackState) -> [String: Bool] {
    IndicatorPlan.patterns(state: state, online: true, cannotStore: false)
        .filter { $0.key != "status" }
        .mapValues { $0 == .on }
}
