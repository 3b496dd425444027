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

    let queue = DispatchQueue(label: "gridlink.input")
    private var buttons: [Int: Button] = [:]
    /// Builds events (id, honest time) and hands them to the outbox's group commit.
    var recorder: EventRecorder
    private var waiters = PressWaiters()
    let clock: any DeviceClock
    let onStored: @Sendable (StoredEvent) -> Void
    /// An event that could not be stored, for any reason (kiosk shows "cannot store"): its kind,
    /// why, and whether the storage itself failed (as opposed to the outbox bound refusing it).
    let onRefused: @Sendable (EventKind, _ why: String, _ storageFault: Bool) -> Void
    private let logger: Logger

    /// - Parameter onStored: called after each commit (feedback LED, uplink kick).
    public init(buttons: [(ButtonConfig, offset: Int)], gpio: GPIOConfig, clock: any DeviceClock, outbox: OutboxQueue,
                logger: Logger, onRefused: @escaping @Sendable (EventKind, String, Bool) -> Void = { _, _, _ in },
                onStored: @escaping @Sendable (StoredEvent) -> Void) {
        self.onRefused = onRefused
        for (config, offset) in buttons {
            self.buttons[offset] = Button(config: config, offset: offset, machine: ButtonMachine(gpio: gpio))
        }
        self.clock = clock
        self.recorder = EventRecorder(clock: clock, outbox: outbox)
        self.logger = logger
        self.onStored = onStored
    }

    /// Runs `answer` on the pipeline's queue once it gets there (the watchdog's heartbeat).
    public func heartbeat(_ answer: @escaping @Sendable () -> Void) {
        queue.async(execute: answer)
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
        let outputs = button.machine.advance(to: clock.nowMonotonicNs())
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
            let now = clock.nowMonotonicNs()
            let delay = deadline > now ? Int(deadline - now) : 0
            queue.asyncAfter(deadline: .now() + .nanoseconds(delay)) { self.wake(offset: offset, generation: generation) }
        }
    }

    private func record(kind: EventKind, source: String, at monoNs: UInt64, data: [String: EventValue]) {
        recorder.record(kind: kind, source: source, at: monoNs, data: data) { result, event, commitNs in
            self.queue.async { self.stored(result, event: event, source: source, commitNs: commitNs) }
        }
    }

    private func stored(_ result: Result<StoredEvent, OutboxError>, event: NewEvent, source: String, commitNs: UInt64) {
        let waiter = event.kind == .deviceFault ? nil : waiters.take(button: source)
        switch result {
        case .success(let row):
            onStored(row)
            if let edgeNs = buttons.values.first(where: { $0.config.name == source })?.lastEdgeNs, edgeNs > 0 {
                let nowNs = clock.nowMonotonicNs()
                logger.debug("stored: seq \(row.seq) \(row.kind.rawValue) from '\(source)', \(nowNs > edgeNs ? (nowNs - edgeNs) / 1000 : 0) µs after its deciding kernel edge (debounce included), commit \(commitNs / 1000) µs")
            }
            let afterUs = Int((clock.nowMonotonicNs() - event.time.monoNs) / 1000)
            let press = PressKind(rawValue: { if case .string(let s) = event.data["press"] { s } else { "short" } }()) ?? .short
            waiter?(.pressed(PressReport(seq: row.seq, id: row.id, kind: row.kind.rawValue, press: press, storedAfterUs: afterUs, commitUs: Int(commitNs / 1000), leds: [:])))
        case .failure(let error):
            if case .outboxFull(let reason) = error.kind {
                onRefused(event.kind, "outbox full", false)
                let why = reason == .full ? "the outbox is full of requests and alarms waiting for the broker" : "the event is larger than outbox.max_bytes"
                waiter?(.failed(message: "cannot store: \(why); the press was refused (kiosk shows 'cannot store') and counted for device.overflow"))
            } else {
                let why = Self.storageReason(error)
                onRefused(event.kind, why, true)
                waiter?(.failed(message: "cannot store: \(why); the press was refused (kiosk shows 'cannot store'): \(error)"))
            }
        }
    }

    /// A short name for why storing failed, as `sim press` and the log say it.
    static func storageReason(_ error: OutboxError) -> String {
        if OutboxQueue.condition(of: error) == .readOnly, error.kind != .readOnly {
            return "storage is read-only (the file system is mounted read-only)"
        }
        return switch error.kind {
        case .diskFull: "disk full (SQLITE_FULL)"
        case .readOnly: "storage is read-only (SQLITE_READONLY)"
        case .ioError: "storage I/O error (SQLITE_IOERR)"
        case .cannotOpen: "the outbox cannot be opened (SQLITE_CANTOPEN)"
        case .corrupt, .notADatabase, .notAnOutbox, .unsupportedSchema: "the outbox is damaged (SQLITE_CORRUPT)"
        case .busy: "the outbox is locked by another process (SQLITE_BUSY)"
        default: "storing failed"
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
