/// A gate's inputs and timings (profile `gate`).
public struct GateConfig: Sendable, Equatable {
    /// The door contact; `active` means open.
    public var door: GateInputConfig
    /// The access controller's lock-release output, wired to an input; `active` means released.
    public var release: GateInputConfig?
    /// The exit-request button inside; `active` means pressed.
    public var exitRequest: GateInputConfig?
    /// An opening this soon after a release or exit request began is an entry, later it is forced.
    public var authorisedWindowMs: Int
    /// Open longer than this raises `gate.held_open`.
    public var heldOpenMs: Int

    public init(door: GateInputConfig, release: GateInputConfig? = nil, exitRequest: GateInputConfig? = nil,
                authorisedWindowMs: Int = 5000, heldOpenMs: Int = 30_000) {
        self.door = door
        self.release = release
        self.exitRequest = exitRequest
        self.authorisedWindowMs = authorisedWindowMs
        self.heldOpenMs = heldOpenMs
    }

    /// The configured inputs with the names `gridlinkctl sim gate NAME` uses.
    public var inputs: [(name: String, input: GateInputConfig)] {
        [("door", door)] + [("release", release), ("exit_request", exitRequest)].compactMap { entry in entry.1.map { (entry.0, $0) } }
    }
}

/// One gate input line.
public struct GateInputConfig: Sendable, Equatable {
    public var line: LineRef
    /// True when the active state (open, released, pressed) pulls the line low.
    public var activeLow: Bool

    public init(line: LineRef, activeLow: Bool = false) {
        self.line = line
        self.activeLow = activeLow
    }
}
