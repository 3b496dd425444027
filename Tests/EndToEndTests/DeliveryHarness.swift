import Foundation
import GridLinkCore
import MQTTClient
import Synchronization
import TestSupport

/// The test profile with delivery settings: `uplink` keys spliced into `[uplink]`, plus whole
/// tables (`[outbox]`, `[telemetry]`) appended.
func writeDeliveryProfile(in dir: TestDirectory, uplink: [String] = [], tables: String = "") throws -> String {
    let path = try writeTestProfile(in: dir)
    var text = try String(contentsOfFile: path, encoding: .utf8)
    text = text.replacingOccurrences(of: "[uplink]\n", with: "[uplink]\n" + uplink.map { $0 + "\n" }.joined())
    text += "\n" + tables + "\n"
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// `gridlinkctl sim event --json` output.
struct SimEventsResult: Decodable {
    var kind: String
    var stored: Int
    var refused: Int
    var firstSeq: UInt64?
    var lastSeq: UInt64?
}

extension DaemonProcess {
    /// Records `count` events of `kind` through the daemon's outbox path; the exit status and report.
    func simEvent(_ kind: String, count: Int) throws -> (status: Int32, report: SimEventsResult?, stderr: String) {
        let result = try ctl(["sim", "event", kind, "--count", "\(count)", "--json"])
        return (result.status, try? JSONDecoder().decode(SimEventsResult.self, from: Data(result.stdout.utf8)), result.stderr)
    }

    func counters() throws -> [String: Int] { (try status()["counters"] as? [String: Int]) ?? [:] }
}

/// A real MQTT client recording every message on some topics (telemetry, command replies).
final class TopicRecorder: Sendable {
    private let client: MQTTBackgroundClient
    private let received = Received()

    /// The messages, shared with the MQTT callback.
    final class Received: Sendable {
        let list = Mutex<[MQTTMessage]>([])
    }

    init(port: UInt16, topics: [String]) throws {
        var options = MQTTOptions(host: "127.0.0.1", port: Int(port), clientId: "test-topics-\(UUID().uuidString.prefix(6))")
        options.cleanSession = true
        let received = received
        client = MQTTBackgroundClient(options: options) { event in
            if case .message(let message) = event { received.list.withLock { $0.append(message) } }
        }
        for topic in topics { client.subscribe(topic, qos: 1) }
        client.start()
        guard client.waitUntilConnected(timeoutMs: 5000) else { throw HarnessError("topic recorder could not connect") }
        usleep(200_000)  // let the SUBACK come back before the test publishes
    }

    func messages(on topic: String) -> [MQTTMessage] { received.list.withLock { $0.filter { $0.topic == topic } } }

    /// JSON objects received on `topic`.
    func objects(on topic: String) -> [[String: Any]] {
        messages(on: topic).compactMap { try? JSONSerialization.jsonObject(with: Data($0.payload)) as? [String: Any] }
    }

    func publish(_ topic: String, _ text: String) throws {
        _ = try client.publish(MQTTMessage(topic: topic, payload: Array(text.utf8), qos: 1, retain: false))
    }

    func stop() { client.stop() }
}
