import Synchronization

/// The state and thread body behind ``MQTTBackgroundClient``.
///
/// The thread keeps this object alive while it runs, so it is separate from the public client,
/// whose deinit can then stop the thread.
final class BackgroundSession: Sendable {
    struct Subscription: Sendable {
        var topic: String
        var qos: Int
    }

    struct State: Sendable {
        /// The current session's connection, from creation until its loop has returned.
        var connection: MQTTConnection?
        /// The broker accepted the current session.
        var connected = false
        /// Every topic ever subscribed, in first-subscribed order.
        var subscriptions: [Subscription] = []
        var started = false
        var stopRequested = false
        var thread: NativeThread?
    }

    let options: MQTTOptions
    let reconnectDelayMs: Int
    let onEvent: @Sendable (MQTTEvent) -> Void
    let state = Mutex(State())

    init(options: MQTTOptions, reconnectDelayMs: Int, onEvent: @escaping @Sendable (MQTTEvent) -> Void) {
        self.options = options
        self.reconnectDelayMs = max(0, reconnectDelayMs)
        self.onEvent = onEvent
    }

    var isConnected: Bool { state.withLock { $0.connected } }
    private var isStopRequested: Bool { state.withLock { $0.stopRequested } }

    func start() {
        let spawned = state.withLock { state in
            guard !state.started else { return true }
            state.started = true
            state.thread = NativeThread.spawn { [self] in run() }
            return state.thread != nil
        }
        if !spawned {
            onEvent(.disconnected(.invalid("start background client", "the system refused a new thread")))
        }
    }

    func stop() {
        let (connection, thread) = state.withLock { state in
            state.stopRequested = true
            defer { state.thread = nil }
            return (state.connection, state.thread)
        }
        connection?.disconnect()
        guard let thread else { return }
        // Called from an event handler, i.e. on the thread itself: it ends after this event.
        if thread.isCurrent { thread.detach() } else { thread.join() }
    }

    func subscribe(_ topic: String, qos: Int) {
        let connection = state.withLock { state in
            if let index = state.subscriptions.firstIndex(where: { $0.topic == topic }) {
                state.subscriptions[index].qos = qos
            } else {
                state.subscriptions.append(Subscription(topic: topic, qos: qos))
            }
            return state.connected ? state.connection : nil
        }
        // A failure here means the session just ended; the next connect subscribes again.
        _ = try? connection?.subscribe(topic, qos: qos)
    }

    func publish(_ message: MQTTMessage) throws(MQTTError) -> Int32 {
        let connection = state.withLock { $0.connected ? $0.connection : nil }
        guard let connection else { throw .notConnected("publish to \(message.topic)") }
        return try connection.publish(message)
    }

    /// The thread body: one session after another until stopped.
    private func run() {
        while !isStopRequested {
            runOneSession()
            pauseBeforeReconnect()
        }
    }

    private func runOneSession() {
        let connection: MQTTConnection
        do {
            connection = try MQTTConnection(options: options) { [self] event in handle(event) }
        } catch {
            onEvent(.disconnected(error))
            return
        }
        let proceed = state.withLock { state in
            guard !state.stopRequested else { return false }
            state.connection = connection
            return true
        }
        guard proceed else { return }
        defer {
            state.withLock { state in
                state.connection = nil
                state.connected = false
            }
        }
        do {
            try connection.connect()
        } catch {
            if !isStopRequested { onEvent(.disconnected(error)) }
            return
        }
        _ = connection.runLoop()  // reports `.disconnected` through `handle`
    }

    /// Called on this thread from inside the connection's loop.
    private func handle(_ event: MQTTEvent) {
        switch event {
        case .connected:
            let (connection, subscriptions) = state.withLock { state in
                state.connected = true
                return (state.connection, state.subscriptions)
            }
            // Queued before the caller hears `.connected`; a failure means the session is
            // already over and the next one subscribes again.
            for subscription in subscriptions {
                _ = try? connection?.subscribe(subscription.topic, qos: subscription.qos)
            }
        case .connectRefused, .disconnected:
            state.withLock { $0.connected = false }
        case .published, .message, .subscribed:
            break
        }
        onEvent(event)
    }

    /// Waits `reconnectDelayMs`, waking early when stopped.
    private func pauseBeforeReconnect() {
        let deadline = ContinuousClock.now.advanced(by: .milliseconds(reconnectDelayMs))
        while !isStopRequested && ContinuousClock.now < deadline {
            sleepMilliseconds(min(10, reconnectDelayMs))
        }
    }
}
