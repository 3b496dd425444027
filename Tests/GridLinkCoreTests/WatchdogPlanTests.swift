import GridLinkCore
import Testing

@Suite struct WatchdogPlanTests {
    @Test func pingsAtHalfTheIntervalSystemdGave() {
        #expect(WatchdogPlan(environment: ["WATCHDOG_USEC": "30000000"], pid: 42)?.pingIntervalNs == 15_000_000_000)
        #expect(WatchdogPlan(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "42"], pid: 42)?.pingIntervalNs == 15_000_000_000)
    }

    @Test func noWatchdogWhenUnsetZeroGarbledOrMeantForAnotherProcess() {
        #expect(WatchdogPlan(environment: [:], pid: 42) == nil)
        #expect(WatchdogPlan(environment: ["WATCHDOG_USEC": "0"], pid: 42) == nil)
        #expect(WatchdogPlan(environment: ["WATCHDOG_USEC": "thirty"], pid: 42) == nil)
        #expect(WatchdogPlan(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "7"], pid: 42) == nil)
    }
}

@Suite struct HeartbeatRoundTests {
    @Test func healthyWhileEveryLoopAnswersEachRound() {
        var round = HeartbeatRound(loops: ["input", "outbox", "uplink"])
        let first = round.next()
        #expect(first.silent.isEmpty)  // nothing was asked before the first round
        for loop in ["uplink", "input", "outbox"] { round.answer(loop, round: first.round) }
        let second = round.next()
        #expect(second.silent.isEmpty)
        #expect(second.round == first.round + 1)
    }

    @Test func aLoopThatDoesNotAnswerIsNamedUntilItAnswersAgain() {
        var round = HeartbeatRound(loops: ["input", "outbox", "uplink"])
        let r1 = round.next().round
        round.answer("input", round: r1)
        round.answer("outbox", round: r1)
        let (silent, r2) = round.next()
        #expect(silent == ["uplink"])
        // A late answer to round 1 does not make round 2 healthy.
        round.answer("uplink", round: r1)
        round.answer("input", round: r2)
        round.answer("outbox", round: r2)
        let (stillSilent, r3) = round.next()
        #expect(stillSilent == ["uplink"])
        for loop in ["input", "outbox", "uplink"] { round.answer(loop, round: r3) }
        #expect(round.next().silent.isEmpty)
    }
}
