import GridLinkCore
import Testing

@Suite struct FeedbackMachineTests {
    @Test func newestRequestMovesReceivedAcceptedDone() {
        var machine = FeedbackMachine()
        #expect(machine.leds == ["received": false, "accepted": false, "done": false])
        machine.stored(requestId: "a")
        #expect(machine.leds == ["received": true, "accepted": false, "done": false])
        #expect(machine.acknowledged(DownlinkAck(id: "a", status: .accepted)))
        #expect(machine.leds == ["received": true, "accepted": true, "done": false])
        #expect(machine.acknowledged(DownlinkAck(id: "a", status: .done)))
        #expect(machine.leds == ["received": true, "accepted": true, "done": true])
    }

    @Test func ackForAnOlderRequestOrALateAcceptDoesNotMoveTheLeds() {
        var machine = FeedbackMachine()
        machine.stored(requestId: "old")
        machine.stored(requestId: "new")
        #expect(!machine.acknowledged(DownlinkAck(id: "old", status: .done)))
        #expect(machine.state == .received)
        #expect(machine.acknowledged(DownlinkAck(id: "new", status: .done)))
        #expect(!machine.acknowledged(DownlinkAck(id: "new", status: .accepted)))
        #expect(machine.state == .done)
    }

    @Test func rejectedShowsOnlyReceived() {
        var machine = FeedbackMachine()
        machine.stored(requestId: "a")
        machine.acknowledged(DownlinkAck(id: "a", status: .rejected))
        #expect(machine.leds == ["received": true, "accepted": false, "done": false])
    }
}
