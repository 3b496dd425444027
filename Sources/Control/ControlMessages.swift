import GridLinkCore

/// A request to the daemon's control socket: one JSON line.
public enum ControlRequest: Codable, Sendable, Equatable {
    case status
    case outbox(limit: Int)
    /// The last `limit` rows in drain order: what was stored most recently and goes out last.
    case outboxTail(limit: Int)
    /// Presses a simulated button; `holdMs` nil = a normal short (or long) press.
    case simPress(button: String, long: Bool, holdMs: Int?)
    /// Presses a simulated button twice within `gpio.double_press_ms`: one `double` press.
    case simDoublePress(button: String)
    /// Moves a simulated gate input (`door`, `release`, `exit_request`) to active (open, released,
    /// pressed) or inactive.
    case simGate(input: String, active: Bool)
    /// Records `count` events of `kind` (gate or fault kinds) through the same outbox path as a
    /// press; simulated chip only. Lets tests fill the outbox with routine rows and alarms.
    case simEvent(kind: String, count: Int)
    /// Forgets the recorded outbox quarantines (a technician has seen them); the kept files stay.
    case clearQuarantine
}

/// The daemon's answer: one JSON line, then the connection closes.
public enum ControlResponse: Codable, Sendable, Equatable {
    case status(StatusReport)
    case outbox(OutboxReport)
    case pressed(PressReport)
    /// Done; nothing more to report.
    case ok(message: String)
    case eventsRecorded(SimEventsReport)
    /// The request could not be carried out; `message` says why and what to do.
    case failed(message: String)
}

/// What `gridlinkctl status` shows.
public struct StatusReport: Codable, Sendable, Equatable {
    public var site: String
    public var device: String
    public var profile: String
    public var version: String
    public var broker: String
    public var connected: Bool
    public var outbox: OutboxSummary
    /// Seconds since the last PUBACK, nil if none since start.
    public var lastPubackAgeS: Double?
    public var feedback: FeedbackState
    /// Each LED's level right now, read back from the chip.
    public var leds: [String: Bool]
    /// Each LED's pattern (`on`, `off`, `blink 250ms`): blinking LEDs change level by the moment.
    public var ledPatterns: [String: String]
    public var counters: [String: Int]
    public var uptimeS: Double
    /// Seconds since the broker last sent anything (PUBACK, PINGRESP, …) while connected; nil
    /// when not connected. A link that stays silent past 1.4 × keepalive is dropped and retried.
    public var brokerSilentS: Double?
    /// Storage health and outstanding quarantines (nil from a gridlinkd older than this field).
    public var storage: StorageReport?
    /// The outbox bound in force and its origin (nil from a gridlinkd that does not report it).
    public var outboxBound: OutboxBoundReport?

    public init(
        site: String, device: String, profile: String, version: String, broker: String, connected: Bool,
        outbox: OutboxSummary, lastPubackAgeS: Double?, feedback: FeedbackState, leds: [String: Bool],
        ledPatterns: [String: String] = [:], counters: [String: Int], uptimeS: Double, brokerSilentS: Double? = nil,
        storage: StorageReport? = nil
    ) {
        self.brokerSilentS = brokerSilentS
        self.storage = storage
        self.ledPatterns = ledPatterns
        self.site = site
        self.device = device
        self.profile = profile
        self.version = version
        self.broker = broker
        self.connected = connected
        self.outbox = outbox
        self.lastPubackAgeS = lastPubackAgeS
        self.feedback = feedback
        self.leds = leds
        self.counters = counters
        self.uptimeS = uptimeS
    }
}

/// Outbox depth per class and the age of the oldest stored event.
public struct OutboxSummary: Codable, Sendable, Equatable {
    public var total: Int
    public var byClass: [String: Int]
    public var oldestAgeS: Double?
    public var nextSeq: UInt64
    public var inflight: Int

    public init(total: Int, byClass: [String: Int], oldestAgeS: Double?, nextSeq: UInt64, inflight: Int) {
        self.total = total
        self.byClass = byClass
        self.oldestAgeS = oldestAgeS
        self.nextSeq = nextSeq
        self.inflight = inflight
    }
}

/// What `gridlinkctl outbox` lists: the summary and the first rows in drain order.
public struct OutboxReport: Codable, Sendable, Equatable {
    public struct Row: Codable, Sendable, Equatable {
        public var seq: UInt64
        public var id: String
        public var eventClass: String
        public var kind: String
        public var ageS: Double
        public init(seq: UInt64, id: String, eventClass: String, kind: String, ageS: Double) {
            self.seq = seq
            self.id = id
            self.eventClass = eventClass
            self.kind = kind
            self.ageS = ageS
        }
    }

    public var summary: OutboxSummary
    public var rows: [Row]

    public init(summary: OutboxSummary, rows: [Row]) {
        self.summary = summary
        self.rows = rows
    }
}

/// The answer to a simulated press: sent only once the event is committed.
public struct PressReport: Codable, Sendable, Equatable {
    public var seq: UInt64
    public var id: String
    public var kind: String
    public var press: PressKind
    /// From the first edge to the commit, in microseconds (includes the hold and the debounce).
    public var storedAfterUs: Int
    /// From the moment the press was recognised (release settled, or long threshold) to the end
    /// of its commit, in microseconds: the device's own press → stored latency.
    public var commitUs: Int
    public var leds: [String: Bool]

    public init(seq: UInt64, id: String, kind: String, press: PressKind, storedAfterUs: Int, commitUs: Int, leds: [String: Bool]) {
        self.seq = seq
        self.id = id
        self.kind = kind
        self.press = press
        self.storedAfterUs = storedAfterUs
        self.commitUs = commitUs
        self.leds = leds
    }
}

/// The answer to `sim event`: how many were stored and how many the full outbox refused.
public struct SimEventsReport: Codable, Sendable, Equatable {
    public var kind: String
    public var stored: Int
    public var refused: Int
    public var firstSeq: UInt64?
    public var lastSeq: UInt64?

    public init(kind: String, stored: Int, refused: Int, firstSeq: UInt64?, lastSeq: UInt64?) {
        self.kind = kind
        self.stored = stored
        self.refused = refused
        self.firstSeq = firstSeq
        self.lastSeq = lastSeq
    }
}

extension ControlRequest {
    /// Decodes one request line as the daemon receives it. Never traps; text that is not a request,
    /// or JSON that names a key twice (which JSONDecoder would silently resolve), is an error.
    public static func decode(_ line: [UInt8]) -> Result<ControlRequest, ControlRequestError> {
        if let key = JSONDuplicateKeys.first(in: line) { return .failure(.duplicateKey(key)) }
        guard let request = try? JSONDecoder().decode(ControlRequest.self, from: Data(line)) else {
            return .failure(.unreadable)
        }
        return .success(request)
    }
}

/// Why the daemon refused a control request; the text goes back in `.failed(message:)`.
public enum ControlRequestError: Error, Equatable, CustomStringConvertible {
    case unreadable
    case duplicateKey(String)

    public var description: String {
        switch self {
        case .unreadable: "unreadable request; use gridlinkctl of the same version"
        case .duplicateKey(let key): "request names '\(key.prefix(64))' twice; send each key once"
        }
    }
}
