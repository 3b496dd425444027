import GridLinkCore
import Outbox

/// Builds an event at the moment an input machine decides on it — UUIDv7 id, honest-time block
/// (wall clock derived from the edge's monotonic timestamp, NTP sync state, boot id) — and hands
/// it to the outbox's group commit.
///
/// Not thread-safe: each pipeline owns one and calls it from its own serial queue.
struct EventRecorder {
    typealias Completion = @Sendable (Result<StoredEvent, OutboxError>, _ event: NewEvent, _ commitNs: UInt64) -> Void

    private var ids = UUIDv7Generator()
    private var random = SystemRandomNumberGenerator()
    let clock: any DeviceClock
    let outbox: OutboxQueue

    init(clock: any DeviceClock, outbox: OutboxQueue) {
        self.clock = clock
        self.outbox = outbox
    }

    /// Records `kind` that happened at `monoNs`; `completion` runs after the commit (or its failure)
    /// with the time from now to the end of the commit.
    mutating func record(kind: EventKind, source: String, at monoNs: UInt64, data: [String: EventValue], completion: @escaping Completion) {
        let id = ids.next(unixMillis: UInt64(max(0, clock.wallMs(atMonotonic: monoNs))), random: &random)
        let event = NewEvent(id: id.description, kind: kind, source: source, time: clock.eventTime(atMonotonic: monoNs), data: data)
        let clock = clock
        let recognisedNs = clock.nowMonotonicNs()
        outbox.store(event) { result in
            completion(result, event, clock.nowMonotonicNs() - recognisedNs)
        }
    }
}
