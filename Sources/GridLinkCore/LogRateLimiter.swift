/// Keeps a repeated log line from flooding the journal: the same line is written at most once
/// per `intervalNs`; repeats inside the window are counted, and the count is reported as
/// "(repeated N times)" when the line comes back after the window or, if it stops, at the next
/// log call after its window closed.
///
/// Pure: fed with monotonic timestamps, no clock, no locks (the log handler serialises calls).
public struct LogRateLimiter<Line: Hashable & Sendable>: Sendable {
    /// What to do with a line offered to ``admit(_:atNs:)``.
    public struct Decision: Equatable, Sendable {
        /// Write the line now (false: it repeats inside its window and is only counted).
        public var write: Bool
        /// How many copies of this line were held back since it was last written (0 if none).
        public var heldBack: Int
        /// Lines whose window closed with copies held back and that did not come back:
        /// write a "(repeated N times)" summary for each, before the line itself.
        public var summaries: [Summary]

        public init(write: Bool, heldBack: Int, summaries: [Summary]) {
            self.write = write
            self.heldBack = heldBack
            self.summaries = summaries
        }
    }

    /// A line that repeated `count` more times inside its window and then went quiet.
    public struct Summary: Equatable, Sendable {
        public var line: Line
        public var count: Int

        public init(line: Line, count: Int) {
            self.line = line
            self.count = count
        }
    }

    private struct Entry {
        var writtenAtNs: UInt64
        var heldBack: Int
    }

    /// Window per line (30 s by default).
    public let intervalNs: UInt64
    /// At most this many distinct lines are tracked; the oldest is forgotten first.
    public let capacity: Int
    private var entries: [Line: Entry] = [:]

    public init(intervalNs: UInt64 = 30_000_000_000, capacity: Int = 256) {
        self.intervalNs = intervalNs
        self.capacity = max(1, capacity)
    }

    /// The number of lines currently tracked (bounded by `capacity`).
    public var trackedLines: Int { entries.count }

    /// Offers `line` at monotonic time `nowNs`.
    public mutating func admit(_ line: Line, atNs nowNs: UInt64) -> Decision {
        let summaries = expire(atNs: nowNs, keeping: line)
        if var entry = entries[line], nowNs &- entry.writtenAtNs < intervalNs {
            entry.heldBack += 1
            entries[line] = entry
            return Decision(write: false, heldBack: 0, summaries: summaries)
        }
        let heldBack = entries[line]?.heldBack ?? 0
        if entries[line] == nil, entries.count >= capacity, let oldest = entries.min(by: { $0.value.writtenAtNs < $1.value.writtenAtNs })?.key {
            entries[oldest] = nil
        }
        entries[line] = Entry(writtenAtNs: nowNs, heldBack: 0)
        return Decision(write: true, heldBack: heldBack, summaries: summaries)
    }

    /// Forgets every line (other than `keeping`) whose window has closed, returning a summary
    /// for each one that had copies held back.
    private mutating func expire(atNs nowNs: UInt64, keeping: Line) -> [Summary] {
        var summaries: [Summary] = []
        for (line, entry) in entries where line != keeping && nowNs &- entry.writtenAtNs >= intervalNs {
            if entry.heldBack > 0 { summaries.append(Summary(line: line, count: entry.heldBack)) }
            entries[line] = nil
        }
        return summaries
    }
}
