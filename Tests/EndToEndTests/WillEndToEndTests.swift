import Foundation
import MQTTClient
import Synchronization
import TestSupport
import Testing

/// The `offline` will with the real gridlinkd and a real mosquitto, seen by a subscriber on
/// `…/state` (docs/schema/event-v1.md, "State").
@Suite(.serialized) struct WillEndToEndTests {
    static let stateTopic = "gridlink/v1/test-grid/kiosk-t1/state"
    /// `broker.keepalive_s` of the test profile (the smallest the profile allows).
    static let keepaliveS = 5.0
    /// How often mosquitto looks for clients past 1.5 × keepalive.
    static let brokerCheckS = 5.0

    /// Every `…/state` message a subscriber receives, with when it arrived.
    final class StateWatcher: Sendable {
        final class Seen: Sendable {
            let list = Mutex<[(status: String, at: Date)]>([])
        }
        private let seen = Seen()
        private let client: MQTTBackgroundClient

        init(port: UInt16, clientId: String) throws {
            var options = MQTTOptions(host: "127.0.0.1", port: Int(port), clientId: clientId)
            options.cleanSession = true
            let seen = self.seen
            client = MQTTBackgroundClient(options: options) { event in
                guard case .message(let message) = event,
                      let object = try? JSONSerialization.jsonObject(with: Data(message.payload)) as? [String: Any],
                      let status = object["status"] as? String else { return }
                seen.list.withLock { $0.append((status, Date())) }
            }
            client.subscribe(WillEndToEndTests.stateTopic, qos: 1)
            client.start()
            guard client.waitUntilConnected(timeoutMs: 5000) else { throw HarnessError("state watcher could not connect") }
        }

        deinit { client.stop() }

        var last: String? { seen.list.withLock { $0.last?.status } }

        /// Waits for `status` to be the latest state; returns when it arrived.
        func wait(for status: String, seconds: Double) -> Date? {
            guard waitFor(seconds: seconds, { last == status }) else { return nil }
            return seen.list.withLock { $0.last?.at }
        }
    }

    @Test func kill_9_makes_the_retained_state_offline_at_once_and_a_restart_online_again() throws {
        let dir = TestDirectory()
        let broker = try MosquittoBroker()
        try broker.start()
        let watcher = try StateWatcher(port: broker.port, clientId: "state-watcher")
        let daemon = DaemonProcess(configPath: try writeTestProfile(in: dir), stateDir: dir.path, brokerPort: broker.port)
        try daemon.start()
        defer { _ = daemon.terminate() }
        #expect(watcher.wait(for: "online", seconds: 10) != nil)

        let killed = Date()
        daemon.kill9()
        let offline = try #require(watcher.wait(for: "offline", seconds: 5), "no will after kill -9")
        let afterS = offline.timeIntervalSince(killed)
        #expect(afterS < 1.5, "the broker sees the socket close: the will comes at once, not after the keepalive (\(afterS) s)")
        // A subscriber arriving now gets it as the retained state.
        let late = try StateWatcher(port: broker.port, clientId: "late-watcher")
        #expect(late.wait(for: "offline", seconds: 3) != nil, "retained")

        try daemon.start()
        #expect(watcher.wait(for: "online", seconds: 10) != nil, "online again after the restart")
        let later = try StateWatcher(port: broker.port, clientId: "later-watcher")
        #expect(later.wait(for: "online", seconds: 3) != nil, "retained")
        print("measured: will after kill -9 arrived in \(Int(afterS * 1000)) ms")
    }

    @Test func a_silent_link_drop_brings_the_will_after_one_and_a_half_keepalives_plus_the_broker_check() throws {
        let dir = TestDirectory()
        let broker = try MosquittoBroker()
        try broker.start()
        let link = try TCPProxy(targetPort: broker.port)
        defer { link.stop() }
        let watcher = try StateWatcher(port: broker.port, clientId: "state-watcher")
        let daemon = DaemonProcess(configPath: try writeTestProfile(in: dir), stateDir: dir.path, brokerPort: broker.port,
                                   brokerSpec: "127.0.0.1:\(link.port)")
        try daemon.start()
        defer { _ = daemon.terminate() }
        #expect(watcher.wait(for: "online", seconds: 10) != nil)

        let dropped = Date()
        link.blackhole(true)
        let deadline = 1.5 * Self.keepaliveS + Self.brokerCheckS
        let offline = try #require(watcher.wait(for: "offline", seconds: deadline + 3), "no will within 1.5 × keepalive + broker check")
        let afterS = offline.timeIntervalSince(dropped)
        // The broker counts from the device's last packet, at most one keepalive before the drop.
        #expect(afterS >= 0.5 * Self.keepaliveS - 0.2, "the will came too early for a silent link: \(afterS) s")
        #expect(afterS <= deadline + 1, "the will came later than 1.5 × \(Self.keepaliveS) s + \(Self.brokerCheckS) s: \(afterS) s")

        link.blackhole(false)
        #expect(watcher.wait(for: "online", seconds: 15) != nil, "online again once the link forwards; log:\n\(daemon.log())")
        print("measured: will after a silent link drop (keepalive \(Int(Self.keepaliveS)) s) arrived in \(String(format: "%.1f", afterS)) s")
    }
}
