import Foundation
import GridLinkCore
import TestSupport
import Testing

/// The bounded outbox, broker failover, telemetry and commands, end to end.
@Suite(.serialized) struct DeliveryBoundsEndToEndTests {
    /// A broker that already holds central's persistent session, then goes down.
    func brokerWithCentralThenDown() throws -> (MosquittoBroker, CentralRecorder) {
        let broker = try MosquittoBroker(extraConfig: ["max_queued_messages 0"])
        try broker.start()
        let central = CentralRecorder(port: broker.port, answer: false)
        try central.start()
        broker.stop()
        return (broker, central)
    }

    @Test func outbox_full_of_requests_next_press_shows_cannot_store_and_nothing_is_silently_lost() throws {
        let dir = TestDirectory()
        let (broker, central) = try brokerWithCentralThenDown()
        let profile = try writeDeliveryProfile(in: dir, tables: "[outbox]\nmax_rows = 10\nmax_bytes = 0")
        let daemon = DaemonProcess(configPath: profile, stateDir: dir.path, brokerPort: broker.port)
        try daemon.start()

        var stored: [PressResult] = []
        for i in 0..<10 { stored.append(try #require(try daemon.press(i % 2 == 0 ? "proxy" : "repair"))) }
        let refused = try daemon.ctl(["sim", "press", "proxy", "--hold-ms", "8"])
        #expect(refused.status == 1)
        #expect(refused.stderr.hasPrefix("cannot store: the outbox is full of requests and alarms waiting for the broker"), "\(refused.stderr)")
        let status = try daemon.status()
        #expect(status["feedback"] as? String == "cannot_store")
        #expect(status["ledPatterns"] as? [String: String] == ["received": "blink 250ms", "accepted": "blink 250ms", "done": "blink 250ms"],
                "the distinct 'cannot store' pattern: every LED blinks fast")
        let blinking = try waitFor(seconds: 2) { (try daemon.status()["leds"] as? [String: Bool])?["received"] == true }
            && waitFor(seconds: 2) { (try daemon.status()["leds"] as? [String: Bool])?["received"] == false }
        #expect(blinking, "read back from the chip, the LED really goes on and off")
        let alarm = try daemon.simEvent("gate.forced_open", count: 1)
        #expect(alarm.status == 1 && alarm.report?.refused == 1, "an alarm finds no routine row to evict either")
        #expect(try daemon.counters()["request_refused_full"] == 1)
        #expect(try daemon.counters()["alarm_refused_full"] == 1)
        #expect(daemon.log().contains("outbox: full (max_rows 10, max_bytes 0): request_refused_full=1; reported as device.overflow when online"))

        try broker.start()
        #expect(central.waitForDistinct(11, seconds: 30), "only \(central.distinct.count) of 11 arrived")
        let events = central.distinct
        #expect(events.prefix(10).map(\.id) == stored.map(\.id), "every stored press delivered, in order")
        let report = try #require(events.first { $0.kind == .deviceOverflow })
        #expect(report.seq == 11, "the report takes the next seq: no gap")
        #expect(report.data == ["request_refused_full": 1, "alarm_refused_full": 1, "total": 2], "refused events had no seq, so no range")
        #expect(try daemon.status()["feedback"] as? String == "cannot_store", "still showing the refusal until the next press")
        #expect(try waitFor(seconds: 10) { (try daemon.status()["outbox"] as? [String: Any])?["total"] as? Int == 0 })
        let next = try #require(try daemon.press("repair"), "room again once the backlog is acknowledged")
        #expect(next.leds["received"] == true)
        #expect(try daemon.status()["feedback"] as? String == "received")
        central.stop()
        #expect(daemon.terminate() == 0)
    }

    @Test func routine_overflow_drops_oldest_first_and_device_overflow_explains_the_seq_gap() throws {
        let dir = TestDirectory()
        let (broker, central) = try brokerWithCentralThenDown()
        let profile = try writeDeliveryProfile(in: dir, tables: "[outbox]\nmax_rows = 20")
        let daemon = DaemonProcess(configPath: profile, stateDir: dir.path, brokerPort: broker.port)
        try daemon.start()

        let requests = [try #require(try daemon.press("proxy")), try #require(try daemon.press("repair"))]
        #expect(requests.map(\.seq) == [1, 2])
        let gate = try daemon.simEvent("gate.entry", count: 30)
        #expect(gate.status == 0 && gate.report?.stored == 30 && gate.report?.firstSeq == 3 && gate.report?.lastSeq == 32)
        #expect(try daemon.counters()["routine_dropped_full"] == 12)
        #expect((try daemon.status()["outbox"] as? [String: Any])?["total"] as? Int == 20)

        try broker.start()
        #expect(central.waitForDistinct(21, seconds: 30), "only \(central.distinct.count) of 21 arrived")
        let events = central.distinct
        #expect(events.map(\.seq) == [1, 2, 33] + Array(15...32), "requests and the report (class request) first, then routine FIFO")
        let report = events[2]
        #expect(report.kind == .deviceOverflow && report.eventClass == .request && report.source == "outbox")
        #expect(report.data == ["routine_dropped_full": 12, "total": 12, "first_seq": 3, "last_seq": 14])
        // Classes overtake each other, so a gap shows only once everything arrived: the seqs that
        // arrived plus the range the report names are exactly 1...33.
        #expect(Set(events.map(\.seq)).union(3...14) == Set(1...33), "the report explains exactly the gap")
        central.stop()
        #expect(daemon.terminate() == 0)
    }

    @Test func broker_list_failover_first_down_delivers_via_the_second_with_the_same_client_id() throws {
        let dir = TestDirectory()
        let broker = try MosquittoBroker()
        try broker.start()
        let central = CentralRecorder(port: broker.port, answer: false)
        try central.start()
        let dead = freeLoopbackPort()
        let daemon = DaemonProcess(configPath: try writeTestProfile(in: dir), stateDir: dir.path, brokerPort: broker.port,
                                   brokerSpec: "127.0.0.1:\(dead),127.0.0.1:\(broker.port)")
        try daemon.start()
        let press = try #require(try daemon.press("proxy"))
        #expect(central.waitForDistinct(1, seconds: 15))
        #expect(central.distinct.map(\.id) == [press.id])
        #expect(try daemon.status()["broker"] as? String == "127.0.0.1:\(broker.port)")
        let log = daemon.log()
        #expect(log.contains("uplink: cannot connect to 127.0.0.1:\(dead)"))
        #expect(log.contains("uplink: connected to 127.0.0.1:\(broker.port)"))
        let brokerLog = (try? String(contentsOfFile: broker.directory + "/mosquitto.log", encoding: .utf8)) ?? ""
        #expect(brokerLog.contains("as gridlink-test-grid-kiosk-t1"), "the device's stable client id")
        central.stop()
        #expect(daemon.terminate() == 0)
    }

    @Test func cmd_ping_telemetry_now_led_test_answer_on_reply_and_malformed_cmds_are_counted_and_ignored() throws {
        let dir = TestDirectory()
        let broker = try MosquittoBroker()
        try broker.start()
        let base = "gridlink/v1/test-grid/kiosk-t1"
        let topics = try TopicRecorder(port: broker.port, topics: [base + "/telemetry", base + "/cmd/reply"])
        let profile = try writeDeliveryProfile(in: dir, tables: "[telemetry]\ninterval_s = 1")
        let daemon = DaemonProcess(configPath: profile, stateDir: dir.path, brokerPort: broker.port)
        try daemon.start()
        #expect(try waitFor(seconds: 5) { try daemon.status()["connected"] as? Bool == true })

        #expect(waitFor(seconds: 5) { topics.objects(on: base + "/telemetry").count >= 1 }, "periodic telemetry")
        let telemetry = try #require(topics.objects(on: base + "/telemetry").first)
        #expect(telemetry["v"] as? Int == 1 && telemetry["reconnects"] as? Int == 1)
        #expect((telemetry["outbox"] as? [String: [String: Any]])?.keys.sorted() == ["alarm", "request", "routine"])
        #expect((telemetry["clock"] as? [String: Any])?["boot"] as? String != nil)
        #expect(telemetry["uptime_s"] as? Double != nil && telemetry["broker"] as? String == "127.0.0.1:\(broker.port)")

        let before = topics.messages(on: base + "/telemetry").count
        try topics.publish(base + "/cmd", #"{"id":"p-1","cmd":"ping"}"#)
        try topics.publish(base + "/cmd", #"{"id":"t-1","cmd":"telemetry-now"}"#)
        try topics.publish(base + "/cmd", #"{"id":"l-1","cmd":"led-test"}"#)
        #expect(waitFor(seconds: 5) { topics.objects(on: base + "/cmd/reply").count == 3 })
        let replies = topics.objects(on: base + "/cmd/reply")
        #expect(replies.map { $0["id"] as? String } == ["p-1", "t-1", "l-1"])
        #expect(replies.allSatisfy { $0["ok"] as? Bool == true && $0["v"] as? Int == 1 })
        #expect(replies.first?["detail"] as? String == "pong")
        #expect(topics.messages(on: base + "/telemetry").count > before, "telemetry-now published one")
        #expect(try waitFor(seconds: 1) { try daemon.status()["leds"] as? [String: Bool] == ["received": true, "accepted": true, "done": true] }, "led-test lights every LED")
        #expect(try waitFor(seconds: 3) { try daemon.status()["leds"] as? [String: Bool] == ["received": false, "accepted": false, "done": false] }, "and restores them")

        for bad in ["reboot now", #"{"id":"x","cmd":"reboot"}"#, #"{"id":"x","cmd":"reboot"}"#, #"{"cmd":"ping"}"#,
                    #"{"id":"big","cmd":"ping","pad":""# + String(repeating: "x", count: 2000) + #""}"#] {
            try topics.publish(base + "/cmd", bad)
        }
        #expect(try waitFor(seconds: 5) { try daemon.counters()["downlink_ignored"] == 5 })
        #expect(topics.objects(on: base + "/cmd/reply").count == 3, "nothing malformed is answered")
        let log = daemon.log()
        #expect(log.components(separatedBy: "downlink: command ignored: field 'cmd' is not a known command").count == 2, "logged once per distinct problem")
        #expect(log.contains("downlink: command ignored: payload is not a JSON object"))
        #expect(log.contains("downlink: command ignored: field 'id' is missing"))
        #expect(log.contains("downlink: command ignored: payload is 20"))
        #expect(daemon.isRunning)
        topics.stop()
        #expect(daemon.terminate() == 0)
    }
}
