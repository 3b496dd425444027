import Foundation
import TestSupport
import Testing

/// The kiosk's LEDs with several open requests, "done" clearing, and the request status persisted
/// across a restart — real gridlinkd, real gridlinkctl, real mosquitto, acks from a test client.
@Suite(.serialized) struct RequestStatusEndToEndTests {
    static let ackTopic = "gridlink/v1/test-grid/kiosk-t1/ack"

    func profile(in dir: TestDirectory, doneClearS: Int) throws -> String {
        let path = try writeTestProfile(in: dir)
        let text = try String(contentsOfFile: path, encoding: .utf8) + "\ndone_clear_s = \(doneClearS)\n"  // [feedback] is last
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func leds(_ daemon: DaemonProcess) throws -> [String: Bool] { try daemon.status()["leds"] as? [String: Bool] ?? [:] }
    func feedback(_ daemon: DaemonProcess) throws -> String? { try daemon.status()["feedback"] as? String }

    @Test(arguments: [true, false])
    func two_open_requests_acks_in_either_order(newerFirst: Bool) throws {
        let dir = TestDirectory()
        let broker = try MosquittoBroker()
        try broker.start()
        let daemon = DaemonProcess(configPath: try profile(in: dir, doneClearS: 2), stateDir: dir.path, brokerPort: broker.port)
        try daemon.start()
        defer { _ = daemon.terminate() }
        let older = try #require(try daemon.press("proxy"))
        let newer = try #require(try daemon.press("repair"))
        let central = try MQTTTestPublisher(port: broker.port)
        func ack(_ id: String, _ status: String) throws { try central.publish(Self.ackTopic, #"{"id":"\#(id)","status":"\#(status)"}"#) }

        if newerFirst {
            try ack(newer.id, "done")
            #expect(try waitFor(seconds: 5) { try feedback(daemon) == "done" }, "the newer request is on display")
            #expect(try leds(daemon) == ["received": true, "accepted": true, "done": true])
            #expect(try waitFor(seconds: 5) { try feedback(daemon) == "received" }, "after done_clear_s the older open request shows again")
            try ack(older.id, "accepted")
            #expect(try waitFor(seconds: 5) { try feedback(daemon) == "accepted" })
            #expect(try leds(daemon) == ["received": true, "accepted": true, "done": false])
        } else {
            try ack(older.id, "done")
            Thread.sleep(forTimeInterval: 0.5)
            #expect(try feedback(daemon) == "received", "an ack for the older request does not move the LEDs")
            try ack(newer.id, "accepted")
            #expect(try waitFor(seconds: 5) { try feedback(daemon) == "accepted" })
            try ack(newer.id, "done")
            #expect(try waitFor(seconds: 5) { try feedback(daemon) == "done" })
        }
        let start = Date()
        #expect(try waitFor(seconds: 6) { try feedback(daemon) == (newerFirst ? "accepted" : "idle") })
        if !newerFirst {
            #expect(try leds(daemon) == ["received": false, "accepted": false, "done": false], "done returned to idle")
            print("measured: done → idle after \(String(format: "%.1f", Date().timeIntervalSince(start))) s (done_clear_s = 2)")
        }
    }

    @Test func an_ack_delivered_while_gridlinkd_is_down_shows_right_after_start() throws {
        let dir = TestDirectory()
        let broker = try MosquittoBroker()
        try broker.start()
        let daemon = DaemonProcess(configPath: try profile(in: dir, doneClearS: 60), stateDir: dir.path, brokerPort: broker.port)
        try daemon.start()
        let first = try #require(try daemon.press("proxy"))
        let second = try #require(try daemon.press("repair"))
        #expect(try waitFor(seconds: 10) { (try daemon.status()["outbox"] as? [String: Any])?["total"] as? Int == 0 }, "both published")
        let central = try MQTTTestPublisher(port: broker.port)
        try central.publish(Self.ackTopic, #"{"id":"\#(first.id)","status":"accepted"}"#)
        Thread.sleep(forTimeInterval: 0.5)  // the older request accepted while up: recorded, LEDs follow the newer
        daemon.kill9()

        // The newer request is accepted while gridlinkd is down: the broker keeps it in the
        // device's persistent session.
        try central.publish(Self.ackTopic, #"{"id":"\#(second.id)","status":"accepted"}"#)
        Thread.sleep(forTimeInterval: 0.3)
        let restarted = Date()
        try daemon.start()
        defer { _ = daemon.terminate() }
        #expect(try waitFor(seconds: 5) { try feedback(daemon) == "accepted" }, "log:\n\(daemon.log())")
        #expect(try leds(daemon) == ["received": true, "accepted": true, "done": false])
        print("measured: LEDs show the ack sent while down \(Int(Date().timeIntervalSince(restarted) * 1000)) ms after the restart began")

        // Restored from the database alone, with no broker at all: the same LEDs at once.
        #expect(daemon.terminate() == 0)
        broker.stop()
        try daemon.start()
        #expect(try feedback(daemon) == "accepted", "restored at start, before any broker")
        #expect(try leds(daemon) == ["received": true, "accepted": true, "done": false])
        #expect(daemon.log().contains("feedback: restored 2 request(s) from the outbox database, 2 open"))
    }
}
