import Dispatch
import GridLinkCore
import Logging
import MQTTClient
import Outbox
import Synchronization

/// Drains the outbox to the broker (QoS 1) and listens for acks.
///
/// The outbox is the only queue: rows are published only while connected, at most
/// `inflightWindow` at a time, in drain order (class, then seq); a row is deleted only when its
/// PUBACK arrives. Every connection attempt uses a fresh libmosquitto handle, so nothing is ever
/// queued inside libmosquitto while offline; after a reconnect whatever was in flight is published
/// again from the table with the same id and seq (consumers de-duplicate on id).
/// Reconnects wait with full-jitter exponential backoff.
public final class Uplink: @unchecked Sendable {
    // @unchecked: the drain state below is touched only on `queue`; `session` is behind a Mutex.
    private let config: DeviceConfig
    private let outbox: OutboxQueue
    private let logger: Logger
    private let onAck: @Sendable (DownlinkAck) -> Void
    private let queue = DispatchQueue(label: "gridlink.uplink")
    private let sessionThread = DispatchQueue(label: "gridlink.uplink.session")

    // Drain state (on `queue`).
    private var connection: MQTTConnection?
    /// The session whose events are current; events of an earlier session are dropped (their
    /// message ids mean nothing to the new one).
    private var activeSession: Int?
    private var inflight: [Int32: (seq: UInt64, kind: EventKind)] = [:]
    /// Acknowledged, being deleted: still excluded from `pending` so they are not sent again.
    private var removing: Set<UInt64> = []
    private var fetching = false
    private var drainAgain = false
    private var stats = UplinkStats()
    private var loggedDownlink: Set<String> = []

    // Session control (any thread).
    private let session = Mutex<(stopping: Bool, current: MQTTConnection?)>((false, nil))
    private let wakeup = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    public init(config: DeviceConfig, outbox: OutboxQueue, logger: Logger, onAck: @escaping @Sendable (DownlinkAck) -> Void) {
        self.config = config
        self.outbox = outbox
        self.logger = logger
        self.onAck = onAck
    }

    public func start() {
        sessionThread.async { self.runSessions() }
    }

    /// New rows were committed: publish them if there is room in the window.
    public func kick() {
        queue.async { self.drain() }
    }

    public var currentStats: UplinkStats { queue.sync { stats } }

    /// Hands the counters to `answer` on the uplink's queue once it gets there (the watchdog's
    /// heartbeat; never blocks the caller).
    public func heartbeat(_ answer: @escaping @Sendable (UplinkStats) -> Void) {
        queue.async { answer(self.stats) }
    }

    // MARK: - Connection lifecycle (on `sessionThread`)

    private func runSessions() {
        var backoff = Backoff(baseMs: UInt64(config.uplink.backoffInitialMs), capMs: UInt64(config.uplink.backoffMaxMs))
        var random = SystemRandomNumberGenerator()
        let broker = "\(config.broker.host):\(config.broker.port)"
        var sessionId = 0
        while !session.withLock({ $0.stopping }) {
            var connectedThisTime = false
            sessionId += 1
            let thisSession = sessionId
            do {
                let connection = try MQTTConnection(options: options()) { [weak self] event in self?.received(event, session: thisSession) }
                let proceed = session.withLock { state -> Bool in
                    state.current = connection
                    return !state.stopping
                }
                if proceed {
                    try connection.connect()
                    queue.sync { self.activeSession = thisSession; self.connection = connection }
                    let lost = connection.runLoop()
                    connectedThisTime = queue.sync { () -> Bool in
                        let was = stats.connected
                        disconnected()
                        return was
                    }
                    if let lost { logger.warning("uplink: connection to \(broker) lost: \(lost)") }
                }
                session.withLock { $0.current = nil }
            } catch {
                logger.warning("uplink: cannot connect to \(broker): \(error)")
            }
            if session.withLock({ $0.stopping }) { break }
            if connectedThisTime { backoff.reset() }
            let delay = backoff.nextDelayMs(random: &random)
            logger.info("uplink: reconnecting to \(broker) in \(delay) ms (attempt \(backoff.failures))")
            _ = wakeup.wait(timeout: .now() + .milliseconds(Int(delay)))
        }
        finished.signal()
    }

    private func options() -> MQTTOptions {
        var options = MQTTOptions(host: config.broker.host, port: config.broker.port, clientId: config.clientId)
        options.cleanSession = false
        options.keepaliveSeconds = config.broker.keepaliveSeconds
        options.maxInflight = config.uplink.inflightWindow
        options.will = MQTTMessage(topic: config.topics.state, payload: StatePayload.offline, qos: 1, retain: true)
        return options
    }

    // MARK: - Events from libmosquitto (hopped onto `queue`)

    private func received(_ event: MQTTEvent, session: Int) {
        queue.async {
            guard session == self.activeSession else { return }
            self.handle(event)
        }
    }

