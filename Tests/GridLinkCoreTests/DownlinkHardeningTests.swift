import GridLinkCore
import Testing

/// Issue 9 item 5: the downlink decoders and their warnings, against the reproductions.
@Suite struct DownlinkHardeningTests {
    @Test func anOversizedCommandQuotesTheCommandLimit() {
        let payload = [UInt8](repeating: 0x20, count: 1500)
        let error = DownlinkCommand.parse(payload)
        #expect(error == .failure(.tooLarge(1500, limit: DownlinkCommand.maxPayloadBytes)))
        guard case .failure(let reason) = error else { return }
        #expect(reason.description == "payload is 1500 bytes, more than 1024")
    }

    @Test(arguments: [
        #"{"cmd":"ping","cmd":"led-test","id":"c1"}"#,
        #"{"id":"c1","cmd":"ping","\u0063md":"led-test"}"#,
        #"{"id":"c1", "cmd" : "ping" , "cmd":"ping"}"#,
    ])
    func aCommandWithADuplicateKeyIsRefused(payload: String) {
        #expect(DownlinkCommand.parse(Array(payload.utf8)) == .failure(.duplicateKey("cmd")))
    }

    @Test func anAckWithADuplicateKeyIsRefused() {
        #expect(DownlinkAck.parse(Array(#"{"id":"a","status":"rejected","status":"done"}"#.utf8)) == .failure(.duplicateKey("status")))
    }

    @Test(arguments: [
        #"{"id":"a","status":"done","extra":{"id":"b"}}"#,  // same key in a nested object
        #"{"id":"a","status":"done","list":[{"x":1},{"x":2}]}"#,  // same key in sibling objects
        #"{"id":"status","status":"done"}"#,  // a value that equals a key
        #"{"id":"a\",\"id\":\"b","status":"done"}"#,  // quotes inside a string
    ])
    func sameKeysInDifferentObjectsAreFine(payload: String) {
        #expect(JSONDuplicateKeys.first(in: Array(payload.utf8)) == nil)
    }

    @Test func twoThousandBadMessagesGiveAFewLinesAndBoundedState() {
        // The reproduction: 2,000 malformed messages of every size and kind within a minute.
        var warnings = DownlinkWarnings()
        var lines: [String] = []
        for index in 0..<2000 {
            let size = 1025 + index  // every size different: was one line each
            let error: DownlinkError = switch index % 4 {
            case 0: .tooLarge(size, limit: 1024)
            case 1: .notJSON
            case 2: .duplicateKey("k\(index)")
            default: .badField("id", "is missing")
            }
            let topic = index % 2 == 0 ? "ack" : "cmd"
            lines += warnings.lines(group: "\(topic): \(error.kind)", reason: "\(topic) ignored: \(error)", atNs: UInt64(index) * 25_000_000)
            #expect(warnings.trackedGroups <= DownlinkWarnings.capacity)
        }
        // 50 s of flood, 60 s window: one line per group that occurred (4 kinds × 2 topics at most).
        #expect(lines.count <= 8, "\(lines)")
        #expect(!lines.isEmpty)
    }

    @Test func aLongFloodReportsHowManyWereIgnored() {
        var warnings = DownlinkWarnings(intervalNs: 1_000_000_000)
        var lines: [String] = []
        for index in 0..<2000 {  // 20 s at 100 per second
            lines += warnings.lines(group: "ack: not JSON", reason: "ack ignored: payload is not a JSON object", atNs: UInt64(index) * 10_000_000)
        }
        #expect(lines.count <= 21)
        #expect(lines.dropFirst().allSatisfy { $0.contains("99 more like it") }, "\(lines.prefix(3))")
    }

    @Test func distinctGroupsAreBoundedWhateverArrives() {
        var warnings = DownlinkWarnings()
        for index in 0..<10_000 {
            _ = warnings.lines(group: "unexpected topic \(index)", reason: "x", atNs: UInt64(index))
        }
        #expect(warnings.trackedGroups <= DownlinkWarnings.capacity)
    }
}
