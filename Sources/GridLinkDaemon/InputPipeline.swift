import Control
import Dispatch
import GPIO
import GridLinkCore
import Logging
import Outbox

/// From GPIO edges to stored events: runs one `ButtonMachine` per button on a serial queue,
/// wakes it at its deadlines, builds each event (id, honest time) and hands it to the outbox.
public final class InputPipeline: @unchecked Sendable {
    // @unchecked: every mutable field is touched only on `queue`.
    struct Button {
        let config: ButtonConfig
        let offset: Int
        var machine: ButtonMachine
        var timerGeneration = 0
        /// Kernel timestamp of the newest edge (the one that decides a press, for the latency log).
        var lastEdgeNs: UInt64 = 0
    }

    private let queue = DispatchQueue(label: "gridlink.input")
    private var buttons: [Int: Button] = [:]
    private var ids = UUIDv7Generator()
    private var random = SystemRandomNumberGenerator()
    private var waiters = PressWaiters()
    private let clock: HostClock
    private let outbox: OutboxQueue
    private let onStored: @Sendable (StoredEvent) -> Void
    private let logger: Logger

    /// - Parameter onStored: called after each commit (feedback LED, uplink kick).
    public init(buttons: [(ButtonConfig, offset: Int)], gpio: GPIOConfig, clock: HostClock, outbox: OutboxQueue,
                logger: Logger, onStored: @escaping @Sendable (StoredEvent) -> Void) {
        for (config, offset) in buttons {
            self.buttons[offset] = Button(config: config, offset: offset, machine: ButtonMachine(gpio: gpio))
        }
        self.clock = clock
        self.outbox = outbox
        self.logger = logger
        self.onStored = onStored
    }

    /// Entry point for the chip's edge callback.
    public func edge(_ edge: EdgeEvent) {
        queue.async { self.handle(edge) }
    }

    private func handle(_ edge: EdgeEvent) {
        guard var button = buttons[edge.offset] else { return }
        let pressed = edge.high != button.config.activeLow
        button.lastEdgeNs = edge.timestampNs
        let outputs = button.machine.feed(level: pressed, at: edge.timestampNs)
        buttons[edge.offset] = button
        process(outputs, offset: edge.offset)
    }

    private func wake(offset: Int, generation: Int) {
        guard var button = buttons[offset], button.timerGeneration == generation else { return }
        let outputs = button.machine.advance(to: HostClock.monotonicNs())
        buttons[offset] = button
        process(outputs, offset: offset)
    }

    private func process(_ outputs: [ButtonOutput], offset: Int) {
        guard var button = buttons[offset] else { return }
        for output in outputs {
            switch output {
            case .press(let kind, let at):
                logger.info("input: \(button.config.name) \(kind.rawValue) press")
                record(kind: button.config.kind, source: button.config.name, at: at, data: ["press": .string(kind.rawValue)])
            case .stuck(let at):
                logger.warning("input: button '\(button.config.name)' held for over \(button.machine.stuckNs / 1_000_000_000) s; reported once as stuck — check the button")
                record(kind: .deviceFault, source: button.config.name, at: at, data: ["fault": "stuck_button"])
            }
        }
        // Re-arm the one timer this button needs; older timers see a stale generation and do nothing.
        button.timerGeneration += 1
        let generation = button.timerGeneration
        buttons[offset] = button
        if let deadline = button.machine.nextDeadline {
            let now = HostClock.monotonicNs()
            let delay = deadline > now ? Int(deadline - now) : 0
            queue.asyncAfter(deadline: .now() + .nanoseconds(delay)) { self.wake(offset: offset, generation: generation) }
        }
    }

    private func record(kind: EventKind, source: String, at monoNs: UInt64, data: [String: EventValue]) {
        let wallMs = HostClock.wallMs(atMonotonic: monoNs)
        let id = ids.next(unixMillis: UInt64(max(0, wallMs)), random: &random)
        let time = EventTime(wall: WallClockFormat.rfc3339(unixMillis: wallMs), synced: HostClock.isSynchronised(), boot: clock.bootId, monoNs: monoNs)
        let event = NewEvent(id: id.description, kind: kind, source: source, time: time, data: data)
        let recognisedNs = HostClock.monotonicNs()
        outbox.store(event) { result in
            let committedNs = HostClock.monotonicNs()
            self.queue.async { self.stored(result, event: event, source: source, commitNs: committedNs - recognisedNs) }
        }
    }

    private func stored(_ result: Result<StoredEvent, OutboxError>, event: NewEvent, source: String, commitNs: UInt64) {
        let waiter = event.kind == .deviceFault ? nil : waiters.take(button: source)
        switch result {
        case .success(let row):
            onStored(row)
            if let edgeNs = buttons.values.first(where: { $0.config.name == source })?.lastEdgeNs, edgeNs > 0 {
                let nowNs = HostClock.monotonicNs()
                logger.debug("stored: seq \(row.seq) \(row.kind.rawValue) from '\(source)', \(nowNs > edgeNs ? (nowNs - edgeNs) / 1000 : 0) µs after its deciding kernel edge (debounce included), commit \(commitNs / 1000) µs")
            }
            let afterUs = Int((HostClock.monotonicNs() - event.time.monoNs) / 1000)
            let press = PressKind(rawValue: { if case .string(let s) = event.data["press"] { s } else { "short" } }()) ?? .short
            waiter?(.pressed(PressReport(seq: row.seq, id: row.id, kind: row.kind.rawValue, press: press, storedAfterUs: afterUs, commitUs: Int(commitNs / 1000), leds: [:])))
        case .failure(let error):
            waiter?(.failed(message: "press not stored: \(error)"))
        }
    }

    /// Waits for the next press of `button` to be stored; answers with a failure after `timeoutMs`.
    func awaitPress(button: String, timeoutMs: Int, reply: @escaping @Sendable (ControlResponse) -> Void) {
        queue.async {
            let token = self.waiters.add(button: button, reply)
            self.queue.asyncAfter(deadline: .now() + .milliseconds(timeoutMs)) {
                self.waiters.remove(button: button, token: token)?(.failed(message: "no press of '\(button)' was recorded within \(timeoutMs) ms; check debounce_ms and long_press_ms"))
            }
        }
    }
}
