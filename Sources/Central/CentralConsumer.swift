import Dispatch
import GridLinkCore
import MQTTClient
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

/// The minimal central platform for the demo and the tests: subscribes to every device's events
/// with a real MQTT client (persistent session, QoS 1), de-duplicates on the event id, notices seq
/// gaps, and answers each new request with `accepted` and then `done` on the device's ack topic.
public final class CentralConsumer: Sendable {
    public struct Options: Sendable {
        public var host: String
        public var port: Int
        public var clientId = "gridlink-central"
        /// Answer requests at all (tests of "acks arrive" turn this on, of raw delivery off).
        public var answer = true
        public var acceptDelayMs = 200
        public var doneDelayMs = 600

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }
    }

    private struct State {
        var seen: Set<String> = []
        var lastSeq: [String: UInt64] = [:]
    }

    private let options: Options
    private let state = Mutex(State())
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
        var mqtt = MQTTOptions(host: options.host, port: options.port, clientId: options.clientId)
        mqtt.cleanSession = false
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
        client.subscribe(Topics.allEvents, qos: 1)
        client.start()
    }

    public func stop() { client.stop() }

    public func waitUntilConnected(timeoutMs: Int) -> Bool { client.waitUntilConnected(timeoutMs: timeoutMs) }

    private func handle(_ event: MQTTEvent) {
        guard case .message(let message) = event else { return }
        guard let decoded = try? Event.decode(message.payload) else { return }
        let key = "\(decoded.site)/\(decoded.device)"
        let (duplicate, missing) = state.withLock { state -> (Bool, ClosedRange<UInt64>?) in
            guard state.seen.insert(decoded.id).inserted else { return (true, nil) }
            var missing: ClosedRange<UInt64>?
            if let last = state.lastSeq[key], decoded.seq > last + 1 { missing = (last + 1)...(decoded.seq - 1) }
            state.lastSeq[key] = max(state.lastSeq[key] ?? 0, decoded.seq)
            return (false, missing)
        }
        onDelivery(CentralDelivery(event: decoded, topic: message.topic, duplicate: duplicate, missingSeqs: missing))
        guard options.answer, !duplicate, decoded.eventClass == .request, decoded.kind.rawValue.hasPrefix("request."),
              let ackTopic = Topics.ackTopic(forEventTopic: message.topic) else { return }
        answer(DownlinkAck(id: decoded.id, status: .accepted, ref: "C-\(decoded.seq)"), to: ackTopic, afterMs: options.acceptDelayMs)
        answer(DownlinkAck(id: decoded.id, status: .done, ref: "C-\(decoded.seq)"), to: ackTopic, afterMs: options.acceptDelayMs + options.doneDelayMs)
    }

    private func answer(_ ack: DownlinkAck, to topic: String, afterMs: Int) {
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(afterMs)) { [self] in
            guard let payload = try? Array(JSONEncoder().encode(ack)) else { return }
            if (try? client.publish(MQTTMessage(topic: topic, payload: payload, qos: 1, retain: false))) != nil {
                onAnswer(ack, topic)
            }
        }
    }
}
