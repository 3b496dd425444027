import Dispatch
import GPIO
import GridLinkCore
import Logging

/// Drives the kiosk's feedback outputs: the pure `FeedbackMachine` (the newest open request:
/// received → accepted → done, cleared after `feedback.done_clear_s`, or cannot store; restored
/// from the outbox database at start) and the uplink's online state choose LED patterns through
/// `IndicatorPlan`; `BuzzerMachine` chirps on every stored press and beeps on a refused one.
/// Blinking and buzzing are timed on one serial queue; the machines stay pure.
public final class FeedbackController: @unchecked Sendable {
    // @unchecked: every mutable field is touched only on `queue`.
    private let chip: any GPIOChip
    private let outputs: [String: Int]
    private let logger: Logger
    private let clock: any DeviceClock
    private let queue = DispatchQueue(label: "gridlink.feedback")
    private var machine: FeedbackMachine
    private var buzzer = BuzzerMachine()
    private var online = false
    private var ledTestUntil: UInt64 = 0
    private var timerGeneration = 0
    private var lastLevels: [String: Bool] = [:]
    /// Set by `stop`: the chip is about to close, so nothing may write to it any more.
    private var stopped = false

    /// How long `ledTest` keeps every LED lit.
    public static let ledTestMs = 1000

    /// - Parameter outputs: output name (`received`, `accepted`, `done`, `status`, `buzzer`) → offset, already requested.
    /// - Parameter restoring: the requests persisted before this start (oldest first).
    public init(chip: any GPIOChip, outputs: [String: Int], clock: any DeviceClock, logger: Logger,
                doneClearMs: Int64 = 30_000, restoring: [TrackedRequest] = []) {
        machine = FeedbackMachine(doneClearMs: doneClearMs, restoring: restoring, atMs: clock.nowWallMs())
        self.chip = chip
        self.outputs = outputs
        self.clock = clock
        self.logger = logger
        queue.async { self.refresh() }
    }

    /// A request was committed: light "received" for it and chirp. Returns once the LED is lit,
    /// so whoever reports the press can read the LED back.
    public func stored(requestId: String) {
        queue.sync { [self] in
            machine.stored(requestId: requestId, atMs: clock.nowWallMs())
            buzzer.start(.received, at: clock.nowMonotonicNs())
            refresh()
        }
    }

    /// An ack from central; moves the LEDs if it is for the newest request.
    public func acknowledged(_ ack: DownlinkAck) {
        queue.async { [self] in
            guard machine.acknowledged(ack, atMs: clock.nowWallMs()) else { return }
            logger.info("feedback: request \(ack.id) \(ack.status.rawValue)")
            refresh()
        }
    }

    /// The press could not be stored (outbox full, disk full, read-only, I/O error, damaged file):
    /// show "cannot store" and beep (before returning). `storageFault` presses are logged at debug
    /// level only: the storage health machine logs the fault once.
    public func refused(why: String, storageFault: Bool = false) {
        queue.sync { [self] in
            machine.refused()
            buzzer.start(.error, at: clock.nowMonotonicNs())
            let line: Logger.Message = "feedback: press refused (\(why)) — showing 'cannot store'"
            if storageFault { logger.debug(line) } else { logger.warning(line) }
            refresh()
        }
    }

    /// The uplink connected or lost its broker: the offline pattern follows.
    public func setOnline(_ isOnline: Bool) {
        queue.async { [self] in
            guard online != isOnline else { return }
            online = isOnline
            refresh()
        }
    }

    /// Lights every LED for `ledTestMs`, then shows the state again.
    public func ledTest() {
        queue.async { [self] in
            ledTestUntil = clock.nowMonotonicNs() + UInt64(Self.ledTestMs) * 1_000_000
            refresh()
        }
    }

    public var state: FeedbackState {
        queue.sync {
            machine.advance(toMs: clock.nowWallMs())
            return machine.state
        }
    }

    /// What each LED shows, as a word for `gridlinkctl status` (`on`, `off`, `blink 250ms`).
    public var patterns: [String: String] {
        queue.sync {
            currentPatterns().filter { outputs[$0.key] != nil }.mapValues { pattern in
                switch pattern {
                case .on: "on"
                case .off: "off"
                case .blink(let period): "blink \(period)ms"
                }
            }
        }
    }

    /// Cancels pending blinks and ignores every later call, so the daemon can close the chip
    /// without a late refresh writing to released lines (which logged an error on every stop).
    public func stop() {
        queue.sync { [self] in
            stopped = true
            timerGeneration += 1
        }
    }

    /// The LED levels last written to the chip.
    public var leds: [String: Bool] { queue.sync { lastLevels.filter { $0.key != "buzzer" } } }

    // MARK: - On `queue`

    private func currentPatterns() -> [String: LedPattern] {
        machine.advance(toMs: clock.nowWallMs())
        return IndicatorPlan.patterns(state: machine.state, online: online, cannotStore: machine.state == .cannotStore)
    }

    /// Writes every output's level for now and schedules the next change (blink edge, buzzer edge,
    /// end of the LED test).
    private func refresh() {
        guard !stopped else { return }
        let now = clock.nowMonotonicNs()
        let testing = now < ledTestUntil
        var patterns = currentPatterns()
        if testing { patterns = patterns.mapValues { _ in .on } }
        var levels = patterns.mapValues { $0.level(at: now) }
        levels["buzzer"] = buzzer.level(at: now)
        for (name, offset) in outputs {
            let level = levels[name] ?? false
            guard lastLevels[name] != level else { continue }
            do {
                try chip.setOutput(offset: offset, high: level)
                lastLevels[name] = level
            } catch {
                logger.error("feedback: cannot set output '\(name)': \(error)")
            }
        }
        var deadlines = patterns.filter { outputs[$0.key] != nil }.compactMap { $0.value.nextChange(after: now) }
        if let buzz = buzzer.nextDeadline(after: now) { deadlines.append(buzz) }
        if testing { deadlines.append(ledTestUntil) }
        if let clearMs = machine.nextChangeMs {
            // "done" (or "rejected") clears at a wall-clock time; wake then (at least 1 ms from now).
            deadlines.append(now + UInt64(max(1, clearMs - clock.nowWallMs())) * 1_000_000)
        }
        timerGeneration += 1
        guard let next = deadlines.min() else { return }
        let generation = timerGeneration
        queue.asyncAfter(deadline: .now() + .nanoseconds(Int(next - now))) { [self] in
            if generation == timerGeneration { refresh() }
        }
    }
}
