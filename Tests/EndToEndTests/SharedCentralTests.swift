import Central
import Foundation
import GridLinkCore
import MQTTClient
import Synchronization
import TestSupport
import Testing

/// Two reference central instances on one MQTT 5 shared subscription and one SQLite ledger:
/// they split the events, and every event is acked exactly once even when duplicates are injected.
@Suite(.serialized) struct SharedCentralTests {
    @Test func two_instances_split_the_load_and_ack_each_event_exactly_once_despite_duplicates() throws {
        let dir = TestDirectory()
        let broker = try MosquittoBroker()
        try broker.start()
        let ledgerPath = dir.path + "/ledger.sqlite"

        // The wire: every event and every ack, seen by a plain subscriber.
        let wire = Mutex<[MQTTMessage]>([])
        var watchOptions = MQTTOptions(host: "127.0.0.1", port: Int(broker.port), clientId: "wire-watch")
        watchOptions.cleanSession = true
        let watch = MQTTBackgroundClient(options: watchOptions) { event in
            if case .message(let message) = event { wire.withLock { $0.append(message) } }
        }
        watch.subscribe("gridlink/v1/+/+/events/#", qos: 1)
        watch.subscribe("gridlink/v1/+/+/ack", qos: 1)
        watch.start()
        defer { watch.stop() }
        #expect(watch.waitUntilConnected(timeoutMs: 5000))

        let taken = Mutex<[String: Int]>([:])
        let duplicates = Mutex(0)
        let consumers = ["central-a", "central-b"].map { clientId in
            var options = CentralConsumer.Options(host: "127.0.0.1", port: Int(broker.port))
            options.clientId = clientId
            options.sharedGroup = "central"
            options.ledgerPath = ledgerPath
            options.acceptDelayMs = 20
            options.doneDelayMs = 40
            return CentralConsumer(options: options) { delivery in
                if delivery.duplicate { duplicates.withLock { $0 += 1 } } else { taken.withLock { $0[clientId, default: 0] += 1 } }
            }
        }
        for consumer in consumers {
            #expect(consumer.ledgerProblem == nil)
            #expect(consumer.subscription == "$share/central/gridlink/v1/+/+/events/#")
            consumer.start()
            #expect(consumer.waitUntilConnected(timeoutMs: 5000))
        }
        defer { consumers.forEach { $0.stop() } }
        usleep(200_000)  // both SUBACKs in before the first event

        let daemon = DaemonProcess(configPath: try writeTestProfile(in: dir), stateDir: dir.path, brokerPort: broker.port)
        try daemon.start()
        defer { _ = daemon.terminate() }
        let presses = 20
        for i in 0..<presses { _ = try #require(try daemon.press(i % 2 == 0 ? "proxy" : "repair")) }
        func events() -> [MQTTMessage] { wire.withLock { $0.filter { $0.topic.contains("/events/") } } }
        #expect(waitFor(seconds: 10) { events().count >= presses })

        // Inject duplicates: every event published twice more by a raw client, as a broker or
        // bridge redelivery would.
        var injectOptions = MQTTOptions(host: "127.0.0.1", port: Int(broker.port), clientId: "duplicator")
        injectOptions.cleanSession = true
        let injector = MQTTBackgroundClient(options: injectOptions) { _ in }
        injector.start()
        defer { injector.stop() }
        #expect(injector.waitUntilConnected(timeoutMs: 5000))
        for message in events().prefix(presses) {
            for _ in 0..<2 { _ = try injector.publish(MQTTMessage(topic: message.topic, payload: message.payload, qos: 1, retain: false)) }
        }

        func acks() -> [DownlinkAck] {
            wire.withLock { $0.filter { $0.topic.hasSuffix("/ack") } }.compactMap { try? JSONDecoder().decode(DownlinkAck.self, from: Data($0.payload)) }
        }
        #expect(waitFor(seconds: 10) { acks().count >= 2 * presses && duplicates.withLock { $0 } >= 2 * presses })
        usleep(500_000)  // any extra ack would have arrived by now

        let sent = acks()
        #expect(sent.count == 2 * presses, "each event answered accepted and done exactly once on the wire")
        #expect(Set(sent.map { "\($0.id)/\($0.status.rawValue)" }).count == 2 * presses)
        let ledger = try #require(consumers[0].ledger)
        let rows = try ledger.acks()
        #expect(rows.count == 2 * presses)
        #expect(Set(rows.map { "\($0.id)/\($0.status)" }).count == 2 * presses)
        #expect(duplicates.withLock { $0 } == 2 * presses, "every injected copy was recognised")
        let split = try ledger.eventsByConsumer()
        #expect(split.values.reduce(0, +) == presses)
        #expect(split.count == 2, "both instances took events: \(split)")
        #expect(try ledger.gaps(site: "test-grid", device: "kiosk-t1") == [])
        print("measured: shared subscription split \(presses) events as \(split.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")); \(duplicates.withLock { $0 }) duplicates ignored")
    }

