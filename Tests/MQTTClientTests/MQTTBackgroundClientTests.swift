import MQTTClient
import Testing
import TestSupport

@Suite("MQTTBackgroundClient", .serialized)
struct MQTTBackgroundClientTests {
    @Test("survives a broker stop and start: reconnects by itself, subscribes again, receives again")
    func reconnectsAfterBrokerRestart() async throws {
        let broker = try MosquittoBroker(persistent: true)
        try broker.start()
        let events = EventRecorder()
        var options = MQTTOptions(host: "127.0.0.1", port: Int(broker.port), clientId: "central-bg")
        options.cleanSession = true  // the broker forgets subscriptions: receiving again proves re-subscription
        let client = MQTTBackgroundClient(options: options, reconnectDelayMs: 100, onEvent: events.handler)
        client.subscribe("gridlink/v1/+/+/events/#", qos: 1)
        client.start()
        #expect(client.waitUntilConnected(timeoutMs: 5000))
        #expect(await events.wait { $0.contains { $0.subscribedMid != nil } })

        let before = MQTTMessage(topic: "gridlink/v1/s/d/events/request/repair", payload: bytes("before"), qos: 1, retain: false)
        try await publishOnce(port: broker.port, before)
        #expect(await events.first { $0.message }?.value == before)

        broker.stop()
        #expect(await events.wait { $0.contains { $0.disconnection != nil } })
        #expect(!client.isConnected)
        #expect(throws: MQTTError.self) { _ = try client.publish(before) }

        try broker.start()
        #expect(await events.wait { list in list.filter { $0.subscribedMid != nil }.count >= 2 })
        #expect(client.isConnected)

        let after = MQTTMessage(topic: "gridlink/v1/s/d/events/gate/forced_open", payload: bytes("after"), qos: 1, retain: false)
        try await publishOnce(port: broker.port, after)
        #expect(await events.wait { $0.contains { $0.message == after } })

        client.stop()
        #expect(!client.isConnected)
        #expect(events.all.last == .disconnected(nil))
    }

    @Test("publish through the background client gets its PUBACK")
    func publishes() async throws {
        let broker = try MosquittoBroker(persistent: false)
        try broker.start()
        let events = EventRecorder()
        let client = MQTTBackgroundClient(
            options: MQTTOptions(host: "127.0.0.1", port: Int(broker.port), clientId: "bg-pub"), onEvent: events.handler)
        client.start()
        #expect(client.waitUntilConnected(timeoutMs: 5000))
        let mid = try client.publish(MQTTMessage(topic: "gridlink/test/bg", payload: bytes("x"), qos: 1, retain: false))
        #expect(await events.first { $0.publishedMid == mid ? mid : nil } != nil)
        client.stop()
    }

    /// Publishes one QoS 1 message from a short-lived client and waits for its PUBACK.
    func publishOnce(port: UInt16, _ message: MQTTMessage) async throws {
        let publisher = try await LiveClient.connect(port: port, clientId: "") { $0.cleanSession = true }
        try await publisher.publish(message)
        try await publisher.disconnect()
    }
}
