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
    let config: DeviceConfig
    let outbox: OutboxQueue
    let logger: Logger
    private let onAck: @Sendable (DownlinkAck) -> Void
    let clock: any DeviceClock
    let startedMonoNs: UInt64
    /// Lights every LED for a moment (`led-test` command).
    let onLedTest: @Sendable () -> Void
    /// Told when the broker connection comes up (true) or goes away (false): the offline LED pattern.
    let onConnectivity: @Sendable (Bool) -> Void
    let queue = DispatchQueue(label: "gridlink.uplink")
    let sessionThread = DispatchQueue(label: "gridlink.uplink.session")

    // Drain state (on `queue`).
    var connection: MQTTConnection?
    /// The session whose events are current; events of an earlier session are dropped (their
    /// message ids mean nothing to the new one).
    var activeSession: Int?
    var inflight: [Int32: (seq: UInt64, kind: EventKind)] = [:]
    /// Acknowledged, being deleted: still excluded from `pending` so they are not sent again.
    private var removing: Set<UInt64> = []
    /// Acknowledged and not yet handed to a delete: PUBACKs that arrive while one delete runs
    /// share the next transaction (one fsync for many rows, like group commit).
    private var acknowledgedSeqs: [UInt64] = []
    private var deleteRunning = false
    private var fetching = false
    private var drainAgain = false
    var stats = UplinkStats()
    private var downlinkWarnings = DownlinkWarnings()
    /// Paces backlog events (`uplink.drain_rate_per_s`); alarms do not take tokens.
    private var limiter: DrainRateLimiter
    private var pacedDrainScheduled = false
    var ids = UUIDv7Generator()
    var random = SystemRandomNumberGenerator()
    var telemetryTimer: DispatchSourceTimer?
    /// Online overflow reports are at most one per `overflowReportGapNs`, so a gate that keeps
    /// overflowing while connected adds one small row every few seconds, not one per commit.
    var lastOverflowReportNs: UInt64?
    var overflowReportScheduled = false
    static let overflowReportGapNs: UInt64 = 10_000_000_000

    // Session control (any thread).
    let session = Mutex<(stopping: Bool, current: MQTTConnection?)>((false, nil))
    let wakeup = DispatchSemaphore(value: 0)
    let finished = DispatchSemaphore(value: 0)

    public init(config: DeviceConfig, outbox: OutboxQueue, logger: Logger, clock: any DeviceClock = HostClock(),
                onLedTest: @escaping @Sendable () -> Void = {}, onConnectivity: @escaping @Sendable (Bool) -> Void = { _ in },
                onAck: @escaping @Sendable (DownlinkAck) -> Void) {
        self.onConnectivity = onConnectivity
        self.config = config
        self.outbox = outbox
        self.logger = logger
        self.onAck = onAck
        self.clock = clock
        self.onLedTest = onLedTest
        self.startedMonoNs = clock.nowMonotonicNs()
        self.limiter = DrainRateLimiter(ratePerSecond: config.uplink.drainRatePerS, burst: max(config.uplink.inflightWindow, config.uplink.drainRatePerS / 10))
    }

    public func start() {
        sessionThread.async { self.runSessions() }
        startTelemetryTimer()
    }

    func startTelemetryTimer() {
        guard config.telemetryIntervalS > 0 else { return }
        let timer = DispatchSource.makeTimerSource(queue: queue)
        let interval = config.telemetryIntervalS
        timer.schedule(deadline: .now() + .seconds(interval), repeating: .seconds(interval))
        timer.setEventHandler { [weak self] in self?.publishTelemetry() }
        timer.resume()
        telemetryTimer = timer
    }

    /// New rows were committed: publish them if there is room in the window.
    public func kick() {
        queue.async { self.drain() }
    }

    public var currentStats: UplinkStats {
        queue.sync {
            var now = stats
            now.brokerSilentMs = stats.connected ? connection?.brokerSilenceMs() : nil
            return now
        }
    }

    /// Hands the counters to `answer` on the uplink's queue once it gets there (the watchdog's
    /// heartbeat; never blocks the caller).
    public func heartbeat(_ answer: @escaping @Sendable (UplinkStats) -> Void) {
        queue.async { answer(self.stats) }
    }

    // MARK: - Events from libmosquitto (hopped onto `queue`)

    func received(_ event: MQTTEvent, session: Int) {
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
            onConnectivity(true)
            stats.reconnects += 1
            logger.info("uplink: connected to \(stats.broker) (session \(sessionPresent ? "resumed" : "new"))")
            for topic in [config.topics.ack, config.topics.command] {
                do {
                    _ = try connection.subscribe(topic, qos: 1)
                } catch {
                    logger.error("uplink: cannot subscribe to \(topic): \(error)")
                }
            }
            publishBirth(on: connection)
            reportOverflow()
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
            acknowledgedSeqs.append(seq)
            removeAcknowledged()
            drain()
        case .message(let message):
            downlink(message)
        case .subscribed, .disconnected:
            break
        }
    }

    /// On `queue`: deletes acknowledged rows, one transaction at a time, batching what piled up.
    private func removeAcknowledged() {
        guard !deleteRunning, !acknowledgedSeqs.isEmpty else { return }
        deleteRunning = true
        let batch = acknowledgedSeqs
        acknowledgedSeqs.removeAll()
        outbox.use({ try $0.remove(seqs: batch) }) { [self] result in
            queue.async { [self] in
                if case .failure(let error) = result {
                    logger.error("outbox: cannot delete \(batch.count) acknowledged event(s) (seq \(batch[0])…); they stay and are sent again: \(error)")
                }
                for seq in batch { removing.remove(seq) }
                deleteRunning = false
                removeAcknowledged()
                drain()
            }
        }
    }

    /// On `queue`: the session ended; everything in flight stays in the table for next time.
    func disconnected() {
        connection = nil
        activeSession = nil
        inflight.removeAll()
        stats.inflight = 0
        stats.connected = false
        onConnectivity(false)
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

    func drain() {
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

    /// Publishes rows in drain order. Alarms always go (within the window); backlog rows take a
    /// token from the drain-rate limiter, and when none is left the drain looks again when the
    /// next token is due.
    private func publish(_ rows: [StoredEvent]) {
        guard let connection else { return }
        let alreadySent = Set(inflight.values.map(\.seq)).union(removing)
        let now = clock.nowMonotonicNs()
        for row in rows where !alreadySent.contains(row.seq) {
            if row.eventClass != .alarm, limiter.grant(1, at: now) == 0 {
                schedulePacedDrain(now: now)
                break
            }
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

    private func schedulePacedDrain(now: UInt64) {
        guard !pacedDrainScheduled, let due = limiter.nextTokenNs(after: now) else { return }
        pacedDrainScheduled = true
        queue.asyncAfter(deadline: .now() + .nanoseconds(Int(due - now))) { [self] in
            pacedDrainScheduled = false
            drain()
        }
    }

    // MARK: - Downlink

    private func downlink(_ message: MQTTMessage) {
        if message.topic == config.topics.command { return command(message) }
        guard message.topic == config.topics.ack else {
            ignore(group: "unexpected topic", "message on unexpected topic \(message.topic.prefix(200))")
            return
        }
        switch DownlinkAck.parse(message.payload) {
        case .success(let ack):
            onAck(ack)
        case .failure(let error):
            ignore(group: "ack: \(error.kind)", "ack ignored: \(error)")
        }
    }

    /// Malformed downlink: counted; warnings are grouped by kind and rate-limited
    /// (`DownlinkWarnings`), so a misbehaving sender cannot flood the journal.
    func ignore(group: String, _ reason: String) {
        stats.downlinkIgnored += 1
        for line in downlinkWarnings.lines(group: group, reason: reason, atNs: clock.nowMonotonicNs()) {
            logger.warning("\(line)")
        }
    }
}
