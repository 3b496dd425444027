import Foundation
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A link that goes silent (a blackholing relay: no FIN, no RST) between the real gridlinkd and a
/// real mosquitto: `status` shows how long ago the broker last answered, never says "connected"
/// with the broker silent past 1.5 × keepalive, the uplink drops the session within that deadline,
/// presses are still stored meanwhile, and the link comes back once the relay forwards again.
@Suite(.serialized) struct SilentLinkEndToEndTests {
    static let keepalive = 5.0  // writeTestProfile's broker.keepalive_s

    @Test func status_never_claims_connected_for_a_link_silent_past_one_and_a_half_keepalives() throws {
        let dir = TestDirectory()
        let broker = try MosquittoBroker(persistent: false)
        try broker.start()
        let proxy = try TCPProxy(targetPort: broker.port)
        let daemon = DaemonProcess(configPath: try writeTestProfile(in: dir), stateDir: dir.path, brokerPort: proxy.port)
        try daemon.start()
        defer { _ = daemon.terminate() }
        #expect(try waitFor(seconds: 10) { try daemon.status()["connected"] as? Bool == true })
        let healthy = try daemon.status()["brokerSilentS"] as? Double
        #expect(healthy.map { $0 < Self.keepalive + 1.5 } == true, "a healthy link: broker last answered \(String(describing: healthy)) s ago")

        proxy.blackhole(true)
        let cut = Date()
        var worstWhileConnected = 0.0
        var sawDisconnected = false
        while Date().timeIntervalSince(cut) < 3 * Self.keepalive {
            let status = try daemon.status()
            if status["connected"] as? Bool == true {
                // Missing while connected counts as infinitely silent: the field must be there.
                worstWhileConnected = max(worstWhileConnected, status["brokerSilentS"] as? Double ?? .infinity)
            } else {
                sawDisconnected = true
                break
            }
            usleep(100_000)
        }
        #expect(sawDisconnected, "status still said connected \(3 * Self.keepalive) s into the silence")
        #expect(worstWhileConnected <= 1.5 * Self.keepalive, "status said connected with the broker silent for \(worstWhileConnected) s")
        // The uplink's own account: how long the broker had been silent when the session was dropped.
        let line = daemon.log().split(separator: "\n").first { $0.contains("the broker sent nothing for") }
        let silentFor = line.flatMap { $0.split(separator: " ").drop { $0 != "for" }.dropFirst().first }.flatMap { Double($0) }
        #expect(silentFor.map { $0 <= 1.5 * Self.keepalive } == true, "drop line: \(line.map(String.init) ?? "none")")
        #expect(try daemon.press("proxy") != nil, "a press during the silence is still stored")

        proxy.blackhole(false)
        #expect(try waitFor(seconds: 20) { try daemon.status()["connected"] as? Bool == true }, "did not reconnect after the link came back")
    }
}
