/// The MQTT protocol revision a connection speaks.
///
/// gridlink's device path stays on ``v311`` so that it works with every broker it may meet
/// (NATS' MQTT gateway speaks 3.1.1 only); ``v5`` is there for central-side tools and tests.
public enum MQTTProtocolVersion: Sendable {
    case v311
    case v5
}

/// Everything one ``MQTTConnection`` needs to open a session with a broker.
///
/// Only `host`, `port` and `clientId` have no sensible default; the rest start out as an
/// embedded device wants them: a persistent session, a 30 s keepalive and a bounded in-flight
/// window.
public struct MQTTOptions: Sendable {
    /// Broker host name or address.
    public var host: String
    /// Broker TCP port (1883 for plain MQTT).
    public var port: Int
    /// Client identifier. An empty string lets libmosquitto pick a random one, which it only
    /// allows together with `cleanSession = true`.
    public var clientId: String
    /// `false` (the default) asks the broker to keep subscriptions and queued QoS 1 messages
    /// while the client is away; `true` starts every session from nothing.
    public var cleanSession: Bool
    /// Keepalive interval in seconds. libmosquitto rejects values from 1 to 4; 0 disables it.
    public var keepaliveSeconds: Int
    /// Last will, sent by the broker if the connection ends without a DISCONNECT.
    /// It is handed to libmosquitto before connecting, as the library requires.
    public var will: MQTTMessage?
    /// Outgoing QoS 1/2 messages libmosquitto keeps in flight at once; further publishes wait
    /// in its queue. 0 means no limit. With MQTT v5 the broker's Receive Maximum replaces it.
    public var maxInflight: Int
    /// Protocol revision, ``MQTTProtocolVersion/v311`` unless changed.
    public var protocolVersion: MQTTProtocolVersion
    /// User name for brokers that require authentication.
    public var username: String?
    /// Password, sent only together with `username`.
    public var password: String?
    /// TLS settings; nil speaks plain TCP.
    public var tls: MQTTTLSOptions?
    /// MQTT 5 only: how long the broker keeps the session (subscriptions, queued QoS 1
    /// messages) after a disconnect. In MQTT 5 a session without it ends with the connection,
    /// even with `cleanSession = false`. Ignored for 3.1.1, where persistence has no limit.
    public var sessionExpirySeconds: UInt32

    /// Options for `clientId` at `host:port`, with the defaults described on each property.
    public init(host: String, port: Int, clientId: String) {
        self.host = host
        self.port = port
        self.clientId = clientId
        self.cleanSession = false
        self.keepaliveSeconds = 30
        self.will = nil
        self.maxInflight = 32
        self.protocolVersion = .v311
        self.username = nil
        self.password = nil
        self.tls = nil
        self.sessionExpirySeconds = 0
    }
}
