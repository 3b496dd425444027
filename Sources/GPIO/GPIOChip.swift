import GridLinkCore

/// A level change on an input line, copied out of the kernel's (or the simulator's) event.
public struct EdgeEvent: Sendable, Equatable {
    public var offset: Int
    /// The physical level after the edge (true = high).
    public var high: Bool
    /// CLOCK_MONOTONIC nanoseconds, taken by the kernel at the edge.
    public var timestampNs: UInt64

    public init(offset: Int, high: Bool, timestampNs: UInt64) {
        self.offset = offset
        self.high = high
        self.timestampNs = timestampNs
    }
}

/// Why a GPIO operation failed; the text names chip, line and what to do.
public struct GPIOError: Error, Equatable, CustomStringConvertible {
    public var chip: String
    public var operation: String
    public var detail: String

    public init(chip: String, operation: String, detail: String) {
        self.chip = chip
        self.operation = operation
        self.detail = detail
    }

    public var description: String { "gpio \(chip): \(operation): \(detail)" }
}

/// The interface every GPIO backend implements: the simulated chip here, libgpiod on a board.
///
/// Inputs report both edges with kernel timestamps; outputs drive LEDs and can be read back.
/// Implementations call `onEdge` from one serial context, in edge order.
public protocol GPIOChip: AnyObject, Sendable {
    /// What logs and `gridlinkctl status` call this chip.
    var label: String { get }
    /// The offset of a line given by offset or name.
    func resolve(_ line: LineRef) throws(GPIOError) -> Int
    /// Requests the lines as inputs with both-edge events; `onEdge` receives every edge.
    func watchInputs(offsets: [Int], consumer: String, onEdge: @escaping @Sendable (EdgeEvent) -> Void) throws(GPIOError)
    /// The same with bias and active-low per line (default: `watchInputs(offsets:)`, see InputLineRequest.swift).
    func watchInputs(_ lines: [InputLineRequest], consumer: String, onEdge: @escaping @Sendable (EdgeEvent) -> Void) throws(GPIOError)
    /// The current physical level of a requested input (used to resynchronise).
    func readInput(offset: Int) throws(GPIOError) -> Bool
    /// Requests the lines as outputs, initially low.
    func requestOutputs(offsets: [Int], consumer: String) throws(GPIOError)
    func setOutput(offset: Int, high: Bool) throws(GPIOError)
    /// Releases every requested line.
    func close()
}
