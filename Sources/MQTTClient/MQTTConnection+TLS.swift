import CMosquitto

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension MQTTConnection {
    /// Hands the TLS files to libmosquitto (which reads them at connect) and asks for TLS 1.2+
    /// with the broker's certificate verified. Each unreadable file gets its own error naming it,
    /// because libmosquitto only says "invalid function arguments".
    static func configureTLS(_ handle: OpaquePointer, _ tls: MQTTTLSOptions) throws(MQTTError) {
        let operation = "set TLS"
        try requireReadable(tls.caFile, "CA file", operation)
        if (tls.certFile == nil) != (tls.keyFile == nil) {
            throw .invalid(operation, "a client certificate needs both certFile and keyFile")
        }
        if let certFile = tls.certFile { try requireReadable(certFile, "client certificate", operation) }
        if let keyFile = tls.keyFile { try requireReadable(keyFile, "client key", operation) }
        // mosquitto.h, mosquitto_tls_set: "Must be called before mosquitto_connect." The password
        // callback is NULL: device keys are not encrypted.
        var rc = mosquitto_tls_set(handle, tls.caFile, nil, tls.certFile, tls.keyFile, nil)
        if rc != MQTTError.success { throw MQTTError(operation: operation, mosquittoCode: rc, errno: errno) }
        // cert_reqs 1 = SSL_VERIFY_PEER: "the server certificate will be verified and the
        // connection aborted if the verification fails." "tlsv1.2" disables TLS 1.0 and 1.1.
        rc = mosquitto_tls_opts_set(handle, 1, MQTTTLSOptions.minimumVersion, nil)
        if rc != MQTTError.success { throw MQTTError(operation: "set TLS options", mosquittoCode: rc, errno: errno) }
    }

    private static func requireReadable(_ path: String, _ what: String, _ operation: String) throws(MQTTError) {
        if access(path, R_OK) != 0 {
            throw MQTTError(
                operation: operation, code: MOSQ_ERR_INVAL.rawValue,
                message: "\(what) \(path) cannot be read: \(String(cString: strerror(errno)))")
        }
    }
}

extension MQTTError {
    /// The broad reason, from libmosquitto's code or the CONNACK code.
    public var kind: MQTTFailureKind {
        if operation.hasPrefix("CONNACK") {
            // MQTT 3.1.1 return codes 4 (bad user name or password) and 5 (not authorised);
            // MQTT 5 reason codes 0x86 and 0x87.
            return [4, 5, 0x86, 0x87].contains(code) ? .notAuthorised : .other
        }
        if code == MOSQ_ERR_TLS.rawValue || code == MOSQ_ERR_TLS_HANDSHAKE.rawValue || operation.hasPrefix("set TLS") {
            return .tls
        }
        if code == MOSQ_ERR_AUTH.rawValue || code == MOSQ_ERR_ACL_DENIED.rawValue { return .notAuthorised }
        let unreachable = [MOSQ_ERR_ERRNO, MOSQ_ERR_NO_CONN, MOSQ_ERR_CONN_LOST, MOSQ_ERR_EAI, MOSQ_ERR_CONN_REFUSED]
        return unreachable.contains { $0.rawValue == code } ? .unreachable : .other
    }
}
