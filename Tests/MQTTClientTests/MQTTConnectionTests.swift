import Dispatch
import MQTTClient
import Synchronization
import Testing
import TestSupport

@Suite("MQTTConnection against a real mosquitto", .serialized)
struct MQTTConnectionTests {
    @Test("QoS 1 publish to our own subscription: PUBACK carries the returned mid, the bytes arrive intact")
    func qos1RoundTrip() async throws {
        let broker = try MosquittoBroker(persistent: false)
        try broker.start()
        let client = try await LiveClient.connect(port: broker.port, clientId: "roundtrip")
        try await client.subscribe("gridlink/test/roundtrip", qos: 1)

        let payload: [UInt8] = [0, 1, 2, 0x7F, 0x80, 0xFE, 0xFF] + bytes("报修 {\"seq\":1}")
        let sent = MQTTMessage(topic: "gridlink/test/roundtrip", payload: payload, qos: 1, retain: false)
        let mid = try client.connection.publish(sent)

        let acked = await client.events.first { $0.publishedMid }
        #expect(acked?.value == mid)
        let received = await client.events.first { $0.message }
        #expect(received?.value == sent)
        try await client.disconnect()
    }

    @Test("connect to a port where nothing listens throws 'Connection refused' naming the endpoint")
    func connectRefusedByTCP() throws {
        let port = freeLoopbackPort()
        let connection = try MQTTConnection(
            options: MQTTOptions(host: "127.0.0.1", port: Int(port), clientId: "nobody-home"), onEvent: { _ in })
        let error = #expect(throws: MQTTError.self) { try connection.connect() }
        #expect(error?.code == 14)  // MOSQ_ERR_ERRNO
        #expect(error?.message == "Connection refused")
        #expect(error?.description == "mqtt connect to 127.0.0.1:\(port): Connection refused (code 14)")
    }

    @Test("a broker refusing the CONNECT gives .connectRefused, and runLoop returns the refusal")
    func connackRefused() async throws {
        let broker = try MosquittoBroker(persistent: false, allowAnonymous: false)
        try broker.start()
        let events = EventRecorder()
        let connection = try MQTTConnection(
            options: MQTTOptions(host: "127.0.0.1", port: Int(broker.port), clientId: "stranger"),
            onEvent: events.handler)
        try connection.connect()
        let loop = LoopThread(connection)

        let refusal = await events.first { $0.refusal }
        #expect(refusal?.value.code == 5)
        #expect(refusal?.value.message == "Connection Refused: not authorised.")
        let ended = await loop.result()
        #expect(ended != nil)
        #expect(ended?.error != nil)
        #expect(events.all.last == .disconnected(ended?.error))
    }

    @Test("a publish from another thread wakes the blocked loop: PUBACK well inside the 1 s loop timeout")
    func publishWakesLoop() async throws {
        let broker = try MosquittoBroker(persistent: false)
        try broker.start()
        let client = try await LiveClient.connect(port: broker.port, clientId: "waker")
        var worst = 0.0
        for round in 0..<5 {
            try await Task.sleep(for: .milliseconds(250))  // the loop is now idle inside select()
            let start = ContinuousClock.now
            let mid = try client.connection.publish(
                MQTTMessage(topic: "gridlink/test/wake", payload: bytes("round \(round)"), qos: 1, retain: false))
            let acked = await client.events.first { $0.publishedMid == mid ? mid : nil }
            let at = try #require(acked?.at)
            worst = max(worst, milliseconds(from: start, to: at))
        }
        #expect(worst < 500, "slowest PUBACK took \(worst) ms")
        try await client.disconnect()
    }

    @Test("four threads publishing at once past the in-flight window: mids unique, every PUBACK arrives")
    func concurrentPublishers() async throws {
        let broker = try MosquittoBroker(persistent: false)
        try broker.start()
        let client = try await LiveClient.connect(port: broker.port, clientId: "busy") { $0.maxInflight = 8 }
        let returned = Mutex<[Int32]>([])
        let failures = Mutex<[MQTTError]>([])
        DispatchQueue.concurrentPerform(iterations: 4) { thread in
            for index in 0..<500 {
                let message = MQTTMessage(
                    topic: "gridlink/test/busy/\(thread)", payload: Array(repeating: UInt8(index % 256), count: 300),
                    qos: 1, retain: false)
                do throws(MQTTError) {
                    let mid = try client.connection.publish(message)
                    returned.withLock { $0.append(mid) }
                } catch {
                    failures.withLock { $0.append(error) }
                }
            }
        }
        #expect(failures.withLock { $0 }.isEmpty)
        let mids = returned.withLock { $0 }
        #expect(Set(mids).count == 2000)
        #expect(await client.events.wait(timeoutMs: 10_000) { $0.count { $0.publishedMid != nil } >= 2000 })
        #expect(Set(client.events.all.compactMap(\.publishedMid)) == Set(mids))
        try await client.disconnect()
    }

    @Test("disconnect from another thread makes runLoop return nil promptly; later publishes throw")
    func disconnectEndsLoop() async throws {
        let broker = try MosquittoBroker(persistent: false)
        try broker.start()
        let client = try await LiveClient.connect(port: broker.port, clientId: "leaver")
        try await Task.sleep(for: .milliseconds(250))

        let start = ContinuousClock.now
        client.connection.disconnect()
        client.connection.disconnect()  // idempotent
        let ended = try #require(await client.loop.result())
        #expect(ended.error == nil)
        #expect(milliseconds(from: start, to: ended.at) < 500)
        #expect(client.events.all.last == .disconnected(nil))

        let error = #expect(throws: MQTTError.self) {
            try client.connection.publish(MQTTMessage(topic: "t", payload: [], qos: 1, retain: false))
        }
        #expect(error?.code == 4)  // MOSQ_ERR_NO_CONN
    }

    @Test("a connection is single-use: a second connect() throws, a second runLoop() returns an error at once")
    func singleUse() async throws {
        let broker = try MosquittoBroker(persistent: false)
        try broker.start()
        let client = try await LiveClient.connect(port: broker.port, clientId: "once")
        #expect(throws: MQTTError.self) { try client.connection.connect() }
        try await client.disconnect()
        #expect(client.connection.runLoop()?.code == 3)  // MOSQ_ERR_INVAL
    }

    @Test("MQTT v5 session: subscribe, publish and receive")
    func mqtt5RoundTrip() async throws {
        let broker = try MosquittoBroker(persistent: false)
        try broker.start()
        let client = try await LiveClient.connect(port: broker.port, clientId: "v5-client") {
            $0.protocolVersion = .v5
            $0.cleanSession = true
        }
        try await client.subscribe("gridlink/test/v5", qos: 1)
        let sent = MQTTMessage(topic: "gridlink/test/v5", payload: bytes("five"), qos: 1, retain: false)
        try await client.publish(sent)
        #expect(await client.events.first { $0.message }?.value == sent)
        try await client.disconnect()
    }

    @Test("bad options are refused before any network use")
    func badOptions() {
        var options = MQTTOptions(host: "127.0.0.1", port: 1, clientId: "")
        options.cleanSession = false  // libmosquitto needs a client id for a persistent session
        #expect(throws: MQTTError.self) { _ = try MQTTConnection(options: options, onEvent: { _ in }) }
        options.clientId = "x"
        options.maxInflight = -1
        #expect(throws: MQTTError.self) { _ = try MQTTConnection(options: options, onEvent: { _ in }) }
    }
}
