import Foundation
import MQTTClient
import Synchronization
import TestSupport
import Testing

/// What the real gridlinkd (and the reference central) actually put on the wire, captured by a
/// real subscriber, validated against docs/schema/*.schema.json by a real JSON Schema validator
/// (python3-jsonschema, draft 2020-12, through tools/validate-payloads).
@Suite(.serialized) struct SchemaEndToEndTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var validator: String { root.appendingPathComponent("tools/validate-payloads").path }

    @Test func every_payload_gridlinkd_and_central_publish_matches_its_schema() throws {
        let dir = TestDirectory()
        let broker = try MosquittoBroker()
        try broker.start()
        let captured = Mutex<[MQTTMessage]>([])
        var options = MQTTOptions(host: "127.0.0.1", port: Int(broker.port), clientId: "schema-capture")
        options.cleanSession = true
        let capture = MQTTBackgroundClient(options: options) { event in
            if case .message(let message) = event { captured.withLock { $0.append(message) } }
        }
        capture.subscribe("gridlink/v1/#", qos: 1)
        capture.start()
        defer { capture.stop() }
        #expect(capture.waitUntilConnected(timeoutMs: 5000))
        let central = CentralRecorder(port: broker.port, answer: true)
        try central.start()
        defer { central.stop() }

        // Double press on, so every press kind the daemon can produce goes on the wire.
        let daemon = DaemonProcess(configPath: try writeTestProfile(in: dir, doublePressMs: 1000), stateDir: dir.path, brokerPort: broker.port)
        try daemon.start()
        var kinds: [String] = []
        kinds.append(try #require(try daemon.press("proxy")).press)
        kinds.append(try #require(try daemon.press("repair", long: true)).press)
        let double = try daemon.ctl(["sim", "press", "proxy", "--double", "--json"])
        #expect(double.status == 0, "\(double.stdout)\(double.stderr)")
        kinds.append(try JSONDecoder().decode(PressResult.self, from: Data(double.stdout.utf8)).press)
        #expect(kinds == ["short", "long", "double"])
        // Commands from central: validated as sent; a daemon that answers them (telemetry-now,
        // ping) has its telemetry and cmd/reply payloads captured and validated here too.
        for command in [#"{"cmd":"ping","id":"c-1"}"#, #"{"cmd":"telemetry-now","id":"c-2"}"#] {
            _ = try capture.publish(MQTTMessage(topic: "gridlink/v1/test-grid/kiosk-t1/cmd", payload: Array(command.utf8), qos: 1, retain: false))
        }
        func count(_ suffix: String) -> Int { captured.withLock { $0.filter { $0.topic.hasSuffix(suffix) }.count } }
        #expect(waitFor(seconds: 10) { count("/ack") >= 6 && count("/cmd") >= 2 }, "acks: \(count("/ack")); log:\n\(daemon.log())")
        usleep(300_000)  // replies and telemetry, where the daemon sends them
        #expect(daemon.terminate() == 0)
        #expect(waitFor(seconds: 5) { captured.withLock { $0.contains { $0.topic.hasSuffix("/state") && String(decoding: $0.payload, as: UTF8.self).contains("offline") } } })

        let messages = captured.withLock { $0 }
        let levels = Set(messages.map { $0.topic.split(separator: "/").dropFirst(4).first.map(String.init) ?? "" })
        #expect(levels.isSuperset(of: ["events", "state", "ack", "cmd"]))
        let result = try validate(messages, in: dir)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.hasPrefix("\(messages.count) of \(messages.count) payloads valid ("), "\(result.stdout)")
        for part in ["6 ack", "2 cmd", "3 event", "2 state"] { #expect(result.stdout.contains(part), "\(result.stdout)") }
        print("measured: schema-validated \(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))")
    }

    @Test func the_validator_rejects_a_payload_that_breaks_the_schema() throws {
        let dir = TestDirectory()
        let broken = #"{"class":"request","data":{"press":"triple"},"device":"kiosk-t1","kind":"request.proxy","seq":0,"site":"test-grid","source":"proxy","time":{"boot":"b","mono_ns":1,"synced":true,"wall":"2026-11-23T08:15:02Z"},"v":1}"#
        let message = MQTTMessage(topic: "gridlink/v1/test-grid/kiosk-t1/events/request/proxy", payload: Array(broken.utf8), qos: 1, retain: false)
        let result = try validate([message], in: dir)
        #expect(result.status == 1)
        let topic = message.topic
        #expect(result.stdout == """
            INVALID \(topic) (event): (root): 'id' is a required property
            INVALID \(topic) (event): data/press: 'triple' is not one of ['short', 'long', 'double']
            INVALID \(topic) (event): seq: 0 is less than the minimum of 1
            INVALID \(topic) (event): time/wall: '2026-11-23T08:15:02Z' does not match '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\\\.[0-9]{3}Z$'
            0 of 1 payloads valid (1 event)

            """)
    }

    @Test func every_example_in_the_schema_document_matches_its_schema() throws {
        let result = try runCommand(Self.validator, ["--examples", Self.root.appendingPathComponent("docs/schema/event-v1.md").path])
        #expect(result.status == 0, "\(result.stdout)")
    }

    private func validate(_ messages: [MQTTMessage], in dir: TestDirectory) throws -> CommandResult {
        let lines = try messages.map { message -> String in
            let record = ["topic": message.topic, "payload": String(decoding: message.payload, as: UTF8.self)]
            return String(decoding: try JSONSerialization.data(withJSONObject: record), as: UTF8.self)
        }
        let path = dir.path + "/capture.jsonl"
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return try runCommand(Self.validator, [path])
    }
}
