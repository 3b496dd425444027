/// What a button did, as decided by `ButtonMachine`.
public enum ButtonOutput: Sendable, Equatable {
    /// A press to record. `at` is the first edge of the press (when the resident pressed), in ns.
    case press(PressKind, at: UInt64)
    /// Held past `stuckNs` (taped, jammed): reported once, then ignored until released.
    case stuck(at: UInt64)
}

/// Short or long press, as published in `data.press`.
public enum PressKind: String, Sendable, Equatable, Codable {
    case short
    case long
}

/// Turns the raw level of one button line into presses: a settle filter (a level counts once it
/// has been stable for `settleNs`), then a classifier (short on release; long fires *at* the
/// threshold while still held and suppresses the short; stuck reported once).
///
/// Pure: fed with edges and timestamps (`feed`) and woken at `nextDeadline` (`advance`); it never
/// reads a clock, so tests replay recorded bounce trains on a virtual clock.
/// Levels are logical: `true` means pressed (active-low is resolved before).
public struct ButtonMachine: Sendable, Equatable {
    public let settleNs: UInt64
    public let longPressNs: UInt64
    public let stuckNs: UInt64

    /// The last raw level seen and since when.
    private var rawLevel = false
    private var rawSince: UInt64 = 0
    /// The debounced level.
    public private(set) var stableLevel = false
    private var pressedAt: UInt64?
    private var longFired = false
    private var stuckReported = false

    public init(settleNs: UInt64, longPressNs: UInt64, stuckNs: UInt64) {
        self.settleNs = settleNs
        self.longPressNs = longPressNs
        self.stuckNs = stuckNs
    }

    public init(gpio: GPIOConfig) {
        self.init(
            settleNs: UInt64(gpio.debounceMs) * 1_000_000, longPressNs: UInt64(gpio.longPressMs) * 1_000_000,
            stuckNs: UInt64(gpio.stuckMs) * 1_000_000)
    }

    /// A raw edge (or a level re-read after resynchronisation) at time `t`.
    public mutating func feed(level: Bool, at t: UInt64) -> [ButtonOutput] {
        var outputs = advance(to: t)
        if level != rawLevel {
            rawLevel = level
            rawSince = t
        }
        outputs += advance(to: t)
        return outputs
    }

    /// Time has reached `t` with no new edge: settle and fire any timed outputs due by then.
    public mutating func advance(to t: UInt64) -> [ButtonOutput] {
        var outputs: [ButtonOutput] = []
        if rawLevel != stableLevel, t >= rawSince + settleNs {
            stableLevel = rawLevel
            if stableLevel {
                pressedAt = rawSince
                longFired = false
                stuckReported = false
            } else if let start = pressedAt {
                if !longFired && !stuckReported { outputs.append(.press(.short, at: start)) }
                pressedAt = nil
            }
        }
        if let start = pressedAt {
            if !longFired, !stuckReported, t >= start + longPressNs {
                longFired = true
                outputs.append(.press(.long, at: start))
            }
            if !stuckReported, t >= start + stuckNs {
                stuckReported = true
                outputs.append(.stuck(at: start))
            }
        }
        return outputs
    }

    /// When `advance` must next be called, or nil if nothing is pending.
    public var nextDeadline: UInt64? {
        var deadlines: [UInt64] = []
        if rawLevel != stableLevel { deadlines.append(rawSince + settleNs) }
        if let start = pressedAt {
            if !longFired && !stuckReported { deadlines.append(start + longPressNs) }
            if !stuckReported { deadlines.append(start + stuckNs) }
        }
        return deadlines.min()
    }
}
