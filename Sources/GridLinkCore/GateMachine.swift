/// A debounced change on one of a gate's inputs.
public enum GateInput: Sendable, Equatable {
    /// The door contact: open or closed.
    case door(open: Bool)
    /// The lock-release output of the access controller (card, code, intercom): active while released.
    case release(active: Bool)
    /// The exit-request button inside: pressed or let go.
    case exitRequest(pressed: Bool)
}

/// An event the gate machine decided on: the kind, when it happened (ns) and its data.
public struct GateEvent: Sendable, Equatable {
    public var kind: EventKind
    public var at: UInt64
    public var data: [String: EventValue]

    public init(kind: EventKind, at: UInt64, data: [String: EventValue] = [:]) {
        self.kind = kind
        self.at = at
        self.data = data
    }
}

/// Gate semantics from a door contact, a lock release and an exit request:
/// - the door opens while released, or within `authorisedWindowNs` after a release or an exit
///   request began → `gate.entry` (routine);
/// - it opens with no such authorisation → `gate.forced_open` (alarm);
/// - it stays open past `heldOpenNs` → `gate.held_open` (alarm), once per opening;
/// - it closes after an alarm → `gate.closed` (routine), which clears the alarm on central's side.
///   A normal close after a normal entry is not an event (it would double routine traffic).
///
/// Pure: fed with debounced inputs and their times, woken at `nextDeadline`.
public struct GateMachine: Sendable, Equatable {
    public let authorisedWindowNs: UInt64
    public let heldOpenNs: UInt64

    private var releaseActive = false
    private var lastAuthorisationAt: UInt64?
    private var openedAt: UInt64?
    private var alarm: EventKind?

    public init(authorisedWindowNs: UInt64, heldOpenNs: UInt64) {
        self.authorisedWindowNs = authorisedWindowNs
        self.heldOpenNs = heldOpenNs
    }

    public var doorOpen: Bool { openedAt != nil }

    public mutating func feed(_ input: GateInput, at t: UInt64) -> [GateEvent] {
        var events = advance(to: t)
        switch input {
        case .release(let active):
            if active && !releaseActive { lastAuthorisationAt = t }
            releaseActive = active
        case .exitRequest(let pressed):
            if pressed { lastAuthorisationAt = t }
        case .door(let open):
            events += open ? opened(at: t) : closed(at: t)
        }
        return events
    }

    public mutating func advance(to t: UInt64) -> [GateEvent] {
        guard let start = openedAt, alarm != .gateHeldOpen, t >= start + heldOpenNs else { return [] }
        let wasForced = alarm == .gateForcedOpen
        alarm = .gateHeldOpen
        return [GateEvent(kind: .gateHeldOpen, at: start + heldOpenNs,
                          data: ["open_ms": .int(Int64(heldOpenNs / 1_000_000)), "forced": .bool(wasForced)])]
    }

    public var nextDeadline: UInt64? {
        guard let start = openedAt, alarm != .gateHeldOpen else { return nil }
        return start + heldOpenNs
    }

    private mutating func opened(at t: UInt64) -> [GateEvent] {
        guard openedAt == nil else { return [] }
        openedAt = t
        let authorised = releaseActive || lastAuthorisationAt.map { t >= $0 && t - $0 <= authorisedWindowNs } == true
        lastAuthorisationAt = nil
        if authorised {
            alarm = nil
            return [GateEvent(kind: .gateEntry, at: t)]
        }
        alarm = .gateForcedOpen
        return [GateEvent(kind: .gateForcedOpen, at: t)]
    }

    private mutating func closed(at t: UInt64) -> [GateEvent] {
        guard let start = openedAt else { return [] }
        openedAt = nil
        defer { alarm = nil }
        guard let cleared = alarm else { return [] }
        return [GateEvent(kind: .gateClosed, at: t, data: ["cleared": .string(cleared.rawValue), "open_ms": .int(Int64((t - start) / 1_000_000))])]
    }
}
