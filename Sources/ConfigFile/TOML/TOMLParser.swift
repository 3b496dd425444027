/// A strict reader for the TOML that profiles use: tables, arrays of tables, dotted keys, strings
/// (basic, literal, multi-line, every escape), integers (range-checked), floats, booleans, arrays and
/// inline tables, with comments anywhere TOML allows them. Dates and times are refused.
///
/// Works on UTF-8 bytes with no Foundation and no C: every problem is a `TOMLParseError` with its line,
/// never a trap (fuzzed by Tests/Fuzz/FuzzConfig).
struct TOMLParser {
    let bytes: [UInt8]
    var position = 0
    var line = 1
    /// Arrays and inline tables nest at most this deep, so hostile input cannot exhaust the stack.
    static let maxDepth = 32

    init(_ text: String) {
        bytes = Array(text.utf8)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }  // a byte-order mark some editors add
    }

    var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    func peek(_ offset: Int) -> UInt8? {
        position + offset < bytes.count ? bytes[position + offset] : nil
    }

    func fail(_ message: String) -> TOMLParseError { TOMLParseError(line: line, message: message) }

    mutating func parseDocument() throws(TOMLParseError) -> TOMLTable {
        var root = TOMLTable(line: 1, origin: .header)
        var currentPath: [String] = []
        while true {
            skipSpaces()
            guard let byte = current else { break }
            if byte == UInt8(ascii: "[") {
                currentPath = try parseHeader(into: &root)
            } else if byte != UInt8(ascii: "#") && !isNewline(byte) {
                let (path, line) = try parseKeyPath(context: "a key")
                skipSpaces()
                guard current == UInt8(ascii: "=") else {
                    throw fail("expected '=' after the key '\(path.joined(separator: "."))'")
                }
                position += 1
                skipSpaces()
                let value = try parseValue(depth: 0)
                try root.withTable(at: currentPath[...], walk: .into, line: line, name: currentPath.joined(separator: ".")) { table throws(TOMLParseError) in
                    try Self.insert(value, at: path, into: &table, line: line)
                }
            }
            try endLine()
        }
        return root
    }

    /// `key.path = value` into `table`: the dotted prefix creates (or reuses dotted) tables.
    static func insert(_ value: TOMLValue, at path: [String], into table: inout TOMLTable, line: Int) throws(TOMLParseError) {
        let name = path.joined(separator: ".")
        try table.withTable(at: path.dropLast(), walk: .dotted, line: line, name: name) { inner throws(TOMLParseError) in
            try inner.insert(path[path.count - 1], value, name: name)
        }
    }

    /// `[a.b]` or `[[a.b]]`; returns the path later keys go into.
    private mutating func parseHeader(into root: inout TOMLTable) throws(TOMLParseError) -> [String] {
        position += 1
        let isArray = current == UInt8(ascii: "[")
        if isArray { position += 1 }
        skipSpaces()
        let (path, line) = try parseKeyPath(context: "a table name in the table header (for example [gpio])")
        skipSpaces()
        let close = isArray ? "]]" : "]"
        guard current == UInt8(ascii: "]"), !isArray || peek(1) == UInt8(ascii: "]") else {
            throw fail("expected '\(close)' to close the table header")
        }
        position += isArray ? 2 : 1
        let name = path.joined(separator: ".")
        try root.withTable(at: path[...], walk: isArray ? .arrayHeader : .header, line: line, name: name) { _ throws(TOMLParseError) in }
        return path
    }

    /// After a header or a key/value: spaces, an optional comment, then the end of the line.
    private mutating func endLine() throws(TOMLParseError) {
        skipSpaces()
        if current == UInt8(ascii: "#") { try skipComment() }
        guard let byte = current else { return }
        guard try consumeNewline(byte) else {
            throw fail("unexpected '\(Self.printable(byte))' after the value; put one setting per line (a comment starts with #)")
        }
    }

    /// A dotted key: bare (`a-z A-Z 0-9 _ -`) or quoted parts joined by dots.
    mutating func parseKeyPath(context: String) throws(TOMLParseError) -> ([String], Int) {
        let startLine = line
        var parts: [String] = []
        while true {
            skipSpaces()
            guard let part = try parseSimpleKey() else {
                throw fail("expected \(context), found \(current.map { "'\(Self.printable($0))'" } ?? "the end of the file")")
            }
            parts.append(part)
            skipSpaces()
            guard current == UInt8(ascii: ".") else { return (parts, startLine) }
            position += 1
        }
    }

    private mutating func parseSimpleKey() throws(TOMLParseError) -> String? {
        guard let byte = current else { return nil }
        if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
            if peek(1) == byte && peek(2) == byte { throw fail("a key cannot be a multi-line string") }
            return try parseString(quote: byte)
        }
        let start = position
        while let byte = current, Self.isBareKey(byte) { position += 1 }
        return position > start ? String(decoding: bytes[start..<position], as: UTF8.self) : nil
    }

    static func isBareKey(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"): true
        default: false
        }
    }

    // MARK: - Whitespace, newlines, comments

    mutating func skipSpaces() {
        while current == UInt8(ascii: " ") || current == UInt8(ascii: "\t") { position += 1 }
    }

    func isNewline(_ byte: UInt8) -> Bool { byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") }

    /// Consumes `\n` or `\r\n` (a lone `\r` is an error); false if `byte` starts no newline.
    mutating func consumeNewline(_ byte: UInt8) throws(TOMLParseError) -> Bool {
        if byte == UInt8(ascii: "\n") {
            position += 1
        } else if byte == UInt8(ascii: "\r") {
            guard peek(1) == UInt8(ascii: "\n") else { throw fail("a carriage return must be followed by a line feed") }
            position += 2
        } else {
            return false
        }
        line += 1
        return true
    }

    /// `# …` up to (not including) the newline; control characters other than tab are refused.
    mutating func skipComment() throws(TOMLParseError) {
        while let byte = current, !isNewline(byte) {
            if Self.isControl(byte) { throw fail("control character \(Self.printable(byte)) in a comment; remove it") }
            position += 1
        }
    }

    /// Spaces, newlines and comments, as allowed between array elements.
    mutating func skipBlank() throws(TOMLParseError) {
        while true {
            skipSpaces()
            guard let byte = current else { return }
            if byte == UInt8(ascii: "#") {
                try skipComment()
            } else if try !consumeNewline(byte) {
                return
            }
        }
    }

    static func isControl(_ byte: UInt8) -> Bool { (byte < 0x20 && byte != 0x09) || byte == 0x7F }

    /// A byte as it can be shown in a message: itself if printable ASCII, else U+XXXX.
    static func printable(_ byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? String(UnicodeScalar(byte)) : "U+" + String(byte, radix: 16, uppercase: true).leftPadded(to: 4)
    }
}

extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: Swift.max(0, width - count)) + self }
}
