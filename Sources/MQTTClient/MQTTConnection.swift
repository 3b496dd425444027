import CMosquitto
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One libmosquitto handle, which is one network session with the broker.
///
/// Make a fresh connection for every attempt. mosquitto.h, mosquitto_new: "a client will never
/// discard its own outgoing messages on disconnect. Calling mosquitto_connect or
/// mosquitto_reconnect will cause the messages to be resent." A new handle per attempt means
/// libmosquitto never holds an offline backlog the caller does not know about. Usage:
///
///     let c = try MQTTConnection(options: o) { event in … }
///     try c.connect()          // TCP connect and CONNECT; `.connected` follows from the loop
///     let why = c.runLoop()    // on a thread of its own, until the session ends
///
/// `publish`, `subscribe` and `disconnect` may be called from any thread while `runLoop` runs.
/// Dropping the last reference closes a socket that is still open without DISCONNECT; if the
/// broker had accepted the session, it then publishes the will.
public final class MQTTConnection: Sendable {
    // Checked Sendable: every mutable field lives in `guarded` (a Mutex) and the other stored
    // properties are immutable Sendable values. The one unchecked part is `Handle` below.

    /// The `struct mosquitto *` this connection owns.
    struct Handle: @unchecked Sendable {
        // @unchecked Sendable is safe because libmosquitto allows one handle to be used from
        // several threads once `mosquitto_threaded_set(true)` is set (done before this is made),
        // and the pointer is destroyed only in MQTTConnection.deinit.
        let pointer: OpaquePointer
    }

    /// Mutable state shared by the caller's threads and the loop thread.
    struct Guarded {
        /// The libmosquitto handle; nil once destroyed.
        var handle: Handle?
        /// `connect()` was called; a handle connects once.
        var connectStarted = false
        /// `connect()` is inside the blocking `mosquitto_connect`.
        var connecting = false
        /// `runLoop()` was called; a handle runs one loop.
        var loopStarted = false
        /// `disconnect()` was called: the session is to end without error.
        var disconnectRequested = false
        /// libmosquitto accepted our DISCONNECT, so the loop will close the socket after sending it.
        var disconnectQueued = false
        /// Why libmosquitto reported the connection lost (from its disconnect callback).
        var lostReason: MQTTError?
        /// The broker accepted the session (CONNACK 0): from then on its silence is watched.
        var accepted = false
    }

    /// After `disconnect()`, how long `runLoop` waits for the DISCONNECT to be written.
    static let disconnectGraceMs = 2000

    let options: MQTTOptions
    let onEvent: @Sendable (MQTTEvent) -> Void
    let guarded: Mutex<Guarded>

    /// Creates the handle, applies `options` (protocol, in-flight window, credentials, will) and
    /// installs the callbacks. Nothing touches the network until ``connect()``.
    public init(
        options: MQTTOptions,
        onEvent: @escaping @Sendable (MQTTEvent) -> Void
    ) throws(MQTTError) {
        _ = Self.libraryInitialised
        // mosquitto.h, mosquitto_new: "If id is NULL, clean_session must be true."
        let id: String? = options.clientId.isEmpty ? nil : options.clientId
        guard let handle = mosquitto_new(id, options.cleanSession, nil) else {
            throw MQTTError(
                operation: "create client \(options.clientId)",
                mosquittoCode: MOSQ_ERR_ERRNO.rawValue, errno: errno)
        }
        do throws(MQTTError) {
            try Self.configure(handle, with: options)
        } catch {
            mosquitto_destroy(handle)
            throw error
        }
        self.options = options
        self.onEvent = onEvent
        self.guarded = Mutex(Guarded(handle: Handle(pointer: handle)))
        // Callbacks find this object through the userdata pointer; it is unretained because the
        // callbacks only run inside `mosquitto_loop`, which `runLoop` calls while holding `self`.
        mosquitto_user_data_set(handle, Unmanaged.passUnretained(self).toOpaque())
        Self.installCallbacks(on: handle, protocolVersion: options.protocolVersion)
    }

    deinit {
        guarded.withLock { state in
            if let handle = state.handle {
                // Closes a socket still open without DISCONNECT: the broker sends the will.
                mosquitto_destroy(handle.pointer)
                state.handle = nil
            }
        }
    }

    /// mosquitto.h: "mosquitto_lib_init … Must be called before any other mosquitto functions.
    /// This function is *not* thread safe." A static let runs it exactly once, race-free.
    private static let libraryInitialised: Bool = {
        mosquitto_lib_init() == MQTTError.success
    }()

