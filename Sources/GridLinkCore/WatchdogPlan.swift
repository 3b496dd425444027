/// When and whether to feed the systemd watchdog.
///
/// systemd passes `WATCHDOG_USEC` (and `WATCHDOG_PID`, the process meant) when the unit has
/// `WatchdogSec=`. gridlinkd pings at half that interval, and only if every loop it depends on
/// (input, outbox, uplink) answered the heartbeat sent one round earlier: a wedged loop stops the
/// pings, and systemd restarts the daemon (the outbox keeps every stored event).
public struct WatchdogPlan: Equatable, Sendable {
    /// How often a heartbeat round runs and, if healthy, WATCHDOG=1 is sent.
    public let pingIntervalNs: UInt64

    /// The plan from the environment systemd set, or nil when the watchdog is off or meant for
    /// another process (`WATCHDOG_PID` names a different pid).
    public init?(environment: [String: String], pid: Int32) {
        guard let text = environment["WATCHDOG_USEC"], let usec = UInt64(text), usec > 0 else { return nil }
        if let owner = environment["WATCHDOG_PID"], Int32(owner) != pid { return nil }
        pingIntervalNs = max(1, usec / 2) * 1000
    }
}

/// One heartbeat round over the daemon's loops: started at each tick, answered by each loop
/// from its own queue; at the next tick the round is judged.
public struct HeartbeatRound: Sendable {
    /// The loops that must answer, in the order they are reported.
    public let loops: [String]
    private(set) public var number = 0
    private var answered: Set<String> = []

    public init(loops: [String]) {
        self.loops = loops
    }

    /// Records that `loop` answered the heartbeat of round `round`; late answers to an earlier
    /// round do not count for this one.
    public mutating func answer(_ loop: String, round: Int) {
        if round == number { answered.insert(loop) }
    }

    /// The loops that did not answer the current round (empty: healthy).
    public var silent: [String] { loops.filter { !answered.contains($0) } }

    /// Judges the current round and starts the next one; returns the loops that stayed silent
    /// and the number of the new round (to stamp on its heartbeats).
    public mutating func next() -> (silent: [String], round: Int) {
        let silent = number == 0 ? [] : self.silent
        number += 1
        answered = []
        return (silent, number)
    }
}