    private func handle(_ event: MQTTEvent) {
        switch event {
        case .connected(let sessionPresent):
            guard let connection else { return }
            stats.connected = true
            stats.reconnects += 1
            logger.info("uplink: connected to \(config.broker.host):\(config.broker.port) (session \(sessionPresent ? "resumed" : "new"))")
            do {
                _ = try connection.subscribe(config.topics.ack, qos: 1)
            } catch {
                logger.error("uplink: cannot subscribe to \(config.topics.ack): \(error)")
            }
            publishBirth(on: connection)
            drain()
        case .connectRefused(let error):
            logger.error("uplink: broker refused the connection: \(error)")
            connection?.disconnect()
        case .published(let mid):
            guard let (seq, kind) = inflight.removeValue(forKey: mid) else { return }
            logger.debug("uplink: published seq \(seq) \(kind), broker acknowledged")
            stats.inflight = inflight.count
            stats.acknowledged += 1
            stats.lastPubackMonoNs = HostClock.monotonicNs()
            removing.insert(seq)
            outbox.use({ try $0.remove(seqs: [seq]) }) { [self] result in
                queue.async { [self] in
                    if case .failure(let error) = result { logger.error("outbox: cannot delete acknowledged seq \(seq): \(error)") }
                    removing.remove(seq)
                    drain()
                }
            }
            drain()
        case .message(let message):
            downlink(message)
        case .subscribed, .disconnected:
            break
        }
    }

    /// On `queue`: the session ended; everything in flight stays in the table for next time.
    private func disconnected() {
        connection = nil
        activeSession = nil
        inflight.removeAll()
        stats.inflight = 0
        stats.connected = false
    }

    private func publishBirth(on connection: MQTTConnection) {
        let depth = (try? outbox.sync { try $0.stats().total }) ?? 0
        let birth = StatePayload.online(version: GridLinkVersion.current, profile: config.profile, outboxDepth: depth)
        do {
            _ = try connection.publish(MQTTMessage(topic: config.topics.state, payload: birth, qos: 1, retain: true))
        } catch {
            logger.warning("uplink: cannot publish birth message: \(error)")
        }
    }

    // MARK: - Drain (on `queue`)

    private func drain() {
        guard connection != nil, stats.connected else { return }
        let room = config.uplink.inflightWindow - inflight.count
        guard room > 0 else { return }
        guard !fetching else {
            drainAgain = true
            return
        }
        fetching = true
        drainAgain = false
        let excluded = Set(inflight.values.map(\.seq)).union(removing)
        let fetchedFor = activeSession
        outbox.use({ try $0.pending(limit: room, excluding: excluded) }) { [self] result in
            queue.async { [self] in
                fetching = false
                switch result {
                case .success(let rows) where fetchedFor == activeSession:
                    publish(rows)
                case .success:
                    break
                case .failure(let error):
                    logger.error("outbox: cannot read pending events: \(error)")
                }
                if drainAgain { drain() }
            }
        }
    }

    private func publish(_ rows: [StoredEvent]) {
        guard let connection else { return }
        let alreadySent = Set(inflight.values.map(\.seq)).union(removing)
        for row in rows where !alreadySent.contains(row.seq) {
            do {
                let mid = try connection.publish(MQTTMessage(topic: row.topic, payload: row.payload, qos: 1, retain: false))
                inflight[mid] = (row.seq, row.kind)
                stats.published += 1
            } catch {
                logger.warning("uplink: publish of seq \(row.seq) failed, will retry after reconnect: \(error)")
                return
            }
        }
        stats.inflight = inflight.count
    }

    // MARK: - Downlink

    private func downlink(_ message: MQTTMessage) {
        guard message.topic == config.topics.ack else {
            ignore("message on unexpected topic \(message.topic)")
            return
        }
        switch DownlinkAck.parse(message.payload) {
        case .success(let ack):
            onAck(ack)
        case .failure(let error):
            ignore("ack ignored: \(error)")
        }
    }

    /// Malformed downlink: counted; each distinct problem is logged once, so a misbehaving
    /// sender cannot flood the journal.
    private func ignore(_ reason: String) {
        stats.downlinkIgnored += 1
        if loggedDownlink.insert(reason).inserted { logger.warning("downlink: \(reason)") }
    }

    // MARK: - Shutdown

    /// Waits up to `graceMs` for in-flight events to be acknowledged, publishes the retained
    /// `offline` state (a clean disconnect does not fire the will), disconnects and stops.
    public func stop(graceMs: Int) {
        let deadline = HostClock.monotonicNs() + UInt64(graceMs) * 1_000_000
        while HostClock.monotonicNs() < deadline, queue.sync(execute: { !inflight.isEmpty && stats.connected }) {
            HostClock.sleep(milliseconds: 20)
        }
        let current = session.withLock { state -> MQTTConnection? in
            state.stopping = true
            return state.current
        }
        if let current, queue.sync(execute: { stats.connected }) {
            _ = try? current.publish(MQTTMessage(topic: config.topics.state, payload: StatePayload.offline, qos: 1, retain: true))
            HostClock.sleep(milliseconds: 50)
        }
        current?.disconnect()
        wakeup.signal()
        finished.wait()
    }
}
