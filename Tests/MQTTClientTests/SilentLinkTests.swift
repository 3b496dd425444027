import Foundation
import MQTTClient
import Testing
import TestSupport

/// A link that goes silent (no FIN, no RST: a blackholed route, a dead NAT entry) must end the
/// session within MQTT's own deadline, 1.5 × keepalive, and a healthy idle link must not.
@Suite("Silent link detection", .serialized)
struct SilentLinkTests {
    static let keepalive = 5  // libmosquitto's smallest keepalive

    @Test("an idle healthy link stays up across keepalives; a blackholed one ends within 1.5 × keepalive")
    func blackholeDetected() async throws {
        let broker = try MosquittoBroker(persistent: false)
        try broker.start()
        let proxy = try TCPProxy(targetPort: broker.port)
        let client = try await LiveClient.connect(port: proxy.port, clientId: "silent-link") {
            $0.keepaliveSeconds = Self.keepalive
        }

        // Idle for 2.4 keepalives: PINGREQ/PINGRESP keep the broker's last answer recent.
        var worstSilenceMs: UInt32 = 0
        let idleUntil = ContinuousClock.now.advanced(by: .milliseconds(Self.keepalive * 2400))
        while ContinuousClock.now < idleUntil {
            worstSilenceMs = max(worstSilenceMs, client.connection.brokerSilenceMs() ?? 0)
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(client.events.count { $0.disconnection != nil } == 0, "a healthy idle link was dropped")
        #expect(worstSilenceMs > 0 && worstSilenceMs <= UInt32(Self.keepalive * 1000 + 1500),
                "broker silence on a healthy idle link peaked at \(worstSilenceMs) ms")

        proxy.blackhole(true)
        let cut = ContinuousClock.now
        let ended = try #require(await client.loop.result(timeoutMs: Self.keepalive * 3000), "still connected after 3 × keepalive of silence")
        let detectedMs = milliseconds(from: cut, to: ended.at)
        print("silent link: keepalive \(Self.keepalive) s, detected \(Int(detectedMs)) ms after the link went silent; \(ended.error.map(String.init(describing:)) ?? "nil")")
        #expect(detectedMs <= Double(Self.keepalive * 1500), "silent link noticed after \(Int(detectedMs)) ms, deadline \(Self.keepalive * 1500) ms")
        #expect(ended.error?.code == 19)  // MOSQ_ERR_KEEPALIVE
        proxy.stop()
    }
}
