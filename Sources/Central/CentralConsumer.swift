import Dispatch
import GridLinkCore
import MQTTClient
import SQLite
import Synchronization

/// One event as the central side saw it.
public struct CentralDelivery: Sendable {
    public var event: Event
    public var topic: String
    /// The id was seen before (a redelivery after a reconnect): not processed again.
    public var duplicate: Bool
    /// The seq numbers this device skipped, if the new seq is not the one after the last seen.
    public var missingSeqs: ClosedRange<UInt64>?
}

/// The reference central consumer: subscribes to every device's events with a real MQTT client
/// (QoS 1), de-duplicates on the event id and notices seq gaps through a SQLite ledger
/// (``CentralLedger``), and answers each new request with `accepted` and then `done` on the
/// device's ack topic.
///
/// To scale out, run several instances with the same `sharedGroup` and `ledgerPath`: each joins
/// the MQTT 5 shared subscription `$share/{group}/gridlink/v1/+/+/events/#`, so the broker hands
/// every event to one of them, and the shared ledger makes sure a redelivered or duplicated event
/// is taken, and each ack sent, exactly once across all of them. If the instance that took an
/// event dies before answering, nobody answers it (the ledger shows it without acks).
public final class CentralConsumer: Sendable {
    public struct Options: Sendable {
        public var host: String
        public var port: Int
        public var clientId = "gridlink-central"
        /// Answer requests at all (tests of "acks arrive" turn this on, of raw delivery off).
        public var answer = true
        public var acceptDelayMs = 200
        public var doneDelayMs = 600
        /// The ledger file; several instances share one. `":memory:"` keeps it in this process.
        public var ledgerPath = ":memory:"
        /// Join the MQTT 5 shared subscription of this group instead of a plain subscription.
        public var sharedGroup: String?
        /// TLS (and the central certificate, CN = central, for the example broker's ACL).
        public var tls: MQTTTLSOptions?

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }
    }

    private let options: Options
    /// Nil only when the ledger could not be opened (see ``ledgerProblem``).
    public let ledger: CentralLedger?
    /// Why the ledger could not be opened; the consumer then de-duplicates nothing.
    public let ledgerProblem: SQLiteError?
    private let client: MQTTBackgroundClient
    private let onDelivery: @Sendable (CentralDelivery) -> Void
    private let onAnswer: @Sendable (DownlinkAck, String) -> Void

    /// - Parameters:
    ///   - onDelivery: every event received, duplicates included (flagged).
    ///   - onAnswer: every ack sent, with the topic it went to.
    public init(options: Options, onDelivery: @escaping @Sendable (CentralDelivery) -> Void,
                onAnswer: @escaping @Sendable (DownlinkAck, String) -> Void = { _, _ in }) {
        self.options = options
        self.onDelivery = onDelivery
        self.onAnswer = onAnswer
        do {
            ledger = try CentralLedger(path: options.ledgerPath)
            ledgerProblem = nil
        } catch {
            ledger = nil
            ledgerProblem = error
        }
        var mqtt = MQTTOptions(host: options.host, port: options.port, clientId: options.clientId)
        mqtt.cleanSession = false
        mqtt.tls = options.tls
        // Shared subscriptions are an MQTT 5 feature; the device path stays on 3.1.1.
        // Its session (and the messages queued for it) outlives a reconnect or broker restart.
        if options.sharedGroup != nil {
            mqtt.protocolVersion = .v5
            mqtt.sessionExpirySeconds = 24 * 3600
        }
        let box = Box()
        client = MQTTBackgroundClient(options: mqtt) { event in box.consumer?.handle(event) }
        box.consumer = self
    }

    /// Lets the MQTT callback reach the consumer that owns the client.
    private final class Box: @unchecked Sendable {
        // @unchecked: written once in init before the client starts, read-only afterwards.
        weak var consumer: CentralConsumer?
    }

    public func start() {
        client.subscribe(subscription, qos: 1)
        client.start()
    }

    public func stop() { client.stop() }

    /// `$share/{group}/gridlink/v1/+/+/events/#`, or the plain filter without a group.
    public var subscription: String {
        options.sharedGroup.map { "$share/\($0)/\(Topics.allEvents)" } ?? Topics.allEvents
    }

    public func waitUntilConnected(timeoutMs: Int) -> Bool { client.waitUntilConnected(timeoutMs: timeoutMs) }

    private func handle(_ event: MQTTEvent) {
        guard case .message(let message) = event else { return }
        guard let decoded = try? Event.decode(message.payload) else { return }
        var admission = CentralLedger.Admission(isNew: true, skipped: nil)
        if let ledger {
            do {
                admission = try ledger.admit(decoded, consumer: options.clientId)
            } catch {
                // The ledger failed (disk full, locked past the busy timeout): report the event
                // but do not answer it, since another instance may have taken it.
                onDelivery(CentralDelivery(event: decoded, topic: message.topic, duplicate: false, missingSeqs: nil))
                return
            }
        }
        let (duplicate, missing) = (!admission.isNew, admission.skipped)
        onDelivery(CentralDelivery(event: decoded, topic: message.topic, duplicate: duplicate, missingSeqs: missing))
        guard options.answer, !duplicate, decoded.eventClass == .request, decoded.kind.rawValue.hasPrefix("request."),
              let ackTopic = Topics.ackTopic(forEventTopic: message.topic) else { return }
        answer(DownlinkAck(id: decoded.id, status: .accepted, ref: "C-\(decoded.seq)"), to: ackTopic, afterMs: options.acceptDelayMs)
        answer(DownlinkAck(id: decoded.id, status: .done, ref: "C-\(decoded.seq)"), to: ackTopic, afterMs: options.acceptDelayMs + options.doneDelayMs)
    }

    private func answer(_ ack: DownlinkAck, to topic: String, afterMs: Int) {
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(afterMs)) { [self] in
            if let ledger {
                guard (try? ledger.claimAck(id: ack.id, status: ack.status, consumer: options.clientId)) == true else { return }
            }
            guard let payload = try? Array(JSONEncoder().encode(ack)) else { return }
            if (try? client.publish(MQTTMessage(topic: topic, payload: payload, qos: 1, retain: false))) != nil {
                onAnswer(ack, topic)
            }
        }
    }
}
