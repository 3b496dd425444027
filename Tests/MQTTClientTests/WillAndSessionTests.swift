import MQTTClient
import Testing
import TestSupport

@Suite("Wills and persistent sessions", .serialized)
struct WillAndSessionTests {
    static let stateTopic = "gridlink/v1/site/dev/state"

    static func withWill(_ options: inout MQTTOptions) {
        options.will = MQTTMessage(topic: stateTopic, payload: bytes("offline"), qos: 1, retain: true)
    }

    /// What a fresh subscriber to the state topic gets as its retained message.
    static func retainedState(port: UInt16) async throws -> MQTTMessage? {
        let observer = try await LiveClient.connect(port: port, clientId: "observer") { $0.cleanSession = true }
        try await observer.subscribe(stateTopic)
        let retained = await observer.events.first(timeoutMs: 1000) { $0.message }
        try await observer.disconnect()
        return retained?.value
    }

    @Test("a client whose link dies without DISCONNECT leaves its retained will 'offline'")
    func willOnLinkLoss() async throws {
        let broker = try MosquittoBroker(persistent: false)
        try broker.start()
        let link = try TCPProxy(targetPort: broker.port)
        let device = try await LiveClient.connect(port: link.port, clientId: "device", configure: Self.withWill)
        try await device.publish(MQTTMessage(topic: Self.stateTopic, payload: bytes("online"), qos: 1, retain: true))

        link.dropConnections()
        let ended = try #require(await device.loop.result())
        #expect(ended.error?.code == 7, "runLoop returned \(String(describing: ended.error))")  // MOSQ_ERR_CONN_LOST

        let state = try await Self.retainedState(port: broker.port)
        #expect(state == MQTTMessage(topic: Self.stateTopic, payload: bytes("offline"), qos: 1, retain: true))
    }

    @Test("a clean disconnect does not publish the will")
    func noWillOnCleanDisconnect() async throws {
        let broker = try MosquittoBroker(persistent: false)
        try broker.start()
        let device = try await LiveClient.connect(port: broker.port, clientId: "device", configure: Self.withWill)
        try await device.publish(MQTTMessage(topic: Self.stateTopic, payload: bytes("online"), qos: 1, retain: true))
        try await device.disconnect()
        try await Task.sleep(for: .milliseconds(300))

        let state = try await Self.retainedState(port: broker.port)
        #expect(state?.payload == bytes("online"))
    }

    @Test("persistent session: a QoS 1 message published while away arrives on reconnect, session present")
    func persistentSession() async throws {
        let broker = try MosquittoBroker(persistent: true)
        try broker.start()
        let topic = "gridlink/v1/site/dev/ack"
        let first = try await LiveClient.connect(port: broker.port, clientId: "persistent-device")
        try await first.subscribe(topic, qos: 1)
        try await first.disconnect()

        let central = try await LiveClient.connect(port: broker.port, clientId: "central") { $0.cleanSession = true }
        let ack = MQTTMessage(topic: topic, payload: bytes("{\"status\":\"accepted\"}"), qos: 1, retain: false)
        try await central.publish(ack)
        try await central.disconnect()

        let again = try await LiveClient.connect(port: broker.port, clientId: "persistent-device")
        #expect(again.sessionPresent)
        #expect(await again.events.first { $0.message }?.value == ack)
        try await again.disconnect()
    }
}
