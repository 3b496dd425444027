import Dispatch
import GridLinkCore
import GridLinkDaemon
import MQTTClient
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Broker: connects the way the daemon does (TLS, certificate, credentials) under its own client
/// id (`…-check`, so the daemon's session is left alone), publishes one QoS 1 message to
/// `gridlink/v1/{site}/{device}/check` and waits for the PUBACK.
public enum BrokerCheck {
    public static func check(_ config: DeviceConfig, timeoutMs: Int) -> CheckItem {
        let endpoint = "\(config.broker.host):\(config.broker.port)"
        var options = MQTTOptions(host: config.broker.host, port: config.broker.port, clientId: config.clientId + "-check")
        options.cleanSession = true
        options.keepaliveSeconds = 10
        if let problem = options.applySecurity(config.broker.security) {
            return CheckItem("broker", .fail, problem, fix: "write the broker password as the first line of that file, mode 0640, group gridlink")
        }
        if let missing = missingFile(config.broker.security) { return missing }
        let topic = config.topics.base + "/check"
        let progress = Mutex(Progress())
        let connection: MQTTConnection
        do {
            connection = try MQTTConnection(options: options) { event in
                progress.withLock { $0.record(event) }
            }
        } catch {
            return failure(error, endpoint: endpoint, tls: config.broker.security.tls)
        }
        let loop = NativeLoop(connection)
        do {
            try connection.connect()
        } catch {
            return failure(error, endpoint: endpoint, tls: config.broker.security.tls)
        }
        loop.start()
        defer {
            connection.disconnect()
            loop.join()
        }
        let deadline = ContinuousClock.now.advanced(by: .milliseconds(timeoutMs))
        var mid: Int32?
        while ContinuousClock.now < deadline {
            let now = progress.withLock { $0 }
            if let (error, beforeConnack) = now.failure {
                // TCP was up (connect() returned): with TLS, losing the session before CONNACK
                // means the handshake failed, whatever errno the library saw (EPROTO, ECONNRESET).
                return failure(error, endpoint: endpoint, tls: config.broker.security.tls, tcpConnected: beforeConnack)
            }
            if now.connected && mid == nil {
                let payload = Array("{\"v\":1,\"check\":\"gridlinkctl\"}".utf8)
                mid = try? connection.publish(MQTTMessage(topic: topic, payload: payload, qos: 1, retain: false))
            }
            // The PUBACK may be reported before publish() returns, hence the set of acked ids.
            if let mid, now.acked.contains(mid) {
                let how = config.broker.security.tls ? "over TLS" + (config.broker.security.certFile != nil ? " with the device certificate" : "") : "without TLS"
                return CheckItem("broker", .ok, "connected to \(endpoint) \(how); the test message to \(topic) was acknowledged (PUBACK)")
            }
            usleep(5_000)
        }
        if mid != nil {
            return CheckItem("broker", .fail, "connected to \(endpoint), but the test message to \(topic) was not acknowledged within \(timeoutMs / 1000) s",
                             fix: "the broker's ACL must let this device write gridlink/v1/+/\(config.device)/# (see device-config/broker/acl)")
        }
        return CheckItem("broker", .fail, "no answer from the broker at \(endpoint) within \(timeoutMs / 1000) s",
                         fix: "check that \(endpoint) is the broker's MQTT\(config.broker.security.tls ? " TLS" : "") port and that no firewall drops the traffic")
    }

    /// A TLS file the configuration names but the disk does not have.
    static func missingFile(_ security: BrokerSecurity) -> CheckItem? {
        guard security.tls else { return nil }
        let files = [("broker.ca_file", security.caFile, "copy the gridlink CA certificate (ca.pem) there"),
                     ("broker.cert_file", security.certFile, "install the certificate the CA issued for this device's CSR there"),
                     ("broker.key_file", security.keyFile, "the key is made by gridlinkctl provision; if it is lost, provision again and have the new CSR signed")]
        for (key, path, fix) in files {
            if let path, access(path, R_OK) != 0 {
                return CheckItem("broker", .fail, "\(key) \(path) \(errno == ENOENT ? "does not exist" : "cannot be read"), so TLS cannot start", fix: fix)
            }
        }
        return nil
    }

    /// The advice for each kind of failure.
    static func failure(_ error: MQTTError, endpoint: String, tls: Bool, tcpConnected: Bool = false) -> CheckItem {
        switch error.kind {
        case .unreachable where !(tls && tcpConnected):
            return CheckItem("broker", .fail, "cannot reach the broker at \(endpoint): \(error.message)",
                             fix: "check [broker] host and port, that the broker is running, and the network (ping the host; is the cable in?)")
        case .tls, .unreachable:
            return CheckItem("broker", .fail, "the TLS handshake with \(endpoint) failed: \(error.message)",
                             fix: "check that broker.ca_file is the CA that signed the broker's certificate and that cert_file/key_file are this device's certificate and key, signed by the CA the broker trusts (gridlinkctl provision makes the CSR)")
        case .notAuthorised:
            return CheckItem("broker", .fail, "the broker at \(endpoint) refused this device: \(error.message)",
                             fix: "the broker does not accept this device's identity: check the certificate's CN is site/device (e.g. hongmiao-grid-03/kiosk-hall-1) and, if used, broker.username and password_file")
        case .other:
            return CheckItem("broker", .fail, "talking to the broker at \(endpoint) failed: \(error.message)",
                             fix: "run gridlinkctl check again; if it persists, look at the broker's log for this client id")
        }
    }

    /// What the connection reported so far.
    struct Progress: Sendable {
        var connected = false
        var acked: Set<Int32> = []
        /// The first failure, and whether it came before the broker's CONNACK.
        var failure: (MQTTError, Bool)?

        mutating func record(_ event: MQTTEvent) {
            switch event {
            case .connected: connected = true
            case .published(let mid): acked.insert(mid)
            case .connectRefused(let error): if failure == nil { failure = (error, false) }
            case .disconnected(let error?): if failure == nil { failure = (error, !connected) }
            default: break
            }
        }
    }
}

/// Runs a connection's loop on a thread of its own.
final class NativeLoop: Sendable {
    private let connection: MQTTConnection
    private let done = Mutex(false)

    init(_ connection: MQTTConnection) { self.connection = connection }

    func start() {
        // A queue of its own: the loop blocks it for the life of the connection.
        DispatchQueue(label: "gridlinkctl.check.mqtt").async { [self] in
            _ = connection.runLoop()
            done.withLock { $0 = true }
        }
    }

    func join() {
        while !done.withLock({ $0 }) { usleep(2_000) }
    }
}