    /// Mosquitto 2.0 does not persist shared subscriptions across its own restart (EMQX, HiveMQ
    /// and VerneMQ do), so this covers what mosquitto keeps: the sessions while consumers are away.
    @Test func shared_sessions_keep_events_while_every_consumer_restarts() throws {
        let dir = TestDirectory()
        let broker = try MosquittoBroker()
        try broker.start()
        let answered = Mutex<[DownlinkAck]>([])
        func makeConsumers() -> [CentralConsumer] {
            ["central-a", "central-b"].map { clientId in
                var options = CentralConsumer.Options(host: "127.0.0.1", port: Int(broker.port))
                options.clientId = clientId
                options.sharedGroup = "central"
                options.ledgerPath = dir.path + "/ledger.sqlite"
                options.acceptDelayMs = 10
                options.doneDelayMs = 10
                return CentralConsumer(options: options, onDelivery: { _ in }, onAnswer: { ack, _ in answered.withLock { $0.append(ack) } })
            }
        }
        // Both instances join the group once, then go away (a deploy).
        let first = makeConsumers()
        first.forEach { $0.start() }
        #expect(first.allSatisfy { $0.waitUntilConnected(timeoutMs: 5000) })
        usleep(200_000)
        first.forEach { $0.stop() }

        // Events arrive while no consumer is connected: the broker queues them on the sessions.
        let daemon = DaemonProcess(configPath: try writeTestProfile(in: dir), stateDir: dir.path, brokerPort: broker.port)
        try daemon.start()
        defer { _ = daemon.terminate() }
        for _ in 0..<6 { _ = try #require(try daemon.press("proxy")) }
        #expect(waitFor(seconds: 10) { (try? daemon.status()["outbox"] as? [String: Any])?["total"] as? Int == 0 }, "events not all at the broker")

        let second = makeConsumers()
        second.forEach { $0.start() }
        defer { second.forEach { $0.stop() } }
        #expect(waitFor(seconds: 10) { answered.withLock { $0.count } >= 12 }, "answered \(answered.withLock { $0.count }) of 12")
        usleep(300_000)
        #expect(answered.withLock { $0.count } == 12)
    }

    @Test func the_ledger_reports_seq_gaps_per_device() throws {
        let dir = TestDirectory()
        let ledger = try CentralLedger(path: dir.path + "/ledger.sqlite")
        func event(_ seq: UInt64, device: String = "d1") throws -> Event {
            let json = #"{"class":"request","data":{"press":"short"},"device":"\#(device)","id":"0192f5c4-0000-7000-8000-\#(String(format: "%012d", seq))\#(device)","kind":"request.proxy","seq":\#(seq),"site":"s1","source":"proxy","time":{"boot":"b","mono_ns":1,"synced":true,"wall":"2026-11-23T08:15:02.113Z"},"v":1}"#
            return try Event.decode(Array(json.utf8))
        }
        #expect(try ledger.admit(event(1), consumer: "a") == .init(isNew: true, skipped: nil))
        #expect(try ledger.admit(event(2), consumer: "a") == .init(isNew: true, skipped: nil))
        #expect(try ledger.admit(event(5), consumer: "b") == .init(isNew: true, skipped: 3...4))
        #expect(try ledger.admit(event(5), consumer: "a") == .init(isNew: false, skipped: nil))
        #expect(try ledger.admit(event(9), consumer: "a") == .init(isNew: true, skipped: 6...8))
        #expect(try ledger.admit(event(1, device: "d2"), consumer: "a").isNew)
        #expect(try ledger.gaps(site: "s1", device: "d1") == [3...4, 6...8])
        #expect(try ledger.admit(event(4), consumer: "b") == .init(isNew: true, skipped: nil))
        #expect(try ledger.gaps(site: "s1", device: "d1") == [3...3, 6...8])
        #expect(try ledger.gaps(site: "s1", device: "d2") == [])
    }
}
