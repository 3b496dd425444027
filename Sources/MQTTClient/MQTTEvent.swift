/// What a connection reports, in the order libmosquitto sees it.
///
/// Events are delivered on the thread running ``MQTTConnection/runLoop()`` (or the background
/// client's thread), from inside libmosquitto's callbacks: handlers should return quickly. They
/// may call `publish`, `subscribe` and `disconnect` on the same connection.
public enum MQTTEvent: Sendable, Equatable {
    /// The broker accepted the CONNECT. `sessionPresent` is true when it resumed a persistent
    /// session (subscriptions and queued messages survived).
    case connected(sessionPresent: Bool)
    /// The broker answered the CONNECT with a non-zero return / reason code. The connection
    /// then ends and ``MQTTConnection/runLoop()`` returns.
    case connectRefused(MQTTError)
    /// The publish that returned `mid` is complete: PUBACK received for QoS 1 (PUBCOMP for
    /// QoS 2; handed to the kernel for QoS 0). With MQTT v5, a PUBACK carrying a failure reason
    /// code is *not* reported, so the caller keeps the message and sends it again later.
    case published(mid: Int32)
    /// An incoming PUBLISH, already copied into Swift values.
    case message(MQTTMessage)
    /// The broker answered the SUBSCRIBE that returned `mid`.
    case subscribed(mid: Int32)
    /// The session is over. `nil` means it ended because ``MQTTConnection/disconnect()`` was
    /// called; otherwise the error says why it was lost.
    case disconnected(MQTTError?)
}
