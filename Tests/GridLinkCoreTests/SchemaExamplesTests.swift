import Foundation
import GridLinkCore
import Testing

/// The JSON examples in docs/schema/event-v1.md decode with the daemon's own types and encode back
/// to the same bytes, so the schema document and the code cannot drift apart.
@Suite struct SchemaExamplesTests {
    static func examples() throws -> [String] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("docs/schema/event-v1.md"), encoding: .utf8)
        var blocks: [String] = []
        var current: [Substring]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "```json" { current = [] } else if line == "```", let lines = current {
                blocks.append(lines.joined(separator: "\n"))
                current = nil
            } else { current?.append(line) }
        }
        return blocks
    }

    @Test func everyEventExampleRoundTripsByteForByte() throws {
        let events = try Self.examples().filter { $0.contains("\"seq\"") }
        let kinds = try Set(events.map { try Event.decode(Array($0.utf8)).kind })
        #expect(kinds.isSuperset(of: [.requestProxy, .requestRepair, .deviceFault, .gateForcedOpen, .gateClosed, .deviceOverflow, .deviceStoreQuarantined]))
        for json in events {
            let event = try Event.decode(Array(json.utf8))
            #expect(event.v == 1)
            #expect(event.eventClass == event.kind.eventClass, "class must follow kind for \(event.kind)")
            #expect(String(decoding: try event.jsonBytes(), as: UTF8.self) == json)
        }
    }

    @Test func ackExampleParses() throws {
        let acks = try Self.examples().filter { $0.contains("\"status\":\"accepted\"") }
        #expect(acks.count == 1)
        let ack = try DownlinkAck.parse(Array(acks[0].utf8)).get()
        #expect(ack == DownlinkAck(id: "019ab0c4-5f3e-7a21-9c3d-2b5e8f1a7c44", status: .accepted, ref: "WO-2026-118734"))
    }

    @Test func eventEncodesClassAndMonoNsUnderTheirWireNames() throws {
        let event = Event(id: "x", seq: 5, site: "s", device: "d", kind: .requestProxy, source: "proxy",
                          time: EventTime(wall: "2026-11-23T08:15:02.113Z", synced: false, boot: "b", monoNs: 42), data: ["press": "short"])
        let json = String(decoding: try event.jsonBytes(), as: UTF8.self)
        #expect(json.contains(#""class":"request""#))
        #expect(json.contains(#""mono_ns":42"#))
        #expect(try Event.decode(Array(json.utf8)) == event)
    }

    @Test func wallClockFormatting() {
        #expect(WallClockFormat.rfc3339(unixMillis: 0) == "1970-01-01T00:00:00.000Z")
        #expect(WallClockFormat.rfc3339(unixMillis: 1_795_421_702_113) == "2026-11-23T08:15:02.113Z")
        #expect(WallClockFormat.rfc3339(unixMillis: 951_782_400_000) == "2000-02-29T00:00:00.000Z")
    }
}
