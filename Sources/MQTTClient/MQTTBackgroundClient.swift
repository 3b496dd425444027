/// A self-healing MQTT client on a thread of its own, for the central side and for tests.
///
/// It connects, runs the loop and, whenever the session ends, waits `reconnectDelayMs` and
/// connects again with a fresh ``MQTTConnection``. Every topic given to ``subscribe(_:qos:)`` is
/// subscribed again on every connect. Events (including `.disconnected` for attempts that
/// failed to connect) reach `onEvent` on the client's thread.
public final class MQTTBackgroundClient: Sendable {
    // Checked Sendable: the only stored property is the Sendable session, whose state is
    // behind a Mutex.
    private let session: BackgroundSession

    /// A stopped client for `options`; nothing happens until ``start()``.
    public init(
        options: MQTTOptions,
        reconnectDelayMs: Int = 200,
        onEvent: @escaping @Sendable (MQTTEvent) -> Void
    ) {
        session = BackgroundSession(options: options, reconnectDelayMs: reconnectDelayMs, onEvent: onEvent)
    }

    deinit {
        session.stop()
    }

    /// Starts the background thread. Idempotent; a stopped client stays stopped.
    public func start() {
        session.start()
    }

    /// Disconnects cleanly and waits for the background thread to end. Idempotent.
    public func stop() {
        session.stop()
    }

    /// Remembers `topic`, subscribes now if connected, and again on every reconnect.
    public func subscribe(_ topic: String, qos: Int) {
        session.subscribe(topic, qos: qos)
    }

    /// Publishes on the current session and returns its message id; throws when not connected.
    public func publish(_ message: MQTTMessage) throws(MQTTError) -> Int32 {
        try session.publish(message)
    }

    /// Whether the broker has accepted the current session.
    public var isConnected: Bool {
        session.isConnected
    }

    /// Waits up to `timeoutMs` for ``isConnected``; returns whether it became true.
    public func waitUntilConnected(timeoutMs: Int) -> Bool {
        let deadline = ContinuousClock.now.advanced(by: .milliseconds(timeoutMs))
        while !isConnected {
            if ContinuousClock.now >= deadline { return false }
            sleepMilliseconds(5)
        }
        return true
    }
}