    private static func configure(_ handle: OpaquePointer, with options: MQTTOptions) throws(MQTTError) {
        // mosquitto.h, mosquitto_threaded_set: "If you are managing your own threads and do not
        // use this function you will experience crashes due to race conditions." It also makes
        // every queued packet wake the loop through libmosquitto's socket pair instead of being
        // written by the calling thread.
        try check(mosquitto_threaded_set(handle, true), "set threaded mode")
        let version = switch options.protocolVersion {
        case .v311: MQTT_PROTOCOL_V311
        case .v5: MQTT_PROTOCOL_V5
        }
        // mosquitto.h, MOSQ_OPT_PROTOCOL_VERSION: "Must be set before the client connects."
        try check(mosquitto_int_option(handle, MOSQ_OPT_PROTOCOL_VERSION, version), "set protocol version")
        guard let inflight = UInt32(exactly: options.maxInflight) else {
            throw .invalid("set max in-flight", "maxInflight must be 0 or more, not \(options.maxInflight)")
        }
        try check(mosquitto_max_inflight_messages_set(handle, inflight), "set max in-flight")
        if let username = options.username {
            // mosquitto.h: "This is must be called before calling mosquitto_connect."
            try check(mosquitto_username_pw_set(handle, username, options.password), "set credentials")
        }
        if let tls = options.tls {
            try configureTLS(handle, tls)
        }
        if let will = options.will {
            // mosquitto.h, mosquitto_will_set: "This must be called before calling mosquitto_connect."
            let rc = will.payload.withUnsafeBytes { bytes in
                mosquitto_will_set(
                    handle, will.topic, Int32(clamping: bytes.count), bytes.baseAddress,
                    Int32(clamping: will.qos), will.retain)
            }
            try check(rc, "set will on \(will.topic)")
        }
    }

    private static func check(_ rc: Int32, _ operation: @autoclosure () -> String) throws(MQTTError) {
        if rc != MQTTError.success {
            throw MQTTError(operation: operation(), mosquittoCode: rc, errno: errno)
        }
    }

    private var endpoint: String { "\(options.host):\(options.port)" }

    /// Opens the TCP connection and queues CONNECT, blocking until the TCP connect finishes.
    /// ``runLoop()`` sends the CONNECT (threaded mode writes nothing on the calling thread) and
    /// reports the broker's answer as `.connected` or `.connectRefused`. Callable once.
    public func connect() throws(MQTTError) {
        let operation = "connect to \(endpoint)"
        let handle = try guarded.withLock { state throws(MQTTError) -> OpaquePointer in
            guard let handle = state.handle, !state.disconnectRequested else { throw .notConnected(operation) }
            guard !state.connectStarted else {
                throw .invalid(operation, "connect() was already called; make a new MQTTConnection to reconnect")
            }
            state.connectStarted = true
            state.connecting = true
            return handle.pointer
        }
        // Not under the lock: a TCP connect to a far broker can take minutes, and `disconnect()`
        // must stay callable meanwhile.
        let rc = connectWithProperties(handle)
        let savedErrno = errno
        guarded.withLock { state in
            state.connecting = false
            // A `disconnect()` during the connect could not queue its DISCONNECT then; do it now.
            if rc == MQTTError.success, state.disconnectRequested, !state.disconnectQueued {
                state.disconnectQueued = mosquitto_disconnect(handle) == MQTTError.success
            }
        }
        if rc != MQTTError.success {
            throw MQTTError(operation: operation, mosquittoCode: rc, errno: savedErrno)
        }
    }

    /// `mosquitto_connect`, or for MQTT 5 with a session expiry its `_bind_v5` variant carrying
    /// the Session Expiry Interval property.
    private func connectWithProperties(_ handle: OpaquePointer) -> Int32 {
        let port = Int32(clamping: options.port), keepalive = Int32(clamping: options.keepaliveSeconds)
        guard options.protocolVersion == .v5, options.sessionExpirySeconds > 0 else {
            return mosquitto_connect(handle, options.host, port, keepalive)
        }
        var properties: OpaquePointer?
        // mosquitto.h, mosquitto_connect_bind_v5: "properties - the MQTT 5 properties for the
        // connect (not for the Will)"; the caller frees them with mosquitto_property_free_all.
        defer { mosquitto_property_free_all(&properties) }
        let added = mosquitto_property_add_int32(&properties, Int32(MQTT_PROP_SESSION_EXPIRY_INTERVAL.rawValue), options.sessionExpirySeconds)
        if added != MQTTError.success { return added }
        return mosquitto_connect_bind_v5(handle, options.host, port, keepalive, nil, properties)
    }

    /// Drives the session on the calling thread until it ends, then reports `.disconnected` and
    /// returns the same value: `nil` after ``disconnect()``, otherwise why the connection was
    /// lost (or never there). A connection runs at most one loop in its life.
    public func runLoop() -> MQTTError? {
        let reason = loopUntilClosed()
        onEvent(.disconnected(reason))
        return reason
    }

