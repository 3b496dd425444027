import CMosquitto

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Notices a broker that has gone silent sooner than libmosquitto does.
///
/// libmosquitto sends PINGREQ after one keepalive without traffic and gives up only when the next
/// keepalive comes round with the PINGRESP still missing: a blackholed link (no RST, no ICMP)
/// stays "connected" for about 2 × keepalive. The broker itself drops a silent client after
/// 1.5 × keepalive (MQTT 3.1.1, 3.1.2.10). This check holds the device to the same deadline: it
/// asks the kernel when data last arrived on the socket (TCP_INFO `tcpi_last_data_recv`: any
/// packet from the broker — CONNACK, PUBACK, SUBACK, PUBLISH or PINGRESP), and ends the session
/// once that is ``silenceLimitMs`` ago.
extension MQTTConnection {
    /// How long the broker may stay silent before the session is ended: 1.4 × keepalive. A
    /// healthy broker answers at least every keepalive: libmosquitto's PINGREQ goes out after
    /// one keepalive of silence (its clock ticks in whole seconds, so up to 1 s late) and the
    /// PINGRESP follows within a round trip. nil when keepalive is off.
    var silenceLimitMs: UInt32? {
        options.keepaliveSeconds > 0 ? UInt32(clamping: options.keepaliveSeconds * 1400) : nil
    }

    /// How often the loop wakes to look: at most 1 s, and a twentieth of the keepalive, so the
    /// session ends by 1.45 × keepalive after the broker's last packet.
    var livenessCheckMs: Int32 {
        options.keepaliveSeconds > 0 ? Int32(clamping: min(1000, options.keepaliveSeconds * 50)) : 1000
    }

    /// Milliseconds since the broker last sent anything on this connection, from the kernel
    /// (TCP_INFO); nil before the broker accepted the session or without an open socket.
    public func brokerSilenceMs() -> UInt32? {
        guarded.withLock { state -> UInt32? in
            guard state.accepted, let handle = state.handle?.pointer else { return nil }
            let fd = mosquitto_socket(handle)
            guard fd >= 0 else { return nil }
            var info = tcp_info()
            var length = socklen_t(MemoryLayout<tcp_info>.size)
            guard getsockopt(fd, Int32(IPPROTO_TCP), TCP_INFO, &info, &length) == 0 else { return nil }
            return info.tcpi_last_data_recv
        }
    }

    /// The error that ends a session whose broker went silent for `silentMs`.
    func silentBrokerError(silentMs: UInt32) -> MQTTError {
        MQTTError(
            operation: "connection to \(options.host):\(options.port)", code: MOSQ_ERR_KEEPALIVE.rawValue,
            message: "the broker sent nothing for \(silentMs / 100 / 10).\(silentMs / 100 % 10) s (keepalive \(options.keepaliveSeconds) s): link silent, reconnecting")
    }
}
