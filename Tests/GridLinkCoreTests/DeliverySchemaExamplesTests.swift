import GridLinkCore
import Testing

/// The delivery examples in docs/schema/event-v1.md (device.overflow, telemetry, commands) decode
/// with the daemon's own types and encode back to the same bytes.
@Suite struct DeliverySchemaExamplesTests {
    @Test func overflowExampleMatchesWhatTheLedgerProduces() throws {
        let json = try #require(try SchemaExamplesTests.examples().first { $0.contains(#""kind":"device.overflow""#) })
        let event = try Event.decode(Array(json.utf8))
        var ledger = OverflowLedger()
        ledger.dropped(.routine, seqs: Array(3...14))
        ledger.refused(.request, reason: .full)
        ledger.refused(.alarm, reason: .full)
        #expect(event.data == ledger.eventData)
        #expect(event.eventClass == .request && event.source == "outbox")
    }

    @Test func telemetryExampleRoundTrips() throws {
        let json = try #require(try SchemaExamplesTests.examples().first { $0.contains(#""uptime_s""#) && $0.contains(#""outbox""#) })
        let report = try JSONDecoder().decode(TelemetryReport.self, from: Data(json.utf8))
        #expect(report.outbox["routine"] == .init(depth: 18, oldestAgeS: 95.25))
        #expect(report.outbox["alarm"] == .init(depth: 0, oldestAgeS: nil))
        #expect(String(decoding: report.jsonBytes(), as: UTF8.self) == json)
    }

    @Test func commandAndReplyExamplesRoundTrip() throws {
        let examples = try SchemaExamplesTests.examples()
        let command = try #require(examples.first { $0.hasPrefix(#"{"cmd":"telemetry-now""#) })
        #expect(try DownlinkCommand.parse(Array(command.utf8)).get() == DownlinkCommand(id: "c-20261123-0007", cmd: .telemetryNow))
        let replyJSON = try #require(examples.first { $0.contains(#""detail""#) })
        let reply = try JSONDecoder().decode(CommandReply.self, from: Data(replyJSON.utf8))
        #expect(String(decoding: reply.jsonBytes(), as: UTF8.self) == replyJSON)
    }
}
