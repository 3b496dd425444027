/// An application message: what is published, what arrives, and what a will carries.
///
/// The payload is plain bytes, owned by Swift; incoming messages are copied out of
/// libmosquitto's buffers before its callback returns.
public struct MQTTMessage: Sendable, Equatable {
    /// Topic name (no wildcards).
    public var topic: String
    /// Payload bytes, possibly empty.
    public var payload: [UInt8]
    /// Quality of service: 0, 1 or 2.
    public var qos: Int
    /// Whether the broker keeps this as the topic's retained message.
    public var retain: Bool

    /// A message with every field given.
    public init(topic: String, payload: [UInt8], qos: Int, retain: Bool) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
    }
}
