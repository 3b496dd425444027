/// What the kiosk's feedback LEDs show for the newest request.
public enum FeedbackState: String, Sendable, Equatable, Codable {
    /// Nothing pressed yet, or the last request finished long ago.
    case idle
    /// Stored in the outbox (durable); waiting for central.
    case received
    case accepted
    case done
    case rejected
    /// The newest press could not be stored (outbox full): every LED blinks fast (see
    /// `IndicatorPlan`), a pattern the normal flow never shows. The next stored press clears it.
    case cannotStore = "cannot_store"
}

/// Follows the newest request through received → accepted → done and says which LEDs are lit.
///
/// Pure: fed with "stored" and ack events; acks for older requests do not move the LEDs
/// (the resident looks at the answer to the press they just made). Statuses never go backwards
/// (a late `accepted` after `done` is ignored).
public struct FeedbackMachine: Sendable, Equatable {
    public private(set) var newestRequestId: String?
    public private(set) var state: FeedbackState = .idle

    public init() {}

    /// A request was committed to the outbox.
    public mutating func stored(requestId: String) {
        newestRequestId = requestId
        state = .received
    }

    /// A press was refused by the full outbox: nothing was stored, so no ack can follow.
    public mutating func refused() {
        newestRequestId = nil
        state = .cannotStore
    }

    /// An ack arrived from central. Returns true if it changed what the LEDs show.
    @discardableResult
    public mutating func acknowledged(_ ack: DownlinkAck) -> Bool {
        guard ack.id == newestRequestId else { return false }
        let next: FeedbackState = switch ack.status {
        case .accepted: .accepted
        case .done: .done
        case .rejected: .rejected
        }
        guard FeedbackMachine.rank(next) > FeedbackMachine.rank(state) else { return false }
        state = next
        return true
    }

    private static func rank(_ state: FeedbackState) -> Int {
        switch state {
        case .idle: 0
        case .received: 1
        case .accepted: 2
        case .rejected: 3
        case .done: 3
        case .cannotStore: 0
        }
    }
}
