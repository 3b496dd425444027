import Foundation
import GridLinkCore
import MQTTClient
import Synchronization
import TestSupport
import Testing

/// The real gridlinkd over TLS with its client certificate, against the example secure broker
/// (device-config/broker/), with the central side on its own certificate.
@Suite(.serialized) struct TLSEndToEndTests {
    @Test func gridlinkd_delivers_over_tls_with_its_certificate_and_gets_acks_back() throws {
        let dir = TestDirectory()
        let pki = try TestPKI()
        let device = try pki.issue(commonName: "test-grid/kiosk-t1", organization: "test-grid")
        let centralIdentity = try pki.issue(commonName: "central")
        let broker = try MosquittoBroker.secure(pki: pki)
        try broker.start()

        let profile = try writeTestProfile(in: dir)
        let text = try String(contentsOfFile: profile, encoding: .utf8).replacingOccurrences(of: "keepalive_s = 5", with: """
            keepalive_s = 5
            tls = true
            ca_file = "\(pki.caFile)"
            cert_file = "\(device.certFile)"
            key_file = "\(device.keyFile)"
            """)
        try text.write(toFile: profile, atomically: true, encoding: .utf8)

        let received = Mutex<[MQTTMessage]>([])
        var options = MQTTOptions(host: "127.0.0.1", port: Int(broker.port), clientId: "central-tls")
        options.cleanSession = true
        options.tls = MQTTTLSOptions(caFile: pki.caFile, certFile: centralIdentity.certFile, keyFile: centralIdentity.keyFile)
        let central = MQTTBackgroundClient(options: options) { event in
            if case .message(let message) = event { received.withLock { $0.append(message) } }
        }
        central.subscribe("gridlink/v1/+/+/events/#", qos: 1)
        central.start()
        defer { central.stop() }
        #expect(central.waitUntilConnected(timeoutMs: 5000), "central could not connect over TLS\n\(broker.logTail())")

        let daemon = DaemonProcess(configPath: profile, stateDir: dir.path, brokerPort: broker.port)
        try daemon.start()
        defer { _ = daemon.terminate() }
        #expect(waitFor(seconds: 10) { (try? daemon.status()["connected"] as? Bool) == true }, "daemon not connected over TLS; log:\n\(daemon.log())\n\(broker.logTail())")

        let press = try #require(try daemon.press("repair"))
        #expect(waitFor(seconds: 10) { received.withLock { !$0.isEmpty } }, "no event over TLS; log:\n\(daemon.log())")
        let message = try #require(received.withLock { $0.first })
        #expect(message.topic == "gridlink/v1/test-grid/kiosk-t1/events/request/repair")
        let event = try Event.decode(message.payload)
        #expect(event.id == press.id)

        // Central answers on the device's ack topic, which only central may write and only this device may read.
        let ack = #"{"id":"\#(press.id)","status":"accepted","ref":"T-1"}"#
        _ = try central.publish(MQTTMessage(topic: "gridlink/v1/test-grid/kiosk-t1/ack", payload: Array(ack.utf8), qos: 1, retain: false))
        #expect(waitFor(seconds: 10) { ((try? daemon.status()["feedback"] as? String) ?? "") == "accepted" }, "ack not applied; log:\n\(daemon.log())")
        #expect(!daemon.log().contains("BEGIN"), "no key material in the log")
    }
}
