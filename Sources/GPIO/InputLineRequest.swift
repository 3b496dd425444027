import GridLinkCore

/// One input line as a backend requests it: offset, pull resistor and polarity.
///
/// `EdgeEvent.high` stays the PHYSICAL level whatever `activeLow` says; a backend that lets the
/// kernel apply active-low (so `gpioinfo` shows it) converts back before reporting.
public struct InputLineRequest: Sendable, Equatable {
    public var offset: Int
    public var bias: LineBias
    public var activeLow: Bool

    public init(offset: Int, bias: LineBias = .asIs, activeLow: Bool = false) {
        self.offset = offset
        self.bias = bias
        self.activeLow = activeLow
    }
}

extension GPIOChip {
    /// Requests inputs with bias and polarity. Backends without either (the simulated chip) just
    /// watch the offsets.
    public func watchInputs(_ lines: [InputLineRequest], consumer: String, onEdge: @escaping @Sendable (EdgeEvent) -> Void) throws(GPIOError) {
        try watchInputs(offsets: lines.map(\.offset), consumer: consumer, onEdge: onEdge)
    }
}
