import Foundation
import MQTTClient

/// A plain MQTT client for injecting downlink messages in tests.
final class MQTTTestPublisher {
    private let client: MQTTBackgroundClient

    init(port: UInt16) throws {
        var options = MQTTOptions(host: "127.0.0.1", port: Int(port), clientId: "test-publisher-\(UUID().uuidString.prefix(6))")
        options.cleanSession = true
        client = MQTTBackgroundClient(options: options) { _ in }
        client.start()
        guard client.waitUntilConnected(timeoutMs: 5000) else { throw HarnessError("test publisher could not connect") }
    }

    func publish(_ topic: String, _ text: String) throws {
        _ = try client.publish(MQTTMessage(topic: topic, payload: Array(text.utf8), qos: 1, retain: false))
    }

    deinit { client.stop() }
}
