import Dispatch
import GridLinkCore
import Synchronization

/// A GPIO chip in memory, with the same interface as the libgpiod backend, for the demo and the
/// tests: `drive` plays the role of a switch moving an input, `outputLevel` reads an LED back.
///
/// Edges are delivered on one serial queue, in the order `drive` was called, with the timestamp
/// from the injected monotonic clock, exactly as the kernel would report them.
public final class SimulatedChip: GPIOChip {
    public let label: String
    private let lineNames: [String]
    private let now: @Sendable () -> UInt64
    private let delivery = DispatchQueue(label: "gridlink.gpio.sim")
    private let state: Mutex<State>

    private struct State {
        var levels: [Bool]
        var inputs: Set<Int> = []
        var outputs: Set<Int> = []
        var onEdge: (@Sendable (EdgeEvent) -> Void)?
    }

    /// - Parameters:
    ///   - lineNames: one name per line; offsets are the array indices.
    ///   - idleHigh: offsets whose input rests high (pull-up, as for active-low buttons).
    ///   - now: CLOCK_MONOTONIC in ns.
    public init(label: String = "gpio-sim", lineNames: [String], idleHigh: Set<Int> = [], now: @escaping @Sendable () -> UInt64) {
        self.label = label
        self.lineNames = lineNames
        self.now = now
        self.state = Mutex(State(levels: lineNames.indices.map { idleHigh.contains($0) }))
    }

    public func resolve(_ line: LineRef) throws(GPIOError) -> Int {
        switch line {
        case .offset(let offset):
            guard lineNames.indices.contains(offset) else {
                throw GPIOError(chip: label, operation: "find \(line)", detail: "the chip has lines 0–\(lineNames.count - 1)")
            }
            return offset
        case .name(let name):
            guard let offset = lineNames.firstIndex(of: name) else {
                throw GPIOError(chip: label, operation: "find \(line)", detail: "no line has that name; names: \(lineNames.joined(separator: ", "))")
            }
            return offset
        }
    }

    public func watchInputs(offsets: [Int], consumer: String, onEdge: @escaping @Sendable (EdgeEvent) -> Void) throws(GPIOError) {
        try state.withLock { (state: inout State) throws(GPIOError) in
            if let busy = offsets.first(where: { state.outputs.contains($0) || state.inputs.contains($0) }) {
                throw GPIOError(chip: label, operation: "request line \(busy)", detail: "already requested")
            }
            state.inputs.formUnion(offsets)
            state.onEdge = onEdge
        }
    }

    public func readInput(offset: Int) throws(GPIOError) -> Bool {
        state.withLock { $0.levels[offset] }
    }

    public func requestOutputs(offsets: [Int], consumer: String) throws(GPIOError) {
        try state.withLock { (state: inout State) throws(GPIOError) in
            if let busy = offsets.first(where: { state.outputs.contains($0) || state.inputs.contains($0) }) {
                throw GPIOError(chip: label, operation: "request line \(busy)", detail: "already requested")
            }
            state.outputs.formUnion(offsets)
            for offset in offsets { state.levels[offset] = false }
        }
    }

    public func setOutput(offset: Int, high: Bool) throws(GPIOError) {
        try state.withLock { (state: inout State) throws(GPIOError) in
            guard state.outputs.contains(offset) else {
                throw GPIOError(chip: label, operation: "set line \(offset)", detail: "not requested as an output")
            }
            state.levels[offset] = high
        }
    }

    public func close() {
        state.withLock { state in
            state.inputs = []
            state.outputs = []
            state.onEdge = nil
        }
    }

    // MARK: - The simulator's side

    /// Moves an input line, as a switch would; delivers an edge if the level changed.
    public func drive(offset: Int, high: Bool) {
        let timestamp = now()
        let handler: (@Sendable (EdgeEvent) -> Void)? = state.withLock { state in
            guard state.levels.indices.contains(offset), state.levels[offset] != high else { return nil }
            state.levels[offset] = high
            return state.inputs.contains(offset) ? state.onEdge : nil
        }
        guard let handler else { return }
        let edge = EdgeEvent(offset: offset, high: high, timestampNs: timestamp)
        delivery.async { handler(edge) }
    }

    /// The level a line is at (what an LED output drives, or where an input rests).
    public func level(offset: Int) -> Bool {
        state.withLock { $0.levels.indices.contains(offset) ? $0.levels[offset] : false }
    }
}
