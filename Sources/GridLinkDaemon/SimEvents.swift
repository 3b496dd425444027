import Control
import Dispatch
import GridLinkCore
import Outbox
import Synchronization

extension InputPipeline {
    /// Kinds `sim event` may record: gate and fault kinds (requests come from `sim press`,
    /// `device.overflow` only from the outbox itself).
    static let simulatedKinds: [EventKind] = [.gateEntry, .gateClosed, .gateHeldOpen, .gateForcedOpen, .deviceFault]

    /// Records `count` events of `kind` through the same group-commit path as a press and answers
    /// once every one of them is stored or refused.
    func recordSimulated(kind: EventKind, count: Int, reply: @escaping @Sendable (ControlResponse) -> Void) {
        queue.async { [self] in
            let tally = Mutex<(stored: [UInt64], refused: Int, left: Int)>(([], 0, count))
            for _ in 0..<count {
                let now = clock.nowMonotonicNs()
                let id = ids.next(unixMillis: UInt64(max(0, clock.nowWallMs())), random: &random)
                let event = NewEvent(id: id.description, kind: kind, source: "sim", time: clock.eventTime(atMonotonic: now), data: ["sim": .bool(true)])
                outbox.store(event) { [self] result in
                    if case .success(let row) = result { onStored(row) }
                    let done = tally.withLock { state -> SimEventsReport? in
                        switch result {
                        case .success(let row): state.stored.append(row.seq)
                        case .failure: state.refused += 1
                        }
                        state.left -= 1
                        guard state.left == 0 else { return nil }
                        return SimEventsReport(kind: kind.rawValue, stored: state.stored.count, refused: state.refused,
                                               firstSeq: state.stored.min(), lastSeq: state.stored.max())
                    }
                    if let done { reply(.eventsRecorded(done)) }
                }
            }
        }
    }
}
