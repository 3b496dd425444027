import CMosquitto

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// libmosquitto's callbacks, turned into ``MQTTEvent``s.
///
/// Each callback is a `@convention(c)` closure without captures; it finds its connection through
/// the `obj` userdata pointer set in `init`. They run on the thread inside `mosquitto_loop`, that
/// is the one in ``MQTTConnection/runLoop()``, with libmosquitto's callback mutex held.
extension MQTTConnection {
    static func installCallbacks(on handle: OpaquePointer, protocolVersion: MQTTProtocolVersion) {
        // The "with flags" variant is the only v3-style connect callback that sees the CONNACK
        // flags; bit 0 is "session present".
        mosquitto_connect_with_flags_callback_set(handle) { _, obj, rc, flags in
            MQTTConnection.connection(obj)?.didReceiveConnack(code: rc, sessionPresent: flags & 1 != 0)
        }
        mosquitto_disconnect_callback_set(handle) { _, obj, rc in
            // mosquitto.h: "A value of 0 means the client has called mosquitto_disconnect. Any
            // other value indicates that the disconnect is unexpected."
            let savedErrno = errno
            MQTTConnection.connection(obj)?.didLoseConnection(code: rc, errno: savedErrno)
        }
        switch protocolVersion {
        case .v311:
            mosquitto_publish_callback_set(handle) { _, obj, mid in
                MQTTConnection.connection(obj)?.onEvent(.published(mid: mid))
            }
        case .v5:
            // libmosquitto calls the plain publish callback even for a v5 PUBACK whose reason
            // code says the broker did not take the message; only this variant shows the code.
            mosquitto_publish_v5_callback_set(handle) { _, obj, mid, reasonCode, _ in
                guard reasonCode < 0x80 else { return }
                MQTTConnection.connection(obj)?.onEvent(.published(mid: mid))
            }
        }
        mosquitto_message_callback_set(handle) { _, obj, message in
            // mosquitto.h: "message - the message data. This variable and associated memory will
            // be freed by the library after the callback completes. The client should make
            // copies of any of the data it requires." So everything is copied here.
            guard let connection = MQTTConnection.connection(obj), let message = message?.pointee else { return }
            let payload = [UInt8](UnsafeRawBufferPointer(start: message.payload, count: Int(message.payloadlen)))
            connection.onEvent(.message(MQTTMessage(
                topic: String(cString: message.topic), payload: payload,
                qos: Int(message.qos), retain: message.retain)))
        }
        mosquitto_subscribe_callback_set(handle) { _, obj, mid, _, _ in
            MQTTConnection.connection(obj)?.onEvent(.subscribed(mid: mid))
        }
    }

    /// The connection whose address `init` stored as libmosquitto's userdata.
    private static func connection(_ obj: UnsafeMutableRawPointer?) -> MQTTConnection? {
        obj.map { Unmanaged<MQTTConnection>.fromOpaque($0).takeUnretainedValue() }
    }

    private func didReceiveConnack(code: Int32, sessionPresent: Bool) {
        if code == 0 {
            guarded.withLock { $0.accepted = true }
            onEvent(.connected(sessionPresent: sessionPresent))
        } else {
            onEvent(.connectRefused(MQTTError(
                operation: "CONNACK from \(options.host):\(options.port)",
                connackCode: code, protocolVersion: options.protocolVersion)))
        }
    }

    private func didLoseConnection(code: Int32, errno savedErrno: Int32) {
        guard code != MQTTError.success else { return }
        let reason = MQTTError(
            operation: "connection to \(options.host):\(options.port)",
            mosquittoCode: code, errno: savedErrno)
        guarded.withLock { state in
            if state.lostReason == nil { state.lostReason = reason }
        }
    }
}
