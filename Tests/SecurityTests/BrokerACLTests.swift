import Foundation
import MQTTClient
import TestSupport
import Testing

/// The example broker (device-config/broker/mosquitto.conf + acl), run for real with certificates
/// made at test time: identity comes from the certificate's CN ("site/device"), and the ACL keeps
/// devices apart — within a site and across sites.
@Suite(.serialized)
struct BrokerACLTests {
    let pki: TestPKI
    let broker: MosquittoBroker
    let kioskA: TestPKI.Identity
    let kioskB: TestPKI.Identity
    let central: TestPKI.Identity

    init() throws {
        pki = try TestPKI()
        kioskA = try pki.issue(commonName: "test-grid/kiosk-a", organization: "test-grid")
        kioskB = try pki.issue(commonName: "test-grid/kiosk-b", organization: "test-grid")
        central = try pki.issue(commonName: "central")
        broker = try MosquittoBroker.secure(pki: pki)
        try broker.start()
    }

    func connected(_ identity: TestPKI.Identity?, _ clientId: String, subscribe topics: [String] = []) throws -> SecureClient {
        let client = SecureClient(port: broker.port, pki: pki, identity: identity, clientId: clientId)
        for topic in topics { client.client.subscribe(topic, qos: 1) }
        client.start()
        guard client.client.waitUntilConnected(timeoutMs: 5000) else {
            throw TestFailure("\(clientId) could not connect over TLS: \(client.failures)\n\(broker.logTail())")
        }
        #expect(client.waitForSubscriptions(topics.count))
        return client
    }

    @Test("a device's message as another device of its site, or as itself at another site, never reaches a subscriber; its own does")
    func cannotPublishAsAnother() throws {
        let centralClient = try connected(central, "central-1",
                                          subscribe: ["gridlink/v1/+/+/events/#", "gridlink/v1/+/+/state", "gridlink/v1/+/+/telemetry"])
        let deviceA = try connected(kioskA, "gridlink-test-grid-kiosk-a")
        defer { deviceA.stop(); centralClient.stop() }

        let refused = [
            "gridlink/v1/test-grid/kiosk-b/events/request/proxy",   // another device, same site
            "gridlink/v1/other-grid/kiosk-a/events/request/proxy",  // same device id, another site
            "gridlink/v1/other-grid/kiosk-a/state",
            "gridlink/v1/other-grid/kiosk-b/telemetry",
        ]
        for topic in refused { try deviceA.publish(topic, #"{"spoofed":true}"#) }
        try deviceA.publish("gridlink/v1/test-grid/kiosk-a/events/request/proxy", #"{"own":true}"#)

        // All went over one connection in this order: once the last arrives, the others would have.
        #expect(poll(seconds: 5) { centralClient.messages.contains { $0.topic.hasSuffix("kiosk-a/events/request/proxy") } })
        #expect(centralClient.messages.map(\.topic) == ["gridlink/v1/test-grid/kiosk-a/events/request/proxy"])
        #expect(broker.logTail(lines: 400).contains("Denied PUBLISH from gridlink-test-grid-kiosk-a"), "the broker must log the refusals")
    }

    @Test("the same device id at another site is another device: it cannot publish as, or read the acks of, test-grid/kiosk-a")
    func sameDeviceIdOtherSite() throws {
        let elsewhere = try pki.issue(commonName: "other-grid/kiosk-a", organization: "other-grid")
        let centralClient = try connected(central, "central-1", subscribe: ["gridlink/v1/+/+/events/#"])
        let intruder = try connected(elsewhere, "gridlink-other-grid-kiosk-a",
                                     subscribe: ["gridlink/v1/test-grid/kiosk-a/ack", "gridlink/v1/other-grid/kiosk-a/ack"])
        defer { intruder.stop(); centralClient.stop() }

        try intruder.publish("gridlink/v1/test-grid/kiosk-a/events/request/repair", #"{"spoofed":true}"#)
        try intruder.publish("gridlink/v1/other-grid/kiosk-a/events/request/repair", #"{"own":true}"#)
        try centralClient.publish("gridlink/v1/test-grid/kiosk-a/ack", #"{"id":"a","status":"accepted"}"#)
        try centralClient.publish("gridlink/v1/other-grid/kiosk-a/ack", #"{"id":"o","status":"accepted"}"#)

        #expect(poll(seconds: 5) { !centralClient.messages.isEmpty && !intruder.messages.isEmpty })
        usleep(200_000)
        #expect(centralClient.messages.map(\.topic) == ["gridlink/v1/other-grid/kiosk-a/events/request/repair"])
        #expect(intruder.messages.map(\.topic) == ["gridlink/v1/other-grid/kiosk-a/ack"])
    }

    @Test("a device cannot read another device's acks, only its own")
    func cannotReadAnothersAck() throws {
        let deviceA = try connected(kioskA, "gridlink-test-grid-kiosk-a",
                                    subscribe: ["gridlink/v1/test-grid/kiosk-b/ack", "gridlink/v1/test-grid/kiosk-a/ack"])
        let centralClient = try connected(central, "central-1")
        defer { deviceA.stop(); centralClient.stop() }

        try centralClient.publish("gridlink/v1/test-grid/kiosk-b/ack", #"{"id":"b","status":"accepted"}"#)
        try centralClient.publish("gridlink/v1/test-grid/kiosk-a/ack", #"{"id":"a","status":"accepted"}"#)

        #expect(poll(seconds: 5) { !deviceA.messages.isEmpty })
        usleep(200_000)
        #expect(deviceA.messages.map(\.topic) == ["gridlink/v1/test-grid/kiosk-a/ack"])
    }

    @Test("a client without a certificate is refused, and so is one whose certificate another CA signed")
    func unauthenticatedRefused() throws {
        let stranger = try TestPKI(name: "stranger-ca")
        let forged = try stranger.issue(commonName: "test-grid/kiosk-a")
        for (identity, name) in [(nil, "no-cert"), (forged, "forged-cert")] as [(TestPKI.Identity?, String)] {
            let client = SecureClient(port: broker.port, pki: pki, identity: identity, clientId: name)
            client.start()
            #expect(!client.client.waitUntilConnected(timeoutMs: 1500), "\(name) must not be let in")
            #expect(!client.failures.isEmpty)
            #expect(client.failures.allSatisfy { $0.kind == .tls || $0.kind == .unreachable }, "\(client.failures)")
            client.stop()
        }
    }

    @Test("plain MQTT to the TLS listener is refused")
    func plainRefused() throws {
        let client = SecureClient(port: broker.port, pki: pki, identity: nil, clientId: "plain", tls: false)
        client.start()
        #expect(!client.client.waitUntilConnected(timeoutMs: 1500))
        client.stop()
    }

    @Test("an unreadable CA file is a typed TLS error before any network traffic")
    func missingCAFile() throws {
        var options = MQTTOptions(host: "127.0.0.1", port: Int(broker.port), clientId: "x")
        options.tls = MQTTTLSOptions(caFile: pki.directory + "/nope.pem")
        #expect(throws: MQTTError.self) { _ = try MQTTConnection(options: options) { _ in } }
        do {
            _ = try MQTTConnection(options: options) { _ in }
        } catch {
            #expect(error.kind == .tls)
            #expect(error.description == "mqtt set TLS: CA file \(pki.directory)/nope.pem cannot be read: No such file or directory (code 3)")
        }
    }
}
