/// A parsed TOML table (the document's root, a `[header]` table, an `[[array]]` element or an
/// inline `{ … }` table): its keys in file order and each value with the line it was written on.
///
/// gridlink reads TOML with its own small, strict parser (`TOMLParser`) rather than a C++ library:
/// bad input is an error with a line number, never a crash. See README "Dependencies".
public struct TOMLTable: Sendable, Equatable {
    /// How a table came to exist; TOML forbids defining a table twice or extending an inline one.
    enum Origin: Sendable, Equatable {
        case implicit  // named only as part of a longer header: [a.b] creates a
        case header    // [a] or [[a]]
        case dotted    // a.b = 1 creates a
        case inline    // a = { b = 1 }
    }

    /// The keys in the order the file wrote them.
    public private(set) var keys: [String] = []
    private var values: [String: TOMLValue] = [:]
    /// The line of the header (or of the key) that created the table; 1 for the root.
    public internal(set) var line: Int
    var origin: Origin

    init(line: Int, origin: Origin) {
        self.line = line
        self.origin = origin
    }

    /// Parses a whole TOML document.
    public init(string: String) throws(TOMLParseError) {
        var parser = TOMLParser(string)
        self = try parser.parseDocument()
    }

    public subscript(key: String) -> TOMLValue? { values[key] }

    /// Adds `key`, which must be new in this table.
    mutating func insert(_ key: String, _ value: TOMLValue, name: String) throws(TOMLParseError) {
        if let first = values[key] {
            throw TOMLParseError(line: value.line, message: "'\(name)' is set twice (first on line \(first.line)); keep one")
        }
        keys.append(key)
        values[key] = value
    }

    /// How `withTable` treats the tables it passes through and the one it ends at: `[header]`,
    /// `[[header]]`, a dotted key's tables, or back `into` the current header's table.
    enum Walk { case header, arrayHeader, dotted, into }

    /// Walks `path` from this table (creating missing tables), then runs `body` on the table found.
    /// Headers pass through any table except inline ones and end at the newest `[[array]]` element;
    /// dotted keys pass only through tables that dotted keys created.
    mutating func withTable(
        at path: ArraySlice<String>, walk: Walk, line: Int, name: String,
        _ body: (inout TOMLTable) throws(TOMLParseError) -> Void
    ) throws(TOMLParseError) {
        guard let key = path.first else { return try body(&self) }
        let isLast = path.count == 1
        var child: TOMLValue
        if let existing = values.removeValue(forKey: key) {
            child = existing
        } else {
            let table = TOMLTable(line: line, origin: walk == .dotted ? .dotted : .implicit)
            if isLast && walk == .arrayHeader {
                child = TOMLValue(.array([]), line: line)
                child.isTableArray = true
            } else {
                child = TOMLValue(.table(table), line: line)
            }
            keys.append(key)
        }
        defer { values[key] = child }
        let content = child.content
        child.content = .boolean(false)  // drop the second reference so the table is mutated in place
        defer { if case .boolean = child.content { child.content = content } }
        switch content {
        case .table(var table):
            if isLast && walk == .arrayHeader {
                throw TOMLParseError(line: line, message: "[[\(name)]] names a table defined on line \(table.line), not an array of tables")
            }
            if walk == .dotted && table.origin != .dotted || walk != .dotted && table.origin == .inline {
                throw TOMLParseError(line: line, message: "'\(name)' extends the table defined on line \(table.line), which TOML does not allow; add the keys there")
            }
            if isLast && walk == .header {
                guard table.origin == .implicit else {
                    throw TOMLParseError(line: line, message: "table [\(name)] is defined twice (first on line \(table.line)); merge them")
                }
                table.origin = .header
                table.line = line
            }
            try table.withTable(at: path.dropFirst(), walk: walk, line: line, name: name, body)
            child.content = .table(table)
        case .array(var items) where child.isTableArray && walk != .dotted:
            if isLast && walk == .header {
                throw TOMLParseError(line: line, message: "[\(name)] names an array of tables ([[\(name)]] on line \(child.line)); use [[\(name)]]")
            }
            if isLast && walk == .arrayHeader {
                items.append(TOMLValue(.table(TOMLTable(line: line, origin: .header)), line: line))
            }
            guard case .table(var table)? = items.last?.content else {
                throw TOMLParseError(line: line, message: "'\(name)' is not a table")
            }
            try table.withTable(at: path.dropFirst(), walk: walk, line: line, name: name, body)
            items[items.count - 1].content = .table(table)
            child.content = .array(items)
        default:
            throw TOMLParseError(line: line, message: "'\(name)' is already a value (line \(child.line)), not a table")
        }
    }
}

/// One TOML value and the line it starts on.
public struct TOMLValue: Sendable, Equatable {
    /// The value itself. TOML dates and times are refused: no profile setting takes one.
    public enum Content: Sendable, Equatable {
        case string(String)
        case integer(Int)
        case float(Double)
        case boolean(Bool)
        case array([TOMLValue])
        case table(TOMLTable)
    }

    public internal(set) var content: Content
    public let line: Int
    /// True for an array built by `[[name]]` headers, which later headers may extend.
    var isTableArray = false

    init(_ content: Content, line: Int) {
        self.content = content
        self.line = line
    }

    public var string: String? { if case .string(let value) = content { value } else { nil } }
    public var int: Int? { if case .integer(let value) = content { value } else { nil } }
    public var double: Double? { if case .float(let value) = content { value } else { nil } }
    public var bool: Bool? { if case .boolean(let value) = content { value } else { nil } }
    public var array: [TOMLValue]? { if case .array(let value) = content { value } else { nil } }
    public var table: TOMLTable? { if case .table(let value) = content { value } else { nil } }
}

/// Text that is not TOML (or uses a part of TOML profiles do not): the line and what to change.
public struct TOMLParseError: Error, Equatable, CustomStringConvertible {
    public var line: Int
    public var message: String

    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { "line \(line): \(message)" }
}
