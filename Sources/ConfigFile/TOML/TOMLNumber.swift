/// TOML integers and floats from their text, with TOML's rules: underscores only between digits,
/// no leading zeros, `0x`/`0o`/`0b` prefixes, and integers that fit 64 bits (else an error, not a trap).
enum TOMLNumber {
    /// The number `token` spells, nil if it is not a number at all, or an error if it is one TOML refuses.
    static func parse(_ token: String, line: Int) throws(TOMLParseError) -> TOMLValue.Content? {
        let bytes = Array(token.utf8)
        guard let first = bytes.first, TOMLParser.isDigit(first) || ((first == UInt8(ascii: "+") || first == UInt8(ascii: "-")) && bytes.count > 1) else {
            return nil
        }
        if bytes.count > 2, first == UInt8(ascii: "0"), let radix = radix(bytes[1]) {
            return try prefixed(Array(bytes[2...]), radix: radix, token: token, line: line)
        }
        let negative = first == UInt8(ascii: "-")
        let unsigned = first == UInt8(ascii: "+") || negative ? Array(bytes.dropFirst()) : bytes
        let isFloat = unsigned.contains { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }
        if isFloat { return try float(unsigned, negative: negative, token: token, line: line) }
        guard validDigits(unsigned[...]) else { return nil }
        if unsigned.count > 1 && unsigned[0] == UInt8(ascii: "0") {
            throw TOMLParseError(line: line, message: "'\(token)': TOML integers have no leading zeros")
        }
        var value = 0
        for byte in unsigned where byte != UInt8(ascii: "_") {
            let digit = Int(byte - UInt8(ascii: "0"))
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = negative ? times.subtractingReportingOverflow(digit) : times.addingReportingOverflow(digit)
            guard !overflow1 && !overflow2 else { throw outOfRange(token, line: line) }
            value = next
        }
        return .integer(value)
    }

    private static func radix(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "x"): 16
        case UInt8(ascii: "o"): 8
        case UInt8(ascii: "b"): 2
        default: nil
        }
    }

    private static func prefixed(_ digits: [UInt8], radix: Int, token: String, line: Int) throws(TOMLParseError) -> TOMLValue.Content {
        var value = 0
        guard let firstDigit = digits.first, firstDigit != UInt8(ascii: "_"), digits.last != UInt8(ascii: "_") else {
            throw TOMLParseError(line: line, message: "'\(token)' is not a number")
        }
        var previousUnderscore = false
        for byte in digits {
            if byte == UInt8(ascii: "_") {
                guard !previousUnderscore else { throw TOMLParseError(line: line, message: "'\(token)' is not a number") }
                previousUnderscore = true
                continue
            }
            previousUnderscore = false
            guard let digit = TOMLParser.hexValue(byte), Int(digit) < radix else {
                throw TOMLParseError(line: line, message: "'\(token)' is not a base-\(radix) number")
            }
            let (times, overflow1) = value.multipliedReportingOverflow(by: radix)
            let (next, overflow2) = times.addingReportingOverflow(Int(digit))
            guard !overflow1 && !overflow2 else { throw outOfRange(token, line: line) }
            value = next
        }
        return .integer(value)
    }

    /// Digits with single underscores between them.
    private static func validDigits(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard let first = bytes.first, let last = bytes.last, TOMLParser.isDigit(first), TOMLParser.isDigit(last) else { return false }
        var previousUnderscore = false
        for byte in bytes {
            if byte == UInt8(ascii: "_") {
                if previousUnderscore { return false }
                previousUnderscore = true
            } else if TOMLParser.isDigit(byte) {
                previousUnderscore = false
            } else {
                return false
            }
        }
        return true
    }

    /// `1.5`, `1e3`, `6.02e+23`: an integer part, then a fraction, an exponent or both.
    private static func float(_ bytes: [UInt8], negative: Bool, token: String, line: Int) throws(TOMLParseError) -> TOMLValue.Content? {
        let exponentAt = bytes.firstIndex { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }
        let mantissa = bytes[..<(exponentAt ?? bytes.endIndex)]
        let dot = mantissa.firstIndex(of: UInt8(ascii: "."))
        let integerPart = mantissa[..<(dot ?? mantissa.endIndex)]
        guard validDigits(integerPart) else { return nil }
        if integerPart.count > 1 && integerPart.first == UInt8(ascii: "0") {
            throw TOMLParseError(line: line, message: "'\(token)': TOML numbers have no leading zeros")
        }
        if let dot, !validDigits(mantissa[(dot + 1)...]) {
            throw TOMLParseError(line: line, message: "'\(token)' needs digits after the decimal point")
        }
        if let exponentAt {
            var exponent = bytes[(exponentAt + 1)...]
            if exponent.first == UInt8(ascii: "+") || exponent.first == UInt8(ascii: "-") { exponent = exponent.dropFirst() }
            guard validDigits(exponent) else { throw TOMLParseError(line: line, message: "'\(token)' has no digits in its exponent") }
        }
        let text = String(decoding: bytes.filter { $0 != UInt8(ascii: "_") }, as: UTF8.self)
        guard let value = Double(text) else { return nil }
        return .float(negative ? -value : value)
    }

    private static func outOfRange(_ token: String, line: Int) -> TOMLParseError {
        TOMLParseError(line: line, message: "\(token) is out of range for a whole number (at most 9223372036854775807); use a value the setting allows")
    }
}
