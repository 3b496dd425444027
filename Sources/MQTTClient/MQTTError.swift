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
            text = String(cString: mosquitto_strerror(rc))
        }
        self.init(operation: operation, code: rc, message: text)
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
