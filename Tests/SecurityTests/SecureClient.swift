import Foundation
import MQTTClient
import Synchronization
import TestSupport

/// A real MQTT client with a certificate identity from a ``TestPKI``, recording what it sees.
final class SecureClient: Sendable {
    let client: MQTTBackgroundClient
    private let box: LogBox

    /// `identity` nil connects over TLS without a client certificate.
    init(port: UInt16, pki: TestPKI, identity: TestPKI.Identity?, clientId: String, tls: Bool = true) {
        var options = MQTTOptions(host: "127.0.0.1", port: Int(port), clientId: clientId)
        options.cleanSession = true
        if tls { options.tls = MQTTTLSOptions(caFile: pki.caFile, certFile: identity?.certFile, keyFile: identity?.keyFile) }
        let box = LogBox()
        client = MQTTBackgroundClient(options: options, reconnectDelayMs: 100) { event in box.append(event) }
        self.box = box
    }

    func start() { client.start() }
    func stop() { client.stop() }

    var events: [MQTTEvent] { box.events }
    /// Payloads received, by topic, in arrival order.
    var messages: [MQTTMessage] { events.compactMap { if case .message(let m) = $0 { m } else { nil } } }
    var failures: [MQTTError] {
        events.compactMap { event in
            switch event {
            case .disconnected(let error?), .connectRefused(let error): error
            default: nil
            }
        }
    }

    func publish(_ topic: String, _ text: String) throws {
        _ = try client.publish(MQTTMessage(topic: topic, payload: Array(text.utf8), qos: 1, retain: false))
    }

    func waitForSubscriptions(_ count: Int) -> Bool {
        poll(seconds: 5) { events.filter { if case .subscribed = $0 { true } else { false } }.count >= count }
    }
}

/// The event list, shared with the client's callback.
final class LogBox: Sendable {
    private let list = Mutex<[MQTTEvent]>([])
    func append(_ event: MQTTEvent) { list.withLock { $0.append(event) } }
    var events: [MQTTEvent] { list.withLock { $0 } }
}

/// Polls every 20 ms until `condition` holds or `seconds` pass; returns the last answer.
func poll(seconds: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(20_000)
    }
    return condition()
}

/// A private directory for one test, removed at the end.
final class TempDir {
    let path: String
    init() {
        path = "/tmp/gl-sec-" + String(UUID().uuidString.prefix(8)).lowercased()
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
