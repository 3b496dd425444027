/// Decides, per edge, whether the stream of edges on a line is still complete.
///
/// Edges alternate on a line; two in the same direction, or a gap in the kernel's per-line
/// sequence number (libgpiod v2), mean the kernel's event FIFO overflowed and edges were lost.
/// Then the caller re-reads the levels (`resynchronised`) instead of trusting the stream. Pure.
struct EdgeContinuity {
    private(set) var levels: [Int: Bool]
    private var seqnos: [Int: UInt64] = [:]

    init(levels: [Int: Bool]) { self.levels = levels }

    enum Verdict: Equatable {
        /// Report the edge.
        case deliver
        /// Report it, then re-read the levels: edges before it were lost.
        case deliverThenResync
        /// The edge repeats the known level: drop it and re-read the levels.
        case resync
    }

    /// - Parameters:
    ///   - high: the physical level after the edge.
    ///   - seqno: the kernel's per-line sequence number, 0 when the API has none (v1).
    mutating func accept(offset: Int, high: Bool, seqno: UInt64) -> Verdict {
        var gap = false
        if seqno != 0 {
            if let last = seqnos[offset], seqno != last &+ 1 { gap = true }
            seqnos[offset] = seqno
        }
        guard levels[offset] != high else { return .resync }
        levels[offset] = high
        return gap ? .deliverThenResync : .deliver
    }

    /// The level read back from the line; returns true if it differs from what was reported.
    mutating func resynchronised(offset: Int, high: Bool) -> Bool {
        defer { levels[offset] = high }
        return levels[offset] != high
    }
}
