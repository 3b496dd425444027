import GridLinkCore
import Testing

@Suite struct FeedbackMachineTests {
    @Test func newestRequestMovesReceivedAcceptedDone() {
        var machine = FeedbackMachine()
        #expect(machine.leds == ["received": false, "accepted": false, "done": false])
        machine.stored(requestId: "a")
        #expect(machine.leds == ["received": true, "accepted": false, "done": false])
        let accepted = machine.acknowledged(DownlinkAck(id: "a", status: .accepted))
        #expect(accepted)
        #expect(machine.leds == ["received": true, "accepted": true, "done": false])
        let done = machine.acknowledged(DownlinkAck(id: "a", status: .done))
        #expect(done)
        #expect(machine.leds == ["received": true, "accepted": true, "done": true])
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
        #expect(machine.leds == ["received": true, "accepted": false, "done": false])
    }
}
