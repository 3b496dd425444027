/// A UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then random bits, so ids sort by
/// creation time and stay unique without coordination.
///
/// Pure: the caller supplies the time and the random source, so tests are deterministic.
public struct UUIDv7: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let bytes: [UInt8]

    /// - Parameters:
    ///   - unixMillis: milliseconds since the Unix epoch.
    ///   - counter: a 12-bit value placed in `rand_a`; callers that create several ids within one
    ///     millisecond pass an increasing counter so those ids sort in creation order (RFC 9562 §6.2, method 1).
    ///   - random: fills the remaining 62 random bits.
    public init(unixMillis: UInt64, counter: UInt16, random: inout some RandomNumberGenerator) {
        var b = [UInt8](repeating: 0, count: 16)
        for i in 0..<6 { b[i] = UInt8(truncatingIfNeeded: unixMillis >> (8 * (5 - UInt64(i)))) }
        let randA = counter & 0x0FFF
        b[6] = 0x70 | UInt8(randA >> 8)
        b[7] = UInt8(truncatingIfNeeded: randA)
        let tail = random.next() as UInt64
        for i in 8..<16 { b[i] = UInt8(truncatingIfNeeded: tail >> (8 * (15 - UInt64(i)))) }
        b[8] = 0x80 | (b[8] & 0x3F)
        bytes = b
    }

    /// The milliseconds embedded in the id.
    public var unixMillis: UInt64 {
        bytes[0..<6].reduce(0) { ($0 << 8) | UInt64($1) }
    }

    public var version: Int { Int(bytes[6] >> 4) }

    /// Canonical lowercase 8-4-4-4-12 form.
    public var description: String {
        let hex = bytes.map { byte -> String in
            let s = String(byte, radix: 16)
            return s.count == 1 ? "0" + s : s
        }
        let groups = [hex[0..<4], hex[4..<6], hex[6..<8], hex[8..<10], hex[10..<16]]
        return groups.map { $0.joined() }.joined(separator: "-")
    }

    public static func < (lhs: UUIDv7, rhs: UUIDv7) -> Bool { lhs.bytes.lexicographicallyPrecedes(rhs.bytes) }
}

/// Creates UUIDv7 ids that are strictly increasing even when many are made in one millisecond
/// or the wall clock steps backwards (monotonic per generator, RFC 9562 §6.2).
public struct UUIDv7Generator: Sendable {
    private var lastMillis: UInt64 = 0
    private var counter: UInt16 = 0

    public init() {}

    public mutating func next(unixMillis: UInt64, random: inout some RandomNumberGenerator) -> UUIDv7 {
        var millis = unixMillis
        if millis <= lastMillis {
            millis = lastMillis
            counter += 1
            if counter > 0x0FFF {
                millis += 1
                counter = 0
            }
        } else {
            counter = 0
        }
        lastMillis = millis
        return UUIDv7(unixMillis: millis, counter: counter, random: &random)
    }
}
