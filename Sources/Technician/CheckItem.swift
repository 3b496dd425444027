/// One line of `gridlinkctl check`: what was checked, how it went, and — when it is not ok —
/// what to do about it, in words a technician on site can act on.
public struct CheckItem: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable {
        case ok, warn, fail, skip
    }

    /// Short name: `gpio`, `lines`, `storage`, `clock`, `broker`, `certificate`.
    public var name: String
    public var status: Status
    /// What was found.
    public var message: String
    /// What to do, for `warn` and `fail`.
    public var fix: String?

    public init(_ name: String, _ status: Status, _ message: String, fix: String? = nil) {
        self.name = name
        self.status = status
        self.message = message
        self.fix = fix
    }

    /// `FAIL  broker       cannot reach …` and, indented below, `fix: …`.
    public var text: String {
        let head = "\(status.rawValue.uppercased().padded(5)) \(name.padded(12)) \(message)"
        return fix.map { head + "\n" + String(repeating: " ", count: 19) + "fix: " + $0 } ?? head
    }
}

extension String {
    func padded(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
