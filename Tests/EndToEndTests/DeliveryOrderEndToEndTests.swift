import Foundation
import GridLinkCore
import TestSupport
import Testing

/// Classes and order end to end: the real daemon, a real mosquitto, a real subscriber.
@Suite(.serialized) struct DeliveryOrderEndToEndTests {
    @Test func backlog_of_10k_routine_100_requests_20_alarms_arrives_alarms_then_requests_then_routine_fifo_no_loss() throws {
        let dir = TestDirectory()
        // No cap on what the broker queues for the central's session: the test must see every event.
        let broker = try MosquittoBroker(verboseLog: false, extraConfig: ["max_queued_messages 0"])
        try broker.start()
        let central = CentralRecorder(port: broker.port, answer: false)
        try central.start()
        broker.stop()
        let daemon = DaemonProcess(configPath: try writeDeliveryProfile(in: dir), stateDir: dir.path, brokerPort: broker.port)
        try daemon.start()

        // Stored interleaved, so the arrival order can only come from the drain.
        var expected: [EventClass: [UInt64]] = [.alarm: [], .request: [], .routine: []]
        for round in 0..<10 {
            let routine = try daemon.simEvent("gate.entry", count: 1000)
            let r = try #require(routine.report, "round \(round): \(routine.stderr)")
            #expect(r.stored == 1000 && r.refused == 0)
            expected[.routine]! += Array(r.firstSeq!...r.lastSeq!)
            for i in 0..<10 {
                let press = try #require(try daemon.press(i % 2 == 0 ? "proxy" : "repair"), "press not stored; log:\n\(daemon.log())")
                expected[.request]!.append(press.seq)
            }
            let alarms = try #require(try daemon.simEvent("gate.forced_open", count: 2).report)
            expected[.alarm]! += Array(alarms.firstSeq!...alarms.lastSeq!)
        }
        #expect(expected[.routine]!.count == 10_000 && expected[.request]!.count == 100 && expected[.alarm]!.count == 20)

        try broker.start()
        #expect(central.waitForDistinct(10_120, seconds: 180), "only \(central.distinct.count) of 10120 arrived")
        let deliveries = central.timedDistinct
        let events = deliveries.map(\.event)
        #expect(events.count == 10_120)
        #expect(Set(events.map(\.id)).count == 10_120, "no loss, no duplicate counted twice")
        let classes = events.map(\.eventClass)
        #expect(classes == Array(repeating: .alarm, count: 20) + Array(repeating: .request, count: 100) + Array(repeating: .routine, count: 10_000),
                "every alarm before any request, every request before any routine event")
        for eventClass in EventClass.allCases {
            #expect(events.filter { $0.eventClass == eventClass }.map(\.seq) == expected[eventClass], "FIFO within \(eventClass)")
        }
        #expect(central.all.count - events.count == 0, "no redelivery on a clean run")
        if let first = deliveries.first?.receivedAt, let last = deliveries.last?.receivedAt, last > first {
            print("measured: drain of 10120 queued events, first → last arrival \(Int(last.timeIntervalSince(first) * 1000)) ms = \(Int(Double(events.count - 1) / last.timeIntervalSince(first))) events/s (outbox → PUBACK → subscriber, inflight_window 16, unpaced)")
        }
        #expect(try waitFor(seconds: 30) { (try daemon.status()["outbox"] as? [String: Any])?["total"] as? Int == 0 }, "outbox empties once PUBACKs arrive")
        central.stop()
        #expect(daemon.terminate() == 0)
    }

    @Test func a_new_alarm_overtakes_a_backlog_of_100k_routine_rows_while_the_drain_is_paced() throws {
        let dir = TestDirectory()
        let broker = try MosquittoBroker(verboseLog: false, extraConfig: ["max_queued_messages 0"])
        try broker.start()
        let central = CentralRecorder(port: broker.port, answer: false)
        try central.start()
        broker.stop()
        let profile = try writeDeliveryProfile(in: dir, uplink: ["drain_rate_per_s = 2000"])
        let daemon = DaemonProcess(configPath: profile, stateDir: dir.path, brokerPort: broker.port)
        try daemon.start()
        for _ in 0..<10 {
            let stored = try #require(try daemon.simEvent("gate.entry", count: 10_000).report)
            #expect(stored.stored == 10_000)
        }

        try broker.start()
        #expect(central.waitForDistinct(3000, seconds: 60), "the backlog does not drain: \(central.distinct.count)")
        let before = Date()
        let alarm = try #require(try daemon.simEvent("gate.held_open", count: 1).report)
        let alarmSeq = try #require(alarm.firstSeq)
        #expect(waitFor(seconds: 30) { central.distinct.contains { $0.seq == alarmSeq } }, "the alarm never arrived")
        let deliveries = central.timedDistinct
        let alarmIndex = try #require(deliveries.firstIndex { $0.event.seq == alarmSeq })
        let routineBefore = deliveries[..<alarmIndex].filter { $0.event.eventClass == .routine }.count
        #expect(routineBefore < 100_000, "the alarm arrived while routine rows were still queued")
        #expect(deliveries[..<alarmIndex].allSatisfy { $0.event.eventClass == .routine })
        #expect(deliveries[..<alarmIndex].map(\.event.seq) == Array(1...UInt64(alarmIndex)), "routine FIFO up to the alarm")
        let latencyMs = Int(deliveries[alarmIndex].receivedAt.timeIntervalSince(before) * 1000)
        // Same host, same wall clock: from the alarm's recorded time to its arrival at the subscriber.
        let rfc3339 = ISO8601DateFormatter()
        rfc3339.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let recorded = try #require(rfc3339.date(from: deliveries[alarmIndex].event.time.wall))
        let recordedToArrivalMs = Int(deliveries[alarmIndex].receivedAt.timeIntervalSince(recorded) * 1000)
        let routine = deliveries.filter { $0.event.eventClass == .routine }
        if let first = routine.first?.receivedAt, let last = routine.last?.receivedAt, last > first {
            print("measured: paced drain (drain_rate_per_s 2000) \(Int(Double(routine.count - 1) / last.timeIntervalSince(first))) events/s; "
                  + "new alarm with \(100_000 - routineBefore) routine rows still queued arrived \(recordedToArrivalMs) ms after it was recorded "
                  + "(\(latencyMs) ms after `gridlinkctl sim event` was spawned)")
        }
        central.stop()
        _ = daemon.terminate()
    }
}

