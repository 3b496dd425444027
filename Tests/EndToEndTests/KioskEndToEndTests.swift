import Foundation
import GridLinkCore
import Synchronization
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The spine end to end: the real gridlinkd and gridlinkctl binaries, a real mosquitto on a free
/// loopback port, and a real subscribing client as the central side.
@Suite(.serialized) struct KioskEndToEndTests {
    @Test func broker_down_200_presses_then_broker_up_delivers_exactly_200_in_order() throws {
        let dir = TestDirectory()
        let broker = try MosquittoBroker()
        // Central subscribes once (persistent session, saved by the broker across its restart),
        // then the broker goes down before the device ever reaches it.
        try broker.start()
        let central = CentralRecorder(port: broker.port, answer: false)
        try central.start()
        broker.stop()
        let daemon = DaemonProcess(configPath: try writeTestProfile(in: dir), stateDir: dir.path, brokerPort: broker.port)
        try daemon.start()

        var reports: [PressResult] = []
        for i in 0..<200 {
            let report = try #require(try daemon.press(i % 2 == 0 ? "proxy" : "repair"), "press \(i) not stored; log:\n\(daemon.log())")
            #expect(report.leds["received"] == true, "received LED must be on once stored, before the broker is back (press \(i))")
            reports.append(report)
        }
        let offline = try daemon.status()
        #expect(offline["connected"] as? Bool == false)
        #expect(offline["ledPatterns"] as? [String: String] == ["received": "on", "accepted": "blink 2000ms", "done": "off"],
                "offline: 'received' steady (the presses are stored), 'accepted' blinks slowly")
        #expect(reports.map(\.seq) == Array(1...200))
        func listedSeqs(_ arguments: [String]) throws -> [UInt64] {
            let result = try daemon.ctl(["outbox", "--json"] + arguments)
            let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            return (object?["rows"] as? [[String: Any]] ?? []).compactMap { ($0["seq"] as? NSNumber)?.uint64Value }
        }
        #expect(try listedSeqs(["--limit", "2"]) == [1, 2], "the front of the outbox: sent next")
        #expect(try listedSeqs(["--tail", "3"]) == [198, 199, 200], "the tail: stored last")

