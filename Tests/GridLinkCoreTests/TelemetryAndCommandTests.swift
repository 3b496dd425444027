import GridLinkCore
import Testing

@Suite struct TelemetryTests {
    @Test func composesDepthAgesDropsAndClockFromReadings() throws {
        let report = TelemetryReport.compose(
            depth: [.alarm: 0, .request: 3, .routine: 120], oldestStoredWallMs: [.request: 10_000, .routine: 4_000], nowWallMs: 12_500,
            drops: ["routine_dropped_full": 7], reconnects: 2, lastPubackMonoNs: 9_000_000_000, nowMonoNs: 10_000_000_000,
            startedMonoNs: 4_000_000_000, synced: false, boot: "b", broker: "127.0.0.1:1883")
        #expect(report.outbox["alarm"] == .init(depth: 0, oldestAgeS: nil))
        #expect(report.outbox["request"] == .init(depth: 3, oldestAgeS: 2.5))
        #expect(report.outbox["routine"] == .init(depth: 120, oldestAgeS: 8.5))
        #expect(report.lastPubackAgeS == 1)
        #expect(report.uptimeS == 6)
        #expect(report.clock == .init(synced: false, boot: "b", monoNs: 10_000_000_000))
        let json = String(decoding: report.jsonBytes(), as: UTF8.self)
        #expect(json.contains(#""last_puback_age_s":1"#) && json.contains(#""oldest_age_s":2.5"#) && json.contains(#""drops":{"routine_dropped_full":7}"#))
    }

    @Test func aWallClockThatSteppedBackGivesAgeZeroNotNegative() {
        let report = TelemetryReport.compose(
            depth: [.request: 1], oldestStoredWallMs: [.request: 50_000], nowWallMs: 1_000, drops: [:], reconnects: 0,
            lastPubackMonoNs: nil, nowMonoNs: 1, startedMonoNs: 0, synced: true, boot: "b", broker: "h:1")
        #expect(report.outbox["request"]?.oldestAgeS == 0)
        #expect(report.lastPubackAgeS == nil)
    }
}

@Suite struct DownlinkCommandTests {
    @Test func theThreeSafeCommandsParse() throws {
        for name in ["ping", "telemetry-now", "led-test"] {
            let command = try DownlinkCommand.parse(Array(#"{"id":"c-1","cmd":"\#(name)"}"#.utf8)).get()
            #expect(command.cmd.rawValue == name && command.id == "c-1")
        }
    }

    @Test func malformedUnknownAndOversizedCommandsAreTypedErrors() {
        func error(_ text: String) -> String? {
            if case .failure(let e) = DownlinkCommand.parse(Array(text.utf8)) { return e.description }
            return nil
        }
        #expect(error("reboot now") == "payload is not a JSON object")
        #expect(error(#"{"id":"1","cmd":"reboot"}"#) == "field 'cmd' is not a known command (known: ping, telemetry-now, led-test)")
        #expect(error(#"{"cmd":"ping"}"#) == "field 'id' is missing")
        #expect(error(#"{"id":7,"cmd":"ping"}"#) == "field 'id' has the wrong type")
        #expect(error(#"{"id":"","cmd":"ping"}"#) == "field 'id' must be 1–64 characters")
        #expect(error(#"{"id":"1","cmd":"ping","pad":""# + String(repeating: "x", count: 1100) + #""}"#)?.hasPrefix("payload is 11") == true)
    }

    @Test func replyEncodesUnderWireNames() {
        let reply = CommandReply(id: "c-1", cmd: "ping", ok: true, detail: "pong", uptimeS: 1.5, version: "0.1.0")
        #expect(String(decoding: reply.jsonBytes(), as: UTF8.self) == #"{"cmd":"ping","detail":"pong","id":"c-1","ok":true,"uptime_s":1.5,"v":1,"version":"0.1.0"}"#)
    }
}

@Suite struct CannotStoreFeedbackTests {
    @Test func aRefusedPressShowsCannotStoreUntilTheNextStoredPress() {
        var machine = FeedbackMachine()
        machine.stored(requestId: "a")
        machine.refused()
        #expect(machine.state == .cannotStore)
        #expect(Set(IndicatorPlan.patterns(state: machine.state, online: true, cannotStore: false).values) == [.blink(periodMs: 250)],
                "cannot store: every LED blinks fast")
        #expect(machine.acknowledged(DownlinkAck(id: "a", status: .done)) == false, "an ack for the older request does not hide the error")
        machine.stored(requestId: "b")
        #expect(machine.state == .received)
        #expect(steadyLeds(machine.state) == ["received": true, "accepted": false, "done": false])
    }
}
