import Dispatch
import GPIO
import GridLinkCore
import Logging
import Outbox

/// From a gate's GPIO edges to stored events: one `SettleFilter` per input line feeding one
/// `GateMachine`, on a serial queue, woken at the earliest deadline any of them asks for.
public final class GatePipeline: @unchecked Sendable {
    // @unchecked: every mutable field is touched only on `queue`.
    struct Line {
        let name: String
        let activeLow: Bool
        var filter: SettleFilter
    }

    private let queue = DispatchQueue(label: "gridlink.gate")
    private var lines: [Int: Line] = [:]
    private var machine: GateMachine
    private var recorder: EventRecorder
    private var timerGeneration = 0
    private let logger: Logger
    private let onStored: @Sendable (StoredEvent) -> Void

    /// - Parameters:
    ///   - inputs: gate input name (`door`, `release`, `exit_request`) → config and resolved offset.
    ///   - initialLevels: the physical level of each offset at start, so a door that is already open
    ///     at boot is not reported as a new opening.
    public init(config: GateConfig, inputs: [(name: String, input: GateInputConfig, offset: Int)], initialLevels: [Int: Bool],
                debounceMs: Int, clock: any DeviceClock, outbox: OutboxQueue, logger: Logger, onStored: @escaping @Sendable (StoredEvent) -> Void) {
        machine = GateMachine(authorisedWindowNs: UInt64(config.authorisedWindowMs) * 1_000_000, heldOpenNs: UInt64(config.heldOpenMs) * 1_000_000)
        for (name, input, offset) in inputs {
            let active = (initialLevels[offset] ?? input.activeLow) != input.activeLow
            lines[offset] = Line(name: name, activeLow: input.activeLow, filter: SettleFilter(settleNs: UInt64(debounceMs) * 1_000_000, initialLevel: active))
        }
        recorder = EventRecorder(clock: clock, outbox: outbox)
        self.logger = logger
        self.onStored = onStored
    }

    /// Runs `answer` on the pipeline's queue once it gets there (the watchdog's heartbeat).
    public func heartbeat(_ answer: @escaping @Sendable () -> Void) {
        queue.async(execute: answer)
    }

    public func edge(_ edge: EdgeEvent) {
        queue.async { self.handle(edge) }
    }

    private func handle(_ edge: EdgeEvent) {
        guard var line = lines[edge.offset] else { return }
        let settled = line.filter.feed(level: edge.high != line.activeLow, at: edge.timestampNs)
        lines[edge.offset] = line
        var events = machine.advance(to: edge.timestampNs)
        if let settled { events += machine.feed(input(line.name, active: settled.level), at: settled.since) }
        finish(events)
    }

    private func wake(generation: Int) {
        guard generation == timerGeneration else { return }
        let now = recorder.clock.nowMonotonicNs()
        var events: [GateEvent] = []
        for offset in lines.keys.sorted() {
            guard var line = lines[offset] else { continue }
            let settled = line.filter.advance(to: now)
            lines[offset] = line
            if let settled {
                events += machine.advance(to: settled.since)
                events += machine.feed(input(line.name, active: settled.level), at: settled.since)
            }
        }
        events += machine.advance(to: now)
        finish(events)
    }

    private func input(_ name: String, active: Bool) -> GateInput {
        switch name {
        case "door": .door(open: active)
        case "release": .release(active: active)
        default: .exitRequest(pressed: active)
        }
    }

    private func finish(_ events: [GateEvent]) {
        for event in events {
            logger.log(level: event.kind.eventClass == .alarm ? .warning : .info, "gate: \(event.kind)")
            recorder.record(kind: event.kind, source: "door", at: event.at, data: event.data) { [self] result, _, _ in
                switch result {
                case .success(let row): onStored(row)
                case .failure(let error): logger.error("gate: \(event.kind) not stored: \(error)")
                }
            }
        }
        timerGeneration += 1
        let generation = timerGeneration
        let deadlines = lines.values.compactMap(\.filter.nextDeadline) + [machine.nextDeadline].compactMap { $0 }
        guard let deadline = deadlines.min() else { return }
        let now = recorder.clock.nowMonotonicNs()
        queue.asyncAfter(deadline: .now() + .nanoseconds(deadline > now ? Int(deadline - now) : 0)) { self.wake(generation: generation) }
    }
}
