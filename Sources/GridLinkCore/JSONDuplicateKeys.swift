/// Finds a key that appears twice in one JSON object (`{"cmd":"ping","cmd":"led-test"}`).
///
/// JSONDecoder silently keeps one of them, so a message could mean two things depending on the
/// parser; gridlink refuses such messages instead. This is a scan of the bytes, not a validator
/// (JSONDecoder still decides whether the text is JSON): it tracks objects with an explicit stack,
/// never recurses and never traps, whatever the input.
public enum JSONDuplicateKeys {
    /// The first repeated key (escapes decoded), or nil.
    public static func first(in bytes: [UInt8]) -> String? {
        var stack: [Container] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "{"): stack.append(Container(isObject: true))
            case UInt8(ascii: "["): stack.append(Container(isObject: false))
            case UInt8(ascii: "}"), UInt8(ascii: "]"): _ = stack.popLast()
            case UInt8(ascii: ","):
                if stack.last?.isObject == true { stack[stack.count - 1].expectingKey = true }
            case UInt8(ascii: "\""):
                let (text, end) = string(in: bytes, from: index + 1)
                index = end
                if var top = stack.popLast() {
                    if top.isObject && top.expectingKey {
                        if !top.keys.insert(text).inserted { return text }
                        top.expectingKey = false
                    }
                    stack.append(top)
                }
            default: break
            }
            index += 1
        }
        return nil
    }

    private struct Container {
        var isObject: Bool
        var expectingKey: Bool
        var keys: Set<String> = []

        init(isObject: Bool) {
            self.isObject = isObject
            self.expectingKey = isObject
        }
    }

    /// The string starting after its opening quote, with escapes decoded; returns it and the index
    /// of the closing quote (or the end of the input).
    private static func string(in bytes: [UInt8], from start: Int) -> (String, Int) {
        var out: [UInt8] = []
        var index = start
        while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
            guard bytes[index] == UInt8(ascii: "\\"), index + 1 < bytes.count else {
                out.append(bytes[index])
                index += 1
                continue
            }
            let escape = bytes[index + 1]
            index += 2
            switch escape {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                guard let unit = hex4(bytes, at: index) else { continue }
                index += 4
                var scalar = UInt32(unit)
                if (0xD800..<0xDC00).contains(unit), index + 6 <= bytes.count, bytes[index] == UInt8(ascii: "\\"),
                   bytes[index + 1] == UInt8(ascii: "u"), let low = hex4(bytes, at: index + 2), (0xDC00..<0xE000).contains(low) {
                    scalar = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                    index += 6
                }
                out += Array(String(Character(Unicode.Scalar(scalar) ?? "\u{FFFD}")).utf8)
            default: out.append(escape)  // \" \\ \/ and anything JSONDecoder will refuse anyway
            }
        }
        return (String(decoding: out, as: UTF8.self), index)
    }

    private static func hex4(_ bytes: [UInt8], at index: Int) -> UInt16? {
        guard index + 4 <= bytes.count else { return nil }
        var value: UInt16 = 0
        for byte in bytes[index..<(index + 4)] {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt16(digit)
        }
        return value
    }
}
