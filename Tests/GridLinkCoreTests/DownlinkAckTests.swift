import GridLinkCore
import Testing

@Suite struct DownlinkAckTests {
    @Test(arguments: [
        ("not json at all", DownlinkError.notJSON),
        ("[1,2,3]", DownlinkError.notJSON),
        (#"{"status":"done"}"#, DownlinkError.badField("id", "is missing")),
        (#"{"id":"a"}"#, DownlinkError.badField("status", "is missing")),
        (#"{"id":42,"status":"done"}"#, DownlinkError.badField("id", "has the wrong type")),
        (#"{"id":"a","status":"teleported"}"#, DownlinkError.badField("status", "has an unknown value (expected accepted, done or rejected)")),
        (#"{"id":"","status":"done"}"#, DownlinkError.badField("id", "must be 1–64 characters")),
    ])
    func malformedAcksAreRejectedWithAReason(payload: String, expected: DownlinkError) {
        #expect(DownlinkAck.parse(Array(payload.utf8)) == .failure(expected))
    }

    @Test func oversizedPayloadIsRejectedUnread() {
        let payload = [UInt8](repeating: 0x20, count: 5000)
        #expect(DownlinkAck.parse(payload) == .failure(.tooLarge(5000, limit: 4096)))
    }

    @Test func unknownExtraFieldsAreIgnored() throws {
        let ack = try DownlinkAck.parse(Array(#"{"id":"a","status":"done","worker":"Li"}"#.utf8)).get()
        #expect(ack == DownlinkAck(id: "a", status: .done))
    }
}
