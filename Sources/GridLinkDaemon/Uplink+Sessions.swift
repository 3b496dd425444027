import Dispatch
import GridLinkCore
import MQTTClient

/// The uplink's connection lifecycle: one session at a time on its own thread, brokers tried in
/// order with full-jitter backoff, and the clean shutdown.
extension Uplink {
    // MARK: - Connection lifecycle (on `sessionThread`)

    func runSessions() {
        var backoff = Backoff(baseMs: UInt64(config.uplink.backoffInitialMs), capMs: UInt64(config.uplink.backoffMaxMs))
        var random = SystemRandomNumberGenerator()
        let brokers = config.brokers
        var brokerIndex = 0
        var sessionId = 0
        while !session.withLock({ $0.stopping }) {
            let endpoint = brokers[brokerIndex % brokers.count]
            let broker = "\(endpoint.host):\(endpoint.port)"
            queue.sync { stats.broker = broker }
            var connectedThisTime = false
            sessionId += 1
            let thisSession = sessionId
            do {
                let connection = try MQTTConnection(options: options(endpoint)) { [weak self] event in self?.received(event, session: thisSession) }
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
            if connectedThisTime { backoff.reset() } else { brokerIndex += 1 }
            let delay = backoff.nextDelayMs(random: &random)
            let nextBroker = brokers[brokerIndex % brokers.count]
            logger.info("uplink: reconnecting to \(nextBroker.host):\(nextBroker.port) in \(delay) ms (attempt \(backoff.failures))")
            _ = wakeup.wait(timeout: .now() + .milliseconds(Int(delay)))
        }
        finished.signal()
    }

    /// MQTT 3.1.1 options: the same client id on every broker, so a cluster resumes the session.
    private func options(_ endpoint: BrokerConfig) -> MQTTOptions {
        var options = MQTTOptions(host: endpoint.host, port: endpoint.port, clientId: config.clientId)
        options.protocolVersion = .v311  // nothing MQTT 5-only on the device path
        options.cleanSession = false
        options.keepaliveSeconds = endpoint.keepaliveSeconds
        options.maxInflight = config.uplink.inflightWindow
        options.will = MQTTMessage(topic: config.topics.state, payload: StatePayload.offline, qos: 1, retain: true)
        return options
    }

    // MARK: - Shutdown

    /// Waits up to `graceMs` for in-flight events to be acknowledged, publishes the retained
    /// `offline` state (a clean disconnect does not fire the will), disconnects and stops.
    public func stop(graceMs: Int) {
        let deadline = HostClock.monotonicNs() + UInt64(graceMs) * 1_000_000
        while HostClock.monotonicNs() < deadline, queue.sync(execute: { !inflight.isEmpty && stats.connected }) {
            HostClock.sleep(milliseconds: 20)
        }
        queue.sync { telemetryTimer?.cancel() }
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
