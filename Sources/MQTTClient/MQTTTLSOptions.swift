/// TLS to the broker, with an optional client certificate.
///
/// The broker's certificate must chain to `caFile` and match the host name (libmosquitto checks
/// both); TLS 1.2 is the oldest version offered. With `certFile` and `keyFile` the client proves
/// its identity with a certificate, which a broker set up like `device-config/broker/` turns into
/// the user name its ACL checks (`use_identity_as_username`).
public struct MQTTTLSOptions: Sendable, Equatable {
    /// PEM file with the certificate authority (or bundle) that signed the broker's certificate.
    public var caFile: String
    /// PEM client certificate; nil connects without one.
    public var certFile: String?
    /// PEM private key of `certFile` (unencrypted: a device has nobody to type a passphrase).
    public var keyFile: String?

    /// TLS trusting `caFile`, with the client certificate `certFile` / `keyFile` if given.
    public init(caFile: String, certFile: String? = nil, keyFile: String? = nil) {
        self.caFile = caFile
        self.certFile = certFile
        self.keyFile = keyFile
    }

    /// The oldest protocol version offered, in libmosquitto's spelling (it also allows newer).
    static let minimumVersion = "tlsv1.2"
}

/// The broad reason behind an ``MQTTError``, so callers can give the right advice without
/// knowing libmosquitto's codes.
public enum MQTTFailureKind: Sendable, Equatable {
    /// TLS setup or handshake failed: unreadable or wrong CA, certificate or key, a broker
    /// certificate that does not verify, or a broker that refused our certificate.
    case tls
    /// The broker answered CONNECT with "not authorised" or "bad user name or password".
    case notAuthorised
    /// Nothing listens there, the host is unknown or the network is down.
    case unreachable
    /// Anything else (protocol errors, invalid arguments, lost connection).
    case other
}
