/// What a button did, as decided by `ButtonMachine`.
public enum ButtonOutput: Sendable, Equatable {
    /// A press to record. `at` is the first edge of the press (when the resident pressed), in ns.
    case press(PressKind, at: UInt64)
    /// Held past `stuckNs` (taped, jammed): reported once, then ignored until released.
    case stuck(at: UInt64)
}

/// Short, long or double press, as published in `data.press`.
public enum PressKind: String, Sendable, Equatable, Codable {
    case short
    case long
    case double
}

/// Turns the raw level of one button line into presses: a `SettleFilter`, then a classifier —
/// short on release; long fires *at* the threshold while still held and suppresses the short;
/// stuck reported once; optionally a double press (a second press within `doubleWindowNs` of the
/// first release). With `doubleWindowNs` = 0 (the default) a short press is reported the moment
/// its release settles, with no added delay.
///
/// Pure: fed with edges and timestamps (`feed`) and woken at `nextDeadline` (`advance`); it never
/// reads a clock, so tests replay recorded bounce trains on a virtual clock.
/// Levels are logical: `true` means pressed (active-low is resolved before).
public struct ButtonMachine: Sendable, Equatable {
    public let longPressNs: UInt64
    public let stuckNs: UInt64
    public let doubleWindowNs: UInt64

    private var filter: SettleFilter
    private var pressedAt: UInt64?
    private var longFired = false
    private var stuckReported = false
    /// A short press held back while waiting to see whether a second one follows.
    private var pendingShort: HeldShort?
    private var secondPressOfDouble = false

    private struct HeldShort: Sendable, Equatable {
        var at: UInt64
        var releasedAt: UInt64
    }

    public init(settleNs: UInt64, longPressNs: UInt64, stuckNs: UInt64, doubleWindowNs: UInt64 = 0) {
        filter = SettleFilter(settleNs: settleNs)
        self.longPressNs = longPressNs
        self.stuckNs = stuckNs
        self.doubleWindowNs = doubleWindowNs
    }

    public init(gpio: GPIOConfig) {
        self.init(
            settleNs: UInt64(gpio.debounceMs) * 1_000_000, longPressNs: UInt64(gpio.longPressMs) * 1_000_000,
            stuckNs: UInt64(gpio.stuckMs) * 1_000_000, doubleWindowNs: UInt64(gpio.doublePressMs) * 1_000_000)
    }

    public var settleNs: UInt64 { filter.settleNs }
    public var stableLevel: Bool { filter.stableLevel }

    /// A raw edge (or a level re-read after resynchronisation) at time `t`.
    public mutating func feed(level: Bool, at t: UInt64) -> [ButtonOutput] {
        var outputs = timers(upTo: t)
        if let change = filter.feed(level: level, at: t) { outputs += settled(change) }
        return outputs + timers(upTo: t)
    }

    /// Time has reached `t` with no new edge: settle and fire any timed outputs due by then.
    public mutating func advance(to t: UInt64) -> [ButtonOutput] {
        var outputs = timers(upTo: t)
        if let change = filter.advance(to: t) { outputs += settled(change) }
        return outputs + timers(upTo: t)
    }

    private mutating func settled(_ change: (level: Bool, since: UInt64)) -> [ButtonOutput] {
        if change.level {
            pressedAt = change.since
            longFired = false
            stuckReported = false
            if let pending = pendingShort, change.since <= pending.releasedAt + doubleWindowNs {
                pendingShort = nil
                secondPressOfDouble = true
                return [.press(.double, at: pending.at)]
            }
            return []
        }
        guard let start = pressedAt else { return [] }
        pressedAt = nil
        defer { secondPressOfDouble = false }
        if longFired || stuckReported || secondPressOfDouble { return [] }
        if doubleWindowNs == 0 { return [.press(.short, at: start)] }
        pendingShort = HeldShort(at: start, releasedAt: change.since)
        return []
    }

    private mutating func timers(upTo t: UInt64) -> [ButtonOutput] {
        var outputs: [ButtonOutput] = []
        if let pending = pendingShort, t >= pending.releasedAt + doubleWindowNs {
            // A press that began inside the window but has not settled yet decides it: wait for it.
            let windowEnd = pending.releasedAt + doubleWindowNs
            if let raw = filter.pendingChange, raw.level, raw.since <= windowEnd {
                // settles (double) or turns out to be noise (short) at filter.nextDeadline
            } else {
                pendingShort = nil
                outputs.append(.press(.short, at: pending.at))
            }
        }
        if let start = pressedAt {
            if !longFired, !stuckReported, !secondPressOfDouble, t >= start + longPressNs {
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
        if let settle = filter.nextDeadline { deadlines.append(settle) }
        if let pending = pendingShort {
            // While a press that began inside the window is settling, its settle time decides.
            let windowEnd = pending.releasedAt + doubleWindowNs
            if let raw = filter.pendingChange, raw.level, raw.since <= windowEnd {} else { deadlines.append(windowEnd) }
        }
        if let start = pressedAt {
            if !longFired && !stuckReported && !secondPressOfDouble { deadlines.append(start + longPressNs) }
            if !stuckReported { deadlines.append(start + stuckNs) }
        }
        return deadlines.min()
    }
}
