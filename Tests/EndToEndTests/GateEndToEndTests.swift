import Foundation
import GridLinkCore
import TestSupport
import Testing

/// A gate on the simulated chip: entries, forced openings and held-open alarms reach central.
@Suite(.serialized) struct GateEndToEndTests {
    func writeGateProfile(in dir: TestDirectory) throws -> String {
        let text = """
            site = "test-grid"
            device = "gate-t1"
            profile = "gate"
            [uplink]
            backoff_initial_ms = 50
            backoff_max_ms = 400
            [gpio]
            chip = "sim"
            debounce_ms = 5
            [gate]
            authorised_window_ms = 2000
            held_open_ms = 1500
            [gate.door]
            line = 4
            [gate.release]
            line = 5
            [gate.exit_request]
            line = 6
            active_low = true
            """
        let path = dir.path + "/gate.toml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func entries_forced_openings_and_held_open_alarms_reach_central() throws {
        let dir = TestDirectory()
        let broker = try MosquittoBroker()
        try broker.start()
        let central = CentralRecorder(port: broker.port, answer: false)
        try central.start()
        let daemon = DaemonProcess(configPath: try writeGateProfile(in: dir), stateDir: dir.path, brokerPort: broker.port)
        try daemon.start()

        func gate(_ input: String, _ state: String) throws {
            let result = try daemon.ctl(["sim", "gate", input, state])
            #expect(result.status == 0, "\(result.stderr)")
            usleep(60_000)
        }
        // Authorised: release, door opens, release ends, door closes → one entry.
        try gate("release", "on")
        try gate("door", "open")
        try gate("release", "off")
        try gate("door", "close")
        // Exit request then opening → entry.
        try gate("exit_request", "press")
        try gate("exit_request", "release")
        try gate("door", "open")
        try gate("door", "close")
        // Nobody released it: forced open, then left open past held_open_ms, then closed.
        try gate("door", "open")
        usleep(1_800_000)
        try gate("door", "close")

        #expect(central.waitForDistinct(5, seconds: 10))
        let events = central.distinct.sorted { $0.seq < $1.seq }
        #expect(events.map(\.kind) == [.gateEntry, .gateEntry, .gateForcedOpen, .gateHeldOpen, .gateClosed])
        #expect(events.map(\.eventClass) == [.routine, .routine, .alarm, .alarm, .routine])
        #expect(events[3].data["forced"] == .bool(true))
        #expect(events[4].data["cleared"] == .string("gate.held_open"))
        let bad = try daemon.ctl(["sim", "gate", "window", "open"])
        #expect(bad.status == 1)
        #expect(bad.stderr == "no gate input 'window'; this profile has: door, exit_request, release\n")
        central.stop()
        #expect(daemon.terminate() == 0)
    }
}