        let brokerUp = Date()
        try broker.start()
        #expect(central.waitForDistinct(200, seconds: 30), "only \(central.distinct.count) of 200 arrived")
        // A first look at the numbers (the benchmark is tools/bench's job, not a timed assertion).
        let drainSeconds = Date().timeIntervalSince(brokerUp)
        let commits = reports.map(\.commitUs).sorted()
        print("measured: press→stored p50 \(commits[commits.count / 2]) µs, p99 \(commits[commits.count * 99 / 100]) µs; "
              + "backlog of 200 delivered \(Int(drainSeconds * 1000)) ms after broker start (incl. reconnect backoff)")
        let events = central.distinct
        #expect(events.count == 200)
        #expect(Set(events.map(\.id)).count == 200)
        #expect(events.map(\.id) == reports.map(\.id), "arrival order is press order")
        #expect(events.map(\.seq) == Array(1...200))
        #expect(events.allSatisfy { $0.time.boot.count == 36 && $0.data["press"] == .string("short") })
        #expect(try waitFor(seconds: 5) { (try daemon.status()["outbox"] as? [String: Any])?["total"] as? Int == 0 }, "outbox empties once PUBACKs arrive")
        #expect(try waitFor(seconds: 5) { (try daemon.status()["ledPatterns"] as? [String: String])?["accepted"] == "off" }, "online again: no slow blink")
        central.stop()
        #expect(daemon.terminate() == 0)
    }

    @Test func kill_9_in_the_middle_of_500_presses_loses_nothing_reported_stored() throws {
        let dir = TestDirectory()
        let broker = try MosquittoBroker()
        try broker.start()
        let central = CentralRecorder(port: broker.port, answer: false)
        try central.start()
        let daemon = DaemonProcess(configPath: try writeTestProfile(in: dir), stateDir: dir.path, brokerPort: broker.port)
        try daemon.start()

        var stored: [PressResult] = []
        var failed = 0
        for i in 0..<500 {
            if i == 250 {
                // Kill while the next press is on its way: mid-edge, mid-commit or mid-publish.
                DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(6)) { daemon.kill9() }
            }
            if let report = try daemon.press(i % 3 == 0 ? "repair" : "proxy") {
                stored.append(report)
            } else {
                failed += 1
                #expect(failed <= 3, "only presses around the kill may fail")
                if !daemon.isRunning { try daemon.start() }
            }
        }
        #expect(stored.count >= 497)
        let storedIds = Set(stored.map(\.id))
        #expect(central.waitForDistinct(stored.count, seconds: 30))
        let distinct = central.distinct
        let arrivedIds = Set(distinct.map(\.id))
        #expect(storedIds.isSubset(of: arrivedIds), "\(storedIds.subtracting(arrivedIds).count) stored presses never arrived")
        let seqs = distinct.map(\.seq).sorted()
        #expect(seqs == Array(1...UInt64(seqs.count)), "seq has no gap")
        var seen: Set<String> = []
        for delivery in central.all {
            if delivery.duplicate { #expect(seen.contains(delivery.event.id)) } else { seen.insert(delivery.event.id) }
        }
        central.stop()
        _ = daemon.terminate()
    }

    @Test func broker_restarted_mid_stream_loses_nothing() throws {
        let dir = TestDirectory()
        let broker = try MosquittoBroker()
        try broker.start()
        let central = CentralRecorder(port: broker.port, answer: false)
        try central.start()
        let daemon = DaemonProcess(configPath: try writeTestProfile(in: dir), stateDir: dir.path, brokerPort: broker.port)
        try daemon.start()

        var stored: [PressResult] = []
        for i in 0..<300 {
            if i == 100 {
                DispatchQueue.global().async {
                    broker.stop()
                    usleep(300_000)
                    try? broker.start()
                }
            }
            stored.append(try #require(try daemon.press("proxy")))
        }
        #expect(central.waitForDistinct(300, seconds: 30), "only \(central.distinct.count) of 300 arrived")
        let distinct = central.distinct
        #expect(Set(distinct.map(\.id)) == Set(stored.map(\.id)))
        #expect(distinct.map(\.seq).sorted() == Array(1...300))
        #expect(distinct.map(\.seq) == distinct.map(\.seq).sorted(), "in order, duplicates aside")
        central.stop()
        _ = daemon.terminate()
    }

    @Test func malformed_acks_are_logged_and_ignored_and_real_acks_move_the_leds() throws {
        let dir = TestDirectory()
        let broker = try MosquittoBroker()
        try broker.start()
        let daemon = DaemonProcess(configPath: try writeTestProfile(in: dir), stateDir: dir.path, brokerPort: broker.port)
        try daemon.start()
        #expect(try waitFor(seconds: 5) { try daemon.status()["connected"] as? Bool == true })

        let ackTopic = "gridlink/v1/test-grid/kiosk-t1/ack"
        let publisher = try MQTTTestPublisher(port: broker.port)
        try publisher.publish(ackTopic, "this is { not json")
        try publisher.publish(ackTopic, #"{"event":"x","state":"done"}"#)
        #expect(try waitFor(seconds: 5) { (try daemon.status()["counters"] as? [String: Int])?["downlink_ignored"] == 2 })
        let log = daemon.log()
        #expect(log.contains("downlink: ack ignored: payload is not a JSON object"))
        #expect(log.contains("downlink: ack ignored: field 'id' is missing"))
        #expect(daemon.isRunning)

        // The daemon still works: a press is stored, delivered, and central's answers light the LEDs.
        let central = CentralRecorder(port: broker.port, answer: true)
        try central.start()
        let report = try #require(try daemon.press("repair"))
        #expect(report.leds == ["received": true, "accepted": false, "done": false])
        #expect(central.waitForDistinct(1, seconds: 10))
        #expect(try waitFor(seconds: 10) { (try daemon.status()["leds"] as? [String: Bool]) == ["received": true, "accepted": true, "done": true] })
        #expect(try daemon.status()["feedback"] as? String == "done")
        central.stop()
        #expect(daemon.terminate() == 0)
    }

    @Test func bad_config_exits_78_with_file_and_line() throws {
        let dir = TestDirectory()
        let path = dir.path + "/bad.toml"
        try "site = \"s\"\ndevice = \"d\"\nprofile = \"kiosk\"\n[broker]\nport = 0\n[[button]]\nname = \"proxy\"\nline = 1\nkind = \"request.proxy\"\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        let daemon = try runCommand(Binaries.gridlinkd, ["--config", path])
        #expect(daemon.status == 78)
        #expect(daemon.stderr == "config \(path):5: broker.port: 0 is not a TCP port; use 1–65535 (1883 plain, 8883 TLS)\n")
        let validate = try runCommand(Binaries.gridlinkctl, ["config", "validate", path])
        #expect(validate.status == 78)
        #expect(validate.stderr == daemon.stderr)
    }

    @Test func sim_press_of_an_unknown_button_says_which_exist() throws {
        let dir = TestDirectory()
        let daemon = DaemonProcess(configPath: try writeTestProfile(in: dir), stateDir: dir.path, brokerPort: freeLoopbackPort())
        try daemon.start()
        let result = try daemon.ctl(["sim", "press", "elevator"])
        #expect(result.status == 1)
        #expect(result.stderr == "no button 'elevator'; this profile has: proxy, repair\n")
        _ = daemon.terminate()
        let offline = try daemon.ctl(["status"])
        #expect(offline.status == 69)
        #expect(offline.stderr.hasPrefix("cannot reach gridlinkd: connect to gridlinkd at \(dir.path)/gridlinkd.sock:"))
    }
}
