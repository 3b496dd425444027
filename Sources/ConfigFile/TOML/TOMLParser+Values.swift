extension TOMLParser {
    /// One value at the current position.
    mutating func parseValue(depth: Int) throws(TOMLParseError) -> TOMLValue {
        let startLine = line
        guard let byte = current else { throw fail("expected a value after '=', found the end of the file") }
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            return TOMLValue(.string(try parseString(quote: byte)), line: startLine)
        case UInt8(ascii: "["):
            return TOMLValue(.array(try parseArray(depth: depth + 1)), line: startLine)
        case UInt8(ascii: "{"):
            return TOMLValue(.table(try parseInlineTable(depth: depth + 1)), line: startLine)
        default:
            return TOMLValue(try parseBareValue(), line: startLine)
        }
    }

    // MARK: - Strings

    /// A basic ("…") or literal ('…') string, single- or multi-line (three quotes).
    mutating func parseString(quote: UInt8) throws(TOMLParseError) -> String {
        let multiline = peek(1) == quote && peek(2) == quote
        position += multiline ? 3 : 1
        if multiline, let byte = current, isNewline(byte) { _ = try consumeNewline(byte) }  // TOML trims it
        let basic = quote == UInt8(ascii: "\"")
        var out: [UInt8] = []
        while true {
            guard let byte = current else { throw fail("string is not closed; add the closing \(basic ? "\"" : "'")") }
            if byte == quote {
                if !multiline {
                    position += 1
                    break
                }
                var run = 0
                while peek(run) == quote { run += 1 }
                if run >= 3 {
                    guard run <= 5 else { throw fail("too many quotes at the end of a multi-line string") }
                    out += Array(repeating: quote, count: run - 3)
                    position += run
                    break
                }
                out += Array(repeating: quote, count: run)
                position += run
            } else if isNewline(byte) {
                guard multiline else { throw fail("string is not closed on this line; add the closing \(basic ? "\"" : "'")") }
                _ = try consumeNewline(byte)
                out.append(UInt8(ascii: "\n"))
            } else if byte == UInt8(ascii: "\\") && basic {
                try parseEscape(into: &out, multiline: multiline)
            } else {
                if Self.isControl(byte) { throw fail("control character \(Self.printable(byte)) in a string; write it as an escape such as \\u0007") }
                out.append(byte)
                position += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private mutating func parseEscape(into out: inout [UInt8], multiline: Bool) throws(TOMLParseError) {
        position += 1
        guard let byte = current else { throw fail("string is not closed; add the closing \"") }
        position += 1
        switch byte {
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            let count = byte == UInt8(ascii: "u") ? 4 : 8
            var scalar: UInt32 = 0
            for _ in 0..<count {
                guard let digit = current.flatMap(Self.hexValue) else {
                    throw fail("\\\(Self.printable(byte)) needs exactly \(count) hexadecimal digits")
                }
                scalar = scalar << 4 | UInt32(digit)
                position += 1
            }
            guard let unicode = Unicode.Scalar(scalar) else {
                throw fail("\\\(Self.printable(byte)) escape is not a Unicode scalar value")
            }
            out += Array(String(Character(unicode)).utf8)
        case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
            // A line-ending backslash: drop it and all whitespace up to the next non-blank character.
            guard multiline else { throw fail("\\ followed by a space is not a TOML escape; use \\\\ for a backslash") }
            position -= 1
            skipSpaces()
            guard let next = current, try consumeNewline(next) else {
                throw fail("a backslash in a multi-line string must end its line or start an escape")
            }
            while let next = current {
                if next == UInt8(ascii: " ") || next == UInt8(ascii: "\t") {
                    position += 1
                } else if try !consumeNewline(next) {
                    break
                }
            }
        default:
            throw fail("\\\(Self.printable(byte)) is not a TOML escape; use \\\\ for a backslash")
        }
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    // MARK: - Arrays and inline tables

    private mutating func parseArray(depth: Int) throws(TOMLParseError) -> [TOMLValue] {
        guard depth <= Self.maxDepth else { throw fail("arrays nest more than \(Self.maxDepth) deep") }
        position += 1
        var items: [TOMLValue] = []
        while true {
            try skipBlank()
            if current == UInt8(ascii: "]") {
                position += 1
                return items
            }
            items.append(try parseValue(depth: depth))
            try skipBlank()
            switch current {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"): continue
            default: throw fail("expected ',' or ']' in the array")
            }
        }
    }

    private mutating func parseInlineTable(depth: Int) throws(TOMLParseError) -> TOMLTable {
        guard depth <= Self.maxDepth else { throw fail("inline tables nest more than \(Self.maxDepth) deep") }
        var table = TOMLTable(line: line, origin: .inline)
        position += 1
        skipSpaces()
        if current == UInt8(ascii: "}") {
            position += 1
            return table
        }
        while true {
            skipSpaces()
            let (path, keyLine) = try parseKeyPath(context: "a key in the inline table")
            skipSpaces()
            guard current == UInt8(ascii: "=") else { throw fail("expected '=' after the key '\(path.joined(separator: "."))'") }
            position += 1
            skipSpaces()
            let value = try parseValue(depth: depth)
            try Self.insert(value, at: path, into: &table, line: keyLine)
            skipSpaces()
            switch current {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"):
                position += 1
                return table
            default: throw fail("expected ',' or '}' in the inline table (an inline table must fit on one line)")
            }
        }
    }

    // MARK: - Booleans and numbers

    /// `true`, `false`, an integer or a float; anything else is named in the error.
    private mutating func parseBareValue() throws(TOMLParseError) -> TOMLValue.Content {
        let start = position
        while let byte = current, Self.isBareKey(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: ":") {
            position += 1
        }
        let token = String(decoding: bytes[start..<position], as: UTF8.self)
        if token.isEmpty {
            throw fail("expected a value, found \(current.map { "'\(Self.printable($0))'" } ?? "the end of the line"); quote text as \"…\"")
        }
        switch token {
        case "true": return .boolean(true)
        case "false": return .boolean(false)
        case "inf", "+inf": return .float(.infinity)
        case "-inf": return .float(-.infinity)
        case "nan", "+nan", "-nan": return .float(.nan)
        default: break
        }
        if token.contains(":") || token.utf8.count >= 10 && Array(token.utf8)[4] == UInt8(ascii: "-") && token.utf8.prefix(4).allSatisfy(Self.isDigit) {
            throw fail("'\(token)' looks like a date or time, which profiles do not use; quote it if it is text")
        }
        if let number = try TOMLNumber.parse(token, line: line) { return number }
        throw fail("'\(token)' is not a value; quote text as \"\(token)\", or write a number, true or false")
    }

    static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
}
