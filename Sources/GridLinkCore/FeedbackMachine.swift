/// What the kiosk's feedback LEDs show for the request on display.
public enum FeedbackState: String, Sendable, Equatable, Codable {
    /// Nothing pressed yet, or every request finished more than `feedback.done_clear_s` ago.
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

/// Where one request stands with central; persisted per event id in the outbox database.
public enum RequestProgress: String, Sendable, Equatable, Codable, CaseIterable {
    case received
    case accepted
    case done
    case rejected

    /// Finished: central answered `done` or `rejected`; nothing follows.
    public var isFinished: Bool { self == .done || self == .rejected }

    var rank: Int {
        switch self {
        case .received: 0
        case .accepted: 1
        case .done, .rejected: 2
        }
    }

    init(_ status: DownlinkAck.Status) {
        switch status {
        case .accepted: self = .accepted
        case .done: self = .done
        case .rejected: self = .rejected
        }
    }
}

/// One request the kiosk follows: its event id, progress and when the progress last changed
/// (wall clock, ms).
public struct TrackedRequest: Sendable, Equatable {
    public var id: String
    public var progress: RequestProgress
    public var changedAtMs: Int64

    public init(id: String, progress: RequestProgress, changedAtMs: Int64) {
        self.id = id
        self.progress = progress
        self.changedAtMs = changedAtMs
    }
}

/// Follows every open request through received → accepted → done (or rejected) and decides which
/// one the LEDs show.
///
/// **The rule** (README, "What the kiosk and the gate do"): the LEDs show the *newest* request that
/// is still open (received or accepted) or finished (done, rejected) less than `doneClearMs` ago;
/// when none is left they go back to idle. So with two open requests the LEDs follow the newer one;
/// when it is done they show "done" for `doneClearMs`, then the older one again if it is still
/// open. An ack for an older request is recorded but does not move the LEDs while a newer one is on
/// display. Progress never goes backwards (a late `accepted` after `done` is ignored). A refused
/// press shows "cannot store" until the next stored press.
///
/// Pure: fed with the wall time (ms) of every change; `advance(toMs:)` and `nextChangeMs` let the
/// caller clear "done" on time. `requests` is what the daemon persists and restores.
public struct FeedbackMachine: Sendable, Equatable {
    /// Most requests followed at once; the oldest are forgotten first (their LEDs were long covered).
    public static let maxTracked = 100

    /// The followed requests, oldest first (store order).
    public private(set) var requests: [TrackedRequest] = []
    public private(set) var cannotStore = false
    public let doneClearMs: Int64
    /// The time of the last fed change or `advance`.
    public private(set) var nowMs: Int64 = 0

    public init(doneClearMs: Int64 = 30_000, restoring: [TrackedRequest] = [], atMs: Int64 = 0) {
        self.doneClearMs = doneClearMs
        self.nowMs = atMs
        requests = Array(restoring.suffix(Self.maxTracked))
        prune()
    }

    /// The request on display, if any.
    public var shown: TrackedRequest? {
        requests.last { !$0.progress.isFinished || nowMs - $0.changedAtMs < doneClearMs }
    }

    public var newestRequestId: String? { requests.last?.id }

    public var state: FeedbackState {
        if cannotStore { return .cannotStore }
        guard let shown else { return .idle }
        switch shown.progress {
        case .received: return .received
        case .accepted: return .accepted
        case .done: return .done
        case .rejected: return .rejected
        }
    }

    /// When the display changes next by itself (a finished request on display clears), if ever.
    public var nextChangeMs: Int64? {
        guard !cannotStore, let shown, shown.progress.isFinished else { return nil }
        return shown.changedAtMs + doneClearMs
    }

    /// A request was committed to the outbox.
    public mutating func stored(requestId: String, atMs: Int64 = 0) {
        nowMs = max(nowMs, atMs)
        cannotStore = false
        requests.removeAll { $0.id == requestId }
        requests.append(TrackedRequest(id: requestId, progress: .received, changedAtMs: atMs))
        prune()
    }

    /// A press was refused by the full outbox: nothing was stored, so no ack can follow.
    public mutating func refused() {
        cannotStore = true
    }

    /// An ack arrived from central. Returns true if it changed what the LEDs show. Acks for
    /// requests not followed (long finished, or never a request here) are ignored.
    @discardableResult
    public mutating func acknowledged(_ ack: DownlinkAck, atMs: Int64 = 0) -> Bool {
        let before = state
        nowMs = max(nowMs, atMs)
        guard let index = requests.firstIndex(where: { $0.id == ack.id }) else { return false }
        let next = RequestProgress(ack.status)
        guard next.rank > requests[index].progress.rank else { return false }
        requests[index].progress = next
        requests[index].changedAtMs = atMs
        prune()
        return state != before
    }

    /// Time passes; returns true if the display changed (a finished request cleared).
    @discardableResult
    public mutating func advance(toMs now: Int64) -> Bool {
        let before = state
        nowMs = max(nowMs, now)
        prune()
        return state != before
    }

    /// Forgets finished requests that are no longer shown and never will be again.
    private mutating func prune() {
        requests.removeAll { $0.progress.isFinished && nowMs - $0.changedAtMs >= doneClearMs }
        if requests.count > Self.maxTracked { requests.removeFirst(requests.count - Self.maxTracked) }
    }
}
