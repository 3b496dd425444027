/// How one LED shows: steady, off, or blinking with a period (half on, half off).
public enum LedPattern: Sendable, Hashable {
    case off
    case on
    case blink(periodMs: Int)

    /// The level at time `t` (ns). Blinks are phase-locked to the clock, so all blinking LEDs agree.
    public func level(at t: UInt64) -> Bool {
        switch self {
        case .off: return false
        case .on: return true
        case .blink(let period):
            let half = UInt64(max(period, 2) / 2) * 1_000_000
            return (t / half) % 2 == 0
        }
    }

    /// The next time after `t` at which the level changes, for blinking patterns.
    public func nextChange(after t: UInt64) -> UInt64? {
        guard case .blink(let period) = self else { return nil }
        let half = UInt64(max(period, 2) / 2) * 1_000_000
        return (t / half + 1) * half
    }
}

/// What the kiosk shows, as distinct LED patterns a resident and a technician can tell apart:
///
/// | situation | received | accepted | done | status (optional) |
/// |---|---|---|---|---|
/// | idle, online | off | off | off | on |
/// | received (stored on the device) | **on** | off | off | on |
/// | accepted by central | on | **on** | off | on |
/// | done | on | on | **on** | on |
/// | rejected by central | on | off | blink 1 s | on |
/// | offline (broker unreachable) | as above | **slow blink 2 s** unless accepted/done | as above | slow blink 2 s |
/// | cannot store (outbox full / disk error) | **fast blink** | **fast blink** | **fast blink** | fast blink |
///
/// "Cannot store" wins over everything: the press was not recorded and the resident must be told.
/// Pure.
public enum IndicatorPlan {
    public static let fastBlinkMs = 250
    public static let slowBlinkMs = 2000

    public static func patterns(state: FeedbackState, online: Bool, cannotStore: Bool) -> [String: LedPattern] {
        if cannotStore || state == .cannotStore {
            let fast = LedPattern.blink(periodMs: fastBlinkMs)
            return ["received": fast, "accepted": fast, "done": fast, "status": fast]
        }
        let slow = LedPattern.blink(periodMs: slowBlinkMs)
        var patterns: [String: LedPattern] = ["received": .off, "accepted": .off, "done": .off, "status": online ? .on : slow]
        switch state {
        case .idle, .cannotStore: break
        case .received: patterns["received"] = .on
        case .accepted: patterns["received"] = .on; patterns["accepted"] = .on
        case .done: patterns["received"] = .on; patterns["accepted"] = .on; patterns["done"] = .on
        case .rejected: patterns["received"] = .on; patterns["done"] = .blink(periodMs: 1000)
        }
        if !online, state != .accepted, state != .done { patterns["accepted"] = slow }
        return patterns
    }
}

/// The buzzer: a short chirp when a press is stored, three short beeps when it could not be.
/// Pure: `start` at a time, then `level(at:)` and `nextDeadline` drive the output line.
public struct BuzzerMachine: Sendable, Equatable {
    public enum Sound: Sendable, Equatable {
        /// 80 ms: "got it".
        case received
        /// 3 × 100 ms with 100 ms gaps: "not stored".
        case error
    }

    /// On-intervals (start, end) in ns of what is playing.
    private var intervals: [ClosedRange<UInt64>] = []

    public init() {}

    public mutating func start(_ sound: Sound, at t: UInt64) {
        let ms: UInt64 = 1_000_000
        switch sound {
        case .received: intervals = [t...(t + 80 * ms)]
        case .error: intervals = (0..<3).map { i in (t + UInt64(i) * 200 * ms)...(t + UInt64(i) * 200 * ms + 100 * ms) }
        }
    }

    /// On during an interval, off at its end.
    public func level(at t: UInt64) -> Bool {
        intervals.contains { t >= $0.lowerBound && t < $0.upperBound }
    }

    /// The next time the level changes after `t`, or nil when the sound is over.
    public func nextDeadline(after t: UInt64) -> UInt64? {
        intervals.flatMap { [$0.lowerBound, $0.upperBound] }.filter { $0 > t }.min()
    }
}