    private func loopUntilClosed() -> MQTTError? {
        let operation = "connection to \(endpoint)"
        let start = guarded.withLock { state -> Result<Handle, MQTTError> in
            guard let handle = state.handle else { return .failure(.notConnected(operation)) }
            guard !state.loopStarted else {
                return .failure(.invalid(operation, "runLoop() was already called on this connection"))
            }
            state.loopStarted = true
            return .success(handle)
        }
        let handle: OpaquePointer
        switch start {
        case .success(let started): handle = started.pointer
        case .failure(let error): return error
        }
        var disconnectDeadline: ContinuousClock.Instant?
        while true {
            // mosquitto.h, mosquitto_loop: "max_packets - this parameter is currently unused and
            // should be set to 1". It select()s on the socket and on the socket pair that
            // threaded-mode publish/disconnect write to, so other threads wake it at once.
            // The timeout only bounds how late keepalive work and the silence check run: a
            // `publish` or `disconnect` from another thread wakes the loop at once.
            let rc = mosquitto_loop(handle, livenessCheckMs, 1)
            let savedErrno = errno
            let (requested, queued, lost) = guarded.withLock {
                ($0.disconnectRequested, $0.disconnectQueued, $0.lostReason)
            }
            if requested {
                // Keep looping until libmosquitto has written the DISCONNECT and closed the
                // socket (the next loop then fails with MOSQ_ERR_NO_CONN), so the broker does
                // not publish the will. Give up after a grace period if the socket is stuck.
                if rc != MQTTError.success || !queued { return nil }
                let now = ContinuousClock.now
                let deadline = disconnectDeadline ?? now.advanced(by: .milliseconds(Self.disconnectGraceMs))
                if now >= deadline { return nil }
                disconnectDeadline = deadline
                continue
            }
            if rc != MQTTError.success {
                return lost ?? MQTTError(operation: operation, mosquittoCode: rc, errno: savedErrno)
            }
            if let limit = silenceLimitMs, let silent = brokerSilenceMs(), silent >= limit {
                return silentBrokerError(silentMs: silent)
            }
        }
    }

    /// Queues `message` and returns its message id. Thread-safe; the loop thread sends it at
    /// once. For QoS 1 the `.published(mid:)` event with this id follows the broker's PUBACK.
    /// That event may be delivered before this call returns: callers that match ids should
    /// record the id under a lock that their event handler also takes.
    public func publish(_ message: MQTTMessage) throws(MQTTError) -> Int32 {
        try guarded.withLock { state throws(MQTTError) -> Int32 in
            let operation = "publish to \(message.topic)"
            guard let handle = state.handle?.pointer, !state.disconnectRequested else { throw .notConnected(operation) }
            // mosquitto.h, mosquitto_publish: "mid - pointer to an int. If not NULL, the function
            // will set this to the message id of this particular message. This can be then used
            // with the publish callback to determine when the message has been sent."
            var mid: Int32 = 0
            let rc = message.payload.withUnsafeBytes { bytes in
                mosquitto_publish(
                    handle, &mid, message.topic, Int32(clamping: bytes.count), bytes.baseAddress,
                    Int32(clamping: message.qos), message.retain)
            }
            if rc != MQTTError.success {
                throw MQTTError(operation: operation, mosquittoCode: rc, errno: errno)
            }
            return mid
        }
    }

    /// Queues a SUBSCRIBE for `topic` (wildcards allowed) and returns its message id; the
    /// broker's SUBACK is reported as `.subscribed(mid:)`. Thread-safe.
    public func subscribe(_ topic: String, qos: Int) throws(MQTTError) -> Int32 {
        try guarded.withLock { state throws(MQTTError) -> Int32 in
            let operation = "subscribe to \(topic)"
            guard let handle = state.handle?.pointer, !state.disconnectRequested else { throw .notConnected(operation) }
            var mid: Int32 = 0
            let rc = mosquitto_subscribe(handle, &mid, topic, Int32(clamping: qos))
            if rc != MQTTError.success {
                throw MQTTError(operation: operation, mosquittoCode: rc, errno: errno)
            }
            return mid
        }
    }

    /// Ends the session cleanly: queues DISCONNECT (so the broker drops the will) and makes
    /// ``runLoop()`` return `nil` once it is sent. Thread-safe and idempotent; later publishes
    /// and subscribes throw.
    public func disconnect() {
        guarded.withLock { state in
            guard let handle = state.handle?.pointer, !state.disconnectRequested else { return }
            state.disconnectRequested = true
            // During a blocking connect the socket is not there yet; `connect()` queues it after.
            guard !state.connecting else { return }
            // Returns MOSQ_ERR_NO_CONN when there is no socket; then the loop ends by itself.
            state.disconnectQueued = mosquitto_disconnect(handle) == MQTTError.success
        }
    }
}
