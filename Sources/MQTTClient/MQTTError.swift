import CMosquitto

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A failed libmosquitto call, a refused CONNACK or a lost connection.
///
/// Keeps libmosquitto's numeric code (a `MOSQ_ERR_*` value, or the CONNACK return / reason
/// code for refusals) so callers can match on it, and the library's own text for logs:
/// `mqtt connect to 127.0.0.1:1883: Connection refused (code 14)`.
public struct MQTTError: Error, Equatable, CustomStringConvertible {
    /// What was being attempted, e.g. `connect to 127.0.0.1:1883` or `publish to a/b`.
    public let operation: String
    /// libmosquitto's code: `MOSQ_ERR_*` for library calls, the CONNACK code for refusals.
    public let code: Int32
    /// Human-readable text from `mosquitto_strerror`, `strerror` or the CONNACK string.
    public let message: String

    /// An error with every field given.
    public init(operation: String, code: Int32, message: String) {
        self.operation = operation
        self.code = code
        self.message = message
    }

    /// One line for logs: `mqtt <operation>: <message> (code <code>)`.
    public var description: String {
        "mqtt \(operation): \(message) (code \(code))"
    }
}

extension MQTTError {
    /// libmosquitto's `MOSQ_ERR_SUCCESS`, the value every call returns when it worked.
    static let success = MOSQ_ERR_SUCCESS.rawValue

    /// An error from a `mosquitto_*` return code. `savedErrno` must be read right after that
    /// call: for `MOSQ_ERR_ERRNO` the header says "The variable errno contains the error code".
    init(operation: String, mosquittoCode rc: Int32, errno savedErrno: Int32) {
        let text: String
        if rc == MOSQ_ERR_ERRNO.rawValue {
            text = String(cString: strerror(savedErrno))
        } else {
            text = Self.text(forMosquittoCode: rc)
        }
        self.init(operation: operation, code: rc, message: text)
    }

    /// What a `MOSQ_ERR_*` code means. libmosquitto 2.0.11 (Debian 12) has no text for codes added
    /// after it was written, so a lost keepalive was logged as "Unknown error (code 19)"; this
    /// table covers every code in mosquitto.h and falls back to `mosquitto_strerror` for newer ones.
    public static func text(forMosquittoCode rc: Int32) -> String {
        switch rc {
        case MOSQ_ERR_NOMEM.rawValue: "out of memory"
        case MOSQ_ERR_PROTOCOL.rawValue: "MQTT protocol error"
        case MOSQ_ERR_INVAL.rawValue: "invalid argument"
        case MOSQ_ERR_NO_CONN.rawValue: "not connected to the broker"
        case MOSQ_ERR_CONN_REFUSED.rawValue: "the broker refused the connection"
        case MOSQ_ERR_NOT_FOUND.rawValue: "not found"
        case MOSQ_ERR_CONN_LOST.rawValue: "the connection to the broker was lost"
        case MOSQ_ERR_TLS.rawValue: "TLS error"
        case MOSQ_ERR_PAYLOAD_SIZE.rawValue: "payload too large"
        case MOSQ_ERR_NOT_SUPPORTED.rawValue: "not supported by this libmosquitto"
        case MOSQ_ERR_AUTH.rawValue: "authentication failed"
        case MOSQ_ERR_ACL_DENIED.rawValue: "denied by the broker's access control list"
        case MOSQ_ERR_UNKNOWN.rawValue: "unknown error inside libmosquitto"
        case MOSQ_ERR_EAI.rawValue: "host name lookup failed"
        case MOSQ_ERR_PROXY.rawValue: "SOCKS proxy error"
        case MOSQ_ERR_PLUGIN_DEFER.rawValue: "deferred by a broker plugin"
        case MOSQ_ERR_MALFORMED_UTF8.rawValue: "malformed UTF-8"
        case MOSQ_ERR_KEEPALIVE.rawValue: "the broker did not answer within the keepalive interval (link silent or broker gone)"
        case MOSQ_ERR_LOOKUP.rawValue: "DNS lookup failed"
        case MOSQ_ERR_MALFORMED_PACKET.rawValue: "malformed MQTT packet"
        case MOSQ_ERR_DUPLICATE_PROPERTY.rawValue: "duplicate MQTT 5 property"
        case MOSQ_ERR_TLS_HANDSHAKE.rawValue: "TLS handshake failed (check the CA, certificate and host name)"
        case MOSQ_ERR_QOS_NOT_SUPPORTED.rawValue: "QoS not supported by the broker"
        case MOSQ_ERR_OVERSIZE_PACKET.rawValue: "packet larger than the broker accepts"
        case MOSQ_ERR_OCSP.rawValue: "OCSP check failed"
        case MOSQ_ERR_TIMEOUT.rawValue: "timed out"
        case MOSQ_ERR_RETAIN_NOT_SUPPORTED.rawValue: "retained messages not supported by the broker"
        case MOSQ_ERR_TOPIC_ALIAS_INVALID.rawValue: "invalid topic alias"
        case MOSQ_ERR_ADMINISTRATIVE_ACTION.rawValue: "disconnected by the broker's administrator"
        case MOSQ_ERR_ALREADY_EXISTS.rawValue: "already exists"
        default: String(cString: mosquitto_strerror(rc))
        }
    }

    /// A CONNACK that was not "accepted". MQTT 3.1.1 return codes and MQTT 5 reason codes are
    /// different tables, so each gets its own libmosquitto lookup.
    init(operation: String, connackCode rc: Int32, protocolVersion: MQTTProtocolVersion) {
        let text = switch protocolVersion {
        case .v311: String(cString: mosquitto_connack_string(rc))
        case .v5: String(cString: mosquitto_reason_string(rc))
        }
        self.init(operation: operation, code: rc, message: text)
    }

    /// The call needs a live session and there is none (never connected, disconnected, or
    /// the handle is already destroyed).
    static func notConnected(_ operation: String) -> MQTTError {
        MQTTError(operation: operation, mosquittoCode: MOSQ_ERR_NO_CONN.rawValue, errno: 0)
    }

    /// The caller passed something libmosquitto would reject or Swift cannot convert.
    static func invalid(_ operation: String, _ why: String) -> MQTTError {
        MQTTError(operation: operation, code: MOSQ_ERR_INVAL.rawValue, message: why)
    }
}
